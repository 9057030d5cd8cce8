/**
 * Shared geometry and lowering walker of the 2-D window kernels (conv2d, maxpool2d, avgpool2d) over NCHW.
 *
 * Geometry (ONNX): output position (oh, ow) reads the taps (ky, kx) ∈ [0, kh) × [0, kw) at input row
 * iy = oh·sh − pt + ky·dh and column ix = ow·sw − pl + kx·dw; a tap is **valid** when (iy, ix) lies inside the
 * H×W plane. Invalid taps are skipped (padding contributes nothing: 0 for sums, −∞ for max).
 * OH = ⌊(H + pt + pb − ((kh − 1)·dh + 1)) / sh⌋ + 1, likewise OW.
 *
 * Lowering: the set of valid taps of a position depends on shapes only, and along each axis it is a
 * contiguous range of k (iy is monotone in ky). So each axis splits into **runs** of consecutive outputs with
 * the same valid range [k0, k1); a (row run, column run) pair is a rectangle of outputs sharing one tap
 * rectangle. The walker emits, per row run, a loop over its rows, and inside it, per column run, a loop over
 * its columns whose body touches exactly the valid taps with offsets in immediates — outputs in raster order,
 * no data-dependent branch, and no padded copy of the input. A register `px` holds the window origin
 * (plane + (oh·sh − pt)·W + ow·sw − pl), which may point outside the plane (even below 0); every address
 * actually used (`px` + a valid tap's offset) is inside it.
 */
import { asm } from '../../../vm/isa.ts';
import type { Codegen } from '../codegen.ts';
import type { IntWindow2d } from '../graph.ts';
import { KernelShapeError } from './kernel.ts';

/** Taps per unrolled block: a tap rectangle larger than this loops over its rows (kx still unrolled). */
export const MAX_UNROLL_TAPS = 256;
/** Largest program a window kernel may lower to (the code tree holds 2^16 instructions). */
export const MAX_PROGRAM = 60_000;

export interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** top and left pads (bottom/right pads only shape the output count) */
  pt: number;
  pl: number;
  dh: number;
  dw: number;
}

/** Outputs [start, end) along one axis whose valid taps are k ∈ [k0, k1). */
export interface Run {
  start: number;
  end: number;
  k0: number;
  k1: number;
}

const isPosInt = (v: number) => Number.isInteger(v) && v >= 1;
const isNatural = (v: number) => Number.isInteger(v) && v >= 0;

/** Checks a window against an NCHW input and returns the full geometry. */
export function windowGeometry(op: string, win: IntWindow2d, x: readonly number[]): Geometry {
  if (x.length !== 4) throw new KernelShapeError(op, `input must be NCHW (rank 4), got [${x}]`);
  const { kernel, strides, pads, dilations } = win;
  if (kernel.length !== 2 || !kernel.every(isPosInt)) throw new KernelShapeError(op, `kernel [${kernel}] must be two positive integers`);
  if (strides.length !== 2 || !strides.every(isPosInt)) throw new KernelShapeError(op, `strides [${strides}] must be two positive integers`);
  if (dilations.length !== 2 || !dilations.every(isPosInt)) throw new KernelShapeError(op, `dilations [${dilations}] must be two positive integers`);
  if (pads.length !== 4 || !pads.every(isNatural)) throw new KernelShapeError(op, `pads [${pads}] must be four non-negative integers`);
  const [n, c, h, w] = x;
  const out: number[] = [];
  for (let a = 0; a < 2; a++) {
    const extent = (kernel[a] - 1) * dilations[a] + 1;
    const padded = x[2 + a] + pads[a] + pads[a + 2];
    if (padded < extent) throw new KernelShapeError(op, `window extent ${extent} exceeds the padded input ${padded} on spatial axis ${a}`);
    out.push(Math.floor((padded - extent) / strides[a]) + 1);
  }
  return {
    n, c, h, w, oh: out[0], ow: out[1],
    kh: kernel[0], kw: kernel[1], sh: strides[0], sw: strides[1], pt: pads[0], pl: pads[1], dh: dilations[0], dw: dilations[1],
  };
}

/** The valid tap range of output o along an axis of length `size`. */
export function validTaps(o: number, size: number, k: number, stride: number, pad: number, dil: number): [number, number] {
  const base = o * stride - pad;
  let k0 = 0;
  while (k0 < k && base + k0 * dil < 0) k0++;
  let k1 = k;
  while (k1 > k0 && base + (k1 - 1) * dil >= size) k1--;
  return [k0, k1];
}

/** Consecutive outputs with the same valid tap range. */
export function axisRuns(out: number, size: number, k: number, stride: number, pad: number, dil: number): Run[] {
  const runs: Run[] = [];
  for (let o = 0; o < out; o++) {
    const [k0, k1] = validTaps(o, size, k, stride, pad, dil);
    const last = runs.at(-1);
    if (last && last.k0 === k0 && last.k1 === k1) last.end = o + 1;
    else runs.push({ start: o, end: o + 1, k0, k1 });
  }
  return runs;
}

/** The tap rectangle of a (row run, column run). */
export interface Rect {
  ky0: number;
  ky1: number;
  kx0: number;
  kx1: number;
}
export const rectTaps = (r: Rect): number => (r.ky1 - r.ky0) * (r.kx1 - r.kx0);

/**
 * Emit the valid taps of one position: `tap(xOff, k)` for each (ky, kx) of the rectangle, with
 * xOff = base + ky·dh·W + kx·dw relative to `px` and k = ky·kw + kx. A rectangle of more than
 * MAX_UNROLL_TAPS taps loops over its rows instead: `px` and every `advance` register move by one kernel row
 * per iteration (dh·W and `perRow`) and are restored afterwards.
 */
export function emitRect(
  g: Codegen,
  geo: Geometry,
  rect: Rect,
  px: number,
  base: number,
  tap: (xOff: number, k: number) => void,
  advance: { reg: number; perRow: number }[] = [],
): void {
  const rows = rect.ky1 - rect.ky0;
  if (rectTaps(rect) === 0) return;
  const row = (ky: number) => {
    for (let kx = rect.kx0; kx < rect.kx1; kx++) tap(base + ky * geo.dh * geo.w + kx * geo.dw, ky * geo.kw + kx);
  };
  if (rectTaps(rect) <= MAX_UNROLL_TAPS || rows === 1) {
    for (let ky = rect.ky0; ky < rect.ky1; ky++) row(ky);
    return;
  }
  const step = geo.dh * geo.w;
  g.repeat(rows, () => {
    row(rect.ky0);
    g.addi(px, px, step);
    for (const a of advance) g.addi(a.reg, a.reg, a.perRow);
  });
  g.addi(px, px, -rows * step);
  for (const a of advance) g.addi(a.reg, a.reg, -rows * a.perRow);
}

/**
 * Walk one output plane in raster order. On entry `px` must hold plane − pt·W − pl (the origin of output
 * (0, 0)); on exit it holds that value + OH·sh·W. `beforeRun` runs once per (row, column run) before the
 * column loop; `position` emits one output's code and its store to `py`. The walker advances `py` by one
 * and `px` by sw after each position.
 */
export function walkPlane(
  g: Codegen,
  geo: Geometry,
  px: number,
  py: number,
  position: (rect: Rect) => void,
  beforeRun?: (rect: Rect) => void,
): void {
  const rowRuns = axisRuns(geo.oh, geo.h, geo.kh, geo.sh, geo.pt, geo.dh);
  const colRuns = axisRuns(geo.ow, geo.w, geo.kw, geo.sw, geo.pl, geo.dw);
  for (const rr of rowRuns) {
    g.repeat(rr.end - rr.start, () => {
      for (const cr of colRuns) {
        const rect: Rect = { ky0: rr.k0, ky1: rr.k1, kx0: cr.k0, kx1: cr.k1 };
        beforeRun?.(rect);
        g.repeat(cr.end - cr.start, () => {
          position(rect);
          g.addi(py, py, 1);
          g.addi(px, px, geo.sw);
        });
      }
      const rewind = geo.sh * geo.w - geo.ow * geo.sw;
      if (rewind !== 0) g.addi(px, px, rewind);
    });
  }
}

/** The origin register value for a plane starting at `plane`. */
export const planeOrigin = (geo: Geometry, plane: number): number => plane - geo.pt * geo.w - geo.pl;

/** Throws when a lowering is longer than MAX_PROGRAM instructions. */
export function checkProgramSize(op: string, length: number): void {
  if (length > MAX_PROGRAM) {
    throw new KernelShapeError(op, `the lowered program would have ${length} instructions, more than ${MAX_PROGRAM}: split the node (fewer channels or a smaller window)`);
  }
}

/** The store of one position's result (used by every window kernel's `position`). */
export const storeAt = (py: number, v: number) => asm.STORE(py, v, 0);
