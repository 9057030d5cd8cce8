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
  /** x / sqrt(mean(x²) + epsilon) · scale over dims [axis, rank) (opset 23, or fused from its decomposition). */
  RMSNormalization: { axis: number; epsilon: number };
  /** Sorted, non-negative, distinct. */
  ReduceMean: { axes: number[]; keepdims: boolean };
  /** Sum over axes; same normalization as ReduceMean. */
  ReduceSum: { axes: number[]; keepdims: boolean };
  /** Bounds from the constant min/max inputs; an absent bound is -Infinity / +Infinity. */
  Clip: { min: number; max: number };
  LeakyRelu: { alpha: number };
  Elu: { alpha: number };
  Selu: { alpha: number; gamma: number };
  Celu: { alpha: number };
  ThresholdedRelu: { alpha: number };
  HardSwish: Record<string, never>;
  Softplus: Record<string, never>;
  Softsign: Record<string, never>;
  Exp: Record<string, never>;
  Log: Record<string, never>;
  Neg: Record<string, never>;
  Abs: Record<string, never>;
  Reciprocal: Record<string, never>;
  Mish: Record<string, never>;
  Swish: { alpha: number };
  Sin: Record<string, never>;
  Cos: Record<string, never>;
  Tan: Record<string, never>;
  Asin: Record<string, never>;
  Acos: Record<string, never>;
  Atan: Record<string, never>;
  Sinh: Record<string, never>;
  Cosh: Record<string, never>;
  Asinh: Record<string, never>;
  Acosh: Record<string, never>;
  Atanh: Record<string, never>;
  Sign: Record<string, never>;
  Floor: Record<string, never>;
  Ceil: Record<string, never>;
  Round: Record<string, never>;
}

export type OpType = keyof NodeAttrs;

export const SUPPORTED_OPS: readonly OpType[] = [
  'MatMul', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Relu', 'Sigmoid', 'Tanh', 'Sqrt', 'Erf',
  'HardSigmoid', 'Gelu', 'Softmax', 'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'BatchNormalization', 'Flatten', 'Reshape', 'Transpose', 'Concat', 'Gather', 'LayerNormalization',
  'ReduceMean', 'ReduceSum', 'Clip', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'ThresholdedRelu', 'HardSwish', 'Softplus',
  'Softsign', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Mish', 'Swish', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan',
  'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Sign', 'Floor', 'Ceil', 'Round', 'RMSNormalization',
];

export function isSupportedOp(op: string): op is OpType {
  return (SUPPORTED_OPS as readonly string[]).includes(op);
}
