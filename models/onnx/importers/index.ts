// The op → importer table. Adding an op: add its attrs to models/ops.ts, an importer here, a kernel in
// models/float/kernels, and a single-op test against onnxruntime in test/models.

import type { OpType } from '../../ops.ts';
import type { Importer } from './context.ts';
import {
  importAdd, importDiv, importErf, importGelu, importHardSigmoid, importMul, importPow, importRelu,
  importSigmoid, importSqrt, importSub, importTanh,
} from './elementwise.ts';
import { importConcat, importFlatten, importGather, importReshape, importTranspose } from './layout.ts';
import { importGemm, importMatMul } from './matmul.ts';
import { importBatchNormalization, importLayerNormalization, importReduceMean, importSoftmax } from './normalize.ts';
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
  ReduceMean: importReduceMean,
};

export type { Importer, Imported, OutputSpec } from './context.ts';
export { ImportContext } from './context.ts';
