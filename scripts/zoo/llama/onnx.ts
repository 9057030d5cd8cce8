/**
 * LLaMA-architecture models (scripts/zoo/llama/config.ts) as ONNX graphs, written the way a PyTorch export of the
 * Hugging Face LlamaForCausalLM writes them (opset 18 by default):
 *
 *   embedding      Gather(tok_embeddings, tokens)
 *   RMSNorm        Pow(x, 2) → ReduceMean(-1, keepdims) → Add(eps) → Sqrt → Reciprocal → Mul(x, ·) → Mul(·, g)
 *                  (`rmsForm` picks Mul(x, x) / Div(1, ·) / Div(x, ·) variants; `rmsNormOp` the opset-23
 *                  RMSNormalization op instead)
 *   projections    MatMul(x, W) with W [in, out]; heads by Reshape [1, T, H, hd] → Transpose [0, 2, 1, 3]
 *   RoPE           q·cos + rotate_half(q)·sin, rotate_half = Concat(Neg(Slice(x, hd/2, end)), Slice(x, 0, hd/2))
 *                  (`rotate: 'split'`: the halves from one Split);
 *                  cos/sin rows Gathered from constant [maxSeq, hd] tables (by constant positions in prefill, so they
 *                  fold; by the `pos` input in decode) and Unsqueezed to [1, 1, T, hd]
 *   GQA            repeat_kv: Unsqueeze(2) → Expand [1, kvH, rep, T, hd] → Reshape [1, H, T, hd]
 *   attention      MatMul(q, Transpose(k, [0, 1, 3, 2])) → Mul(1/√hd) → Add(mask) → Softmax(-1) → MatMul(·, v)
 *                  → Transpose [0, 2, 1, 3] → Reshape [1, T, H·hd] → MatMul(wo) → Add(residual)
 *   SwiGLU         MatMul(w1) → Sigmoid → Mul (SiLU as x·σ(x); `silu: 'swish'` the opset-24 Swish op)
 *                  → Mul(MatMul(w3)) → MatMul(w2) → Add(residual)
 *   head           RMSNorm(norm) → MatMul(output) → logits
 *
 * Variants:
 *   prefill { seq }: input `tokens` int64 [1, seq] → `logits` [1, seq, vocab]; an additive causal mask constant
 *                    [seq, seq] (0 on and below the diagonal, `maskValue` above).
 *   decode:          inputs `token` int64 [1, 1], `pos` int64 [1], per layer l `cache_k_<l>`, `cache_v_<l>` float
 *                    [1, kvHeads, maxSeq, headDim] (keys after RoPE) → outputs `logits` [1, 1, vocab], then per
 *                    layer `new_cache_k_<l>`, `new_cache_v_<l>` (the caches with row `pos` replaced by this token's
 *                    k / v). No data-dependent shapes: the mask row (0 at positions ≤ pos, `maskValue` after), the
 *                    RoPE rows and the cache-update rows are Gathers by `pos` from constant [maxSeq, ·] tables; the
 *                    update is the blend cache·keep + new·onehot with onehot = row `pos` of the identity and keep =
 *                    row `pos` of (1 − identity), each Reshaped to [1, 1, maxSeq, 1]. Attention runs over the whole
 *                    maxSeq-long cache; the mask removes the rows after `pos`.
 */
import type { WriterModel, WriterNode, WriterTensor } from '../../../models/onnx/writer.ts';
import { writeOnnx } from '../../../models/onnx/writer.ts';
import { Prng } from '../../../models/zoo/prng.ts';
import { checkLlamaConfig, headDim, llamaWeightShapes, type LlamaConfig, type LlamaWeights } from './config.ts';
import { ropeTables } from './forward.ts';

export type LlamaVariant = { kind: 'prefill'; seq: number } | { kind: 'decode' };

/** How a decomposed RMSNorm is written (all compute x / sqrt(mean(x²) + eps) · g). */
export type RmsForm =
  /** Pow(x, 2) … Sqrt → Reciprocal → Mul(x, r) → Mul(·, g): torch.rsqrt as exported (HF LlamaRMSNorm). */
  | 'pow-reciprocal'
  /** Mul(x, x) … Sqrt → Div(1, s) → Mul(x, r) → Mul(g, ·). */
  | 'mul-div1'
  /** Pow(x, 2) … Sqrt → Div(x, s) → Mul(·, g). */
  | 'pow-div';

export interface LlamaOnnxOptions {
  /** Default 18, or the least opset the chosen ops need (23 for rmsNormOp, 24 for Swish). */
  opset?: number;
  /** Emit the opset-23 RMSNormalization op (axis -1, epsilon) instead of the decomposition. */
  rmsNormOp?: boolean;
  /** The decomposition's form (default 'pow-reciprocal'). */
  rmsForm?: RmsForm;
  /** SiLU as x·Sigmoid(x) (default) or the opset-24 Swish op. */
  silu?: 'sigmoid' | 'swish';
  /** rotate_half's halves by two Slices (default, as HF's x[..., :d/2] exports) or one Split. */
  rotate?: 'slice' | 'split';
  /** Added to the attention scores of masked positions (default -100: exp(-100) ≈ 4e-44, and a small constant keeps
   * the masked scores' range friendly to quantization, as in the tiny transformer). */
  maskValue?: number;
  graphName?: string;
}

export const DEFAULT_MASK = -100;

/**
 * Seeded random weights whose activations stay of unit size through any number of layers: embeddings N(0, 1),
 * norm gains 1 + N(0, 0.1), projections N(0, 1/in), and the two projections that write the residual stream (wo, w2)
 * scaled by 1/√(2·layers) more (GPT-2's residual scaling), so the stream's variance stays ≈ 2 at any depth.
 */
export function seededLlamaWeights(c: LlamaConfig, seed: number): LlamaWeights {
  checkLlamaConfig(c);
  const rng = new Prng(seed);
  const w: LlamaWeights = new Map();
  const residual = 1 / Math.sqrt(2 * c.layers);
  for (const [name, dims] of llamaWeightShapes(c)) {
    const n = dims.reduce((p, d) => p * d, 1);
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    let data: Float32Array;
    if (name === 'tok_embeddings') data = rng.normals(n, 1);
    else if (dims.length === 1) data = rng.normals(n, 0.1).map((v) => 1 + v);
    else {
      const std = (1 / Math.sqrt(dims[0])) * (leaf === 'wo' || leaf === 'w2' ? residual : 1);
      data = rng.normals(n, std);
    }
    w.set(name, data);
  }
  return w;
}

class Builder {
  readonly nodes: WriterNode[] = [];
  readonly initializers: WriterTensor[] = [];
  private readonly consts = new Map<string, string>();

  constant(name: string, dims: number[], data: Float32Array | Int32Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A small shared constant (shape vectors, scalars), named once per value. */
  shared(prefix: string, dims: number[], data: Float32Array | Int32Array): string {
    const key = `${prefix}|${dims.join(',')}|${data instanceof Float32Array ? 'f' : 'i'}|${Array.from(data).join(',')}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `${prefix}_${this.consts.size}`;
      this.consts.set(key, name);
      this.constant(name, dims, data);
    }
    return name;
  }

  ints(values: number[]): string {
    return this.shared('const_i64', [values.length], Int32Array.from(values));
  }

  scalar(v: number): string {
    return this.shared('const_f32', [], Float32Array.of(v));
  }

  node(op: string, name: string, inputs: string[], attrs?: WriterNode['attrs'], outputs = [`${name}.out`]): string {
    this.nodes.push({ op, name, inputs, outputs, attrs });
    return outputs[0];
  }
}

interface Ctx {
  b: Builder;
  c: LlamaConfig;
  w: LlamaWeights;
  opts: Required<Pick<LlamaOnnxOptions, 'rmsNormOp' | 'rmsForm' | 'silu' | 'maskValue' | 'rotate'>>;
  /** Sequence length of this graph's activations (prefill: seq; decode: 1). */
  T: number;
}

function weight(ctx: Ctx, name: string): string {
  const dims = llamaWeightShapes(ctx.c).get(name);
  const data = ctx.w.get(name);
  if (!dims || !data) throw new RangeError(`llama weights: "${name}" is missing`);
  if (data.length !== dims.reduce((p, d) => p * d, 1)) throw new RangeError(`llama weights: "${name}" has ${data.length} elements, expected [${dims.join(', ')}]`);
  ctx.b.constant(name, dims, data);
  return name;
}

function rmsNorm(ctx: Ctx, name: string, x: string, gName: string): string {
  const { b } = ctx;
  const g = weight(ctx, gName);
  if (ctx.opts.rmsNormOp) {
    return b.node('RMSNormalization', name, [x, g], { axis: { int: -1 }, epsilon: { float: ctx.c.rmsEps } });
  }
  const form = ctx.opts.rmsForm;
  const sq = form === 'mul-div1' ? b.node('Mul', `${name}.square`, [x, x]) : b.node('Pow', `${name}.pow`, [x, b.scalar(2)]);
  const mean = b.node('ReduceMean', `${name}.mean`, [sq, b.ints([-1])], { keepdims: { int: 1 } });
  const std = b.node('Sqrt', `${name}.sqrt`, [b.node('Add', `${name}.add_eps`, [mean, b.scalar(ctx.c.rmsEps)])]);
  if (form === 'pow-div') return b.node('Mul', `${name}.scale`, [b.node('Div', `${name}.div`, [x, std]), g]);
  const inv = form === 'mul-div1' ? b.node('Div', `${name}.inv`, [b.scalar(1), std]) : b.node('Reciprocal', `${name}.rsqrt`, [std]);
  const normed = b.node('Mul', `${name}.normalize`, [x, inv]);
  return form === 'mul-div1' ? b.node('Mul', `${name}.scale`, [g, normed]) : b.node('Mul', `${name}.scale`, [normed, g]);
}

/** [1, T, n·hd] → [1, n, T, hd]. */
function splitHeads(ctx: Ctx, name: string, x: string, n: number): string {
  const { b } = ctx;
  const hd = headDim(ctx.c);
  const r = b.node('Reshape', `${name}.view`, [x, b.ints([1, ctx.T, n, hd])]);
  return b.node('Transpose', `${name}.heads`, [r], { perm: { ints: [0, 2, 1, 3] } });
}

/** x [1, n, T, hd] rotated by cos/sin [1, 1, T, hd] (or [1, hd], broadcasting). */
function rope(ctx: Ctx, name: string, x: string, cos: string, sin: string): string {
  const { b } = ctx;
  const half = headDim(ctx.c) / 2;
  let x1: string, x2: string;
  if (ctx.opts.rotate === 'split') {
    x1 = b.node('Split', `${name}.split`, [x, b.ints([half, half])], { axis: { int: -1 } }, [`${name}.x1.out`, `${name}.x2.out`]);
    x2 = `${name}.x2.out`;
  } else {
    x1 = b.node('Slice', `${name}.x1`, [x, b.ints([0]), b.ints([half]), b.ints([-1]), b.ints([1])]);
    x2 = b.node('Slice', `${name}.x2`, [x, b.ints([half]), b.ints([2 ** 31 - 1]), b.ints([-1]), b.ints([1])]);
  }
  const rot = b.node('Concat', `${name}.rotate_half`, [b.node('Neg', `${name}.neg`, [x2]), x1], { axis: { int: -1 } });
  return b.node('Add', `${name}.rope`, [b.node('Mul', `${name}.mul_cos`, [x, cos]), b.node('Mul', `${name}.mul_sin`, [rot, sin])]);
}

/** HF repeat_kv: [1, kvH, S, hd] → [1, H, S, hd] (head j reads kv head ⌊j / rep⌋). */
function repeatKv(ctx: Ctx, name: string, x: string, S: number): string {
  const { b, c } = ctx;
  const rep = c.heads / c.kvHeads;
  if (rep === 1) return x;
  const hd = headDim(c);
  const u = b.node('Unsqueeze', `${name}.unsqueeze`, [x, b.ints([2])]);
  const e = b.node('Expand', `${name}.expand`, [u, b.ints([1, c.kvHeads, rep, S, hd])]);
  return b.node('Reshape', `${name}.reshape`, [e, b.ints([1, c.heads, S, hd])]);
}

function swiglu(ctx: Ctx, name: string, x: string, l: number): string {
  const { b } = ctx;
  const gate = b.node('MatMul', `${name}.w1`, [x, weight(ctx, `layers.${l}.w1`)]);
  const act = ctx.opts.silu === 'swish'
    ? b.node('Swish', `${name}.silu`, [gate])
    : b.node('Mul', `${name}.silu`, [gate, b.node('Sigmoid', `${name}.sigmoid`, [gate])]);
  const up = b.node('MatMul', `${name}.w3`, [x, weight(ctx, `layers.${l}.w3`)]);
  return b.node('MatMul', `${name}.w2`, [b.node('Mul', `${name}.gate_up`, [act, up]), weight(ctx, `layers.${l}.w2`)]);
}

/** Attention over keys/values [1, kvH, S, hd] (S = T in prefill, maxSeq in decode) with an additive mask. */
function attend(ctx: Ctx, name: string, q: string, k: string, v: string, S: number, mask: string, l: number): string {
  const { b, c } = ctx;
  const hd = headDim(c);
  const kr = repeatKv(ctx, `${name}.repeat_k`, k, S);
  const vr = repeatKv(ctx, `${name}.repeat_v`, v, S);
  const kT = b.node('Transpose', `${name}.k_t`, [kr], { perm: { ints: [0, 1, 3, 2] } });
  const scores = b.node('Mul', `${name}.scale`, [b.node('MatMul', `${name}.scores`, [q, kT]), b.scalar(1 / Math.sqrt(hd))]);
  const probs = b.node('Softmax', `${name}.softmax`, [b.node('Add', `${name}.mask`, [scores, mask])], { axis: { int: -1 } });
  const ctxv = b.node('MatMul', `${name}.context`, [probs, vr]);
  const merged = b.node('Reshape', `${name}.merge`, [b.node('Transpose', `${name}.context_t`, [ctxv], { perm: { ints: [0, 2, 1, 3] } }), b.ints([1, ctx.T, c.heads * hd])]);
  return b.node('MatMul', `${name}.wo`, [merged, weight(ctx, `layers.${l}.wo`)]);
}

function resolveOptions(opts: LlamaOnnxOptions): { opset: number; o: Ctx['opts'] } {
  const o: Ctx['opts'] = {
    rmsNormOp: opts.rmsNormOp ?? false,
    rmsForm: opts.rmsForm ?? 'pow-reciprocal',
    silu: opts.silu ?? 'sigmoid',
    maskValue: opts.maskValue ?? DEFAULT_MASK,
    rotate: opts.rotate ?? 'slice',
  };
  const need = Math.max(18, o.rmsNormOp ? 23 : 0, o.silu === 'swish' ? 24 : 0);
  const opset = opts.opset ?? need;
  if (opset < need) throw new RangeError(`llama onnx: opset ${opset} is below ${need}, which the chosen ops need`);
  return { opset, o };
}

/** The model as a WriterModel (writeOnnx turns it into bytes). */
export function llamaOnnxModel(c: LlamaConfig, w: LlamaWeights, variant: LlamaVariant, opts: LlamaOnnxOptions = {}): WriterModel {
  checkLlamaConfig(c);
  const { opset, o } = resolveOptions(opts);
  const b = new Builder();
  const hd = headDim(c);
  const decode = variant.kind === 'decode';
  const T = decode ? 1 : variant.seq;
  if (!decode && (!Number.isInteger(T) || T < 1 || T > c.maxSeq)) throw new RangeError(`llama onnx: prefill seq ${T} must be an integer in 1..${c.maxSeq}`);
  const ctx: Ctx = { b, c, w, opts: o, T };
  const { cos: cosTable, sin: sinTable } = ropeTables(c);
  const cosT = b.constant('rope_cos', [c.maxSeq, hd], Float32Array.from(cosTable));
  const sinT = b.constant('rope_sin', [c.maxSeq, hd], Float32Array.from(sinTable));

  let cos: string, sin: string, mask: string, onehot = '', keep = '';
  if (!decode) {
    // position_ids = arange(T): constant, so the Gathers and Unsqueezes fold at load time.
    const positions = b.constant('position_ids', [1, T], Int32Array.from({ length: T }, (_, i) => i));
    cos = b.node('Unsqueeze', 'rope.cos', [b.node('Gather', 'rope.cos_rows', [cosT, positions], { axis: { int: 0 } }), b.ints([1])]);
    sin = b.node('Unsqueeze', 'rope.sin', [b.node('Gather', 'rope.sin_rows', [sinT, positions], { axis: { int: 0 } }), b.ints([1])]);
    const m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = o.maskValue;
    mask = b.constant('causal_mask', [T, T], m);
  } else {
    const S = c.maxSeq;
    const maskTable = new Float32Array(S * S);
    const eye = new Float32Array(S * S);
    const notEye = new Float32Array(S * S).fill(1);
    for (let i = 0; i < S; i++) {
      for (let j = i + 1; j < S; j++) maskTable[i * S + j] = o.maskValue;
      eye[i * S + i] = 1;
      notEye[i * S + i] = 0;
    }
    // [1] → [1, hd] rows: broadcast against [1, n, 1, hd].
    cos = b.node('Gather', 'rope.cos', [cosT, 'pos'], { axis: { int: 0 } });
    sin = b.node('Gather', 'rope.sin', [sinT, 'pos'], { axis: { int: 0 } });
    mask = b.node('Gather', 'mask_row', [b.constant('mask_table', [S, S], maskTable), 'pos'], { axis: { int: 0 } });
    const col = b.ints([1, 1, S, 1]);
    onehot = b.node('Reshape', 'cache.onehot', [b.node('Gather', 'cache.onehot_row', [b.constant('cache_onehot_table', [S, S], eye), 'pos'], { axis: { int: 0 } }), col]);
    keep = b.node('Reshape', 'cache.keep', [b.node('Gather', 'cache.keep_row', [b.constant('cache_keep_table', [S, S], notEye), 'pos'], { axis: { int: 0 } }), col]);
  }

  let h = b.node('Gather', 'embed', [weight(ctx, 'tok_embeddings'), decode ? 'token' : 'tokens'], { axis: { int: 0 } });
  const cacheOutputs: string[] = [];
  for (let l = 0; l < c.layers; l++) {
    const p = `layers.${l}`;
    const a = rmsNorm(ctx, `${p}.attn_norm`, h, `${p}.attn_norm`);
    const q = rope(ctx, `${p}.q`, splitHeads(ctx, `${p}.q`, b.node('MatMul', `${p}.wq`, [a, weight(ctx, `${p}.wq`)]), c.heads), cos, sin);
    let k = rope(ctx, `${p}.k`, splitHeads(ctx, `${p}.k`, b.node('MatMul', `${p}.wk`, [a, weight(ctx, `${p}.wk`)]), c.kvHeads), cos, sin);
    let v = splitHeads(ctx, `${p}.v`, b.node('MatMul', `${p}.wv`, [a, weight(ctx, `${p}.wv`)]), c.kvHeads);
    if (decode) {
      const blend = (what: 'k' | 'v', x: string) =>
        b.node('Add', `${p}.cache_${what}.update`, [
          b.node('Mul', `${p}.cache_${what}.keep`, [`cache_${what}_${l}`, keep]),
          b.node('Mul', `${p}.cache_${what}.write`, [x, onehot]),
        ], undefined, [`new_cache_${what}_${l}`]);
      k = blend('k', k);
      v = blend('v', v);
      cacheOutputs.push(k, v);
    }
    const attn = attend(ctx, `${p}.attn`, q, k, v, decode ? c.maxSeq : T, mask, l);
    h = b.node('Add', `${p}.attn_residual`, [h, attn]);
    const f = rmsNorm(ctx, `${p}.ffn_norm`, h, `${p}.ffn_norm`);
    h = b.node('Add', `${p}.ffn_residual`, [h, swiglu(ctx, `${p}.ffn`, f, l)]);
  }
  b.node('MatMul', 'lm_head', [rmsNorm(ctx, 'norm', h, 'norm'), weight(ctx, 'output')], undefined, ['logits']);

  const cacheDims = [1, c.kvHeads, c.maxSeq, hd];
  const inputs: WriterModel['inputs'] = decode
    ? [
      { name: 'token', dims: [1, 1], dtype: 'int64' },
      { name: 'pos', dims: [1], dtype: 'int64' },
      ...Array.from({ length: c.layers }, (_, l) => [
        { name: `cache_k_${l}`, dims: cacheDims },
        { name: `cache_v_${l}`, dims: cacheDims },
      ]).flat(),
    ]
    : [{ name: 'tokens', dims: [1, T], dtype: 'int64' }];
  const outputs: WriterModel['outputs'] = [
    { name: 'logits', dims: [1, T, c.vocab] },
    ...cacheOutputs.map((name) => ({ name, dims: cacheDims })),
  ];
  return {
    opset,
    graphName: opts.graphName ?? `llama-${variant.kind}`,
    inputs,
    outputs,
    initializers: b.initializers,
    nodes: b.nodes,
  };
}

/** The model's ONNX bytes. */
export function buildLlamaOnnx(c: LlamaConfig, w: LlamaWeights, variant: LlamaVariant, opts: LlamaOnnxOptions = {}): Uint8Array {
  return writeOnnx(llamaOnnxModel(c, w, variant, opts));
}

/** Names of the decode variant's cache inputs and outputs, in graph order. */
export function llamaCacheNames(c: LlamaConfig): { inputs: string[]; outputs: string[] } {
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (let l = 0; l < c.layers; l++) {
    inputs.push(`cache_k_${l}`, `cache_v_${l}`);
    outputs.push(`new_cache_k_${l}`, `new_cache_v_${l}`);
  }
  return { inputs, outputs };
}
