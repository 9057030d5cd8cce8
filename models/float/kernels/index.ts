// The op → reference kernel table.

import type { OpType } from '../../ops.ts';
import {
  add, div, erfKernel, geluKernel, hardSigmoid, mul, pow, relu, sigmoidKernel, sqrt, sub, tanh,
} from './elementwise.ts';
import { ACTIVATION_KERNELS } from './activations.ts';
import type { Kernel } from './kernel.ts';
import { concat, flatten, gather, reshape, transpose } from './layout.ts';
import { gemm, matmul } from './matmul.ts';
import { batchNormalization, layerNormalization, reduceMean, reduceSum, rmsNormalization, softmax } from './normalize.ts';
import { averagePool, conv, globalAveragePool, maxPool } from './window.ts';

export const KERNELS: { [K in OpType]: Kernel<K> } = {
  MatMul: matmul,
  Gemm: gemm,
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Pow: pow,
  Relu: relu,
  Sigmoid: sigmoidKernel,
  Tanh: tanh,
  Sqrt: sqrt,
  Erf: erfKernel,
  HardSigmoid: hardSigmoid,
  Gelu: geluKernel,
  Softmax: softmax,
  Conv: conv,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  BatchNormalization: batchNormalization,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Gather: gather,
  LayerNormalization: layerNormalization,
  RMSNormalization: rmsNormalization,
  ReduceMean: reduceMean,
  ReduceSum: reduceSum,
  ...ACTIVATION_KERNELS,
};

export type { Kernel } from './kernel.ts';
