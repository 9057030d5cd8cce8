// Slice (opset 13+ form: starts, ends, axes, steps as constant inputs) → per non-trivial axis a Gather with
// constant int64 indices; an identity slice → a Reshape to the same dims (an alias).

import { constVector, dataDims, Emitter, isIdentity } from './sliceOps.ts';
import { normalizeAxis } from '../fold/tensor.ts';
import type { Expander, RewriteContext } from './types.ts';

/** The indices ONNX Slice selects along an axis of `dim` entries (numpy semantics, clamped bounds). */
export function sliceIndices(dim: number, start: number, end: number, step: number): number[] {
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.max(0, Math.min(dim, s));
    e = Math.max(0, Math.min(dim, e));
  } else {
    s = Math.max(0, Math.min(dim - 1, s));
    // An end of INT64_MAX (held saturated as 2^31 - 1) means "to the end" in the step's direction, as
    // onnxruntime reads it (fold/layout.ts does the same).
    e = end === 2 ** 31 - 1 ? -1 : Math.max(-1, Math.min(dim - 1, e));
  }
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

/**
 * Emits the Gathers for per-axis index lists (identity lists skipped); the last one writes `out`. Shrinking
 * axes go first, so that no intermediate is larger than both the input and the output.
 */
export function gatherAxes(ctx: RewriteContext, e: Emitter, x: string, dims: number[], lists: Map<number, number[]>, out: string): void {
  const grows = ([a, idx]: [number, number[]]): number => Number(idx.length >= dims[a]);
  const work = [...lists].filter(([a, idx]) => !isIdentity(idx, dims[a])).sort((p, q) => grows(p) - grows(q) || p[0] - q[0]);
  for (const [a, idx] of work) {
    if (idx.length === 0) ctx.unsupported(`axis ${a} of [${dims.join(', ')}] would be empty`, 'opml does not run empty tensors; remove the node');
  }
  let cur = x;
  work.forEach(([a, idx], k) => {
    cur = e.gather(cur, a, idx, `axis${a}`, k === work.length - 1 ? out : undefined);
  });
  if (work.length === 0) e.reshape(x, dims, 'alias', out);
}

export const expandSlice: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx);
  const starts = constVector(ctx, 1, 'starts');
  const ends = constVector(ctx, 2, 'ends');
  if (!starts || !ends) ctx.fail('inputs starts and ends are required', 'the file is corrupt');
  const axes = constVector(ctx, 3, 'axes') ?? starts.map((_, i) => i);
  const steps = constVector(ctx, 4, 'steps') ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    ctx.fail(`starts, ends, axes and steps have ${starts.length}, ${ends.length}, ${axes.length} and ${steps.length} entries`, 'give each the same length');
  }
  const lists = new Map<number, number[]>();
  starts.forEach((s, i) => {
    const a = normalizeAxis(ctx, axes[i], dims.length, 'axes entry');
    if (lists.has(a)) ctx.fail(`axis ${a} is sliced twice`, 'list each axis once');
    if (steps[i] === 0) ctx.fail(`step ${i} is 0`, 'use a non-zero step');
    lists.set(a, sliceIndices(dims[a], s, ends[i], steps[i]));
  });
  const e = new Emitter(ctx);
  gatherAxes(ctx, e, ctx.inputs[0], dims, lists, ctx.outputs[0]);
  return e.nodes;
};
