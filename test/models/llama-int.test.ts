/**
 * The tiny LLaMA (test/models/llama-harness.ts: seeded weights, calibrated on the whole vocabulary plus 16 random
 * prompts) through the integer pipeline:
 * - integer prefill vs onnxruntime on 32 held-out prompts × 16 positions: top-1 agreement, logit errors, and every
 *   disagreement a near tie in float;
 * - the RMSNormalization op, the three decomposed forms and a Split rotate_half give the same integer graph (names
 *   aside), Swish the same accuracy;
 * - every node of the prefill (and decode) graph, lowered to the VM and run from its own inputs, ends with the
 *   executor's output root, in the step count derived from its code (staticSteps);
 * - integer decode, one token at a time with the caches carried in words, vs onnxruntime and vs integer prefill at
 *   every position.
 * Bounds (measured in brackets, max |float logit| 3.9): prefill top-1 ≥ 95 % [97.7 %], max |error| ≤ 0.3 [0.184],
 * mean ≤ 0.03 [0.020]; a disagreement's float margin ≤ 0.15 [0.058]; decode vs float the same bounds [96.5 %, 0.184,
 * 0.020]; decode vs integer prefill max ≤ 0.25 [0.117], top-1 ≥ 95 % [97.1 %].
 */
import { describe, expect, it } from 'vitest';
import { runGraph } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { deserializeIntGraph, intGraphHash, serializeIntGraph } from '../../models/int/serialize.ts';
import { staticSteps } from '../../models/int/staticSteps.ts';
import { lowerNode, runLowered } from '../../models/int/vmNode.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { quantize } from '../../models/quantize/quantize.ts';
import { buildLlamaOnnx } from '../../scripts/zoo/llama/onnx.ts';
import { argmax, CALIBRATION, decodeModel, intDecode, intPrefill, prefillModel, prompts, row, SEQ, TINY, tokensFeed, WEIGHTS } from './llama-harness.ts';

const HELD_OUT = prompts(32, 11);

interface Stats {
  agree: number;
  total: number;
  max: number;
  mean: number;
  /** the largest float margin (top-1 logit minus the logit of the integer's choice) among disagreements */
  margin: number;
}

function compare(got: Float32Array[][], want: Float32Array[][]): Stats {
  const s = { agree: 0, total: 0, max: 0, sum: 0, n: 0, margin: 0 };
  got.forEach((rows, p) => rows.forEach((g, t) => {
    const w = want[p][t];
    const a = argmax(g);
    const b = argmax(w);
    s.total++;
    if (a === b) s.agree++;
    else s.margin = Math.max(s.margin, w[b] - w[a]);
    for (let v = 0; v < w.length; v++) {
      const e = Math.abs(g[v] - w[v]);
      s.max = Math.max(s.max, e);
      s.sum += e;
      s.n++;
    }
  }));
  return { agree: s.agree, total: s.total, max: s.max, mean: s.sum / s.n, margin: s.margin };
}

const show = (label: string, s: Stats) => {
  if (process.env.OPML_PRINT) console.log(`${label}: top-1 ${s.agree}/${s.total} (${((100 * s.agree) / s.total).toFixed(1)}%), max ${s.max.toFixed(3)}, mean ${s.mean.toFixed(4)}, worst disagreement margin ${s.margin.toFixed(3)}`);
};

let ortLogits: Float32Array[][] | undefined;
/** onnxruntime's prefill logits on the held-out prompts (once). */
async function reference(): Promise<Float32Array[][]> {
  if (!ortLogits) {
    const session = await OrtModel.create(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }));
    ortLogits = [];
    for (const p of HELD_OUT) {
      const l = (await session.run(tokensFeed(p))).get('logits')!.data;
      ortLogits.push(p.map((_, t) => Float32Array.from(row(l, t))));
    }
    await session.release();
  }
  return ortLogits;
}

describe('integer prefill vs onnxruntime', () => {
  it('top-1 ≥ 95 %, max |logit error| ≤ 0.3, mean ≤ 0.03, disagreements are float near-ties (margin ≤ 0.15)', async () => {
    const { int } = prefillModel();
    const s = compare(HELD_OUT.map((p) => intPrefill(int, p)), await reference());
    show('prefill int vs ort', s);
    expect(s.agree / s.total).toBeGreaterThanOrEqual(0.95);
    expect(s.max).toBeLessThanOrEqual(0.3);
    expect(s.mean).toBeLessThanOrEqual(0.03);
    expect(s.margin).toBeLessThanOrEqual(0.15);
  });

  it('the integer graph: rmsnorm for every norm, int8 attention scores via 16-bit mask Add, SiLU as a Sigmoid table and a Mul', () => {
    const { int } = prefillModel();
    const ops = int.nodes.map((n) => n.op);
    const count = (op: string) => ops.filter((o) => o === op).length;
    expect(count('rmsnorm')).toBe(2 * TINY.layers + 1);
    expect(count('softmax')).toBe(TINY.layers);
    expect(count('matmul')).toBe(9 * TINY.layers + 1);
    // the residual stream (Add outputs read by Add and RMSNormalization) is 16-bit: the norms take xmax 32768
    const norms = int.nodes.filter((n) => n.op === 'rmsnorm');
    expect(norms.map((n) => (n.attrs as { xmax: number }).xmax)).toEqual([128, 32768, 32768, 32768, 32768]);
  });

  it('the .opml file round-trips the prefill and decode graphs (rmsnorm attrs pass the header check)', () => {
    for (const { int } of [prefillModel(), decodeModel()]) {
      const back = deserializeIntGraph(serializeIntGraph(int));
      expect(back.nodes).toEqual(int.nodes);
      expect(intGraphHash(back)).toBe(intGraphHash(int));
    }
  });

  it('the RMSNormalization op, every decomposed form and a Split rotate_half quantize to the same integer graph; Swish to the same accuracy', async () => {
    const strip = (g: IntGraph) => ({ ops: g.nodes.map((n) => [n.op, n.attrs]), weights: [...g.weights.values()].map((w) => Array.from(w)) });
    const base = strip(prefillModel().int);
    for (const opts of [{ rmsNormOp: true }, { rmsForm: 'mul-div1' as const }, { rmsForm: 'pow-div' as const }, { rotate: 'split' as const }]) {
      expect(strip(prefillModel(opts).int), JSON.stringify(opts)).toEqual(base);
    }
    const swish = prefillModel({ silu: 'swish' }).int;
    // one table (Swish) instead of a table (Sigmoid) and a binary Mul per layer
    const binaries = (g: IntGraph) => g.nodes.filter((n) => n.op === 'binary').length;
    expect(binaries(swish)).toBe(binaries(prefillModel().int) - TINY.layers);
    const s = compare(HELD_OUT.map((p) => intPrefill(swish, p)), await reference());
    show('prefill swish int vs ort', s);
    expect(s.agree / s.total).toBeGreaterThanOrEqual(0.95);
    expect(s.max).toBeLessThanOrEqual(0.3);
  });

  it('left decomposed (fuseRmsNorm: false) the norms run op by op through 16-bit words: top-1 ≥ 93 %, max ≤ 0.3', async () => {
    const float = loadOnnx(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }), { fuseRmsNorm: false });
    const int = quantize(float, CALIBRATION.map(tokensFeed));
    expect(int.nodes.some((n) => n.op === 'rmsnorm')).toBe(false);
    const s = compare(HELD_OUT.map((p) => intPrefill(int, p)), await reference());
    show('prefill unfused int vs ort', s);
    expect(s.agree / s.total).toBeGreaterThanOrEqual(0.93);
    expect(s.max).toBeLessThanOrEqual(0.3);
  });
});

/** Every node's VM run from the executor's inputs ends with the executor's root, in staticSteps' count. */
function vmEqualsExecutor(int: IntGraph, inputs: Int32Array[]): number {
  const run = runGraph(int, inputs);
  let steps = 0;
  int.nodes.forEach((node, i) => {
    const ins = node.inputs.map((t) => run.values.get(t) ?? int.weights.get(t)!);
    const lowered = lowerNode(int, i);
    const vm = runLowered(lowered, ins);
    expect(vm.outputRoot, `node ${i} (${node.name}, ${node.op})`).toBe(run.roots.get(node.output));
    expect(staticSteps(lowered.program), `node ${i} (${node.name}) steps`).toBe(vm.steps);
    steps += vm.steps;
  });
  return steps;
}

describe('VM = executor, node by node', () => {
  it('prefill: every node', () => {
    const { int } = prefillModel();
    const steps = vmEqualsExecutor(int, [Int32Array.from(HELD_OUT[0])]);
    if (process.env.OPML_PRINT) console.log(`prefill: ${int.nodes.length} nodes, ${steps} VM steps`);
  }, 300_000);

  it('decode at position 6 with carried caches: every node', () => {
    const { int } = decodeModel();
    let at: Int32Array[] = [];
    intDecode(int, HELD_OUT[1].slice(0, 7), (pos, inputs) => {
      if (pos === 6) at = inputs.map((w) => Int32Array.from(w));
    });
    vmEqualsExecutor(int, at);
  }, 300_000);
});

describe('integer decode, one token at a time', () => {
  it('vs onnxruntime and vs the integer prefill at every position', async () => {
    const dec = decodeModel().int;
    const pre = prefillModel().int;
    // the cache outputs come back at the cache inputs' scale, so words carry over unchanged
    dec.outputs.slice(1).forEach((o, k) => expect(dec.tensors[o].scale).toBe(dec.tensors[dec.inputs[2 + k]].scale));
    const decoded = HELD_OUT.map((p) => intDecode(dec, p));
    const vsFloat = compare(decoded, await reference());
    show('decode int vs ort', vsFloat);
    expect(vsFloat.agree / vsFloat.total).toBeGreaterThanOrEqual(0.95);
    expect(vsFloat.max).toBeLessThanOrEqual(0.3);
    expect(vsFloat.mean).toBeLessThanOrEqual(0.03);
    expect(vsFloat.margin).toBeLessThanOrEqual(0.15);
    const vsPrefill = compare(decoded, HELD_OUT.map((p) => intPrefill(pre, p)));
    show('decode int vs prefill int', vsPrefill);
    expect(vsPrefill.agree / vsPrefill.total).toBeGreaterThanOrEqual(0.95);
    expect(vsPrefill.max).toBeLessThanOrEqual(0.25);
  }, 300_000);
});
