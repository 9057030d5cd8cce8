/**
 * An independent reference of the integer arithmetic and of every integer kernel, written from docs/NUMERICS.md
 * and docs/INTEGER.md with BigInt (exact, unbounded) arithmetic and plain loops. It imports nothing from the
 * code under test, so a rule changed consistently in vm/numerics.ts, the kernels, the VM lowering and the WGSL
 * still disagrees with it. Slow: for small directed cases only.
 */

export const MIN = -2147483648;
export const MAX = 2147483647;

const B = BigInt;
const mod = (a: number, m: number) => ((a % m) + m) % m;

export const wrap = (x: bigint): number => Number(BigInt.asIntN(32, x));
export const sat = (x: bigint): number => Number(x > B(MAX) ? B(MAX) : x < B(MIN) ? B(MIN) : x);
/** ⌊a / b⌋ for b > 0. */
export const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
};

export const add32 = (a: number, b: number): number => wrap(B(a) + B(b));
export const sub32 = (a: number, b: number): number => wrap(B(a) - B(b));
export const mul32 = (a: number, b: number): number => wrap(B(a) * B(b));
/** Truncating (BigInt `/` rounds toward zero); 0 for b = 0. */
export const div32 = (a: number, b: number): number => (b === 0 ? 0 : wrap(B(a) / B(b)));
export const shl32 = (a: number, s: number): number => wrap(B(a) * (1n << B(mod(s, 32))));
export const sra32 = (a: number, s: number): number => Number(floorDiv(B(a), 1n << B(mod(s, 32))));
/** `x` if s = 0, else ⌊(x + 2^(s-1)) / 2^s⌋: ties toward +∞. */
export const rshr = (x: bigint, s: number): bigint => (s === 0 ? x : floorDiv(x + (1n << B(s - 1)), 1n << B(s)));
export const requant = (x: number, m: number, s: number): number => sat(rshr(B(x) * B(m), mod(s, 64)));
export const clamp32 = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
export function isqrt32(a: number): number {
  if (a <= 0) return 0;
  // Bisection on BigInt: the largest r with r² ≤ a.
  let lo = 0n;
  let hi = 65536n;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (mid * mid <= B(a)) lo = mid;
    else hi = mid;
  }
  return Number(lo);
}

// ---- shapes -------------------------------------------------------------------------------------------------

export const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
export const strides = (dims: readonly number[]): number[] => dims.map((_, a) => count(dims.slice(a + 1)));
/** The multi-index of flat index i. */
export const coords = (i: number, dims: readonly number[]): number[] => {
  const s = strides(dims);
  return dims.map((d, a) => Math.floor(i / s[a]) % d);
};
const flat = (c: readonly number[], dims: readonly number[]): number => {
  const s = strides(dims);
  return c.reduce((acc, v, a) => acc + v * s[a], 0);
};

// ---- kernels (docs/INTEGER.md), words as number[] --------------------------------------------------------------

type W = ArrayLike<number>;

export function clampRef(x: W, lo: number, hi: number): number[] {
  return Array.from(x, (v) => clamp32(v, lo, hi));
}

export function lutRef(x: W, table: W): number[] {
  return Array.from(x, (v) => table[clamp32(v, -128, 127) + 128]);
}

/** numpy broadcasting of a and b to out. */
function broadcastAt(dims: readonly number[], out: readonly number[], i: number): number {
  const c = coords(i, out).slice(out.length - dims.length).map((v, a) => (dims[a] === 1 ? 0 : v));
  return flat(c, dims);
}

export interface BinaryAttrs {
  op: 'add' | 'sub' | 'mul' | 'div';
  multA: number;
  shiftA: number;
  multB: number;
  shiftB: number;
  multOut: number;
  shiftOut: number;
  lo: number;
  hi: number;
}

export function binaryRef(at: BinaryAttrs, aDims: number[], bDims: number[], a: W, b: W): { dims: number[]; y: number[] } {
  const rank = Math.max(aDims.length, bDims.length);
  const pad = (d: number[]) => [...Array(rank - d.length).fill(1), ...d];
  const dims = pad(aDims).map((d, i) => Math.max(d, pad(bDims)[i]));
  const f = { add: add32, sub: sub32, mul: mul32, div: div32 }[at.op];
  const y = Array.from({ length: count(dims) }, (_, i) => {
    const ta = requant(a[broadcastAt(aDims, dims, i)], at.multA, at.shiftA);
    const tb = requant(b[broadcastAt(bDims, dims, i)], at.multB, at.shiftB);
    return clamp32(requant(f(ta, tb), at.multOut, at.shiftOut), at.lo, at.hi);
  });
  return { dims, y };
}

/** x [...batch, M, K] · w [K, N] or [...batch, K, N]. */
export function matmulRef(xDims: number[], wDims: number[], x: W, w: W, bias: W, mult: W, shift: number, lo: number, hi: number): number[] {
  const [m, k] = xDims.slice(-2);
  const n = wDims[wDims.length - 1];
  const batch = count(xDims.slice(0, -2));
  const shared = count(wDims.slice(0, -2)) === 1;
  const y: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = bias[j];
        for (let t = 0; t < k; t++) acc = add32(acc, mul32(x[(b * m + i) * k + t], w[(shared ? 0 : b * k * n) + t * n + j]));
        y.push(clamp32(requant(acc, mult[j], shift), lo, hi));
      }
    }
  }
  return y;
}

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
}

/** Output size and the valid taps' input offsets (within a plane) of every output position. */
function windows(win: Window, h: number, w: number): { oh: number; ow: number; taps: number[][] } {
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.strides;
  const [pt, pl, pb, pr] = win.pads;
  const [dh, dw] = win.dilations;
  const oh = Math.floor((h + pt + pb - (kh - 1) * dh - 1) / sh) + 1;
  const ow = Math.floor((w + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  const taps: number[][] = [];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const t: number[] = [];
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const iy = y * sh - pt + ky * dh;
          const ix = x * sw - pl + kx * dw;
          // -1 marks an invalid tap (kept so conv can pair taps with weights)
          t.push(iy >= 0 && iy < h && ix >= 0 && ix < w ? iy * w + ix : -1);
        }
      }
      taps.push(t);
    }
  }
  return { oh, ow, taps };
}

export function conv2dRef(
  win: Window & { group: number; shift: number; lo: number; hi: number },
  xDims: number[],
  wDims: number[],
  x: W,
  w: W,
  bias: W,
  mult: W,
): { dims: number[]; y: number[] } {
  const [n, c, h, wd] = xDims;
  const [m, cg, kh, kw] = wDims;
  const mg = m / win.group;
  const { oh, ow, taps } = windows(win, h, wd);
  const y: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < m; oc++) {
      const g = Math.floor(oc / mg);
      for (const t of taps) {
        let acc = bias[oc];
        for (let ic = 0; ic < cg; ic++) {
          const plane = (b * c + g * cg + ic) * h * wd;
          t.forEach((off, k) => {
            if (off >= 0) acc = add32(acc, mul32(x[plane + off], w[((oc * cg + ic) * kh * kw) + k]));
          });
        }
        y.push(clamp32(requant(acc, mult[oc], win.shift), win.lo, win.hi));
      }
    }
  }
  return { dims: [n, m, oh, ow], y };
}

export function maxpoolRef(win: Window & { lo: number; hi: number }, xDims: number[], x: W): { dims: number[]; y: number[] } {
  const [n, c, h, w] = xDims;
  const { oh, ow, taps } = windows(win, h, w);
  const y: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (const t of taps) {
      let m = win.lo;
      for (const off of t) if (off >= 0) m = Math.max(m, x[p * h * w + off]);
      y.push(Math.min(m, win.hi));
    }
  }
  return { dims: [n, c, oh, ow], y };
}

export function avgpoolRef(
  win: Window & { countIncludePad: boolean; mults: number[]; shift: number; lo: number; hi: number },
  xDims: number[],
  x: W,
): { dims: number[]; y: number[] } {
  const [n, c, h, w] = xDims;
  const { oh, ow, taps } = windows(win, h, w);
  const y: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (const t of taps) {
      let s = 0;
      let valid = 0;
      for (const off of t) {
        if (off < 0) continue;
        s = add32(s, x[p * h * w + off]);
        valid++;
      }
      const k = win.countIncludePad ? t.length : valid;
      y.push(clamp32(requant(s, win.mults[k], win.shift), win.lo, win.hi));
    }
  }
  return { dims: [n, c, oh, ow], y };
}

export function channelAffineRef(xDims: number[], x: W, w: W, bias: W, mult: W, shift: number, lo: number, hi: number): number[] {
  const c = xDims[1];
  const inner = count(xDims.slice(2));
  return Array.from(x, (v, i) => {
    const ch = Math.floor(i / inner) % c;
    return clamp32(requant(add32(mul32(v, w[ch]), bias[ch]), mult[ch], shift), lo, hi);
  });
}

/** Rows along `axis`: the flat indices of each row. */
function rowsAlong(dims: readonly number[], axis: number): number[][] {
  const len = dims[axis];
  const inner = count(dims.slice(axis + 1));
  const outer = count(dims.slice(0, axis));
  const rows: number[][] = [];
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) rows.push(Array.from({ length: len }, (_, i) => (o * len + i) * inner + j));
  return rows;
}

export function softmaxRef(dims: number[], axis: number, x: W, table: W, mult: number, shift: number, one: number): number[] {
  const y = new Array<number>(x.length).fill(0);
  const L = table.length;
  for (const row of rowsAlong(dims, axis)) {
    const m = Math.max(...row.map((i) => x[i]));
    const e = row.map((i) => table[-clamp32(requant(sub32(x[i], m), mult, shift), 1 - L, 0)]);
    const s = e.reduce((acc, v) => add32(acc, v), 0);
    row.forEach((i, k) => (y[i] = div32(add32(mul32(e[k], one), sra32(s, 1)), s)));
  }
  return y;
}

export interface LayerNormAttrs {
  axis: number;
  xmax: number;
  sqShift: number;
  divShift: number;
  eps: number;
  shift: number;
  lo: number;
  hi: number;
}

export function layernormRef(at: LayerNormAttrs, dims: number[], x: W, mult: W, bias: W): number[] {
  const n = count(dims.slice(at.axis));
  const y: number[] = [];
  for (let r = 0; r < x.length / n; r++) {
    const xs = Array.from({ length: n }, (_, i) => clamp32(x[r * n + i], -at.xmax, at.xmax));
    const s = xs.reduce((acc, v) => add32(acc, v), 0);
    const d = xs.map((v) => sub32(mul32(v, n), s));
    const v = d.reduce((acc, di) => add32(acc, requant(di, di, at.sqShift)), 0);
    const sigma = isqrt32(add32(v, at.eps));
    d.forEach((di, i) => y.push(clamp32(add32(requant(div32(shl32(di, at.divShift), sigma), mult[i], at.shift), bias[i]), at.lo, at.hi)));
  }
  return y;
}

/** and32 of the two's-complement words; srl32: the word's 32 bits shifted right by s mod 32, zeros in. */
export const and32 = (a: number, b: number): number => wrap(B(a) & B(b));
export const srl32 = (a: number, s: number): number => wrap(BigInt.asUintN(32, B(a)) >> B(mod(s, 32)));

export interface RmsNormAttrs {
  axis: number;
  xmax: number;
  eps: number;
  shift: number;
  lo: number;
  hi: number;
}

/** rmsnorm (docs/INTEGER.md, RMSNorm): exact Σx'² in two halves, its square root normalized to 15 bits. */
export function rmsnormRef(at: RmsNormAttrs, dims: number[], x: W, mult: W): number[] {
  const n = count(dims.slice(at.axis));
  const y: number[] = [];
  for (let r = 0; r < x.length / n; r++) {
    const xs = Array.from({ length: n }, (_, i) => clamp32(x[r * n + i], -at.xmax, at.xmax));
    let h = sra32(at.eps, 16);
    let l = and32(at.eps, 65535);
    for (const v of xs) {
      const q = mul32(v, v);
      h = add32(h, sra32(q, 16));
      l = add32(l, and32(q, 65535));
    }
    const c = add32(shl32(Math.min(h, 16384), 16), l);
    const g = add32(h, sra32(l, 16));
    let u = 0;
    for (let k = 1; k <= 15; k++) if (c < 4 ** k) u++;
    for (let k = 8; k <= 15; k++) if (g < 4 ** k) u++;
    const w = add32(shl32(h, 2 * u - 2), shl32(srl32(l, Math.max(18 - 2 * u, 0)), Math.max(2 * u - 18, 0)));
    const rr = div32(2 ** 30, isqrt32(w));
    for (let i = 0; i < n; i++) y.push(clamp32(requant(requant(shl32(xs[i], u + 6), rr, 15), mult[i], at.shift), at.lo, at.hi));
  }
  return y;
}

export function reducemeanRef(dims: number[], axes: number[], keepdims: boolean, x: W, mult: number, shift: number, lo: number, hi: number): { dims: number[]; y: number[] } {
  const kept = dims.map((d, a) => (axes.includes(a) ? 1 : d));
  const sums = new Array<number>(count(kept)).fill(0);
  for (let i = 0; i < x.length; i++) {
    const c = coords(i, dims).map((v, a) => (axes.includes(a) ? 0 : v));
    const o = flat(c, kept);
    sums[o] = add32(sums[o], x[i]);
  }
  const out = keepdims ? kept : dims.filter((_, a) => !axes.includes(a));
  return { dims: out, y: sums.map((s) => clamp32(requant(s, mult, shift), lo, hi)) };
}

export function sqrtRef(x: W, mult: number, shift: number, frac: number, lo: number, hi: number): number[] {
  return Array.from(x, (v) => clamp32(requant(isqrt32(requant(v, mult, shift)), 1, frac), lo, hi));
}

export function transposeRef(dims: number[], perm: number[], x: W): { dims: number[]; y: number[] } {
  const out = perm.map((p) => dims[p]);
  const y = Array.from({ length: count(out) }, (_, i) => {
    const ci = coords(i, out);
    const cj = new Array<number>(dims.length);
    perm.forEach((p, a) => (cj[p] = ci[a]));
    return x[flat(cj, dims)];
  });
  return { dims: out, y };
}

export function concatRef(dims: number[][], axis: number, xs: W[], mults: number[], shifts: number[], lo: number, hi: number): { dims: number[]; y: number[] } {
  const out = [...dims[0]];
  out[axis] = dims.reduce((s, d) => s + d[axis], 0);
  const y = Array.from({ length: count(out) }, (_, i) => {
    const c = coords(i, out);
    let k = 0;
    let along = c[axis];
    while (along >= dims[k][axis]) along -= dims[k++][axis];
    const src = [...c];
    src[axis] = along;
    return clamp32(requant(xs[k][flat(src, dims[k])], mults[k], shifts[k]), lo, hi);
  });
  return { dims: out, y };
}

/** The entry an index selects (docs/INTEGER.md: negative counts from the end once, then clamped). */
export const gatherIndexRef = (t: number, len: number): number => clamp32(add32(t, mul32(t < 0 ? 1 : 0, len)), 0, len - 1);

export function gatherRef(dataDims: number[], axis: number, data: W, indices: W): number[] {
  const outer = count(dataDims.slice(0, axis));
  const len = dataDims[axis];
  const inner = count(dataDims.slice(axis + 1));
  const y: number[] = [];
  for (let a = 0; a < outer; a++) {
    for (let k = 0; k < indices.length; k++) {
      const row = gatherIndexRef(indices[k], len);
      for (let b = 0; b < inner; b++) y.push(data[(a * len + row) * inner + b]);
    }
  }
  return y;
}

/**
 * argmax over the last axis (docs/INTEGER.md, "ArgMax"): the row's maximum as an exact (BigInt) value first, then
 * the first index holding it. Output dims: x's without the last axis, [1] for a rank-1 x.
 */
export function argmaxRef(dims: number[], x: W): { dims: number[]; y: number[] } {
  const v = dims[dims.length - 1];
  const out = dims.length === 1 ? [1] : dims.slice(0, -1);
  const y: number[] = [];
  for (let r = 0; r < count(out); r++) {
    const row = Array.from({ length: v }, (_, i) => B(x[r * v + i]));
    const max = row.reduce((a, b) => (b > a ? b : a));
    y.push(row.indexOf(max));
  }
  return { dims: out, y };
}
