/** ONNX op → quantizer. Adding an op: a quantizer file in this folder and one line below. */
import type { GraphNode } from '../../graph.ts';
import type { OpType } from '../../ops.ts';
import type { QuantContext } from '../context.ts';
import { quantizeGemm, quantizeMatMul } from './matmul.ts';
import { quantizeRelu, quantizeView } from './simple.ts';

export type OpQuantizer<K extends OpType> = (ctx: QuantContext, node: GraphNode & { op: K }) => void;

export const QUANTIZERS: { [K in OpType]?: OpQuantizer<K> } = {
  MatMul: quantizeMatMul,
  Gemm: quantizeGemm,
  Relu: quantizeRelu,
  Flatten: quantizeView,
  Reshape: quantizeView,
};
