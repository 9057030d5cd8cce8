/**
 * Greedy generation as one integer graph (models/generate/): brown-llama's decode step unrolled over the prompt
 * and N new tokens. The oracle is the decode loop written out here, independently of the unroller: the
 * quantized step run once per position with runGraph, its cache words carried to the next position, the next
 * token picked in plain TypeScript (highest logit word, lowest index on ties). The unrolled graph must produce
 * exactly those tokens, and its new nodes (prompt gathers, argmax, the final concat) must lower to the VM with
 * the executor's roots. Shapes outside what the model allows are refused with one clear line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runGraph } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { lowerNode, runLowered } from '../../models/int/vmNode.ts';
import { floatDecodeInterface, intDecodeInterface, DecodeGraphError } from '../../models/generate/decodeGraph.ts';
import { GenerationShapeError, unrollDecode } from '../../models/generate/unroll.ts';
import { decodeStep, prepareModel, quantizeDecodeStep } from '../../models/prepare.ts';
import { quantize } from '../../models/quantize/quantize.ts';
import { decodeCalibration } from '../../models/generate/calibration.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { LLAMA_SHAPES } from '../../scripts/zoo/llama/config.ts';
import { buildLlamaOnnx, seededLlamaWeights } from '../../scripts/zoo/llama/onnx.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { encodePadded, decodeText } from '../../models/zoo/asciiTokens.ts';
import { readZooModel, zooModel } from '../../models/zoo/index.ts';

const zoo = zooModel('brown-llama');
const brownStep = decodeStep(zoo);
const step = brownStep;
const face = intDecodeInterface(step);

/** The decode loop by hand: positions 0 … P + N − 2, the prompt's tokens first, then each argmax. */
function greedyByHand(prompt: Int32Array, generate: number, step: IntGraph = brownStep): number[] {
  const cacheIns = step.inputs.slice(2);
  let caches = cacheIns.map((t) => new Int32Array(step.tensors[t].dims.reduce((a, d) => a * d, 1)));
  const out: number[] = [];
  let token = prompt[0];
  for (let pos = 0; pos < prompt.length + generate - 1; pos++) {
    if (pos < prompt.length) token = prompt[pos];
    const run = runGraph(step, [Int32Array.of(token), Int32Array.of(pos), ...caches]);
    caches = step.outputs.slice(1).map((o) => Int32Array.from(run.values.get(o)!));
    if (pos >= prompt.length - 1) {
      const logits = run.values.get(step.outputs[0])!;
      let best = 0;
      for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
      out.push(best);
      token = best;
    }
  }
  return out;
}

describe('generation: the decode step unrolled', () => {
  it('brown-llama\'s decode graph follows the convention; its caches keep their scale from step to step', () => {
    const float = loadOnnx(new Uint8Array(readFileSync(zoo.decode!.file)));
    expect(floatDecodeInterface(float)).toEqual({ caches: ['cache_k_0', 'cache_v_0', 'cache_k_1', 'cache_v_1'], vocab: 96 });
    expect(face.vocab).toBe(96);
    // The prefill graph is not a decode step: refused, naming what is expected.
    expect(() => floatDecodeInterface(loadOnnx(readZooModel('brown-llama')))).toThrow(DecodeGraphError);
    expect(() => floatDecodeInterface(loadOnnx(readZooModel('brown-llama')))).toThrow(/its first input must be token int64 \[1,1\], not tokens \[1,32\]/);
  });

  for (const [text, generate] of [['The jury', 16], ['It was', 6], ['x', 3]] as const) {
    it(`"${text}" + ${generate} tokens: the unrolled graph's output is the decode loop's, token for token`, () => {
      const promptLength = 8;
      const prompt = encodePadded(text, promptLength, 'start');
      const g = unrollDecode(step, face, { promptLength, generate });
      expect(g.inputs).toHaveLength(1);
      expect(g.tensors[g.inputs[0]]).toMatchObject({ name: 'prompt', dims: [1, promptLength], integer: true });
      expect(g.tensors[g.outputs[0]]).toMatchObject({ dims: [1, generate], integer: true, scale: 1 });
      expect(g.nodes.length).toBe((promptLength + generate - 1) * step.nodes.length + promptLength + generate + (generate > 1 ? 1 : 0));
      const run = runGraph(g, [prompt]);
      const got = Array.from(run.outputs[0]);
      expect(got).toEqual(greedyByHand(prompt, generate));
      if (process.env.OPML_PRINT) console.log(JSON.stringify(text), '→', JSON.stringify(decodeText(got)));
    });
  }

  it('the prompt gathers, argmax nodes and the final concat lower to the VM with the executor\'s roots', () => {
    const g = unrollDecode(step, face, { promptLength: 2, generate: 3 });
    const run = runGraph(g, [encodePadded('Th', 2, 'start')]);
    const checked = g.nodes.flatMap((n, i) => (n.op === 'argmax' || n.name === 'tokens' || n.name.endsWith('/token') ? [i] : []));
    expect(checked.length).toBe(2 + 3 + 1);
    for (const i of checked) {
      const node = g.nodes[i];
      const inputs = node.inputs.map((t) => run.values.get(t) ?? g.weights.get(t)!);
      expect(runLowered(lowerNode(g, i), inputs).outputRoot, `${node.name}`).toBe(run.roots.get(node.output));
    }
  });

  it('any decode step: each cache is quantized at its update\'s scale (tied ranges), so seeded weights unroll too', () => {
    // The tiny LLaMA with seeded weights, calibrated on two random windows (sparse positions: the caches' and
    // their updates' ranges differ before tying).
    const c = LLAMA_SHAPES.tiny;
    const float = loadOnnx(buildLlamaOnnx(c, seededLlamaWeights(c, 3), { kind: 'decode' }));
    const rng = new Prng(3);
    const windows = Array.from({ length: 2 }, () => Array.from({ length: 7 }, () => rng.int(c.vocab)));
    // Untied, two of the four caches come out at another scale than their updates (the last position's new row
    // is never a calibrated cache input): such a step could not be unrolled.
    const untied = quantize(float, decodeCalibration(float, floatDecodeInterface(float), windows));
    expect(untied.inputs.slice(2).filter((t, i) => untied.tensors[t].scale !== untied.tensors[untied.outputs[i + 1]].scale)).toHaveLength(2);
    expect(() => intDecodeInterface(untied)).toThrow(/cannot feed the next/);
    const tiny = quantizeDecodeStep(float, windows);
    const f = intDecodeInterface(tiny);
    tiny.inputs.slice(2).forEach((t, i) => expect(tiny.tensors[t].scale).toBe(tiny.tensors[tiny.outputs[i + 1]].scale));
    const prompt = Int32Array.from({ length: 5 }, () => rng.int(c.vocab));
    const g = unrollDecode(tiny, f, { promptLength: 5, generate: 6 });
    expect(Array.from(runGraph(g, [prompt]).outputs[0])).toEqual(greedyByHand(prompt, 6, tiny));
  });

  it('refuses shapes the model cannot hold, each in one line', () => {
    expect(() => unrollDecode(step, face, { promptLength: 8, generate: 0 })).toThrow(GenerationShapeError);
    expect(() => unrollDecode(step, face, { promptLength: 8, generate: 33 })).toThrow(/from 1 to 32/);
    expect(() => unrollDecode(step, face, { promptLength: 40, generate: 26 })).toThrow(/needs 65 positions, but the model's position tables hold 64/);
    expect(() => unrollDecode(step, face, { promptLength: 0, generate: 4 })).toThrow(/prompt length/);
  });

  it('prepareModel builds it from the zoo name; a model without a decode graph is refused with the fix', () => {
    const p = prepareModel('brown-llama', undefined, { generate: { promptLength: 4, generate: 2 } });
    expect(p.zoo?.defaultInput).toBe('text:The ');
    expect(p.int.tensors[p.int.outputs[0]].dims).toEqual([1, 2]);
    expect(() => prepareModel('mnist-mlp', undefined, { generate: { promptLength: 4, generate: 2 } })).toThrow(/--generate needs a zoo text model with a decode-step graph; give brown-llama/);
  });
});
