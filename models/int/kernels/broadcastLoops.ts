/**
 * Numpy broadcasting for elementwise kernels: the output shape of two operands, each operand's flat index per
 * output element (the CPU references), and the VM lowering's loop nest.
 *
 * Lowering: the output dims become nested `Codegen.repeat` loops after dropping size-1 dims and merging
 * neighbours that every stream (operands and output) walks contiguously, so same-shaped operands give one
 * loop and `[2,3,4] ⊕ [3,1]` gives two. Streams with equal strides share one pointer register (immediates
 * carry the base differences); a stream that is constant inside the inner levels is loaded once per
 * iteration of the innermost level where it moves (a scalar once before all loops, through r0 and an absolute
 * address). Every trip count and every emitted step depends on shapes only.
 */
import type { Codegen } from '../codegen.ts';
import { KernelShapeError } from './kernel.ts';
import { broadcastIndex, broadcastStrides } from '../../shape.ts';

/** Output dims of numpy broadcasting, or a KernelShapeError naming `op`. */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new KernelShapeError(op, `operand shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

export { broadcastIndex, broadcastStrides };

/** The loop nest of a broadcast walk: trip counts outermost first, and each stream's stride per level. */
export interface LoopNest {
  counts: number[];
  /** strides[k][level] for stream k (the streams as given, the output usually last) */
  strides: number[][];
}

/** Collapse the output dims: drop size-1 dims, merge neighbours every stream walks contiguously. */
export function loopNest(outDims: readonly number[], streamDims: readonly (readonly number[])[]): LoopNest {
  const all = streamDims.map((d) => broadcastStrides(d, outDims));
  let counts: number[] = [];
  let strides: number[][] = all.map(() => []);
  outDims.forEach((n, i) => {
    if (n === 1) return;
    counts.push(n);
    all.forEach((s, k) => strides[k].push(s[i]));
  });
  for (let level = counts.length - 2; level >= 0; level--) {
    const inner = level + 1;
    if (strides.every((s) => s[level] === s[inner] * counts[inner])) {
      counts = [...counts.slice(0, level), counts[level] * counts[inner], ...counts.slice(inner + 1)];
      strides = strides.map((s) => [...s.slice(0, level), s[inner], ...s.slice(inner + 1)]);
    }
  }
  return { counts, strides };
}

/** Most loop levels an elementwise lowering may use (registers: counters + ≤ 3 pointers, 3 values, 3 multipliers). */
export const MAX_LOOP_LEVELS = 6;

export function checkLoopDepth(op: string, nest: LoopNest, outDims: readonly number[]): void {
  if (nest.counts.length > MAX_LOOP_LEVELS) {
    throw new KernelShapeError(op, `broadcasting to [${outDims}] needs ${nest.counts.length} nested loops, more than ${MAX_LOOP_LEVELS}; reshape the operands to fewer dims`);
  }
}

/** Where the current element of a stream is: `R[reg] + imm`. */
export interface Address {
  reg: number;
  imm: number;
}

export interface LoopHooks {
  /**
   * Called at the start of each level's body (level -1: once, before all loops) with the streams whose
   * innermost moving level it is: load them here.
   */
  enter(level: number, streams: number[], addr: (stream: number) => Address): void;
  /** The per-element work, at the innermost level. */
  element(addr: (stream: number) => Address): void;
}

/**
 * Emit the loop nest over streams based at `bases` with `nest`'s strides. Pointer registers are taken from
 * `g` for the whole walk and released afterwards.
 */
export function emitBroadcastLoops(g: Codegen, nest: LoopNest, bases: readonly number[], hooks: LoopHooks): void {
  const depth = nest.counts.length;
  const key = (k: number) => nest.strides[k].join(',');
  // pointer groups: streams with equal strides; streams that never move use r0 and their absolute address
  const groups: { reg: number; base: number; strides: number[] }[] = [];
  const groupOf: number[] = [];
  const moves = (k: number) => nest.strides[k].some((s) => s !== 0);
  bases.forEach((base, k) => {
    if (!moves(k)) {
      groupOf.push(-1);
      return;
    }
    const found = groups.findIndex((gr) => gr.strides.join(',') === key(k));
    if (found >= 0) groupOf.push(found);
    else {
      groups.push({ reg: g.reg(), base, strides: nest.strides[k] });
      groupOf.push(groups.length - 1);
    }
  });
  const addr = (k: number): Address => (groupOf[k] < 0 ? { reg: 0, imm: bases[k] } : { reg: groups[groupOf[k]].reg, imm: bases[k] - groups[groupOf[k]].base });
  // the innermost level at which each stream moves (-1: never)
  const home = bases.map((_, k) => {
    let h = -1;
    nest.strides[k].forEach((s, level) => {
      if (s !== 0) h = level;
    });
    return h;
  });
  for (const gr of groups) g.li(gr.reg, gr.base);

  const body = (level: number): void => {
    const here = bases.map((_, k) => k).filter((k) => home[k] === level);
    hooks.enter(level, here, addr);
    if (level === depth - 1) hooks.element(addr);
    else g.repeat(nest.counts[level + 1], () => body(level + 1));
    if (level < 0) return;
    // advance each pointer so that one iteration of this level moves it by exactly its stride here
    for (const gr of groups) {
      const inner = level + 1 < depth ? nest.counts[level + 1] * gr.strides[level + 1] : 0;
      const delta = gr.strides[level] - inner;
      if (delta !== 0) g.addi(gr.reg, gr.reg, delta);
    }
  };
  body(-1);
  g.release(...groups.map((gr) => gr.reg));
}
