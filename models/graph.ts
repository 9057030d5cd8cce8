// The float graph IR: what a loaded model is, independent of the file format it came from.
//
// Every value has a static shape (known at load time). Node inputs list only tensors that flow at run
// time or are stored as initializers; constant structural operands of ONNX (Reshape's shape, ReduceMean's
// axes) are folded into the node's attributes, with defaults resolved and axes made non-negative.

import type { NodeAttrs, OpType } from './ops.ts';

/** A dense float32 tensor, row-major (C order). */
export interface FloatTensor {
  dims: number[];
  data: Float32Array;
}

/**
 * A dense integer tensor, row-major. Holds ONNX int64/int32 values (token ids, Gather indices); the loader
 * rejects values outside the int32 range, so every value fits an int32 word.
 */
export interface IntTensor {
  dims: number[];
  data: Int32Array;
}

export type Tensor = FloatTensor | IntTensor;

/** Element type of a value: float32 data, or integers (ONNX int64/int32, stored as Int32Array). */
export type DType = 'float32' | 'int64';

/** Name, static shape and element type of one value of the graph. */
export interface ValueInfo {
  name: string;
  dims: number[];
  dtype: DType;
}

/** One operator application. `attrs` is the normalized attribute record of its op (see ops.ts). */
export type GraphNode = { [K in OpType]: NodeOf<K> }[OpType];

export interface NodeOf<K extends OpType> {
  /** Unique within the graph (the loader names unnamed nodes `<op>_<index>`). */
  name: string;
  op: K;
  /** Present inputs in ONNX order; absent optional trailing inputs are omitted. */
  inputs: string[];
  outputs: string[];
  attrs: NodeAttrs[K];
}

export interface FloatGraph {
  /** Run-time inputs (initializers are never listed here). */
  inputs: ValueInfo[];
  /** Names of the graph outputs. */
  outputs: string[];
  /** Topologically sorted: every input of a node is a graph input, an initializer or an earlier output. */
  nodes: GraphNode[];
  /** Float constants (weights, biases, folded Constant nodes). */
  initializers: Map<string, FloatTensor>;
  /** Integer constants that remain node inputs (e.g. constant Gather indices). */
  intInitializers: Map<string, IntTensor>;
  /** Shape and type of every value: inputs, initializers and node outputs. */
  values: Map<string, ValueInfo>;
  /** The default-domain opset the model was exported with. */
  opset: number;
}

/** The largest element count any single tensor may have (2^28). */
export const MAX_ELEMENTS = 2 ** 28;

export function numElements(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function isFloatTensor(t: Tensor): t is FloatTensor {
  return t.data instanceof Float32Array;
}

export function isIntTensor(t: Tensor): t is IntTensor {
  return t.data instanceof Int32Array;
}

export function formatDims(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}
