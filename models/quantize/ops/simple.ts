/** Relu and Clip (clamp at the input's scale), Flatten and Reshape (copy under new dims). */
import type { GraphNode } from '../../graph.ts';
import type { QuantContext } from '../context.ts';
import { clampWords, int8 } from './common.ts';

export function quantizeRelu(ctx: QuantContext, node: GraphNode & { op: 'Relu' }): void {
  const x = ctx.value(node.inputs[0]);
  const id = ctx.b.node('clamp', node.name, [x.id], { lo: 0, hi: int8.hi }, x.scale);
  ctx.values.set(node.outputs[0], { id, scale: x.scale });
}

/** Clip alone (not folded into a producer): `clamp` at the input's scale to the rounded bounds. */
export function quantizeClip(ctx: QuantContext, node: GraphNode & { op: 'Clip' }): void {
  const x = ctx.value(node.inputs[0]);
  const id = ctx.b.node('clamp', node.name, [x.id], clampWords(node.attrs, x.scale), x.scale);
  ctx.values.set(node.outputs[0], { id, scale: x.scale });
}

export function quantizeView(ctx: QuantContext, node: GraphNode & { op: 'Flatten' | 'Reshape' }): void {
  const x = ctx.value(node.inputs[0]);
  const dims = ctx.graph.values.get(node.outputs[0])!.dims;
  const id = ctx.b.node('copy', node.name, [x.id], { dims }, x.scale);
  ctx.values.set(node.outputs[0], { id, scale: x.scale });
}
