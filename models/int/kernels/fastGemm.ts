/**
 * The fast kernels of the products: matmul and conv2d (fastCommon.ts states why any order of the add32 / mul32
 * sums gives the reference's words). Registered in fast.ts. Products of at least wasmMinMacs multiply-adds
 * run on the WebAssembly SIMD kernel (gemmSimd.ts; exact for all int32 inputs, see scripts/gen-gemm-wasm.ts);
 * smaller ones on the plain-JS loops below (blocked gemmNT, zero-skipping rowTimesW and convScatter).
 * matmulPlan / conv2dPlan work out the geometry (and conv2d's im2col runs) once per call; matmulFast /
 * conv2dFast are the same with the runner kept per call object (made again if the call's numbers change).
 */
import { convGeometry } from './conv2d.ts';
import { accumulators, colBuffer, isImmutable, isInt32, oneOff, rqClamp, tBuffer, type FastKernel, type FastPlanner, type FastRunner } from './fastCommon.ts';
import { copyRowsA, fitsInt16, gatherA, memoryI16, memoryI32, planGemm, requantBytes, requantC, runGemm, type BSource } from './gemmSimd.ts';
import { matmulGeometry } from './matmul.ts';

/** OPML_GEMM_WASM=0 keeps to the plain-JS products (for measuring; both give the same words). */
const WASM = process.env.OPML_GEMM_WASM !== '0';
/**
 * Products with fewer multiply-adds than this stay in JS (below it the call, the operand copies and the
 * plan cost more than they save; measured in the report of the change that added the wasm kernel).
 */
let wasmMinMacs = Number(process.env.OPML_GEMM_WASM_MIN ?? 128);

/** Sets the wasm threshold for products planned from now on (tests use it to reach the JS paths); returns the old one. */
export function setWasmMinMacs(macs: number): number {
  const old = wasmMinMacs;
  wasmMinMacs = macs;
  return old;
}

/**
 * acc[i·N + j] = Σ_k A[aOff + i·K + k] · B[bOff + j·K + k] (add32 / mul32), for i < M, j < N: both operands
 * row-major with K contiguous. 4×4 register blocks (16 int32 accumulators) over the bulk, then 1×4 and 1×1
 * for the edges.
 */
export function gemmNT(
  A: Int32Array,
  aOff: number,
  B: Int32Array,
  bOff: number,
  M: number,
  N: number,
  K: number,
  acc: Int32Array,
): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    const a0 = aOff + i * K;
    const a1 = a0 + K;
    const a2 = a1 + K;
    const a3 = a2 + K;
    for (let j = 0; j < N4; j += 4) {
      const b0 = bOff + j * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a1 + k];
        const x2 = A[a2 + k];
        const x3 = A[a3 + k];
        const w0 = B[b0 + k];
        const w1 = B[b1 + k];
        const w2 = B[b2 + k];
        const w3 = B[b3 + k];
        c00 = (c00 + Math.imul(x0, w0)) | 0;
        c01 = (c01 + Math.imul(x0, w1)) | 0;
        c02 = (c02 + Math.imul(x0, w2)) | 0;
        c03 = (c03 + Math.imul(x0, w3)) | 0;
        c10 = (c10 + Math.imul(x1, w0)) | 0;
        c11 = (c11 + Math.imul(x1, w1)) | 0;
        c12 = (c12 + Math.imul(x1, w2)) | 0;
        c13 = (c13 + Math.imul(x1, w3)) | 0;
        c20 = (c20 + Math.imul(x2, w0)) | 0;
        c21 = (c21 + Math.imul(x2, w1)) | 0;
        c22 = (c22 + Math.imul(x2, w2)) | 0;
        c23 = (c23 + Math.imul(x2, w3)) | 0;
        c30 = (c30 + Math.imul(x3, w0)) | 0;
        c31 = (c31 + Math.imul(x3, w1)) | 0;
        c32 = (c32 + Math.imul(x3, w2)) | 0;
        c33 = (c33 + Math.imul(x3, w3)) | 0;
      }
      let o = i * N + j;
      acc[o] = c00; acc[o + 1] = c01; acc[o + 2] = c02; acc[o + 3] = c03;
      o += N;
      acc[o] = c10; acc[o + 1] = c11; acc[o + 2] = c12; acc[o + 3] = c13;
      o += N;
      acc[o] = c20; acc[o + 1] = c21; acc[o + 2] = c22; acc[o + 3] = c23;
      o += N;
      acc[o] = c30; acc[o + 1] = c31; acc[o + 2] = c32; acc[o + 3] = c33;
    }
  }
  // Edge rows (i ≥ M4): every column, 1×4 blocks then 1×1.
  for (let i = M4; i < M; i++) {
    const a0 = aOff + i * K;
    for (let j = 0; j < N4; j += 4) {
      const b0 = bOff + j * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k];
        c0 = (c0 + Math.imul(x0, B[b0 + k])) | 0;
        c1 = (c1 + Math.imul(x0, B[b1 + k])) | 0;
        c2 = (c2 + Math.imul(x0, B[b2 + k])) | 0;
        c3 = (c3 + Math.imul(x0, B[b3 + k])) | 0;
      }
      const o = i * N + j;
      acc[o] = c0; acc[o + 1] = c1; acc[o + 2] = c2; acc[o + 3] = c3;
    }
  }
  // Edge columns (j ≥ N4): every row, 1×1.
  if (N4 < N) {
    for (let i = 0; i < M; i++) {
      const a0 = aOff + i * K;
      for (let j = N4; j < N; j++) {
        const b0 = bOff + j * K;
        let c = 0;
        for (let k = 0; k < K; k++) c = (c + Math.imul(A[a0 + k], B[b0 + k])) | 0;
        acc[i * N + j] = c;
      }
    }
  }
}

/** Bᵀ of a row-major [K, N] block starting at off: [N, K], into t (a fresh array when not given). */
function transposeKN(w: Int32Array, off: number, k: number, n: number, t: Int32Array = new Int32Array(n * k)): Int32Array {
  for (let r = 0; r < k; r++) {
    const row = off + r * n;
    for (let j = 0; j < n; j++) t[j * k + r] = w[row + j];
  }
  return t;
}

/**
 * Transposed shared weights, computed once per weight tensor (keyed on its word array, which a graph keeps for
 * its lifetime; callers pass immutable arrays only: fastCommon.ts markImmutable) and checked against the dims,
 * so a different use of the same array cannot get a stale copy.
 */
const packed = new WeakMap<Int32Array, { k: number; n: number; t: Int32Array }>();
function packedShared(w: Int32Array, k: number, n: number): Int32Array {
  const hit = packed.get(w);
  if (hit && hit.k === k && hit.n === n) return hit.t;
  const t = transposeKN(w, 0, k, n);
  packed.set(w, { k, n, t });
  return t;
}

/**
 * acc[j] = Σ_t x[xOff + t] · w[wOff + t·n + j] for one row of x (add32 / mul32): walks w's rows contiguously
 * and skips zero words of x (mul32(0, w) = 0 adds nothing); up to 4 nonzero words per pass over acc (a sum of
 * five int32 values is an exact double below 2^35, and `| 0` wraps it as four add32 would).
 */
function rowTimesW(x: Int32Array, xOff: number, k: number, w: Int32Array, wOff: number, n: number, acc: Int32Array): void {
  acc.fill(0, 0, n);
  let t = 0;
  for (;;) {
    while (t < k && x[xOff + t] === 0) t++;
    if (t >= k) return;
    const x0 = x[xOff + t], r0 = wOff + t * n;
    t++;
    while (t < k && x[xOff + t] === 0) t++;
    if (t >= k) {
      for (let j = 0; j < n; j++) acc[j] = (acc[j] + Math.imul(x0, w[r0 + j])) | 0;
      return;
    }
    const x1 = x[xOff + t], r1 = wOff + t * n;
    t++;
    while (t < k && x[xOff + t] === 0) t++;
    if (t >= k) {
      for (let j = 0; j < n; j++) acc[j] = (acc[j] + Math.imul(x0, w[r0 + j]) + Math.imul(x1, w[r1 + j])) | 0;
      return;
    }
    const x2 = x[xOff + t], r2 = wOff + t * n;
    t++;
    while (t < k && x[xOff + t] === 0) t++;
    if (t >= k) {
      for (let j = 0; j < n; j++) acc[j] = (acc[j] + Math.imul(x0, w[r0 + j]) + Math.imul(x1, w[r1 + j]) + Math.imul(x2, w[r2 + j])) | 0;
      return;
    }
    const x3 = x[xOff + t], r3 = wOff + t * n;
    t++;
    for (let j = 0; j < n; j++) {
      acc[j] = (acc[j] + Math.imul(x0, w[r0 + j]) + Math.imul(x1, w[r1 + j]) + Math.imul(x2, w[r2 + j]) + Math.imul(x3, w[r3 + j])) | 0;
    }
  }
}

type MatmulGeometry = ReturnType<typeof matmulGeometry>;
interface Epilogue {
  s: number;
  lo: number;
  hi: number;
}

export const matmulPlan: FastPlanner<'matmul'> = (call) => {
  const geo = matmulGeometry(call);
  const { shift, lo, hi } = call.attrs;
  const epi = { s: shift & 63, lo, hi };
  if (WASM && geo.m * geo.n * geo.k >= wasmMinMacs) return matmulWasm(geo, epi);
  return (inputs, y) => matmulJs(geo, epi, inputs, y);
};

export const matmulFast: FastKernel<'matmul'> = oneOff(matmulPlan);

/** The plain-JS matmul: fewer than 4 rows row times w (zero words of x skipped), else 4×4-blocked x·(wᵀ)ᵀ. */
function matmulJs({ batch, m, k, n, wBatchStride }: MatmulGeometry, { s, lo, hi }: Epilogue, [x, w, bias, mult]: Int32Array[], y: Int32Array): void {
  const acc = accumulators(m * n);
  const small = m < 4;
  const shared = wBatchStride === 0 && !small && isImmutable(w) ? packedShared(w, k, n) : undefined;
  for (let b = 0; b < batch; b++) {
    if (small) {
      for (let i = 0; i < m; i++) rowTimesW(x, (b * m + i) * k, k, w, b * wBatchStride, n, i === 0 ? acc : acc.subarray(i * n));
    } else {
      const wt = shared ?? transposeKN(w, b * wBatchStride, k, n, tBuffer(k * n));
      gemmNT(x, b * m * k, wt, 0, m, n, k, acc);
    }
    const yb = b * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const o = i * n + j;
        y[yb + o] = rqClamp((bias[j] + acc[o]) | 0, mult[j], s, lo, hi);
      }
    }
  }
}

/**
 * matmul through the wasm product (gemmSimd.ts), one batch at a time: A = x's rows, B = w ([K, N] row-major,
 * packed and cached when shared by every batch, else packed per batch), then the bias and requant epilogue
 * read straight from C in wasm memory.
 */
function matmulWasm({ batch, m, k, n, wBatchStride }: MatmulGeometry, { s, lo, hi }: Epilogue): FastRunner {
  const bSrc: BSource = { src: new Int32Array(0), off: 0, sk: n, sn: 1, k, n };
  const inWasm = isInt32(lo) && isInt32(hi);
  const epilogueBytes = inWasm ? requantBytes(m, n) : 0;
  return ([x, w, bias, mult], y) => {
    bSrc.src = w;
    for (let b = 0; b < batch; b++) {
      const xOff = b * m * k;
      bSrc.off = b * wBatchStride;
      const plan = planGemm(m, k, bSrc, fitsInt16(x, xOff, m * k), wBatchStride === 0 && isImmutable(w), epilogueBytes);
      copyRowsA(plan, x, xOff);
      const { c, cBase, cStride } = runGemm(plan);
      const yb = b * m * n;
      if (inWasm) {
        const out = requantC(plan, bias, mult, 0, s, lo, hi, n, 1, plan.extraByte);
        y.set(memoryI32().subarray(out, out + m * n), yb);
        continue;
      }
      for (let i = 0; i < m; i++) {
        const src = cBase + i * cStride;
        const dst = yb + i * n;
        for (let j = 0; j < n; j++) y[dst + j] = rqClamp((bias[j] + c[src + j]) | 0, mult[j], s, lo, hi);
      }
    }
  };
}

/**
 * Per group, w as [(ic, ky, kx)][oc]: output channels contiguous. Cached per weight tensor (an immutable array:
 * fastCommon.ts markImmutable), checked against dims.
 */
const convPacked = new WeakMap<Int32Array, { r: number; m: number; t: Int32Array }>();
function convByTap(w: Int32Array, m: number, group: number, r: number): Int32Array {
  const cacheable = isImmutable(w);
  const hit = cacheable ? convPacked.get(w) : undefined;
  if (hit && hit.r === r && hit.m === m) return hit.t;
  const mg = m / group;
  const t = new Int32Array(m * r);
  for (let g = 0; g < group; g++) {
    for (let oc = 0; oc < mg; oc++) {
      for (let q = 0; q < r; q++) t[g * r * mg + q * mg + oc] = w[(g * mg + oc) * r + q];
    }
  }
  if (cacheable) convPacked.set(w, { r, m, t });
  return t;
}

/**
 * Mostly-zero inputs (MNIST pixels, ReLU outputs): scatter each nonzero input word into the outputs its taps
 * reach, acc[pos·mg + oc] (output channels contiguous). Input (iy, ix) meets output (yo, xo) through tap
 * (ky, kx) iff iy = yo·sh − pt + ky·dh and likewise for x, so enumerating the in-plane input words and the
 * taps that land on an output visits exactly the reference's (output, valid tap) pairs; zero words are
 * skipped (their products are 0). Sums are add32 of mul32, so the order does not matter.
 */
function convScatter(geo: ReturnType<typeof convGeometry>, x: Int32Array, b: number, g: number, wt: Int32Array, acc: Int32Array): void {
  const { c, h, w: wid, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, cg, mg } = geo;
  const r = cg * kh * kw;
  acc.fill(0, 0, oh * ow * mg);
  const wg = g * r * mg;
  for (let ic = 0; ic < cg; ic++) {
    const plane = (b * c + g * cg + ic) * h * wid;
    for (let iy = 0; iy < h; iy++) {
      const row = plane + iy * wid;
      for (let ix = 0; ix < wid; ix++) {
        const v = x[row + ix];
        if (v === 0) continue;
        for (let ky = 0; ky < kh; ky++) {
          const ny = iy + pt - ky * dh;
          if (ny < 0) break; // ky only grows
          const yo = (ny / sh) | 0;
          if (yo * sh !== ny || yo >= oh) continue;
          for (let kx = 0; kx < kw; kx++) {
            const nx = ix + pl - kx * dw;
            if (nx < 0) break;
            const xo = (nx / sw) | 0;
            if (xo * sw !== nx || xo >= ow) continue;
            const a = (yo * ow + xo) * mg;
            const t = wg + ((ic * kh + ky) * kw + kx) * mg;
            for (let oc = 0; oc < mg; oc++) acc[a + oc] = (acc[a + oc] + Math.imul(v, wt[t + oc])) | 0;
          }
        }
      }
    }
  }
}

type ConvGeometry = ReturnType<typeof convGeometry>;

export const conv2dPlan: FastPlanner<'conv2d'> = (call) => {
  const geo = convGeometry(call);
  const { shift, lo, hi } = call.attrs;
  const epi = { s: shift & 63, lo, hi };
  if (WASM && geo.oh * geo.ow * geo.cg * geo.kh * geo.kw * geo.m >= wasmMinMacs) return conv2dWasm(geo, epi);
  return (inputs, y) => conv2dJs(geo, epi, inputs, y);
};

export const conv2dFast: FastKernel<'conv2d'> = oneOff(conv2dPlan);

/** The plain-JS conv2d: mostly-zero x scattered, else im2col and the blocked product (per image and group). */
function conv2dJs(geo: ConvGeometry, { s, lo, hi }: Epilogue, [x, w, bias, mult]: Int32Array[], y: Int32Array): void {
  const { n, c, h, w: wid, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, m, group, cg, mg } = geo;
  const kk = kh * kw;
  const r = cg * kk; // reduction length: (ic, ky, kx), the layout of a filter row of w
  const p = oh * ow;
  // im2col: col[pos·r + (ic·kk + ky·kw + kx)] = x[.., ic, iy, ix], 0 for a tap outside the plane.
  const col = colBuffer(p * r);
  const acc = accumulators(mg * p);
  // Mostly zeros (fewer than 1 word in 3 nonzero): scatter; else im2col and the blocked product.
  let nonzero = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonzero++;
  if (3 * nonzero < x.length) {
    const wt = convByTap(w, m, group, r);
    const accS = accumulators(p * mg);
    for (let b = 0; b < n; b++) {
      for (let g = 0; g < group; g++) {
        convScatter(geo, x, b, g, wt, accS);
        for (let oc = 0; oc < mg; oc++) {
          const mo = g * mg + oc;
          const bv = bias[mo];
          const mv = mult[mo];
          const dst = (b * m + mo) * p;
          for (let i = 0; i < p; i++) y[dst + i] = rqClamp((bv + accS[i * mg + oc]) | 0, mv, s, lo, hi);
        }
      }
    }
    return;
  }
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < group; g++) {
      const plane0 = (b * c + g * cg) * h * wid;
      for (let yo = 0; yo < oh; yo++) {
        for (let xo = 0; xo < ow; xo++) {
          let o = (yo * ow + xo) * r;
          for (let ic = 0; ic < cg; ic++) {
            const plane = plane0 + ic * h * wid;
            for (let ky = 0; ky < kh; ky++) {
              const iy = yo * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) {
                for (let kx = 0; kx < kw; kx++) col[o++] = 0;
                continue;
              }
              const row = plane + iy * wid;
              for (let kx = 0; kx < kw; kx++) {
                const ix = xo * sw - pl + kx * dw;
                col[o++] = ix < 0 || ix >= wid ? 0 : x[row + ix];
              }
            }
          }
        }
      }
      // acc[oc·p + pos] = Σ_r w[(g·mg + oc)·r + ·] · col[pos·r + ·]
      gemmNT(w, g * mg * r, col, 0, mg, p, r, acc);
      for (let oc = 0; oc < mg; oc++) {
        const mo = g * mg + oc;
        const bv = bias[mo];
        const mv = mult[mo];
        const src = oc * p;
        const dst = (b * m + mo) * p;
        for (let i = 0; i < p; i++) y[dst + i] = rqClamp((bv + acc[src + i]) | 0, mv, s, lo, hi);
      }
    }
  }
}

/** An im2col as runs: 4 words each (src, pos, t, len), see gatherA; `full` when they cover every (pos, t). */
interface Im2colRuns {
  runs: Int32Array;
  count: number;
  full: boolean;
}

/**
 * The runs of one image and group's im2col: for tap t = (ic, ky, kx) and output row yo, the output columns
 * xo whose input (iy, ix) = (yo·sh − pt + ky·dh, xo·sw − pl + kx·dw) lies in the plane read x at
 * src = ic·h·w + iy·w + ix (relative to the group's first channel) with step sw, into A[yo·ow + xo, t]; the
 * same valid-tap ranges as the reference's. The other (pos, t), padding taps, stay 0 (mul32(0, w) = 0 adds
 * nothing, as skipping them does).
 */
function im2colRuns({ h, w: wid, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, cg }: ConvGeometry): Im2colRuns {
  const out: number[] = [];
  let covered = 0;
  for (let ic = 0; ic < cg; ic++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const t = (ic * kh + ky) * kw + kx;
        const xoFirst = Math.max(0, Math.ceil((pl - kx * dw) / sw));
        const xoLast = Math.min(ow - 1, Math.floor((wid - 1 + pl - kx * dw) / sw));
        if (xoFirst > xoLast) continue;
        for (let yo = 0; yo < oh; yo++) {
          const iy = yo * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          out.push((ic * h + iy) * wid + xoFirst * sw - pl + kx * dw, yo * ow + xoFirst, t, xoLast - xoFirst + 1);
          covered += xoLast - xoFirst + 1;
        }
      }
    }
  }
  return { runs: Int32Array.from(out), count: out.length / 4, full: covered === oh * ow * cg * kh * kw };
}

/**
 * conv2d through the wasm product, per image and group: A = im2col (positions × taps, gathered in wasm from
 * the group's channels copied into its memory), B = the group's filters read as taps × output channels
 * (w[(g·mg + oc)·r + t], packed and cached per weight tensor and group), so C[pos, oc] = Σ_t A[pos, t] ·
 * w[g·mg + oc, t]; the epilogue writes y[b, g·mg + oc, pos].
 */
function conv2dWasm(geo: ConvGeometry, { s, lo, hi }: Epilogue): FastRunner {
  const { n, c, h, w: wid, oh, ow, kh, kw, sw, m, group, cg, mg } = geo;
  const r = cg * kh * kw;
  const p = oh * ow;
  const im = im2colRuns(geo);
  const xLen = cg * h * wid;
  const xBytes = (4 * xLen + 15) & ~15;
  const bSrc: BSource = { src: new Int32Array(0), off: 0, sk: 1, sn: r, k: r, n: mg };
  const inWasm = isInt32(lo) && isInt32(hi);
  const epilogueAt = xBytes + 16 * im.count;
  const extraBytes = epilogueAt + (inWasm ? requantBytes(p, mg) : 0);
  return ([x, w, bias, mult], y) => {
    const xFits16 = fitsInt16(x, 0, x.length);
    bSrc.src = w;
    for (let b = 0; b < n; b++) {
      for (let g = 0; g < group; g++) {
        bSrc.off = g * mg * r;
        const plan = planGemm(p, r, bSrc, xFits16, isImmutable(w), extraBytes);
        const xByte = plan.extraByte;
        const runsByte = xByte + xBytes;
        const xs = x.subarray((b * c + g * cg) * h * wid, (b * c + (g + 1) * cg) * h * wid);
        if (plan.wide) memoryI32().set(xs, xByte >> 2);
        else memoryI16().set(xs, xByte >> 1); // exact: every x word fits int16 (xFits16)
        memoryI32().set(im.runs, runsByte >> 2);
        if (!im.full) plan.a.fill(0, plan.aBase, plan.aBase + p * plan.aStride);
        gatherA(plan, xByte, runsByte, im.count, sw);
        const { c: acc, cBase, cStride } = runGemm(plan);
        if (inWasm) {
          const out = requantC(plan, bias, mult, g * mg, s, lo, hi, 1, p, plan.extraByte + epilogueAt);
          y.set(memoryI32().subarray(out, out + mg * p), (b * m + g * mg) * p);
          continue;
        }
        for (let oc = 0; oc < mg; oc++) {
          const mo = g * mg + oc;
          const bv = bias[mo];
          const mv = mult[mo];
          const dst = (b * m + mo) * p;
          for (let i = 0; i < p; i++) y[dst + i] = rqClamp((bv + acc[cBase + i * cStride + oc]) | 0, mv, s, lo, hi);
        }
      }
    }
  };
}
