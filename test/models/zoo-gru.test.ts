/**
 * mnist-gru: the zoo's recurrent model, an opset-11 file exported as PyTorch would (Transpose → GRU with
 * linear_before_reset → Squeeze with an axes attribute → Gemm), built by scripts/zoo/train-gru.ts.
 *
 * Integer graph vs onnxruntime-node float inference of the committed file, first 1,000 MNIST test images
 * (deterministic: both sides are exact functions of the committed files). Measured: float 98.5 %, integer
 * 98.5 %, top-1 agreement 99.8 % (998/1000), max |logit error| 0.961 (6.1 % of the float logit range 15.7),
 * mean 0.092. On all 10,000 test images: float 98.58 %, integer 98.54 %, agreement 99.80 %, max |error| 1.79
 * (10.8 % of the range 16.5), mean 0.090. The bounds below leave a margin for quantizer changes that cost
 * nothing real; a change that costs real accuracy on the recurrence fails here.
 */
import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import { mnistFidelity } from '../../models/fidelity.ts';
import { executeGraph } from '../../models/int/execute.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { prepareModel } from '../../models/prepare.ts';
import { dequantize, quantizeInput } from '../../models/quantize/quantize.ts';
import { readZooModel, zooModel } from '../../models/zoo/index.ts';
import { loadMnist, mnistImage } from '../../models/zoo/mnist.ts';
import { GRU_FEATURES, GRU_STEPS, GRU_TRAINING, gruForward, gruModel, trainGru } from '../../scripts/zoo/train-gru.ts';

const IMAGES = 1000;
const zoo = zooModel('mnist-gru');
const bytes = () => new Uint8Array(readFileSync(zoo.file));

describe('mnist-gru', () => {
  it('is an opset-11 PyTorch-style export: Transpose, GRU (z r h, linear_before_reset, with B), Squeeze (axes attribute), Gemm', () => {
    const model = fromBinary(ModelProtoSchema, bytes());
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 11]]);
    const nodes = model.graph!.node;
    expect(nodes.map((n) => n.opType)).toEqual(['Transpose', 'GRU', 'Squeeze', 'Gemm']);
    const attrs = (i: number) => Object.fromEntries(nodes[i].attribute.map((a) => [a.name, a.ints.length > 0 ? a.ints.map(Number) : Number(a.i)]));
    expect(attrs(1)).toEqual({ hidden_size: GRU_TRAINING.hidden, linear_before_reset: 1 });
    expect(nodes[1].input).toHaveLength(4);
    expect(attrs(2)).toEqual({ axes: [0] });
    const graph = loadOnnx(bytes());
    expect(graph.inputs).toEqual([{ name: 'image', dims: [1, GRU_STEPS, GRU_FEATURES], dtype: 'float32' }]);
    expect(graph.outputs).toEqual(['logits']);
    expect(graph.values.get('logits')?.dims).toEqual([1, 10]);
  });

  it('the float evaluator (GRU expanded into canonical ops) matches onnxruntime on the logits', async () => {
    const graph = loadOnnx(readZooModel('mnist-gru'));
    const session = await OrtModel.create(bytes());
    try {
      for (const s of zoo.samples(20)) {
        const ref = (await session.run(s.feeds)).get('logits')!.data;
        const got = evaluate(graph, s.feeds).outputs[0].data;
        const scale = Math.max(...Array.from(ref, Math.abs));
        for (let c = 0; c < 10; c++) expect(Math.abs(got[c] - ref[c])).toBeLessThanOrEqual(1e-5 + 1e-4 * scale);
      }
    } finally {
      await session.release();
    }
  });

  it(`integer vs onnxruntime on the first ${IMAGES} test images: accuracy, top-1 agreement and logit error within bounds`, async () => {
    const int = prepareModel('mnist-gru').int;
    const r = await mnistFidelity(zoo, int, bytes(), IMAGES);
    const summary = `agreement ${r.agreement}, float accuracy ${r.floatAccuracy}, integer accuracy ${r.intAccuracy}`;
    expect(r.images).toBe(IMAGES);
    expect(r.floatAccuracy, summary).toBeGreaterThanOrEqual(0.98);
    expect(r.intAccuracy, summary).toBeGreaterThanOrEqual(0.975);
    expect(r.agreement, summary).toBeGreaterThanOrEqual(0.99);
    expect(r.floatAccuracy - r.intAccuracy, summary).toBeLessThanOrEqual(0.01);

    const session = await OrtModel.create(bytes());
    const inScale = int.tensors[int.inputs[0]].scale;
    const outScale = int.tensors[int.outputs[0]].scale;
    let maxAbs = 0;
    let range = 0;
    let sum = 0;
    try {
      for (const s of zoo.samples(IMAGES)) {
        const f = (await session.run(s.feeds)).get('logits')!.data;
        const y = dequantize(executeGraph(int, [quantizeInput(s.feeds.image.data, inScale, false)]).outputs[0], outScale);
        for (let c = 0; c < 10; c++) {
          const e = Math.abs(y[c] - f[c]);
          maxAbs = Math.max(maxAbs, e);
          range = Math.max(range, Math.abs(f[c]));
          sum += e;
        }
      }
    } finally {
      await session.release();
    }
    const errors = `max |logit error| ${maxAbs} (${maxAbs / range} of the range ${range}), mean ${sum / (10 * IMAGES)}`;
    expect(maxAbs, errors).toBeLessThanOrEqual(1.5);
    expect(maxAbs / range, errors).toBeLessThanOrEqual(0.1);
    expect(sum / (10 * IMAGES), errors).toBeLessThanOrEqual(0.15);
  }, 120_000);

  it('training is reproducible and its forward pass is what onnxruntime computes for the exported GRU', async () => {
    const train = loadMnist('train', 256);
    const opts = { ...GRU_TRAINING, hidden: 8, epochs: 1, samples: 256 };
    const a = trainGru(train, opts);
    const b = trainGru(train, opts);
    const fileA = writeOnnx(gruModel(a));
    expect(Buffer.from(writeOnnx(gruModel(b))).equals(Buffer.from(fileA))).toBe(true);
    const test = loadMnist('test', 8);
    const session = await OrtModel.create(fileA);
    try {
      for (let i = 0; i < test.count; i++) {
        const image = mnistImage(test, i, [1, GRU_STEPS, GRU_FEATURES]);
        const ort = (await session.run({ image })).get('logits')!.data;
        const ours = gruForward(a, image.data);
        for (let c = 0; c < 10; c++) expect(Math.abs(ours[c] - ort[c])).toBeLessThan(1e-4);
      }
    } finally {
      await session.release();
    }
  });
});
