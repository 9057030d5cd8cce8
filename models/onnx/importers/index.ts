// The op → importer table. Adding an op: add its attrs to models/ops.ts, an importer here, a kernel in
// models/float/kernels, and a single-op test against onnxruntime in test/models.

import type { OpType } from '../../ops.ts';
import type { Importer } from './context.ts';
import {
  importAbs, importAdd, importCelu, importClip, importDiv, importElu, importErf, importExp, importGelu,
  importHardSigmoid, importHardSwish, importLeakyRelu, importLog, importMish, importMul, importNeg, importPow,
  importReciprocal, importRelu, importSelu, importSigmoid, importSoftplus, importSoftsign, importSqrt, importSub,
  importSwish, importTanh, importThresholdedRelu,
  importSin, importCos, importTan, importAsin, importAcos, importAtan, importSinh, importCosh, importAsinh, importAcosh, importAtanh, importSign, importFloor, importCeil, importRound,
} from './elementwise.ts';
import { importConcat, importFlatten, importGather, importReshape, importTranspose } from './layout.ts';
import { importGemm, importMatMul } from './matmul.ts';
import { importBatchNormalization, importLayerNormalization, importReduceMean, importReduceSum, importRMSNormalization, importSoftmax } from './normalize.ts';
import { importAveragePool, importConv, importGlobalAveragePool, importMaxPool } from './window.ts';

export const IMPORTERS: { [K in OpType]: Importer<K> } = {
  MatMul: importMatMul,
  Gemm: importGemm,
  Add: importAdd,
  Sub: importSub,
  Mul: importMul,
  Div: importDiv,
  Pow: importPow,
  Relu: importRelu,
  Sigmoid: importSigmoid,
  Tanh: importTanh,
  Sqrt: importSqrt,
  Erf: importErf,
  HardSigmoid: importHardSigmoid,
  Gelu: importGelu,
  Softmax: importSoftmax,
  Conv: importConv,
  MaxPool: importMaxPool,
  AveragePool: importAveragePool,
  GlobalAveragePool: importGlobalAveragePool,
  BatchNormalization: importBatchNormalization,
  Flatten: importFlatten,
  Reshape: importReshape,
  Transpose: importTranspose,
  Concat: importConcat,
  Gather: importGather,
  LayerNormalization: importLayerNormalization,
  RMSNormalization: importRMSNormalization,
  ReduceMean: importReduceMean,
  ReduceSum: importReduceSum,
  Clip: importClip,
  LeakyRelu: importLeakyRelu,
  Elu: importElu,
  Selu: importSelu,
  Celu: importCelu,
  ThresholdedRelu: importThresholdedRelu,
  HardSwish: importHardSwish,
  Softplus: importSoftplus,
  Softsign: importSoftsign,
  Exp: importExp,
  Log: importLog,
  Neg: importNeg,
  Abs: importAbs,
  Reciprocal: importReciprocal,
  Mish: importMish,
  Swish: importSwish,
  Sin: importSin,
  Cos: importCos,
  Tan: importTan,
  Asin: importAsin,
  Acos: importAcos,
  Atan: importAtan,
  Sinh: importSinh,
  Cosh: importCosh,
  Asinh: importAsinh,
  Acosh: importAcosh,
  Atanh: importAtanh,
  Sign: importSign,
  Floor: importFloor,
  Ceil: importCeil,
  Round: importRound,
};

export type { Importer, Imported, OutputSpec } from './context.ts';
export { ImportContext } from './context.ts';
