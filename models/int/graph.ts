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
}

/** Attributes of each integer op. Kernel inputs are tensor ids in the order each kernel documents. */
export interface IntAttrs {
  /** y = clamp(requant(bias[j] + Σ_k x[b,i,k]·w[b',k,j], mult[j], shift), lo, hi). Inputs: x, w, bias, mult. */
  matmul: { shift: number; lo: number; hi: number };
  /** y = clamp(x, lo, hi) elementwise. Inputs: x. */
  clamp: { lo: number; hi: number };
  /** y = x under new dims. Inputs: x. */
  copy: { dims: number[] };
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
