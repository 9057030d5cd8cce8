/**
 * Data-movement ops: Transpose → `transpose`, Concat → `concat`, Gather → `gather` (docs/INTEGER.md, "Layout
 * ops"). Words move unchanged except in a Concat whose inputs do not share one scale (or whose constant parts
 * are not whole multiples of it), where each input is requantized to the Concat's calibrated int8 scale.
 * A float constant where these ops expect an activation (an embedding table, a transposed weight) becomes a
 * weight tensor quantized per tensor to int8 [-127, 127]; constant integer indices become a weight at scale 1.
 */
import type { FloatTensor, GraphNode } from '../../graph.ts';
import { INT32_MAX, INT32_MIN } from '../../../vm/numerics.ts';
import { IDENTITY_REQUANT } from '../../int/kernels/concat.ts';
import type { IntValue, QuantContext } from '../context.ts';
import { quantizeMultiplier } from '../multiplier.ts';
import { int8 } from './common.ts';

/** Symmetric per-tensor int8 of a float constant: real ≈ q · scale, q in [-127, 127]. */
export function quantizePerTensor(data: Float32Array): { q: Int32Array; scale: number } {
  let m = 0;
  for (const v of data) m = Math.max(m, Math.abs(v));
  const scale = m > 0 ? m / 127 : 1;
  return { q: Int32Array.from(data, (v) => Math.max(-127, Math.min(127, Math.round(v / scale)))), scale };
}

/** The integer tensor of an operand: a run-time value, or a float constant made a per-tensor int8 weight. */
function operand(ctx: QuantContext, name: string): IntValue {
  const known = ctx.values.get(name);
  if (known) return known;
  const c = ctx.constant(name);
  if (!c) return ctx.value(name);
  const { q, scale } = quantizePerTensor(c.data);
  const v = { id: ctx.b.weight(name, c.dims, q, scale), scale };
  ctx.values.set(name, v);
  return v;
}

/** Gather indices: a run-time integer input (token ids, scale 1) or a constant integer tensor. */
function indices(ctx: QuantContext, name: string): IntValue {
  const known = ctx.values.get(name);
  if (known) return known;
  const c = ctx.graph.intInitializers.get(name);
  if (!c) return ctx.value(name);
  const v = { id: ctx.b.weight(name, c.dims, Int32Array.from(c.data), 1), scale: 1 };
  ctx.values.set(name, v);
  return v;
}

export function quantizeTranspose(ctx: QuantContext, node: GraphNode & { op: 'Transpose' }): void {
  const x = operand(ctx, node.inputs[0]);
  const id = ctx.b.node('transpose', node.name, [x.id], { perm: [...node.attrs.perm] }, x.scale);
  ctx.values.set(node.outputs[0], { id, scale: x.scale });
}

export function quantizeGather(ctx: QuantContext, node: GraphNode & { op: 'Gather' }): void {
  const [dataName, indexName] = node.inputs;
  const data = operand(ctx, dataName);
  const idx = indices(ctx, indexName);
  const id = ctx.b.node('gather', node.name, [data.id, idx.id], { axis: node.attrs.axis }, data.scale);
  ctx.values.set(node.outputs[0], { id, scale: data.scale });
}

/** The words of a constant at `scale` when every value is exactly (to float32) a whole multiple of it within int8. */
function exactWords(data: Float32Array, scale: number): Int32Array | undefined {
  const q = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const k = Math.round(data[i] / scale);
    if (k < int8.lo || k > int8.hi || Math.fround(k * scale) !== data[i]) return undefined;
    q[i] = k;
  }
  return q;
}

export function quantizeConcat(ctx: QuantContext, node: GraphNode & { op: 'Concat' }): void {
  const parts = node.inputs.map((name) => ({ name, constant: ctx.values.has(name) ? undefined : ctx.constant(name) }));
  const live = parts.filter((p) => !p.constant).map((p) => ctx.value(p.name));
  // All run-time inputs at one scale, and every constant exactly a whole number of that scale (Pad's zero
  // blocks, ConvTranspose's zero rows): a plain move at that scale (any word width), constants as words.
  const shared = live.length > 0 && live.every((v) => v.scale === live[0].scale) ? live[0].scale : undefined;
  const words = shared === undefined ? undefined : parts.map((p) => p.constant && exactWords(p.constant.data, shared));
  if (shared !== undefined && words!.every((w, i) => !parts[i].constant || w)) {
    const n = parts.length;
    const ids = parts.map((p, i) => (p.constant ? ctx.b.weight(`${node.name}.${p.name}`, p.constant.dims, words![i] as Int32Array, shared) : ctx.value(p.name).id));
    const attrs = { axis: node.attrs.axis, mults: Array(n).fill(IDENTITY_REQUANT.mult), shifts: Array(n).fill(IDENTITY_REQUANT.shift), lo: INT32_MIN, hi: INT32_MAX };
    const id = ctx.b.node('concat', node.name, ids, attrs, shared);
    ctx.values.set(node.outputs[0], { id, scale: shared });
    return;
  }
  // Otherwise: int8 at the calibrated output scale; run-time inputs rescaled, constants quantized straight to it.
  const outScale = ctx.scaleOf(node.outputs[0]);
  const ids: number[] = [];
  const mults: number[] = [];
  const shifts: number[] = [];
  for (const p of parts) {
    if (p.constant) {
      const c: FloatTensor = p.constant;
      const words = Int32Array.from(c.data, (v) => Math.max(int8.lo, Math.min(int8.hi, Math.round(v / outScale))));
      ids.push(ctx.b.weight(`${node.name}.${p.name}`, c.dims, words, outScale));
      mults.push(IDENTITY_REQUANT.mult);
      shifts.push(IDENTITY_REQUANT.shift);
    } else {
      const v = ctx.value(p.name);
      const { mult, shift } = quantizeMultiplier(v.scale / outScale);
      ids.push(v.id);
      mults.push(mult);
      shifts.push(shift);
    }
  }
  const id = ctx.b.node('concat', node.name, ids, { axis: node.attrs.axis, mults, shifts, lo: int8.lo, hi: int8.hi }, outScale);
  ctx.values.set(node.outputs[0], { id, scale: outScale });
}
