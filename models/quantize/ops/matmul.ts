/**
 * MatMul and Gemm → one `matmul` node. A constant right operand is quantized per output column; a run-time
 * one (attention) is used as it is. A following Add of a constant [N] bias and a following Relu are folded
 * into the same node (bias into the int32 bias, Relu into lo = 0, a Clip into [lo, hi] at the output scale).
 */
import type { GraphNode } from '../../graph.ts';
import { clampWords, foldableClamp } from './common.ts';
import type { QuantContext } from '../context.ts';
import { quantizeMultipliers } from '../multiplier.ts';
import { quantizeColumns, roundInt32, transposed } from '../weights.ts';

interface Folded {
  bias?: Float32Array;
  /** a Relu or Clip folded into the output clamp */
  act?: { min: number; max: number };
  /** the float value the node's output stands for after folding */
  output: string;
}

function foldFollowers(ctx: QuantContext, output: string, n: number, haveBias: boolean): Folded {
  const folded: Folded = { output };
  let next = ctx.soleConsumer(output);
  if (!haveBias && next?.op === 'Add') {
    const other = next.inputs.find((i) => i !== output);
    const c = other !== undefined ? ctx.constant(other) : undefined;
    if (c && c.data.length === n && next.inputs.length === 2) {
      folded.bias = c.data;
      ctx.fused.add(next);
      folded.output = next.outputs[0];
      next = ctx.soleConsumer(folded.output);
    }
  }
  const act = foldableClamp(next);
  if (act) {
    folded.act = act;
    ctx.fused.add(next!);
    folded.output = next!.outputs[0];
  }
  return folded;
}

function emit(ctx: QuantContext, node: GraphNode, xName: string, w: { id: number; scales: number[] }, n: number, bias: Float32Array | undefined, haveBias: boolean): void {
  const x = ctx.value(xName);
  const folded = foldFollowers(ctx, node.outputs[0], n, haveBias);
  const b = bias ?? folded.bias;
  const outScale = ctx.scaleOf(folded.output);
  const { mults, shift } = quantizeMultipliers(w.scales.map((s) => (x.scale * s) / outScale));
  const biasWords = Int32Array.from({ length: n }, (_, j) => (b ? roundInt32(b[j] / (x.scale * w.scales[j])) : 0));
  const biasId = ctx.b.weight(`${node.name}.bias`, [n], biasWords);
  const multId = ctx.b.weight(`${node.name}.mult`, [n], mults);
  const id = ctx.b.node('matmul', node.name, [x.id, w.id, biasId, multId], { shift, ...clampWords(folded.act, outScale) }, outScale);
  ctx.values.set(folded.output, { id, scale: outScale });
}

export function quantizeMatMul(ctx: QuantContext, node: GraphNode & { op: 'MatMul' }): void {
  const [a, bName] = node.inputs;
  const bConst = ctx.constant(bName);
  if (bConst) {
    if (bConst.dims.length !== 2) ctx.unsupported(node, `a constant right operand must be 2-D, got [${bConst.dims}]`, 'reshape the weight to [K, N]');
    const [k, n] = bConst.dims;
    const { q, scales } = quantizeColumns(bConst.data, k, n);
    emit(ctx, node, a, { id: ctx.b.weight(`${node.name}.weight`, [k, n], q), scales }, n, undefined, false);
    return;
  }
  const w = ctx.value(bName);
  const n = ctx.b.info(w.id).dims.at(-1)!;
  emit(ctx, node, a, { id: w.id, scales: Array(n).fill(w.scale) }, n, undefined, false);
}

export function quantizeGemm(ctx: QuantContext, node: GraphNode & { op: 'Gemm' }): void {
  const { alpha, beta, transA, transB } = node.attrs;
  const [a, bName, cName] = node.inputs;
  if (transA) ctx.unsupported(node, 'transA = 1 is not supported', 're-export with the activation untransposed');
  const bConst = ctx.constant(bName);
  if (!bConst) ctx.unsupported(node, 'the B operand must be a constant', 'use MatMul for two run-time operands');
  const [r, c] = bConst.dims;
  const kn = transB ? transposed(bConst.data, r, c) : bConst.data;
  const [k, n] = transB ? [c, r] : [r, c];
  const scaled = kn.map((v) => v * alpha);
  const { q, scales } = quantizeColumns(scaled, k, n);
  let bias: Float32Array | undefined;
  if (cName !== undefined) {
    const cConst = ctx.constant(cName);
    if (!cConst || cConst.data.length !== n) ctx.unsupported(node, `C must be a constant of ${n} values`, 'fold the bias into a [N] initializer');
    bias = cConst.data.map((v) => v * beta);
  }
  emit(ctx, node, a, { id: ctx.b.weight(`${node.name}.weight`, [k, n], q), scales }, n, bias, bias !== undefined);
}
