/** ONNX op → quantizer. Adding an op: a quantizer file in this folder and one line below. */
import type { GraphNode } from '../../graph.ts';
import type { OpType } from '../../ops.ts';
import type { QuantContext } from '../context.ts';
import { quantizeBatchNormalization, quantizeConv } from './conv.ts';
import { quantizeAdd, quantizeDiv, quantizeMul, quantizePow, quantizeSub } from './arithmetic.ts';
import { quantizeConcat, quantizeGather, quantizeTranspose } from './layout.ts';
import { quantizeLookup } from './lookup.ts';
import { quantizeGemm, quantizeMatMul } from './matmul.ts';
import { quantizeLayerNorm, quantizeReduceMean, quantizeSoftmax, quantizeSqrt } from './normalize.ts';
import { quantizeRMSNorm } from './rmsnorm.ts';
import { quantizeAveragePool, quantizeGlobalAveragePool, quantizeMaxPool } from './pool.ts';
import { quantizeClip, quantizeRelu, quantizeView } from './simple.ts';

export type OpQuantizer<K extends OpType> = (ctx: QuantContext, node: GraphNode & { op: K }) => void;

export const QUANTIZERS: { [K in OpType]?: OpQuantizer<K> } = {
  Conv: quantizeConv,
  BatchNormalization: quantizeBatchNormalization,
  MaxPool: quantizeMaxPool,
  AveragePool: quantizeAveragePool,
  GlobalAveragePool: quantizeGlobalAveragePool,
  MatMul: quantizeMatMul,
  Gemm: quantizeGemm,
  Relu: quantizeRelu,
  Flatten: quantizeView,
  Reshape: quantizeView,
  Add: quantizeAdd,
  Sub: quantizeSub,
  Mul: quantizeMul,
  Div: quantizeDiv,
  Pow: quantizePow,
  Sigmoid: quantizeLookup,
  Tanh: quantizeLookup,
  HardSigmoid: quantizeLookup,
  Gelu: quantizeLookup,
  Erf: quantizeLookup,
  Softmax: quantizeSoftmax,
  LayerNormalization: quantizeLayerNorm,
  RMSNormalization: quantizeRMSNorm,
  ReduceMean: quantizeReduceMean,
  Sqrt: quantizeSqrt,
  Transpose: quantizeTranspose,
  Concat: quantizeConcat,
  Gather: quantizeGather,
  Clip: quantizeClip,
  ReduceSum: quantizeReduceMean,
  LeakyRelu: quantizeLookup,
  Elu: quantizeLookup,
  Selu: quantizeLookup,
  Celu: quantizeLookup,
  ThresholdedRelu: quantizeLookup,
  HardSwish: quantizeLookup,
  Softplus: quantizeLookup,
  Softsign: quantizeLookup,
  Exp: quantizeLookup,
  Log: quantizeLookup,
  Neg: quantizeLookup,
  Abs: quantizeLookup,
  Reciprocal: quantizeLookup,
  Mish: quantizeLookup,
  Swish: quantizeLookup,
  Sin: quantizeLookup,
  Cos: quantizeLookup,
  Tan: quantizeLookup,
  Asin: quantizeLookup,
  Acos: quantizeLookup,
  Atan: quantizeLookup,
  Sinh: quantizeLookup,
  Cosh: quantizeLookup,
  Asinh: quantizeLookup,
  Acosh: quantizeLookup,
  Atanh: quantizeLookup,
  Sign: quantizeLookup,
  Floor: quantizeLookup,
  Ceil: quantizeLookup,
  Round: quantizeLookup,
};
