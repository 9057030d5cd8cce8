/**
 * The LLaMA builder (scripts/zoo/llama/onnx.ts) and float forward (scripts/zoo/llama/forward.ts) on the tiny shape,
 * in float:
 * - forward.ts = onnxruntime on the exported prefill graph, for every way the builder writes RMSNorm and SiLU;
 * - opml's float evaluator = onnxruntime on every value both have (prefill and decode graphs; the decomposed
 *   RMSNorms are fused into RMSNormalization nodes on load);
 * - the decode graph run one token at a time (caches carried from each step's outputs to the next step's inputs)
 *   = the prefill graph's logits at every position, in onnxruntime and in opml's evaluator;
 * - the loaded graphs' structure, the builder's refusals, and the seeded weights' activation scale at depth.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import { isFloatTensor, type Tensor } from '../../models/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { LLAMA_SHAPES, parameterCount, type LlamaConfig } from '../../scripts/zoo/llama/config.ts';
import { LlamaDecoder, llamaForward } from '../../scripts/zoo/llama/forward.ts';
import { buildLlamaOnnx, llamaCacheNames, seededLlamaWeights, type LlamaOnnxOptions } from '../../scripts/zoo/llama/onnx.ts';
import { compareWithOrt, maxAbs } from './compare.ts';
import { cacheFeeds, decodeFeeds, emptyCaches, prompts, row, SEQ, TINY, tokensFeed, WEIGHTS } from './llama-harness.ts';

const TEST_PROMPTS = prompts(4, 21);
/** float32 against the float64 forward: |a − b| ≤ 2e-5 + 1e-5·|b| (measured ≤ 9.6e-7 absolute on logits ≤ 3.9) */
const close = (a: ArrayLike<number>, b: ArrayLike<number>, label: string) => {
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= 2e-5 + 1e-5 * Math.abs(b[i]))) expect.fail(`${label}: element ${i}: ${a[i]} vs ${b[i]}`);
};

const VARIANTS: [string, LlamaOnnxOptions][] = [
  ['RMSNorm as Pow/ReduceMean/Add/Sqrt/Reciprocal/Mul (opset 18)', {}],
  ['RMSNorm as Mul/…/Div(1, ·) (opset 18)', { rmsForm: 'mul-div1' }],
  ['RMSNorm as Pow/…/Div(x, ·) (opset 18)', { rmsForm: 'pow-div' }],
  ['RMSNormalization op (opset 23)', { rmsNormOp: true }],
  ['SiLU as the Swish op (opset 24)', { silu: 'swish' }],
  ['rotate_half by Split', { rotate: 'split' }],
];

describe('forward.ts = onnxruntime on the exported prefill graph', () => {
  for (const [label, opts] of VARIANTS) {
    it(label, async () => {
      const session = await OrtModel.create(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }, opts));
      try {
        for (const p of TEST_PROMPTS) {
          const logits = (await session.run(tokensFeed(p))).get('logits')!;
          expect(logits.dims).toEqual([1, SEQ, TINY.vocab]);
          const ref = llamaForward(TINY, WEIGHTS, p);
          ref.forEach((r, t) => close(row(logits.data, t), r, `${label} position ${t}`));
        }
      } finally {
        await session.release();
      }
    });
  }

  it('a short prompt: prefill of 5 tokens = the first 5 rows of the 16-token prefill', async () => {
    const session = await OrtModel.create(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: 5 }));
    const p = TEST_PROMPTS[0];
    const logits = (await session.run(tokensFeed(p.slice(0, 5)))).get('logits')!;
    await session.release();
    llamaForward(TINY, WEIGHTS, p).slice(0, 5).forEach((r, t) => close(row(logits.data, t), r, `position ${t}`));
  });
});

describe("opml's float evaluator = onnxruntime", () => {
  for (const [label, opts] of VARIANTS) {
    it(`prefill, every shared value: ${label}`, async () => {
      const bytes = buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }, opts);
      const r = await compareWithOrt(bytes, tokensFeed(TEST_PROMPTS[1]), { sharedOnly: true });
      expect(r.compared).toBeGreaterThan(50);
      expect(r.worst, r.worstValue).toBeLessThanOrEqual(1);
    });
  }

  it('decode at position 9 with the float decoder’s caches, every shared value (logits and the new caches included)', async () => {
    const p = TEST_PROMPTS[2];
    const dec = new LlamaDecoder(TINY, WEIGHTS);
    for (let t = 0; t < 9; t++) dec.step(p[t]);
    const r = await compareWithOrt(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'decode' }), decodeFeeds(p[9], 9, cacheFeeds(dec)), { sharedOnly: true });
    expect(r.compared).toBeGreaterThan(50);
    expect(r.worst, r.worstValue).toBeLessThanOrEqual(1);
  });
});

describe('decode, one token at a time = prefill at every position', () => {
  it('onnxruntime: the decode graph with carried caches = the prefill graph = forward.ts, and the caches hold the keys/values', async () => {
    const names = llamaCacheNames(TINY);
    const decode = await OrtModel.create(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'decode' }));
    const prefill = await OrtModel.create(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }));
    try {
      for (const p of TEST_PROMPTS.slice(0, 2)) {
        const full = (await prefill.run(tokensFeed(p))).get('logits')!.data;
        let caches: Record<string, Tensor> = emptyCaches();
        const dec = new LlamaDecoder(TINY, WEIGHTS);
        for (let t = 0; t < SEQ; t++) {
          const out = await decode.run(decodeFeeds(p[t], t, caches));
          const logits = out.get('logits')!;
          expect(logits.dims).toEqual([1, 1, TINY.vocab]);
          close(logits.data, row(full, t), `position ${t} vs prefill`);
          close(logits.data, dec.step(p[t]), `position ${t} vs forward.ts`);
          caches = Object.fromEntries(names.outputs.map((o, k) => [names.inputs[k], out.get(o)!]));
          // rows ≤ t hold the keys (after RoPE) and values, rows after t are still zero
          const want = cacheFeeds(dec);
          for (const n of names.inputs) close(caches[n].data as Float32Array, want[n].data, `position ${t} ${n}`);
        }
      }
    } finally {
      await decode.release();
      await prefill.release();
    }
  });

  it("opml's float evaluator: decode step by step = its prefill at every position", () => {
    const names = llamaCacheNames(TINY);
    const decode = loadOnnx(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'decode' }));
    const prefill = loadOnnx(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }));
    const p = TEST_PROMPTS[3];
    const full = evaluate(prefill, tokensFeed(p)).outputs[0].data as Float32Array;
    let caches: Record<string, Tensor> = emptyCaches();
    for (let t = 0; t < SEQ; t++) {
      const { outputs } = evaluate(decode, decodeFeeds(p[t], t, caches));
      expect(decode.outputs).toEqual(['logits', ...names.outputs]);
      close(outputs[0].data, row(full, t), `position ${t}`);
      caches = Object.fromEntries(names.inputs.map((n, k) => [n, outputs[k + 1]]));
    }
    expect(Object.values(caches).every(isFloatTensor)).toBe(true);
  });
});

describe('the loaded graphs', () => {
  const count = (ops: string[], op: string) => ops.filter((o) => o === op).length;

  it('prefill: the RMSNorms fused (2 per layer + the final one), GQA heads repeated by Gather, RoPE tables folded', () => {
    const g = loadOnnx(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }));
    const ops = g.nodes.map((n) => n.op);
    expect(count(ops, 'RMSNormalization')).toBe(2 * TINY.layers + 1);
    expect(['Pow', 'ReduceMean', 'Sqrt', 'Reciprocal'].map((op) => count(ops, op))).toEqual([0, 0, 0, 0]);
    expect(g.nodes.filter((n) => n.op === 'RMSNormalization').map((n) => n.name)).toEqual(['layers.0.attn_norm', 'layers.0.ffn_norm', 'layers.1.attn_norm', 'layers.1.ffn_norm', 'norm']);
    expect(count(ops, 'MatMul')).toBe(TINY.layers * 9 + 1); // q k v o, w1 w3 w2, scores, context; lm_head
    expect(count(ops, 'Softmax')).toBe(TINY.layers);
    expect(count(ops, 'Sigmoid')).toBe(TINY.layers);
    expect(count(ops, 'Neg')).toBe(2 * TINY.layers); // rotate_half of q and k
    // the cos/sin rows Gathered by constant positions fold into [1, 1, T, hd] constants
    expect(g.initializers.get('rope.cos.out')?.dims).toEqual([1, 1, SEQ, TINY.dModel / TINY.heads]);
    expect(g.nodes.filter((n) => n.inputs.includes('rope.cos.out'))).toHaveLength(2 * TINY.layers);
    expect(g.nodes.some((n) => n.op === 'Gather' && n.name.includes('repeat_k'))).toBe(true);
    expect(g.values.get('logits')!.dims).toEqual([1, SEQ, TINY.vocab]);
  });

  it('decode: inputs token, pos and the caches; outputs logits and the new caches; RoPE, mask and cache rows Gathered by pos', () => {
    const g = loadOnnx(buildLlamaOnnx(TINY, WEIGHTS, { kind: 'decode' }));
    const names = llamaCacheNames(TINY);
    expect(g.inputs.map((v) => `${v.name}:${v.dtype}:[${v.dims}]`)).toEqual([
      'token:int64:[1,1]', 'pos:int64:[1]', ...names.inputs.map((n) => `${n}:float32:[1,${TINY.kvHeads},${TINY.maxSeq},${TINY.dModel / TINY.heads}]`),
    ]);
    expect(g.outputs).toEqual(['logits', ...names.outputs]);
    const byPos = g.nodes.filter((n) => n.op === 'Gather' && n.inputs[1] === 'pos').map((n) => n.name).sort();
    expect(byPos).toEqual(['cache.keep_row', 'cache.onehot_row', 'mask_row', 'rope.cos', 'rope.sin']);
    expect(g.nodes.filter((n) => n.op === 'RMSNormalization')).toHaveLength(2 * TINY.layers + 1);
  });

  it('the builder refuses a prefill longer than maxSeq, an opset below what its ops need, and missing weights', () => {
    expect(() => buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: TINY.maxSeq + 1 })).toThrow(/prefill seq 33 must be an integer in 1\.\.32/);
    expect(() => buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: 4 }, { rmsNormOp: true, opset: 22 })).toThrow(/opset 22 is below 23/);
    const partial = new Map(WEIGHTS);
    partial.delete('layers.1.w3');
    expect(() => buildLlamaOnnx(TINY, partial, { kind: 'decode' })).toThrow(/"layers\.1\.w3" is missing/);
    expect(() => llamaForward(TINY, partial, [1])).toThrow(/"layers\.1\.w3" is missing/);
  });
});

describe('seeded weights', () => {
  it('are reproducible, and keep the residual stream of unit size through 22 layers', () => {
    expect(seededLlamaWeights(TINY, 7).get('layers.1.wq')).toEqual(WEIGHTS.get('layers.1.wq'));
    expect(seededLlamaWeights(TINY, 8).get('layers.1.wq')).not.toEqual(WEIGHTS.get('layers.1.wq'));
    // the 1.1B shape's depth and head layout at a small width
    const deep: LlamaConfig = { ...LLAMA_SHAPES['1.1b'], vocab: 128, dModel: 64, heads: 8, kvHeads: 1, ffn: 176, maxSeq: 16 };
    expect(parameterCount(deep)).toBeLessThan(2e6);
    const w = seededLlamaWeights(deep, 1);
    const rms: number[] = new Array(deep.layers + 1).fill(0);
    const dec = new LlamaDecoder(deep, w);
    let logits: Float32Array = new Float32Array();
    for (let t = 0; t < 12; t++) {
      logits = dec.step((t * 37) % deep.vocab, (l, h) => {
        rms[l + 1] = Math.max(rms[l + 1], Math.sqrt(h.reduce((s, v) => s + v * v, 0) / h.length));
      });
    }
    // embedding rms ≈ 1; each layer adds ≈ 1/(2·layers) of variance per residual write
    for (const r of rms) expect(r).toBeGreaterThan(0.5);
    for (const r of rms) expect(r).toBeLessThan(3);
    expect(maxAbs(logits)).toBeGreaterThan(0.5);
    expect(maxAbs(logits)).toBeLessThan(20);
  });
});
