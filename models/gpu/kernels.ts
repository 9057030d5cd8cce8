/**
 * One WGSL compute kernel per integer op (models/int/kernels), each reproducing its CPU reference `execute`
 * bit for bit through the WGSL numerics (models/gpu/wgsl/numerics.ts). A kernel is generic over shapes:
 * everything static about a node (dims, strides, attrs) goes into a small params buffer, so one pipeline per
 * op serves every node.
 *
 * Memory: every graph input and node output lives in one arena buffer (binding 1, read-write) at a word
 * offset; a weight input is either in the arena too or its own read-only buffer (bindings 2..). Params
 * (binding 0, int32 words): invocations, invocations per grid row, the output's offset, each input's offset
 * (ignored for separate ones), then the op's parameters — which the bodies below read as p(2), p(3), ….
 * One invocation per output element, except softmax, layernorm and rmsnorm (one per row: their passes run in order
 * within the row); argmax has one output element per row anyway.
 * Sums wrap (add32 of mul32), so the per-output summation order here gives the reference's bits.
 * These are the reference kernels on the GPU; matmul and conv2d also have tiled and packed variants
 * (models/gpu/gemm.ts) that share `kernelPrelude` and the params here, plus a few of their own.
 */
import { elementCount, type IntOp } from '../int/graph.ts';
import { broadcastStrides } from '../int/kernels/broadcastLoops.ts';
import type { KernelCall } from '../int/kernels/kernel.ts';
import { stridesOf } from '../int/kernels/normLoops.ts';
import { windowGeometry } from '../int/kernels/window2d.ts';
import type { GemmDispatch } from './gemm.ts';
import { WORKGROUP } from './runtime.ts';
import { NUMERICS_WGSL } from './wgsl/numerics.ts';

/** One dispatch of a node: kernel, its op parameters (p(2)..), invocations, and which node inputs it reads (x0, x1, …). */
export interface KernelDispatch {
  key: GpuKernelKey;
  params: number[];
  /** Output elements (reference kernels: one invocation each; 0 skips the dispatch). */
  threads: number;
  /** Indices into the node's inputs read as x0, x1, … */
  inputs: number[];
  /** A tiled variant (models/gpu/gemm.ts) instead of the reference body of `key`. */
  gemm?: GemmDispatch;
}

/**
 * Pooling window of output i (params as maxpool2d's): `base` = the input index of tap (0, 0) (maybe outside
 * the plane), and the valid taps [ky0, ky1) × [kx0, kx1) — those with iy = oy + ky·dh in [0, H) and
 * ix = ox + kx·dw in [0, W) (a range may be empty: ky1 ≤ ky0).
 */
const WINDOW = `let hh = p(2);
  let ww = p(3);
  let dh = p(12);
  let dw = p(13);
  let ow = i % p(5);
  let q = i / p(5);
  let oh = q % p(4);
  let oy = oh * p(8) - p(10);
  let ox = ow * p(9) - p(11);
  let base = (q / p(4)) * hh * ww + oy * ww + ox;
  var ky0 = 0;
  if (oy < 0) { ky0 = (dh - 1 - oy) / dh; }
  let ky1 = min(p(6), (hh - 1 - oy + dh) / dh);
  var kx0 = 0;
  if (ox < 0) { kx0 = (dw - 1 - ox) / dw; }
  let kx1 = min(p(7), (ww - 1 - ox + dw) / dw);`;

/** WGSL body per pipeline key: `i` is the invocation index (already < P[0]); x0(j).. read the inputs, yset/yget the output. */
const BODIES = {
  copy: { inputs: 1, body: 'yset(i, x0(i));' },
  clamp: { inputs: 1, body: 'yset(i, clamp32(x0(i), p(2), p(3)));' },
  lut: { inputs: 2, body: 'yset(i, x1(clamp32(x0(i), -128, 127) + 128));' },
  sqrt: { inputs: 1, body: 'yset(i, clamp32(requant(isqrt32(requant(x0(i), p(2), p(3))), 1, p(4)), p(5), p(6)));' },
  channelAffine: {
    inputs: 4,
    body: `let c = (i / p(3)) % p(2);
  yset(i, clamp32(requant(add32(mul32(x0(i), x1(c)), x2(c)), x3(c), p(4)), p(5), p(6)));`,
  },
  binary: {
    inputs: 2,
    body: `let rank = p(11);
  var rem = i;
  var ia = 0;
  var ib = 0;
  for (var a = rank - 1; a >= 0; a = a - 1) {
    let d = p(12 + a);
    let c = rem % d;
    rem = rem / d;
    ia = ia + c * p(12 + rank + a);
    ib = ib + c * p(12 + 2 * rank + a);
  }
  let ta = requant(x0(ia), p(3), p(4));
  let tb = requant(x1(ib), p(5), p(6));
  var t: i32;
  switch p(2) {
    case 0: { t = add32(ta, tb); }
    case 1: { t = sub32(ta, tb); }
    case 2: { t = mul32(ta, tb); }
    default: { t = div32(ta, tb); }
  }
  yset(i, clamp32(requant(t, p(7), p(8)), p(9), p(10)));`,
  },
  matmul: {
    inputs: 4,
    body: `let m = p(2);
  let k = p(3);
  let n = p(4);
  let j = i % n;
  let r = i / n;
  let xRow = r * k;
  let wCol = (r / m) * p(5) + j;
  var acc = x2(j);
  for (var t = 0; t < k; t = t + 1) {
    acc = acc + x0(xRow + t) * x1(wCol + t * n);
  }
  yset(i, clamp32(requant(acc, x3(j), p(6)), p(7), p(8)));`,
  },
  conv2d: {
    inputs: 4,
    // p: 2 C, 3 H, 4 W, 5 M, 6 OH, 7 OW, 8 kh, 9 kw, 10 sh, 11 sw, 12 pt, 13 pl, 14 dh, 15 dw, 16 cg, 17 mg, 18 shift, 19 lo, 20 hi
    body: `let hh = p(3);
  let ww = p(4);
  let kh = p(8);
  let kw = p(9);
  let dh = p(14);
  let dw = p(15);
  let cg = p(16);
  let ow = i % p(7);
  var q = i / p(7);
  let oh = q % p(6);
  q = q / p(6);
  let m = q % p(5);
  let b = q / p(5);
  let grp = m / p(17);
  let oy = oh * p(10) - p(12);
  let ox = ow * p(11) - p(13);
  // the valid tap ranges [ky0, ky1) × [kx0, kx1): iy = oy + ky·dh inside [0, H), likewise ix
  var ky0 = 0;
  if (oy < 0) { ky0 = (dh - 1 - oy) / dh; }
  let ky1 = min(kh, (hh - 1 - oy + dh) / dh);
  var kx0 = 0;
  if (ox < 0) { kx0 = (dw - 1 - ox) / dw; }
  let kx1 = min(kw, (ww - 1 - ox + dw) / dw);
  var acc = x2(m);
  for (var ic = 0; ic < cg; ic = ic + 1) {
    let plane = (b * p(2) + grp * cg + ic) * hh * ww + oy * ww + ox;
    let tap0 = (m * cg + ic) * kh * kw;
    for (var ky = ky0; ky < ky1; ky = ky + 1) {
      let row = plane + ky * dh * ww;
      let taps = tap0 + ky * kw;
      for (var kx = kx0; kx < kx1; kx = kx + 1) {
        acc = acc + x0(row + kx * dw) * x1(taps + kx);
      }
    }
  }
  yset(i, clamp32(requant(acc, x3(m), p(18)), p(19), p(20)));`,
  },
  maxpool2d: {
    inputs: 1,
    // p: 2 H, 3 W, 4 OH, 5 OW, 6 kh, 7 kw, 8 sh, 9 sw, 10 pt, 11 pl, 12 dh, 13 dw, 14 lo, 15 hi
    body: `${WINDOW}
  var m = p(14);
  for (var ky = ky0; ky < ky1; ky = ky + 1) {
    let row = base + ky * dh * ww;
    for (var kx = kx0; kx < kx1; kx = kx + 1) { m = max(m, x0(row + kx * dw)); }
  }
  yset(i, min(m, p(15)));`,
  },
  avgpool2d: {
    inputs: 1,
    // p: as maxpool2d, then 16 countIncludePad, 17 shift, 18.. mults[kh·kw + 1]
    body: `${WINDOW}
  var s = 0;
  for (var ky = ky0; ky < ky1; ky = ky + 1) {
    let row = base + ky * dh * ww;
    for (var kx = kx0; kx < kx1; kx = kx + 1) { s = add32(s, x0(row + kx * dw)); }
  }
  var count = max(0, ky1 - ky0) * max(0, kx1 - kx0);
  if (p(16) != 0) { count = p(6) * p(7); }
  yset(i, clamp32(requant(s, p(18 + count), p(17)), p(14), p(15)));`,
  },
  softmax: {
    inputs: 2,
    // one invocation per row. p: 2 len, 3 inner, 4 mult, 5 shift, 6 one, 7 L
    body: `let len = p(2);
  let inner = p(3);
  let base = (i / inner) * len * inner + i % inner;
  var m = INT32_MIN;
  for (var k = 0; k < len; k = k + 1) { m = max(m, x0(base + k * inner)); }
  var sum = 0;
  for (var k = 0; k < len; k = k + 1) {
    let t = clamp32(requant(sub32(x0(base + k * inner), m), p(4), p(5)), 1 - p(7), 0);
    let e = x1(sub32(0, t));
    yset(base + k * inner, e);
    sum = add32(sum, e);
  }
  let half = sra32(sum, 1);
  for (var k = 0; k < len; k = k + 1) {
    let o = base + k * inner;
    yset(o, div32(add32(mul32(yget(o), p(6)), half), sum));
  }`,
  },
  layernorm: {
    inputs: 3,
    // one invocation per row. p: 2 N, 3 xmax, 4 sqShift, 5 divShift, 6 eps, 7 shift, 8 lo, 9 hi
    body: `let n = p(2);
  let xmax = p(3);
  let base = i * n;
  var sum = 0;
  for (var k = 0; k < n; k = k + 1) { sum = add32(sum, clamp32(x0(base + k), -xmax, xmax)); }
  var v = 0;
  for (var k = 0; k < n; k = k + 1) {
    let d = sub32(mul32(clamp32(x0(base + k), -xmax, xmax), n), sum);
    v = add32(v, requant(d, d, p(4)));
  }
  let sigma = isqrt32(add32(v, p(6)));
  for (var k = 0; k < n; k = k + 1) {
    let d = sub32(mul32(clamp32(x0(base + k), -xmax, xmax), n), sum);
    let w = div32(shl32(d, p(5)), sigma);
    yset(base + k, clamp32(add32(requant(w, x1(k), p(7)), x2(k)), p(8), p(9)));
  }`,
  },
  rmsnorm: {
    inputs: 2,
    // one invocation per row. p: 2 N, 3 xmax, 4 eps, 5 shift, 6 lo, 7 hi
    body: `let n = p(2);
  let xmax = p(3);
  let base = i * n;
  var h = sra32(p(4), 16);
  var l = p(4) & 65535;
  for (var k = 0; k < n; k = k + 1) {
    let c = clamp32(x0(base + k), -xmax, xmax);
    let q = mul32(c, c);
    h = add32(h, sra32(q, 16));
    l = add32(l, q & 65535);
  }
  let cc = add32(shl32(min(h, 16384), 16), l);
  let gg = add32(h, sra32(l, 16));
  var u = 0;
  for (var k = 1; k <= 15; k = k + 1) { u = u + select(0, 1, cc < (1 << u32(2 * k))); }
  for (var k = 8; k <= 15; k = k + 1) { u = u + select(0, 1, gg < (1 << u32(2 * k))); }
  let w = add32(shl32(h, 2 * u - 2), shl32(srl32(l, max(18 - 2 * u, 0)), max(2 * u - 18, 0)));
  let r = div32(1 << 30u, isqrt32(w));
  for (var k = 0; k < n; k = k + 1) {
    let c = clamp32(x0(base + k), -xmax, xmax);
    yset(base + k, clamp32(requant(requant(shl32(c, u + 6), r, 15), x1(k), p(5)), p(6), p(7)));
  }`,
  },
  reducemean: {
    inputs: 1,
    // p: 2 mult, 3 shift, 4 lo, 5 hi, 6 kept rank, 7 reduced rank, 8 reduced count, 9.. kept dims, kept strides, reduced dims, reduced strides
    body: `let kr = p(6);
  let rr = p(7);
  var rem = i;
  var base = 0;
  for (var a = kr - 1; a >= 0; a = a - 1) {
    let d = p(9 + a);
    base = base + (rem % d) * p(9 + kr + a);
    rem = rem / d;
  }
  let red = 9 + 2 * kr;
  var acc = 0;
  for (var r = 0; r < p(8); r = r + 1) {
    var q = r;
    var off = base;
    for (var a = rr - 1; a >= 0; a = a - 1) {
      let d = p(red + a);
      off = off + (q % d) * p(red + rr + a);
      q = q / d;
    }
    acc = add32(acc, x0(off));
  }
  yset(i, clamp32(requant(acc, p(2), p(3)), p(4), p(5)));`,
  },
  transpose: {
    inputs: 1,
    // p: 2 rank, 3.. output dims, source strides
    body: `let rank = p(2);
  var rem = i;
  var src = 0;
  for (var a = rank - 1; a >= 0; a = a - 1) {
    let d = p(3 + a);
    src = src + (rem % d) * p(3 + rank + a);
    rem = rem / d;
  }
  yset(i, x0(src));`,
  },
  concat: {
    inputs: 1,
    // one dispatch per input. p: 2 chunk, 3 total, 4 offset, 5 mult, 6 shift, 7 lo, 8 hi
    body: `yset((i / p(2)) * p(3) + p(4) + i % p(2), clamp32(requant(x0(i), p(5), p(6)), p(7), p(8)));`,
  },
  gather: {
    inputs: 2,
    // p: 2 len, 3 inner, 4 count
    body: `let len = p(2);
  let b = i % p(3);
  let q = i / p(3);
  let t = x1(q % p(4));
  let idx = clamp32(add32(t, mul32(select(0, 1, t < 0), len)), 0, len - 1);
  yset(i, x0(((q / p(4)) * len + idx) * p(3) + b));`,
  },
  argmax: {
    inputs: 1,
    // one invocation per row (= per output word). p: 2 V. A word replaces the maximum only when strictly greater
    // (signed i32 compare), so a tie keeps the lowest index.
    body: `let n = p(2);
  let base = i * n;
  var m = x0(base);
  var best = 0;
  for (var k = 1; k < n; k = k + 1) {
    let v = x0(base + k);
    if (v > m) {
      m = v;
      best = k;
    }
  }
  yset(i, best);`,
  },
} as const;

export type GpuKernelKey = keyof typeof BODIES;
export const GPU_KERNEL_KEYS = Object.keys(BODIES) as GpuKernelKey[];

/**
 * The WGSL every node kernel starts with: the numerics, params `P` (binding 0) and the arena `A` (binding 1),
 * one read-only binding `W<k>` per separate input (bindings 2.. in input order), `p(j)` for op parameter j,
 * `x<k>(i)` for word i of input k wherever it lives, and `yget` / `yset` for the output.
 */
export function kernelPrelude(inputs: number, separate: readonly boolean[] = []): string {
  const header = 3 + inputs; // threads, row threads, output offset, one offset per input
  let binding = 2;
  const decls: string[] = [];
  const access: string[] = [];
  for (let k = 0; k < inputs; k++) {
    if (separate[k]) {
      decls.push(`@group(0) @binding(${binding++}) var<storage, read> W${k}: array<i32>;`);
      access.push(`fn x${k}(i: i32) -> i32 { return W${k}[i]; }`);
    } else {
      access.push(`fn x${k}(i: i32) -> i32 { return A[P[${3 + k}] + i]; }`);
    }
  }
  return `${NUMERICS_WGSL}
@group(0) @binding(0) var<storage, read> P: array<i32>;
@group(0) @binding(1) var<storage, read_write> A: array<i32>;
${decls.join('\n')}

// op parameter j (numbered from 2, after the two-word dispatch header)
fn p(j: i32) -> i32 { return P[j + ${header - 2}]; }
${access.join('\n')}
fn yget(i: i32) -> i32 { return A[P[2] + i]; }
fn yset(i: i32, v: i32) { A[P[2] + i] = v; }
`;
}

/**
 * The full WGSL of a reference kernel (one invocation per output). `separate[k]` says input k has its own
 * binding (a weight buffer) instead of living in the arena; each combination is its own pipeline (key
 * `op/mask`).
 */
export function kernelSource(key: GpuKernelKey, separate: readonly boolean[] = []): string {
  const { inputs, body } = BODIES[key];
  return `${kernelPrelude(inputs, separate)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = i32(g.x + g.y * bitcast<u32>(P[1]));
  if (i >= P[0]) { return; }
  ${body}
}
`;
}

/** Pipeline key of a kernel variant. */
export function variantKey(key: GpuKernelKey, separate: readonly boolean[]): string {
  return `${key}/${separate.map((s) => (s ? 'w' : 'a')).join('')}`;
}

/** Number of inputs a kernel binds. */
export const kernelInputs = (key: GpuKernelKey): number => BODIES[key].inputs;

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Drop axes of size 1 (they move no index) from parallel (dims, strides…) lists. */
function squeeze(dims: readonly number[], ...strides: (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const keep = dims.map((d, a) => (d === 1 ? -1 : a)).filter((a) => a >= 0);
  return { dims: keep.map((a) => dims[a]), strides: strides.map((s) => keep.map((a) => s[a])) };
}

type Planner<K extends IntOp> = (call: KernelCall<K>) => KernelDispatch[];

/**
 * The dispatches of each integer op. Typed over every IntOp, so a new op in models/int/graph.ts fails to
 * compile here until it has a GPU kernel.
 */
export const GPU_KERNELS: { [K in IntOp]: Planner<K> } = {
  copy: (call) => [{ key: 'copy', params: [], threads: elementCount(call.outDims), inputs: [0] }],
  clamp: (call) => [{ key: 'clamp', params: [call.attrs.lo, call.attrs.hi], threads: elementCount(call.outDims), inputs: [0] }],
  lut: (call) => [{ key: 'lut', params: [], threads: elementCount(call.outDims), inputs: [0, 1] }],
  sqrt: ({ attrs: a, outDims }) => [{ key: 'sqrt', params: [a.mult, a.shift, a.frac, a.lo, a.hi], threads: elementCount(outDims), inputs: [0] }],
  channelAffine: ({ attrs: a, inputDims: [x], outDims }) => [
    { key: 'channelAffine', params: [x[1], elementCount(x.slice(2)), a.shift, a.lo, a.hi], threads: elementCount(outDims), inputs: [0, 1, 2, 3] },
  ],
  binary({ attrs: a, inputDims, outDims }) {
    const op = { add: 0, sub: 1, mul: 2, div: 3 }[a.op];
    const { dims, strides } = squeeze(outDims, broadcastStrides(inputDims[0], outDims), broadcastStrides(inputDims[1], outDims));
    return [
      {
        key: 'binary',
        params: [op, a.multA, a.shiftA, a.multB, a.shiftB, a.multOut, a.shiftOut, a.lo, a.hi, dims.length, ...dims, ...strides[0], ...strides[1]],
        threads: elementCount(outDims),
        inputs: [0, 1],
      },
    ];
  },
  matmul({ attrs: a, inputDims: [x, w], outDims }) {
    const k = x[x.length - 1];
    const m = x[x.length - 2];
    const n = w[w.length - 1];
    const wBatch = elementCount(w.slice(0, -2));
    return [{ key: 'matmul', params: [m, k, n, wBatch === 1 ? 0 : k * n, a.shift, a.lo, a.hi], threads: elementCount(outDims), inputs: [0, 1, 2, 3] }];
  },
  conv2d({ attrs: a, inputDims, outDims }) {
    const g = windowGeometry('conv2d', a, inputDims[0]);
    const m = inputDims[1][0];
    const cg = g.c / a.group;
    return [
      {
        key: 'conv2d',
        params: [g.c, g.h, g.w, m, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, cg, m / a.group, a.shift, a.lo, a.hi],
        threads: elementCount(outDims),
        inputs: [0, 1, 2, 3],
      },
    ];
  },
  maxpool2d({ attrs: a, inputDims, outDims }) {
    const g = windowGeometry('maxpool2d', a, inputDims[0]);
    return [
      { key: 'maxpool2d', params: [g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, a.lo, a.hi], threads: elementCount(outDims), inputs: [0] },
    ];
  },
  avgpool2d({ attrs: a, inputDims, outDims }) {
    const g = windowGeometry('avgpool2d', a, inputDims[0]);
    return [
      {
        key: 'avgpool2d',
        params: [g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, a.lo, a.hi, a.countIncludePad ? 1 : 0, a.shift, ...a.mults],
        threads: elementCount(outDims),
        inputs: [0],
      },
    ];
  },
  softmax({ attrs: a, inputDims: [x, table] }) {
    const len = x[a.axis];
    const rows = elementCount(x) / Math.max(1, len);
    return [{ key: 'softmax', params: [len, elementCount(x.slice(a.axis + 1)), a.mult, a.shift, a.one, table[0]], threads: len === 0 ? 0 : rows, inputs: [0, 1] }];
  },
  layernorm({ attrs: a, inputDims: [x] }) {
    const n = elementCount(x.slice(a.axis));
    return [
      {
        key: 'layernorm',
        params: [n, a.xmax, a.sqShift, a.divShift, a.eps, a.shift, a.lo, a.hi],
        threads: n === 0 ? 0 : elementCount(x.slice(0, a.axis)),
        inputs: [0, 1, 2],
      },
    ];
  },
  rmsnorm({ attrs: a, inputDims: [x] }) {
    const n = elementCount(x.slice(a.axis));
    return [
      {
        key: 'rmsnorm',
        params: [n, a.xmax, a.eps, a.shift, a.lo, a.hi],
        threads: n === 0 ? 0 : elementCount(x.slice(0, a.axis)),
        inputs: [0, 1],
      },
    ];
  },
  reducemean({ attrs: a, inputDims: [x], outDims }) {
    const xs = stridesOf(x);
    const keptAxes = all(x.length).filter((ax) => !a.axes.includes(ax) && x[ax] !== 1);
    const redAxes = all(x.length).filter((ax) => a.axes.includes(ax) && x[ax] !== 1);
    const redCount = elementCount(redAxes.map((ax) => x[ax]));
    return [
      {
        key: 'reducemean',
        params: [
          a.mult, a.shift, a.lo, a.hi, keptAxes.length, redAxes.length, redCount,
          ...keptAxes.map((ax) => x[ax]), ...keptAxes.map((ax) => xs[ax]),
          ...redAxes.map((ax) => x[ax]), ...redAxes.map((ax) => xs[ax]),
        ],
        threads: elementCount(outDims),
        inputs: [0],
      },
    ];
  },
  transpose({ attrs: { perm }, inputDims: [x], outDims }) {
    const xs = stridesOf(x);
    const { dims, strides } = squeeze(outDims, perm.map((p) => xs[p]));
    return [{ key: 'transpose', params: [dims.length, ...dims, ...strides[0]], threads: elementCount(outDims), inputs: [0] }];
  },
  concat({ attrs: a, inputDims }) {
    const axis = a.axis;
    const chunks = inputDims.map((d) => elementCount(d.slice(axis)));
    const total = chunks.reduce((s, c) => s + c, 0);
    let offset = 0;
    const out: KernelDispatch[] = [];
    inputDims.forEach((d, k) => {
      if (chunks[k] > 0) out.push({ key: 'concat', params: [chunks[k], total, offset, a.mults[k], a.shifts[k], a.lo, a.hi], threads: elementCount(d), inputs: [k] });
      offset += chunks[k];
    });
    return out;
  },
  gather({ attrs: { axis }, inputDims: [data, indices], outDims }) {
    return [
      { key: 'gather', params: [data[axis], elementCount(data.slice(axis + 1)), elementCount(indices)], threads: elementCount(outDims), inputs: [0, 1] },
    ];
  },
  argmax({ inputDims: [x] }) {
    const v = x[x.length - 1];
    return [{ key: 'argmax', params: [v], threads: v === 0 ? 0 : elementCount(x.slice(0, -1)), inputs: [0] }];
  },
};

/** The ops of a graph this executor has no GPU kernel for (empty when it runs them all). */
export function unsupportedOps(ops: Iterable<string>): string[] {
  return [...new Set([...ops].filter((op) => !(op in GPU_KERNELS)))];
}
