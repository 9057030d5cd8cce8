/**
 * Shared pieces of the LLaMA tests (test/models/llama*.test.ts, test/gpu/gpu-llama.test.ts): the tiny shape with
 * seeded weights, prompts, the decode variant's feeds (caches in the ONNX layout [1, kvHeads, maxSeq, headDim]),
 * calibration samples, the quantized prefill and decode graphs (built once per process), and integer runs that
 * return dequantized logits per position (decode carries its caches from step to step).
 */
import { headDim, LLAMA_SHAPES, type LlamaConfig, type LlamaWeights } from '../../scripts/zoo/llama/config.ts';
import { LlamaDecoder } from '../../scripts/zoo/llama/forward.ts';
import { buildLlamaOnnx, llamaCacheNames, seededLlamaWeights, type LlamaOnnxOptions } from '../../scripts/zoo/llama/onnx.ts';
import type { Feeds } from '../../models/float/evaluate.ts';
import type { FloatGraph, FloatTensor, Tensor } from '../../models/graph.ts';
import { runGraph } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { dequantize, quantize, quantizeInput } from '../../models/quantize/quantize.ts';
import { Prng } from '../../models/zoo/prng.ts';

export const TINY: LlamaConfig = LLAMA_SHAPES.tiny;
export const WEIGHT_SEED = 7;
export const WEIGHTS: LlamaWeights = seededLlamaWeights(TINY, WEIGHT_SEED);
/** Prefill length and prompt length of the tests. */
export const SEQ = 16;

/** `count` prompts of `len` uniform token ids. */
export function prompts(count: number, seed: number, len = SEQ, c: LlamaConfig = TINY): number[][] {
  const rng = new Prng(seed);
  return Array.from({ length: count }, () => Array.from({ length: len }, () => rng.int(c.vocab)));
}

export const tokensFeed = (tokens: readonly number[]): { tokens: Tensor } => ({ tokens: { dims: [1, tokens.length], data: Int32Array.from(tokens) } });

export const cacheDims = (c: LlamaConfig = TINY): number[] => [1, c.kvHeads, c.maxSeq, headDim(c)];

/** The decoder's caches as the decode graph's inputs: cache_k_l / cache_v_l, [1, kvHeads, maxSeq, headDim]. */
export function cacheFeeds(dec: LlamaDecoder): Record<string, FloatTensor> {
  const c = dec.c;
  const hd = headDim(c);
  const kvw = c.kvHeads * hd;
  const feeds: Record<string, FloatTensor> = {};
  for (let l = 0; l < c.layers; l++) {
    for (const [kv, src] of [['k', dec.keys[l]], ['v', dec.values[l]]] as const) {
      const data = new Float32Array(c.kvHeads * c.maxSeq * hd);
      for (let p = 0; p < c.maxSeq; p++) for (let h = 0; h < c.kvHeads; h++) for (let e = 0; e < hd; e++) data[(h * c.maxSeq + p) * hd + e] = src[p * kvw + h * hd + e];
      feeds[`cache_${kv}_${l}`] = { dims: cacheDims(c), data };
    }
  }
  return feeds;
}

export function emptyCaches(c: LlamaConfig = TINY): Record<string, FloatTensor> {
  return Object.fromEntries(llamaCacheNames(c).inputs.map((n) => [n, { dims: cacheDims(c), data: new Float32Array(c.kvHeads * c.maxSeq * headDim(c)) }]));
}

export function decodeFeeds(token: number, pos: number, caches: Record<string, Tensor>): Record<string, Tensor> {
  return { token: { dims: [1, 1], data: Int32Array.of(token) }, pos: { dims: [1], data: Int32Array.of(pos) }, ...caches };
}

/** Decode-graph samples: the float decoder's state before every `every`-th position of each prompt. */
export function decodeSamples(ps: number[][], every = 3, c: LlamaConfig = TINY, w: LlamaWeights = WEIGHTS): Feeds[] {
  const out: Feeds[] = [];
  for (const p of ps) {
    const dec = new LlamaDecoder(c, w);
    p.forEach((t, pos) => {
      if (pos % every === 0) out.push(decodeFeeds(t, pos, cacheFeeds(dec)));
      dec.step(t);
    });
  }
  return out;
}

export function argmax(row: ArrayLike<number>): number {
  let a = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[a]) a = i;
  return a;
}

/** Row p of logits [1, T, vocab]. */
export const row = (data: Float32Array, p: number, vocab = TINY.vocab): Float32Array => data.subarray(p * vocab, (p + 1) * vocab);

export interface Built {
  bytes: Uint8Array;
  float: FloatGraph;
  int: IntGraph;
}

const CALIBRATION_SEED = 3;
/**
 * Calibration prompts (the held-out test prompts use other seeds): every token of the vocabulary once (so no
 * embedding row lies outside the calibrated ranges), then 16 random prompts.
 */
export const CALIBRATION = [
  ...Array.from({ length: Math.ceil(TINY.vocab / SEQ) }, (_, k) => Array.from({ length: SEQ }, (_, i) => (k * SEQ + i) % TINY.vocab)),
  ...prompts(16, CALIBRATION_SEED),
];

const cache = new Map<string, Built>();

/** The tiny prefill (seq SEQ) model, loaded and quantized on the calibration prompts. */
export function prefillModel(opts: LlamaOnnxOptions = {}): Built {
  const key = `prefill ${JSON.stringify(opts)}`;
  let b = cache.get(key);
  if (!b) {
    const bytes = buildLlamaOnnx(TINY, WEIGHTS, { kind: 'prefill', seq: SEQ }, opts);
    const float = loadOnnx(bytes);
    b = { bytes, float, int: quantize(float, CALIBRATION.map(tokensFeed)) };
    cache.set(key, b);
  }
  return b;
}

/** The tiny decode model, calibrated on the float decoder's states along the calibration prompts. */
export function decodeModel(opts: LlamaOnnxOptions = {}): Built {
  const key = `decode ${JSON.stringify(opts)}`;
  let b = cache.get(key);
  if (!b) {
    const bytes = buildLlamaOnnx(TINY, WEIGHTS, { kind: 'decode' }, opts);
    const float = loadOnnx(bytes);
    b = { bytes, float, int: quantize(float, decodeSamples(CALIBRATION, 1)) };
    cache.set(key, b);
  }
  return b;
}

/** Integer prefill: dequantized logits per position. */
export function intPrefill(int: IntGraph, tokens: readonly number[]): Float32Array[] {
  const run = runGraph(int, [Int32Array.from(tokens)]);
  const out = int.outputs[0];
  const y = dequantize(run.values.get(out)!, int.tensors[out].scale);
  return tokens.map((_, p) => row(y, p));
}

/**
 * Integer decode, one token at a time from empty caches: dequantized logits per position. Each step's cache
 * outputs become the next step's cache inputs (dequantized at the output's scale, quantized at the input's; the
 * quantizer gives both the same scale here, so the words carry over unchanged).
 */
export function intDecode(int: IntGraph, tokens: readonly number[], onStep?: (pos: number, inputs: Int32Array[]) => void): Float32Array[] {
  const cacheIn = int.inputs.slice(2);
  const cacheOut = int.outputs.slice(1);
  let caches: Int32Array[] = cacheIn.map((t) => new Int32Array(int.tensors[t].dims.reduce((p, d) => p * d, 1)));
  return tokens.map((token, pos) => {
    const inputs = [Int32Array.of(token), Int32Array.of(pos), ...caches];
    onStep?.(pos, inputs);
    const run = runGraph(int, inputs);
    caches = cacheOut.map((o, k) => {
      const words = run.values.get(o)!;
      const sIn = int.tensors[cacheIn[k]].scale;
      const sOut = int.tensors[o].scale;
      return sIn === sOut ? Int32Array.from(words) : quantizeInput(dequantize(words, sOut), sIn, false);
    });
    const out = int.outputs[0];
    return dequantize(run.values.get(out)!, int.tensors[out].scale);
  });
}
