/**
 * The WebAssembly SIMD product behind the fast matmul and conv2d (fastGemm.ts): C = A · B over int32 words,
 * every word equal to the reference's add32 / mul32 sum for ALL int32 inputs. The kernel, its operand layouts
 * and why it is exact: scripts/gen-gemm-wasm.ts (which writes gemmWasm.ts). This file owns the module's
 * memory and decides, per product, between
 *
 *   gemm16: every A and every B value in [−2^15, 2^15) (checked: B once per cached weight operand, A by a scan
 *           per product). Operands as int16, 8 MACs per i32x4.dot_i16x8_s; each int16 product is exact in
 *           int32 and the pairwise sum wraps like add32, so the words are the same as gemm32's.
 *   gemm32: anything else: int32 operands, 4 MACs per i32x4.mul (mul32) + i32x4.add (add32).
 *
 * The bias + requant + clamp epilogue runs in wasm too (requantC, exact i64 arithmetic: gen-gemm-wasm.ts),
 * writing the output block that the caller copies out.
 *
 * Memory: [0, cacheTop) holds packed weight operands (B), bump-allocated and cached per source array (a
 * WeakMap, like fastGemm.ts's transposes: a graph's weight arrays are immutable for its lifetime); when the
 * cache would pass cacheBytes (32 MiB) it is dropped whole (a generation count invalidates every entry).
 * Each product then lays out its scratch from cacheTop: B (when not cached), A, C, the caller's extra bytes.
 * Memory grows on demand, never shrinks.
 */
import { GEMM_PANEL_COLS, GEMM_WASM_BASE64 } from './gemmWasm.ts';

type GemmFn = (a: number, aStride: number, b: number, c: number, m: number, ks: number, n: number) => void;
type GatherFn = (x: number, a: number, runs: number, count: number, step: number, aStride: number) => void;
type RequantFn = (
  c: number, cStride: number, rows: number, cols: number, out: number, outRow: number, outCol: number,
  bias: number, mult: number, pre: number, add: number, post: number, lo: number, hi: number,
) => void;
interface GemmExports {
  memory: WebAssembly.Memory;
  gemm32: GemmFn;
  gemm16: GemmFn;
  gather32: GatherFn;
  gather16: GatherFn;
  requant: RequantFn;
}

/** The product's operands do not fit the kernel's contract (a bug in the caller, not in the data). */
export class GemmOperandError extends Error {
  constructor(message: string) {
    super(`wasm gemm: ${message}`);
    this.name = 'GemmOperandError';
  }
}

/** The module's memory could not grow to what a product needs. */
export class GemmMemoryError extends Error {
  constructor(bytes: number, cause: unknown) {
    super(`wasm gemm: cannot grow memory to ${bytes} bytes (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'GemmMemoryError';
  }
}

const wasm = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(GEMM_WASM_BASE64, 'base64')), {}).exports as unknown as GemmExports;
const PAGE = 65536;
/** Bytes of packed weights kept in wasm memory before the cache is dropped and refilled. */
let cacheBytes = 32 << 20;

/** Sets the weight cache's size (tests use a small one to reach its refill); returns the old size. */
export function setCacheBytes(bytes: number): number {
  const old = cacheBytes;
  cacheBytes = bytes;
  return old;
}

let i32 = new Int32Array(wasm.memory.buffer);
let i16 = new Int16Array(wasm.memory.buffer);
function refreshViews(): void {
  if (i32.buffer !== wasm.memory.buffer) {
    i32 = new Int32Array(wasm.memory.buffer);
    i16 = new Int16Array(wasm.memory.buffer);
  }
}
/** Grows the memory to at least `bytes` (views are refreshed: take them after this). */
function reserve(bytes: number): void {
  const have = wasm.memory.buffer.byteLength;
  if (bytes > have) {
    try {
      wasm.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch (e) {
      throw new GemmMemoryError(bytes, e);
    }
  }
  refreshViews();
}
const align16 = (bytes: number) => (bytes + 15) & ~15;
/** n rounded up to a multiple of 4 (the kernel's C row length and B column count). */
export const padColumns = (n: number) => (n + 3) & ~3;

/** True when every src[off + i], i < len, is in [−2^15, 2^15): the int16 round trip keeps it. */
export function fitsInt16(src: Int32Array, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) {
    const v = src[i];
    if ((v << 16) >> 16 !== v) return false;
  }
  return true;
}

/** The B operand, k × n: element (t, j) = src[off + t·sk + j·sn]. */
export interface BSource {
  src: Int32Array;
  off: number;
  sk: number;
  sn: number;
  k: number;
  n: number;
}

function bFitsInt16({ src, off, sk, sn, k, n }: BSource): boolean {
  for (let t = 0; t < k; t++) {
    for (let j = 0; j < n; j++) {
      const v = src[off + t * sk + j * sn];
      if ((v << 16) >> 16 !== v) return false;
    }
  }
  return true;
}

/** Steps of the reduction: k (gemm32) or ⌈k/2⌉ int16 pairs (gemm16). */
const stepsOf = (k: number, wide: boolean) => (wide ? k : (k + 1) >> 1);

/**
 * Writes B in the kernel's panel layout (gen-gemm-wasm.ts) into dst from word `at`: column panels of
 * GEMM_PANEL_COLS, then of 4, each step's words contiguous; columns ≥ n and (gemm16, odd k) the pad row are
 * zeros. gemm16 words hold the int16 pair (B[2q, j], B[2q+1, j]), low half first (values must fit int16).
 */
function packB(b: BSource, wide: boolean, dst: Int32Array, at: number): void {
  const { src, off, sk, sn, k, n } = b;
  const ks = stepsOf(k, wide);
  const nPad = padColumns(n);
  for (let j0 = 0; j0 < nPad; ) {
    const w = j0 + GEMM_PANEL_COLS <= nPad ? GEMM_PANEL_COLS : 4;
    let o = at + j0 * ks;
    for (let q = 0; q < ks; q++) {
      for (let c = 0; c < w; c++) {
        const j = j0 + c;
        if (j >= n) dst[o++] = 0;
        else if (wide) dst[o++] = src[off + q * sk + j * sn];
        else {
          const lo = src[off + 2 * q * sk + j * sn];
          const hi = 2 * q + 1 < k ? src[off + (2 * q + 1) * sk + j * sn] : 0;
          dst[o++] = (lo & 0xffff) | (hi << 16);
        }
      }
    }
    j0 += w;
  }
}

/** A packed weight operand: int16 check done once, each packed form built on first use and placed in memory. */
interface PackedB {
  fits16: boolean;
  words: [Int32Array | undefined, Int32Array | undefined]; // [gemm16, gemm32]
  gen: [number, number];
  byte: [number, number];
}
/** Per source array, per offset: the packed forms (checked against the rest of the BSource on every use). */
const cache = new WeakMap<Int32Array, Map<number, PackedB & { sk: number; sn: number; k: number; n: number }>>();
let generation = 1;
let cacheTop = 0;

function packedOf(b: BSource): PackedB {
  let byOffset = cache.get(b.src);
  if (!byOffset) cache.set(b.src, (byOffset = new Map()));
  const { off, sk, sn, k, n } = b;
  let p = byOffset.get(off);
  if (!p || p.sk !== sk || p.sn !== sn || p.k !== k || p.n !== n) {
    p = { sk, sn, k, n, fits16: bFitsInt16(b), words: [undefined, undefined], gen: [0, 0], byte: [0, 0] };
    byOffset.set(off, p);
  }
  return p;
}

/** The byte address of the cached packed B in memory, placing it (and dropping the cache when full) as needed. */
function residentB(b: BSource, p: PackedB, wide: boolean): number {
  const form = wide ? 1 : 0;
  if (p.gen[form] === generation) return p.byte[form];
  let words = p.words[form];
  if (!words) {
    words = new Int32Array(stepsOf(b.k, wide) * padColumns(b.n));
    packB(b, wide, words, 0);
    p.words[form] = words;
  }
  const bytes = align16(4 * words.length);
  if (cacheTop + bytes > cacheBytes) {
    generation++;
    cacheTop = 0;
  }
  reserve(cacheTop + bytes);
  i32.set(words, cacheTop >> 2);
  p.gen[form] = generation;
  p.byte[form] = cacheTop;
  cacheTop += bytes;
  return p.byte[form];
}

/**
 * One product C (m × n) = A (m × k) · B (k × n), laid out in memory. The caller writes A's rows into `a`
 * (row i at element aBase + i·aStride, k elements; the int16 view when !wide, whose pad element of an odd k
 * is already zero), then calls runGemm; C[i, j] is then c[cBase + i·cStride + j]. `extraByte` is the start
 * of the `extraBytes` of scratch asked for (16-byte aligned).
 */
export interface GemmPlan {
  wide: boolean;
  m: number;
  k: number;
  n: number;
  a: Int32Array | Int16Array;
  aBase: number;
  aStride: number;
  aByte: number;
  bByte: number;
  cByte: number;
  extraByte: number;
}

/** The memory as int32 words, valid until the next planGemm. */
export const memoryI32 = (): Int32Array => i32;
/** The memory as int16 halves, valid until the next planGemm. */
export const memoryI16 = (): Int16Array => i16;

/**
 * Lays out a product: B cached when `cacheB` (a weight operand; packed and checked once), else packed into
 * scratch now; gemm16 when `aFits16` and B fits int16, else gemm32. Views taken earlier may be stale after.
 */
export function planGemm(m: number, k: number, b: BSource, aFits16: boolean, cacheB: boolean, extraBytes = 0): GemmPlan {
  if (b.k !== k || !(m > 0 && k >= 0 && b.n > 0)) throw new GemmOperandError(`bad shape: A ${m}×${k}, B ${b.k}×${b.n}`);
  const n = b.n;
  const nPad = padColumns(n);
  let wide: boolean;
  let bByte: number;
  let scratch: number;
  if (cacheB) {
    const p = packedOf(b);
    wide = !(aFits16 && p.fits16);
    bByte = residentB(b, p, wide);
    scratch = cacheTop;
  } else {
    wide = !(aFits16 && bFitsInt16(b));
    bByte = cacheTop;
    scratch = align16(bByte + 4 * stepsOf(k, wide) * nPad);
  }
  const rowBytes = wide ? 4 * k : 4 * stepsOf(k, false);
  const aByte = scratch;
  const cByte = align16(aByte + m * rowBytes);
  const extraByte = align16(cByte + 4 * m * nPad);
  reserve(extraByte + extraBytes);
  if (!cacheB) packB(b, wide, i32, bByte >> 2);
  const a = wide ? i32 : i16;
  const aStride = wide ? k : 2 * stepsOf(k, false);
  const aBase = wide ? aByte >> 2 : aByte >> 1;
  if (!wide && k % 2 === 1) for (let i = 0; i < m; i++) i16[aBase + i * aStride + k] = 0;
  return { wide, m, k, n, a, aBase, aStride, aByte, bByte, cByte, extraByte };
}

/** Copies A's rows from a row-major src (row i at off + i·k) into the plan's A (exact: the values fit its view). */
export function copyRowsA(plan: GemmPlan, src: Int32Array, off: number): void {
  const { m, k, a, aBase, aStride } = plan;
  if (aStride === k) a.set(src.subarray(off, off + m * k), aBase);
  else for (let i = 0; i < m; i++) a.set(src.subarray(off + i * k, off + (i + 1) * k), aBase + i * aStride);
}

/**
 * A from runs (4 int32 words each at byte `runsByte`: src, pos, t, len): A[pos + l, t] = x[src + l·step] for
 * l < len, x the plan's element type at byte `xByte` (int16 when !wide: the caller checked the values).
 */
export function gatherA(plan: GemmPlan, xByte: number, runsByte: number, count: number, step: number): void {
  (plan.wide ? wasm.gather32 : wasm.gather16)(xByte, plan.aByte, runsByte, count, step, plan.aStride);
}

/** Scratch bytes requantC needs for an m × n product. */
export const requantBytes = (m: number, n: number): number => align16(8 * n) + 4 * m * n;

/**
 * The epilogue in wasm, after runGemm: out[i·outRow + j·outCol] = clamp32(requant(add32(bias[off + j],
 * C[i, j]), mult[off + j], s), lo, hi) for i < m, j < n, s in [0, 63], lo and hi int32 (isInt32 both; the
 * exactness argument is in scripts/gen-gemm-wasm.ts). Uses requantBytes(m, n) of scratch from byte `at`
 * (16-aligned, inside the plan's extra bytes); returns the word index of out in memoryI32().
 */
export function requantC(plan: GemmPlan, bias: Int32Array, mult: Int32Array, off: number, s: number, lo: number, hi: number, outRow: number, outCol: number, at: number): number {
  const { m, n } = plan;
  if ((lo | 0) !== lo || (hi | 0) !== hi || s < 0 || s > 63) throw new GemmOperandError(`requant: lo ${lo}, hi ${hi} must be int32 and s ${s} in [0, 63]`);
  i32.set(bias.subarray(off, off + n), at >> 2);
  i32.set(mult.subarray(off, off + n), (at >> 2) + n);
  const outByte = at + align16(8 * n);
  const pre = s >= 2 ? 1 : 0;
  const add = s >= 2 ? 2 ** (s - 2) : s;
  const post = s >= 2 ? s - 1 : s;
  wasm.requant(plan.cByte, padColumns(n), m, n, outByte, outRow, outCol, at, at + 4 * n, pre, add, post, lo, hi);
  return outByte >> 2;
}

/** Runs the kernel of a plan; returns the word view holding C, row i at cBase + i·cStride. */
export function runGemm(plan: GemmPlan): { c: Int32Array; cBase: number; cStride: number } {
  const { wide, m, k, n, aByte, bByte, cByte } = plan;
  const nPad = padColumns(n);
  (wide ? wasm.gemm32 : wasm.gemm16)(aByte, wide ? 4 * k : 4 * stepsOf(k, false), bByte, cByte, m, stepsOf(k, wide), nPad);
  refreshViews();
  return { c: i32, cBase: cByte >> 2, cStride: nPad };
}
