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

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO52 = 4503599627370496;
const TWO_NEG16 = 1 / 65536;

/**
 * The constants of requant(v, m, s) for int32 v and a per-element int32 m (s = shift & 63), computed as
 *   q = |x| < T ? ⌊(x + h)·sc⌋ : ⌊(v·(m >> 16) + ⌊v·(m & 0xffff)·2^−16⌋ + H)·S⌋,  x = v·m,   then sat32,
 * with h = 2^(s−1) (0 for s = 0), sc = 2^−s, H = 2^(s−17), S = 2^−(s−16), and T = ∞ for s ≤ 21, 2^52 for
 * 22 ≤ s ≤ 52, 0 for s ≥ 53. Why this is requant's word for every int32 v and m:
 *   First form with |v·m| < 2^52: x is the exact product (|x| < 2^52 iff the exact product is, rounding being
 *     monotonic and 2^52 a double); rq's fast path (fastCommon.ts): x + h is an exact integer below 2^53, the
 *     multiplication by 2^−s an exact power-of-two scaling, so Math.floor sees requant's value (h = 0 for
 *     s = 0 turns −0 into +0 as requant's `p + 0` does).
 *   First form with |v·m| ≥ 2^52 (only for s ≤ 21): requant saturates to the product's sign
 *     (⌊(2^52 + 2^(s−1))/2^s⌋ ≥ 2^31, ⌊(−2^52 + 2^(s−1))/2^s⌋ ≤ −2^31 for s ≤ 21); x has that sign and
 *     |x| ≥ 2^52, so fl(x + h) ≥ 2^52 or ≤ −2^52 + 2^(s−1) (h ≤ 2^20; both bounds doubles), q ≥ 2^31 or
 *     q ≤ ⌊−2^(52−s) + 1/2⌋ ≤ −2^31, and sat32 gives the same word.
 *   Second form (s ≥ 22 with |v·m| ≥ 2^52, or s ≥ 53): rqWide's identity (fastCommon.ts), valid for every
 *     integer v and s ≥ 17 with m = (m >> 16)·2^16 + (m & 0xffff); every term exact (|v·(m >> 16)| ≤ 2^46,
 *     |v·(m & 0xffff)| < 2^47, 2^(s−17) ≤ 2^46, the sum below 2^49, scalings by powers of two exact).
 */
function rqConsts(shift: number): { h: number; sc: number; T: number; H: number; S: number } {
  const s = shift & 63;
  return {
    h: s === 0 ? 0 : 2 ** (s - 1),
    sc: 2 ** -s,
    T: s <= 21 ? Infinity : s < 53 ? TWO52 : 0,
    H: s >= 17 ? 2 ** (s - 17) : 0,
    S: s >= 17 ? 2 ** -(s - 16) : 0,
  };
}

/**
 * layernorm, per row of n words: x' = clamp32(x, -xmax, xmax), S = Σ x' (add32), d_i = sub32(mul32(x'_i, n), S)
 * (kept in a scratch row), V = Σ requant(d_i, d_i, sqShift) (add32), σ = isqrt32(add32(V, eps)),
 * y_i = clamp32(add32(requant(div32(shl32(d_i, divShift), σ), mult[i], shift), bias[i]), lo, hi). Both requants
 * are rqConsts' formula inline with the constants hoisted (their multipliers, d_i and mult[i], are int32
 * words); `divShift` is used as shl32 uses it (`<<` takes it mod 32).
 */
export const layernormPlan: FastPlanner<'layernorm'> = ({ attrs, inputDims }) => {
  const { xmax, sqShift, divShift, eps, shift, lo, hi } = attrs;
  const { rows, n } = layernormRows(attrs.axis, inputDims);
  const nxmax = -xmax;
  const V = rqConsts(sqShift);
  const Y = rqConsts(shift);
  return ([x, mult, bias], y) => {
    const ds = colBuffer(n);
    const { h: vh, sc: vsc, T: vT, H: vH, S: vS } = V;
    const { h: yh, sc: ysc, T: yT, H: yH, S: yS } = Y;
    for (let row = 0, base = 0; row < rows; row++, base += n) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = x[base + i];
        const a = v < nxmax ? nxmax : v; // clamp32(v, -xmax, xmax) = min(max(v, -xmax), xmax)
        const c = a > xmax ? xmax : a;
        ds[i] = c;
        sum = (sum + c) | 0;
      }
      let acc = 0;
      for (let i = 0; i < n; i++) {
        const d = (Math.imul(ds[i], n) - sum) | 0;
        ds[i] = d;
        const p = d * d;
        let q = p < vT && p > -vT ? Math.floor((p + vh) * vsc) : Math.floor((d * (d >> 16) + Math.floor(d * (d & 0xffff) * TWO_NEG16) + vH) * vS);
        q = q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : q;
        acc = (acc + q) | 0;
      }
      const sigma = isqrt32((acc + eps) | 0);
      for (let i = 0; i < n; i++) {
        const d = ds[i] << divShift;
        const w = sigma === 0 ? 0 : (d / sigma) | 0; // div32
        const m = mult[i];
        const p = w * m;
        let q = p < yT && p > -yT ? Math.floor((p + yh) * ysc) : Math.floor((w * (m >> 16) + Math.floor(w * (m & 0xffff) * TWO_NEG16) + yH) * yS);
        q = q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : q;
        const t = (q + bias[i]) | 0;
        const a = t < lo ? lo : t;
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
