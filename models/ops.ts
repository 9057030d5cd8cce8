// The supported operators and their normalized attributes (ONNX defaults resolved, axes non-negative,
// auto_pad turned into explicit pads, constant shape/axes operands folded in).

/** 2-D window geometry shared by Conv and the pools. Pads are ONNX order: [top, left, bottom, right]. */
export interface Window2d {
  kernelShape: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
}

export interface NodeAttrs {
  MatMul: Record<string, never>;
  Gemm: { alpha: number; beta: number; transA: boolean; transB: boolean };
  Add: Record<string, never>;
  Sub: Record<string, never>;
  Mul: Record<string, never>;
  Div: Record<string, never>;
  Pow: Record<string, never>;
  Relu: Record<string, never>;
  Sigmoid: Record<string, never>;
  Tanh: Record<string, never>;
  Sqrt: Record<string, never>;
  Erf: Record<string, never>;
  HardSigmoid: { alpha: number; beta: number };
  Gelu: { approximate: 'none' | 'tanh' };
  Softmax: { axis: number };
  Conv: Window2d & { group: number };
  MaxPool: Window2d;
  AveragePool: Window2d & { countIncludePad: boolean };
  GlobalAveragePool: Record<string, never>;
  BatchNormalization: { epsilon: number };
  Flatten: { axis: number };
  /** The output dims, fully resolved (no 0 or -1 left). */
  Reshape: { shape: number[] };
  Transpose: { perm: number[] };
  Concat: { axis: number };
  Gather: { axis: number };
  /** Normalizes over dims [axis, rank). */
  LayerNormalization: { axis: number; epsilon: number };
  /** Sorted, non-negative, distinct. */
  ReduceMean: { axes: number[]; keepdims: boolean };
}

export type OpType = keyof NodeAttrs;

export const SUPPORTED_OPS: readonly OpType[] = [
  'MatMul', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Relu', 'Sigmoid', 'Tanh', 'Sqrt', 'Erf',
  'HardSigmoid', 'Gelu', 'Softmax', 'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'BatchNormalization', 'Flatten', 'Reshape', 'Transpose', 'Concat', 'Gather', 'LayerNormalization',
  'ReduceMean',
];

export function isSupportedOp(op: string): op is OpType {
  return (SUPPORTED_OPS as readonly string[]).includes(op);
}
