/**
 * The integer graph IR: what opml executes, commits to and lowers to the VM. Every tensor is int32 words;
 * every node is one integer kernel (models/int/kernels) whose semantics are defined once by its CPU
 * `execute` and matched by its VM lowering. Floats appear only in `scale`, which is metadata for people
 * (real value ≈ word × scale) and never enters a committed computation.
 */

export type TensorKind = 'input' | 'weight' | 'activation';

export interface IntTensorInfo {
  /** The ONNX value (or derived constant) it came from. */
  name: string;
  dims: number[];
  kind: TensorKind;
  /** real ≈ word × scale (1 for integer-valued tensors such as token ids or multipliers). */
  scale: number;
  /**
   * An integer-valued tensor (token ids): its words are the values themselves, never quantized (scale 1). A graph
   * input, or the output of an `argmax` node (which must be marked so: models/int/validate.ts).
   */
  integer?: boolean;
}

/** 2-D window over NCHW (ONNX geometry): kernel [kh, kw], strides, pads [top, left, bottom, right], dilations. */
export interface IntWindow2d {
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
}

/** Attributes of each integer op. Kernel inputs are tensor ids in the order each kernel documents. */
export interface IntAttrs {
  /** Grouped 2-D conv, y = clamp(requant(bias[m] + Σ valid taps x·w, mult[m], shift), lo, hi) (kernels/conv2d.ts). Inputs: x, w, bias, mult. */
  conv2d: IntWindow2d & { group: number; shift: number; lo: number; hi: number };
  /** y = min(max(lo, max of the valid taps), hi); padding is −∞ (kernels/pool2d.ts). Inputs: x. */
  maxpool2d: IntWindow2d & { lo: number; hi: number };
  /** y = clamp(requant(Σ valid taps, mults[count], shift), lo, hi), count = kh·kw or valid taps (kernels/pool2d.ts). Inputs: x. */
  avgpool2d: IntWindow2d & { countIncludePad: boolean; mults: number[]; shift: number; lo: number; hi: number };
  /** y[b,c,i] = clamp(requant(x·w[c] + bias[c], mult[c], shift), lo, hi) (kernels/channelAffine.ts). Inputs: x, w, bias, mult. */
  channelAffine: { shift: number; lo: number; hi: number };
  /** y = clamp(requant(bias[j] + Σ_k x[b,i,k]·w[b',k,j], mult[j], shift), lo, hi). Inputs: x, w, bias, mult. */
  matmul: { shift: number; lo: number; hi: number };
  /** Broadcast a ⊙ b: t = op(requant(a, multA, shiftA), requant(b, multB, shiftB)) with op add32/sub32/mul32/div32, y = clamp(requant(t, multOut, shiftOut), lo, hi) (kernels/binary.ts). Inputs: a, b. */
  binary: { op: 'add' | 'sub' | 'mul' | 'div'; multA: number; shiftA: number; multB: number; shiftB: number; multOut: number; shiftOut: number; lo: number; hi: number };
  /** y = table[clamp(x, -128, 127) + 128] elementwise (kernels/lut.ts). Inputs: x, table [256]. */
  lut: Record<string, never>;
  /** y = clamp(x, lo, hi) elementwise. Inputs: x. */
  clamp: { lo: number; hi: number };
  /** y = x under new dims. Inputs: x. */
  copy: { dims: number[] };
  /** Softmax along axis with an exp table: y = div32(e·one + S/2, S), e = table[-clamp(requant(x − rowmax, mult, shift), 1−L, 0)] (kernels/softmax.ts). Inputs: x, table [L]. */
  softmax: { axis: number; mult: number; shift: number; one: number };
  /** LayerNorm over dims [axis, rank): integer mean, isqrt32 std, per-element mult/bias (kernels/layernorm.ts). Inputs: x, mult [N], bias [N]. */
  layernorm: { axis: number; xmax: number; sqShift: number; divShift: number; eps: number; shift: number; lo: number; hi: number };
  /** RMSNorm over dims [axis, rank): exact integer sum of squares (+ eps), isqrt32 of it normalized to 15 bits, per-element mult, no mean, no bias (kernels/rmsnorm.ts). Inputs: x, mult [N]. */
  rmsnorm: { axis: number; xmax: number; eps: number; shift: number; lo: number; hi: number };
  /** y = clamp(requant(Σ over axes of x, mult, shift), lo, hi) (kernels/reducemean.ts). Inputs: x. */
  reducemean: { axes: number[]; keepdims: boolean; mult: number; shift: number; lo: number; hi: number };
  /** y = clamp(rshr(isqrt32(requant(x, mult, shift)), frac), lo, hi) (kernels/sqrt.ts). Inputs: x. */
  sqrt: { mult: number; shift: number; frac: number; lo: number; hi: number };
  /** y[i_0..i_{r-1}] = x[j] with j_{perm[a]} = i_a (ONNX Transpose); words unchanged. Inputs: x. */
  transpose: { perm: number[] };
  /** Inputs joined along axis, input i's words → clamp(requant(x, mults[i], shifts[i]), lo, hi). Inputs: x_0..x_{n-1}. */
  concat: { axis: number; mults: number[]; shifts: number[]; lo: number; hi: number };
  /** y[a,k,b] = data[a, clamp(t + (t<0)·len, 0, len-1), b], t = indices[k]. Inputs: data, indices. */
  gather: { axis: number };
  /** y[r] = the lowest i in [0, V) with x[r, i] = max_j x[r, j] (signed words; ONNX ArgMax axis=-1, keepdims=0, select_last_index=0); output dims x.dims without the last axis, at least [1]; an integer tensor (token ids, scale 1) (kernels/argmax.ts). Inputs: x. */
  argmax: Record<string, never>;
}
export type IntOp = keyof IntAttrs;

export interface IntNodeOf<K extends IntOp> {
  /** The ONNX node(s) it implements, for messages and `opml inspect`. */
  name: string;
  op: K;
  inputs: number[];
  output: number;
  attrs: IntAttrs[K];
}
export type IntNode = { [K in IntOp]: IntNodeOf<K> }[IntOp];

export interface IntGraph {
  /** Tensor ids are indices into this array. */
  tensors: IntTensorInfo[];
  /** Words of every weight tensor. */
  weights: Map<number, Int32Array>;
  /** Graph inputs (kind 'input'), in the model's input order. */
  inputs: number[];
  /** Topologically ordered; node i writes tensor nodes[i].output. */
  nodes: IntNode[];
  outputs: number[];
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * The graph-state slots: every tensor that is not a weight, inputs first, then node outputs in node order.
 * Slot roots are the leaves of the graph-state tree (docs/INTEGER.md).
 */
export function stateSlots(graph: IntGraph): number[] {
  return [...graph.inputs, ...graph.nodes.map((n) => n.output)];
}
