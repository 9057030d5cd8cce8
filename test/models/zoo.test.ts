// The committed zoo: loads, has the advertised interface, and the float evaluator matches onnxruntime on
// every intermediate value for sample inputs.

import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import { isFloatTensor } from '../../models/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { readZooModel, ZOO, zooModel } from '../../models/zoo/index.ts';
import { compareWithOrt } from './compare.ts';

function argmax(data: ArrayLike<number>, from = 0, to = data.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (data[i] > data[best]) best = i;
  return best - from;
}

// Zoo models whose ONNX ops loadOnnx expands (mnist-gru's GRU, mnist-mobilenet's Pad): some internal values have
// no onnxruntime counterpart (only the shared ones are compared) and the expansion's Gather indices are int
// initializers.
// brown-llama: GQA's Expand and rotate_half's Slices; test/models/zoo-brown-llama.test.ts.
const EXPANDED: ReadonlySet<string> = new Set(['mnist-gru', 'mnist-mobilenet', 'brown-llama']); // mnist-mobilenet: Pad; test/models/zoo-mobilenet.test.ts

describe('model zoo', () => {
  it('is commit-sized (< 2 MB in total)', () => {
    const total = ZOO.reduce((s, z) => s + statSync(z.file).size, 0);
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });

  for (const z of ZOO) {
    describe(z.name, () => {
      const graph = loadOnnx(readZooModel(z.name), { inputDims: { [z.inputName]: z.inputDims } }); // mnist-mobilenet's batch dim is symbolic

      it('loads with the advertised input and output', () => {
        expect(graph.inputs).toEqual([{ name: z.inputName, dims: z.inputDims, dtype: z.inputType }]);
        expect(graph.outputs).toEqual([z.outputName]);
        expect(graph.values.get(z.outputName)?.dims).toEqual(z.outputDims);
        if (!EXPANDED.has(z.name)) expect(graph.intInitializers.size).toBe(0);
      });

      it('matches onnxruntime on every node output it shares with onnxruntime', async () => {
        const samples = z.samples(z.inputType === 'int64' ? 8 : 3);
        const expanded = EXPANDED.has(z.name);
        for (const s of samples) {
          const result = await compareWithOrt(readZooModel(z.name), s.feeds, { inputDims: { [z.inputName]: z.inputDims }, sharedOnly: expanded });
          if (expanded) expect(result.compared).toBeGreaterThanOrEqual(1);
          else expect(result.compared).toBe(graph.nodes.length);
          expect(result.worst, `worst value ${result.worstValue}`).toBeLessThanOrEqual(1);
        }
      });
    });
  }

  it('mnist-mlp has the documented layers', () => {
    const ops = loadOnnx(readZooModel('mnist-mlp')).nodes.map((n) => n.op);
    expect(ops).toEqual(['Gemm', 'Relu', 'MatMul', 'Add']);
  });

  it('mnist-cnn has the documented layers', () => {
    const ops = loadOnnx(readZooModel('mnist-cnn')).nodes.map((n) => n.op);
    expect(ops).toEqual(['Conv', 'BatchNormalization', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm']);
  });

  it('tiny-transformer uses both LayerNorm forms, GELU and ReLU MLPs, causal softmax attention', () => {
    const nodes = loadOnnx(readZooModel('tiny-transformer')).nodes;
    const count = (op: string) => nodes.filter((n) => n.op === op).length;
    expect(count('Gather')).toBe(1);
    expect(count('LayerNormalization')).toBe(3);
    expect(count('ReduceMean')).toBe(4);
    expect(count('Pow')).toBe(2);
    expect(count('Sqrt')).toBe(2);
    expect(count('Softmax')).toBe(2);
    expect(count('Gelu')).toBe(1);
    expect(count('Relu')).toBe(1);
    expect(count('Transpose')).toBe(8);
    expect(count('Reshape')).toBe(8);
  });

  for (const name of ['mnist-mlp', 'mnist-cnn'] as const) {
    it(`${name} classifies the first 100 MNIST test digits (float evaluator)`, () => {
      const z = zooModel(name);
      const graph = loadOnnx(readZooModel(name));
      let correct = 0;
      for (const s of z.samples(100)) {
        const logits = evaluate(graph, s.feeds).outputs[0];
        expect(isFloatTensor(logits)).toBe(true);
        if (argmax(logits.data) === s.label) correct++;
      }
      expect(correct).toBeGreaterThanOrEqual(96);
    });
  }

  it('tiny-transformer attention is causal: a later token does not change earlier logits', () => {
    const z = zooModel('tiny-transformer');
    const graph = loadOnnx(readZooModel('tiny-transformer'));
    const [sample] = z.samples(1);
    const tokens = sample.feeds.tokens;
    const changed = { dims: tokens.dims, data: Int32Array.from(tokens.data) };
    changed.data[15] = (changed.data[15] + 1) % 64;
    const a = evaluate(graph, { tokens }).outputs[0].data;
    const b = evaluate(graph, { tokens: changed }).outputs[0].data;
    const prefix = 15 * 64;
    expect(Array.from(b.subarray(0, prefix))).toEqual(Array.from(a.subarray(0, prefix)));
    expect(Array.from(b.subarray(prefix))).not.toEqual(Array.from(a.subarray(prefix)));
    // Different positions see different contexts: the predicted next tokens are not all the same.
    const predictions = new Set(Array.from({ length: 16 }, (_, t) => argmax(a, t * 64, (t + 1) * 64)));
    expect(predictions.size).toBeGreaterThan(1);
  });
});
