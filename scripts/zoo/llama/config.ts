/**
 * The LLaMA architecture shared by the ONNX builder (scripts/zoo/llama/onnx.ts), the trainer
 * (scripts/zoo/llama/train.ts) and the tests: one definition of the shapes, the weight names and the math, so a
 * model trained here exports to exactly the graph onnxruntime and opml run.
 *
 * Math (float32, per position p of a sequence; all matrices multiply from the right, x · W):
 *   h      = tok_embeddings[token]                                               [d]
 *   per layer l:
 *     a    = rmsnorm(h, layers.l.attn_norm)        rmsnorm(x, g) = x / sqrt(mean(x²) + rmsEps) · g
 *     q    = a · wq  → heads × headDim;  k = a · wk, v = a · wv → kvHeads × headDim
 *     q, k = rope(q, p), rope(k, p)                 rotate-half RoPE (below)
 *     head j attends with kv head floor(j / (heads / kvHeads))  (grouped-query attention)
 *     s    = q_j · k_i / sqrt(headDim) for i ≤ p (causal); softmax over i; o_j = Σ_i softmax_i · v_i
 *     h    = h + concat_j(o_j) · wo
 *     f    = rmsnorm(h, layers.l.ffn_norm)
 *     h    = h + (silu(f · w1) ⊙ (f · w3)) · w2       SwiGLU, silu(x) = x · sigmoid(x)
 *   logits = rmsnorm(h, norm) · output                                           [vocab]
 * RoPE (rotate-half, as Hugging Face LLaMA): for i < headDim/2, freq_i = ropeTheta^(−2i/headDim),
 *   cos[p, j] = cos(p · freq_{j mod headDim/2}), sin[p, j] = sin(p · freq_{j mod headDim/2}) for j < headDim,
 *   rope(x, p) = x ⊙ cos[p] + rotateHalf(x) ⊙ sin[p],  rotateHalf([x1, x2]) = [−x2, x1] (halves of headDim).
 * No biases anywhere.
 */
export interface LlamaConfig {
  vocab: number;
  dModel: number;
  layers: number;
  heads: number;
  kvHeads: number;
  /** Hidden width of the SwiGLU feed-forward. */
  ffn: number;
  ropeTheta: number;
  rmsEps: number;
  /** Longest sequence (prompt + generated): the KV cache's length and the RoPE table's rows. */
  maxSeq: number;
}

export function headDim(c: LlamaConfig): number {
  return c.dModel / c.heads;
}

/** Named shapes, from tiny (tests) to the 1.1B scale shape of issue 12 (TinyLlama-1.1B's dimensions). */
export const LLAMA_SHAPES = {
  /** Seconds to build and run: unit tests. */
  tiny: { vocab: 64, dModel: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 96, ropeTheta: 10000, rmsEps: 1e-5, maxSeq: 32 },
  /** The 1.1B-parameter shape for scale benches (generated on demand, never committed). */
  '1.1b': { vocab: 32000, dModel: 2048, layers: 22, heads: 32, kvHeads: 4, ffn: 5632, ropeTheta: 10000, rmsEps: 1e-5, maxSeq: 2048 },
} as const satisfies Record<string, LlamaConfig>;

/** Every weight: name → dims (float32, row-major). Linear weights are [in, out]. */
export function llamaWeightShapes(c: LlamaConfig): Map<string, number[]> {
  const hd = headDim(c);
  const shapes = new Map<string, number[]>();
  shapes.set('tok_embeddings', [c.vocab, c.dModel]);
  for (let l = 0; l < c.layers; l++) {
    shapes.set(`layers.${l}.attn_norm`, [c.dModel]);
    shapes.set(`layers.${l}.wq`, [c.dModel, c.heads * hd]);
    shapes.set(`layers.${l}.wk`, [c.dModel, c.kvHeads * hd]);
    shapes.set(`layers.${l}.wv`, [c.dModel, c.kvHeads * hd]);
    shapes.set(`layers.${l}.wo`, [c.heads * hd, c.dModel]);
    shapes.set(`layers.${l}.ffn_norm`, [c.dModel]);
    shapes.set(`layers.${l}.w1`, [c.dModel, c.ffn]);
    shapes.set(`layers.${l}.w3`, [c.dModel, c.ffn]);
    shapes.set(`layers.${l}.w2`, [c.ffn, c.dModel]);
  }
  shapes.set('norm', [c.dModel]);
  shapes.set('output', [c.dModel, c.vocab]);
  return shapes;
}

export type LlamaWeights = Map<string, Float32Array>;

export function parameterCount(c: LlamaConfig): number {
  let n = 0;
  for (const dims of llamaWeightShapes(c).values()) n += dims.reduce((p, d) => p * d, 1);
  return n;
}

/** Checks the config is well formed; throws a RangeError naming the field. */
export function checkLlamaConfig(c: LlamaConfig): void {
  for (const [k, v] of Object.entries(c)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`llama config: ${k} must be a positive number, got ${v}`);
  }
  if (c.dModel % c.heads !== 0) throw new RangeError(`llama config: dModel ${c.dModel} is not a multiple of heads ${c.heads}`);
  if (c.heads % c.kvHeads !== 0) throw new RangeError(`llama config: heads ${c.heads} is not a multiple of kvHeads ${c.kvHeads}`);
  if (headDim(c) % 2 !== 0) throw new RangeError(`llama config: the head width ${headDim(c)} must be even for RoPE`);
}
