/**
 * Fast rmsnorm (FastPlanner, fastCommon.ts): the reference's words (kernels/rmsnorm.ts) for every input, its formulas
 * term for term: per row x'_i = clamp32(x_i, -xmax, xmax) (kept in a scratch row), q = Math.imul(x', x') (mul32),
 * H += q >> 16, L += q & 65535 (add32 as `| 0`), the row code `rmsnormRow` itself (R and a = u + 6), then
 * y_i = clamp32(requant(requant(x'_i << a, R, 15), mult[i], shift), lo, hi) with requant as `rq` (exact for every
 * int32 operand and shift).
 */
import { colBuffer, rq, type FastPlanner } from './fastCommon.ts';
import { rmsnormRow, rmsnormRows } from './rmsnorm.ts';

export const rmsnormPlan: FastPlanner<'rmsnorm'> = ({ attrs, inputDims }) => {
  const { xmax, eps, lo, hi } = attrs;
  const { rows, n } = rmsnormRows(attrs.axis, inputDims);
  const shift = attrs.shift & 63;
  const nxmax = -xmax;
  const h0 = eps >> 16;
  const l0 = eps & 65535;
  return ([x, mult], y) => {
    const xs = colBuffer(n);
    for (let row = 0, base = 0; row < rows; row++, base += n) {
      let h = h0;
      let l = l0;
      for (let i = 0; i < n; i++) {
        const v = x[base + i];
        const a = v < nxmax ? nxmax : v; // clamp32(v, -xmax, xmax) = min(max(v, -xmax), xmax)
        const c = a > xmax ? xmax : a;
        xs[i] = c;
        const q = Math.imul(c, c);
        h = (h + (q >> 16)) | 0;
        l = (l + (q & 65535)) | 0;
      }
      const { r, a } = rmsnormRow(h, l);
      for (let i = 0; i < n; i++) {
        const q = rq(rq(xs[i] << a, r, 15), mult[i], shift);
        const b = q < lo ? lo : q;
        y[base + i] = b > hi ? hi : b;
      }
    }
  };
};
