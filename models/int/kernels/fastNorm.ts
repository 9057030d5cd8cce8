/**
 * Fast normalization kernels: reducemean, layernorm, softmax. Prepared once per call (FastPlanner,
 * fastCommon.ts); each produces the reference `execute`'s words for every input, using the reference's
 * formulas term for term: add32 = `(a + b) | 0`, sub32 = `(a - b) | 0`, mul32 = Math.imul, shl32 = `<<`,
 * sra32 = `>>`, div32 and isqrt32 from vm/numerics.ts, requant as rq (fastCommon.ts), clamp32 as comparisons.
 */
import { div32, isqrt32 } from '../../../vm/numerics.ts';
import { colBuffer, requantClampInto, rq, type FastPlanner } from './fastCommon.ts';
import { levelOffsets } from './fastLayout.ts';
import { layernormRows } from './layernorm.ts';
import { reduceLevels } from './reducemean.ts';
import { softmaxRows } from './softmax.ts';

/**
 * reducemean: output o is the add32 sum of x over the reduced points of its kept point, then requant and
 * clamp (requantClampInto, in place). The kept and reduced axes are loop levels over x (reduceLevels: size-1
 * axes dropped, same-kind neighbours merged); the outputs enumerate the kept levels row-major, as the
 * reference's output strides do, and `bases`/`offsets` list the x offsets of the kept and reduced points.
 * Addition mod 2^32 is associative and commutative, so summing an output's words in this order instead of the
 * reference's walk over x gives the same word.
 */
export const reducemeanPlan: FastPlanner<'reducemean'> = ({ attrs: { axes, mult, shift, lo, hi }, inputDims: [xDims] }) => {
  const { kept, reduced } = reduceLevels(axes, xDims);
  const bases = levelOffsets(kept.map((l) => ({ size: l.count, stride: l.stride })));
  const offsets = levelOffsets(reduced.map((l) => ({ size: l.count, stride: l.stride })));
  const s = shift & 63;
  const outs = bases.length;
  const len = offsets.length;
  // one reduced level of stride 1: each output sums a contiguous block
  const contiguous = reduced.length === 1 && reduced[0].stride === 1;
  return ([x], y) => {
    for (let o = 0; o < outs; o++) {
      const base = bases[o];
      let sum = 0;
      if (contiguous) for (let k = 0; k < len; k++) sum = (sum + x[base + k]) | 0;
      else for (let k = 0; k < len; k++) sum = (sum + x[base + offsets[k]]) | 0;
      y[o] = sum;
    }
    requantClampInto(y, 0, y, 0, outs, mult, s, lo, hi);
  };
};

/**
 * layernorm, per row of n words: x' = clamp32(x, -xmax, xmax) (kept in a scratch row), S = Σ x' (add32),
 * d_i = sub32(mul32(x'_i, n), S), V = Σ requant(d_i, d_i, sqShift) (add32), σ = isqrt32(add32(V, eps)),
 * y_i = clamp32(add32(requant(div32(shl32(d_i, divShift), σ), mult[i], shift), bias[i]), lo, hi).
 */
export const layernormPlan: FastPlanner<'layernorm'> = ({ attrs, inputDims }) => {
  const { xmax, sqShift, divShift, eps, shift, lo, hi } = attrs;
  const { rows, n } = layernormRows(attrs.axis, inputDims);
  const sq = sqShift & 63;
  const s = shift & 63;
  const nxmax = -xmax;
  return ([x, mult, bias], y) => {
    const xs = colBuffer(n);
    for (let row = 0, base = 0; row < rows; row++, base += n) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = x[base + i];
        const a = v < nxmax ? nxmax : v; // clamp32(v, -xmax, xmax) = min(max(v, -xmax), xmax)
        const c = a > xmax ? xmax : a;
        xs[i] = c;
        sum = (sum + c) | 0;
      }
      let v = 0;
      for (let i = 0; i < n; i++) {
        const d = (Math.imul(xs[i], n) - sum) | 0;
        v = (v + rq(d, d, sq)) | 0;
      }
      const sigma = isqrt32((v + eps) | 0);
      for (let i = 0; i < n; i++) {
        const w = div32(((Math.imul(xs[i], n) - sum) | 0) << divShift, sigma);
        const q = (rq(w, mult[i], s) + bias[i]) | 0;
        const a = q < lo ? lo : q;
        y[base + i] = a > hi ? hi : a;
      }
    }
  };
};

/**
 * softmax, per row (stride `inner` between its `len` words): m = max x (from INT32_MIN), e_i =
 * table[sub32(0, clamp32(requant(sub32(x_i, m), mult, shift), 1 - L, 0))] parked in y, S = Σ e_i (add32),
 * y_i = div32(add32(mul32(e_i, one), sra32(S, 1)), S).
 */
export const softmaxPlan: FastPlanner<'softmax'> = ({ attrs, inputDims }) => {
  const { mult, shift, one } = attrs;
  const { outer, len, inner, table: L } = softmaxRows(attrs.axis, inputDims);
  const s = shift & 63;
  const tlo = -(L - 1);
  const span = len * inner;
  return ([x, table], y) => {
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const base = o * span + j;
        const end = base + span;
        let m = -2147483648;
        for (let p = base; p < end; p += inner) {
          const v = x[p];
          if (v > m) m = v;
        }
        let sum = 0;
        for (let p = base; p < end; p += inner) {
          const q = rq((x[p] - m) | 0, mult, s);
          const a = q < tlo ? tlo : q; // clamp32(q, 1 - L, 0)
          const t = a > 0 ? 0 : a;
          const e = table[(0 - t) | 0];
          y[p] = e;
          sum = (sum + e) | 0;
        }
        const half = sum >> 1;
        for (let p = base; p < end; p += inner) y[p] = div32((Math.imul(y[p], one) + half) | 0, sum);
      }
    }
  };
};
