/**
 * Fast data-movement kernels: transpose, concat, gather. Prepared once per call (FastPlanner, fastCommon.ts);
 * each produces the reference `execute`'s words for every input. transpose and gather move words unchanged
 * (only the order of the reads differs from the reference's index walk, the words read are the same); concat
 * rescales with requantClampInto (rq's words), and moves the words of an input whose rescale and clamp are
 * both identities unchanged.
 */
import { elementCount } from '../graph.ts';
import { concat } from './concat.ts';
import { clampInto, copyInto, isFullClamp, isIdentityRescale, requantClampInto, type FastPlanner } from './fastCommon.ts';
import { gather } from './gather.ts';
import { transposeLevels } from './transpose.ts';

/** A loop level over a source: `size` indices, `stride` source words apart. */
export interface Level {
  size: number;
  stride: number;
}

/** The offset of every point of a row-major walk over `levels` (outermost first): Σ index·stride. */
export function levelOffsets(levels: readonly Level[]): Int32Array {
  const offsets = new Int32Array(elementCount(levels.map((l) => l.size)));
  const coord = new Array<number>(levels.length).fill(0);
  let pos = 0;
  for (let r = 0; r < offsets.length; r++) {
    offsets[r] = pos;
    for (let l = levels.length - 1; l >= 0; l--) {
      coord[l]++;
      pos += levels[l].stride;
      if (coord[l] < levels[l].size) break;
      pos -= coord[l] * levels[l].stride;
      coord[l] = 0;
    }
  }
  return offsets;
}

/**
 * transpose: the output as loop levels over x (transposeLevels: size-1 axes dropped, contiguous neighbours
 * merged); the innermost level is a strided run, the outer ones a list of run starts.
 */
export const transposePlan: FastPlanner<'transpose'> = ({ attrs: { perm }, inputDims: [xDims] }) => {
  const levels = transposeLevels(perm, xDims);
  const { size: n, stride } = levels[levels.length - 1];
  const starts = levelOffsets(levels.slice(0, -1));
  if (elementCount(xDims) === 0) return () => {};
  if (stride === 1) {
    return ([x], y) => {
      for (let r = 0, o = 0; r < starts.length; r++, o += n) copyInto(x, starts[r], y, o, n);
    };
  }
  return ([x], y) => {
    let o = 0;
    for (let r = 0; r < starts.length; r++) {
      const end = starts[r] + n * stride;
      for (let p = starts[r]; p < end; p += stride) y[o++] = x[p];
    }
  };
};

/** How one concat input's words reach the output: moved, clamped, or rescaled and clamped. */
type Move = (x: Int32Array, o: number, y: Int32Array, d: number, n: number) => void;

function concatMove(mult: number, shift: number, lo: number, hi: number): Move {
  const s = shift & 63;
  if (!isIdentityRescale(mult, s)) return (x, o, y, d, n) => requantClampInto(x, o, y, d, n, mult, s, lo, hi);
  if (isFullClamp(lo, hi)) return copyInto;
  return (x, o, y, d, n) => clampInto(x, o, y, d, n, lo, hi);
}

/**
 * concat: per outer row, per input, its chunk of the row: y[…] = clamp32(requant(x_i[…], mults[i], shifts[i]),
 * lo, hi) in the reference's order (outer rows, then inputs).
 */
export const concatPlan: FastPlanner<'concat'> = ({ attrs, inputDims }) => {
  concat.outputDims(attrs, inputDims); // the reference's checks and errors
  const { axis, mults, shifts, lo, hi } = attrs;
  const outer = elementCount(inputDims[0].slice(0, axis));
  const chunks = inputDims.map((d) => elementCount(d.slice(axis)));
  const moves = chunks.map((_, i) => concatMove(mults[i], shifts[i], lo, hi));
  return (xs, y) => {
    let d = 0;
    for (let r = 0; r < outer; r++) {
      for (let i = 0; i < chunks.length; i++) {
        const n = chunks[i];
        moves[i](xs[i], r * n, y, d, n);
        d += n;
      }
    }
  };
};

/**
 * gather: per (outer block a, index k) one row of `inner` words from data[a, idx(indices[k]), ·], with
 * idx(t) = clamp32(add32(t, mul32(t < 0 ? 1 : 0, len)), 0, len - 1) (gather.ts's gatherIndex) written as
 * `t < 0 ? (t + len) | 0 : t` (mul32(1, len) = len, add32(t, 0) = t) and the clamp as comparisons.
 */
export const gatherPlan: FastPlanner<'gather'> = ({ attrs, inputDims }) => {
  gather.outputDims(attrs, inputDims); // the reference's checks and errors
  const { axis } = attrs;
  const [dataDims, indexDims] = inputDims;
  const outer = elementCount(dataDims.slice(0, axis));
  const len = dataDims[axis];
  const inner = elementCount(dataDims.slice(axis + 1));
  const count = elementCount(indexDims);
  const last = len - 1;
  return ([data, indices], y) => {
    let o = 0;
    for (let a = 0; a < outer; a++) {
      for (let k = 0; k < count; k++) {
        const t = indices[k];
        const u = t < 0 ? (t + len) | 0 : t;
        const idx = u < 0 ? 0 : u > last ? last : u;
        copyInto(data, (a * len + idx) * inner, y, o, inner);
        o += inner;
      }
    }
  };
};
