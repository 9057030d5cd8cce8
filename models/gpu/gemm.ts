/**
 * Tiled kernels for matmul and conv2d: both are integer GEMMs, out[z][r][c] = finish(Σ_t A[z][r][t]·B[z][t][c]),
 * computed by S×S output tiles, one workgroup of T×T invocations each (T = 8 or 16), every invocation owning
 * R×R outputs (R = 1, 2 or 4; S = T·R), with depth slices of A and B staged in workgroup memory.
 *
 * - matmul: z = batch, r = row of x, c = column of w, t = inner index; A = x, B = w.
 * - conv2d as an implicit GEMM: z = b·group + g, r = output channel within group g, c = output position
 *   (oh·OW + ow), t = (ic, ky, kx) flattened like the weight's [cg, kh, kw]; A = the weight rows
 *   (contiguous), B = the input "im2col" column, read on the fly (a tap outside the input plane is 0).
 *
 * Exactness. The reference is acc = bias + Σ mul32(a, b) with add32 (models/int/kernels): sums mod 2^32, so
 * any order of the same products gives the same bits. The tiled kernels add the same products, in slices,
 * with WGSL's wrapping i32 `+` and `*`; the padding of a partial tile (rows, columns or depth past the
 * problem's, taps outside the plane) contributes products with a 0 factor, which add nothing. The epilogue is
 * the reference's: clamp32(requant(add32(bias, acc), mult, shift), lo, hi).
 *
 * Packed variants (`packed`) stage four consecutive depth values per u32 (int8 lanes, lane e = value 4q+e)
 * and multiply with WGSL `dot4I8Packed` (language feature `packed_4x8_integer_dot_product`): it returns the
 * exact i32 sum of the four lane products of the bytes read as int8. That equals Σ mul32 of the words only if
 * every word is in [-128, 127] — packing keeps the low 8 bits, so any other word would be silently changed.
 * The executor uses a packed variant only where both operands are proven in range (models/gpu/int8Range.ts)
 * and the device passed models/gpu/packedDot.ts. Each dot4I8Packed result has |s| ≤ 4·2^14, and the
 * accumulation is the same wrapping i32 `+`, so the sum is again add32 of mul32.
 * A packed weight operand is packed once at graph creation (`packWeight`, zero lanes past the depth); an
 * arena operand is packed on the fly while its tile is staged.
 */
import { elementCount } from '../int/graph.ts';
import type { KernelCall } from '../int/kernels/kernel.ts';
import { windowGeometry } from '../int/kernels/window2d.ts';
import { kernelPrelude, type KernelDispatch } from './kernels.ts';

export type GemmProblem = 'matmul' | 'conv2d';
/** Invocations per side of a workgroup (T). */
export type GemmTile = 8 | 16;
/** Outputs per side of one invocation (R): the output tile is T·R square. */
export type GemmPer = 1 | 2 | 4;

/** What a tiled pipeline is compiled for. */
export interface GemmVariant {
  problem: GemmProblem;
  tile: GemmTile;
  per: GemmPer;
  /** dot4I8Packed over int8 lanes (only with proven int8 operands). */
  packed: boolean;
  /** The weight operand (input 1: matmul's w = B, conv's w = A) is read pre-packed (`packWeight`). */
  prepacked: boolean;
}

/** A tiled dispatch of one node: its variant and workgroup grid. */
export interface GemmDispatch extends GemmVariant {
  groups: [number, number, number];
}

/** The GEMM view of a node: rows × cols outputs per batch z, depth products each. */
export interface GemmShape {
  rows: number;
  cols: number;
  depth: number;
  batch: number;
}

export function matmulShape({ inputDims: [x, w] }: Pick<KernelCall<'matmul'>, 'inputDims'>): GemmShape {
  return { rows: x[x.length - 2], cols: w[w.length - 1], depth: x[x.length - 1], batch: elementCount(x.slice(0, -2)) };
}

export function conv2dShape({ attrs, inputDims }: Pick<KernelCall<'conv2d'>, 'attrs' | 'inputDims'>): GemmShape {
  const g = windowGeometry('conv2d', attrs, inputDims[0]);
  const [m, cg, kh, kw] = inputDims[1];
  return { rows: m / attrs.group, cols: g.oh * g.ow, depth: cg * kh * kw, batch: g.n * attrs.group };
}

export const gemmShape = (problem: GemmProblem, call: KernelCall<'matmul'> | KernelCall<'conv2d'>): GemmShape =>
  problem === 'matmul' ? matmulShape(call as KernelCall<'matmul'>) : conv2dShape(call as KernelCall<'conv2d'>);

/** Depth in packed words (4 values each). */
export const packedDepth = (depth: number): number => Math.ceil(depth / 4);

/** The workgroup grid of a tiled dispatch, or undefined when it exceeds the adapter's per-dimension limit. */
export function gemmGroups(shape: GemmShape, side: number, maxPerDimension: number): [number, number, number] | undefined {
  const groups: [number, number, number] = [Math.ceil(shape.cols / side), Math.ceil(shape.rows / side), shape.batch];
  return groups.every((g) => g <= maxPerDimension) ? groups : undefined;
}

/**
 * The tiled dispatch replacing a node's reference dispatch (`reference`, from GPU_KERNELS): the same inputs and
 * op parameters, plus the GEMM's own (matmul: p(9) the packed weight's batch stride; conv2d: p(21) depth,
 * p(22) positions, p(23) packed depth, p(24) groups).
 */
export function gemmDispatch(
  variant: GemmVariant,
  call: KernelCall<'matmul'> | KernelCall<'conv2d'>,
  reference: KernelDispatch,
  groups: [number, number, number],
): KernelDispatch {
  const shape = gemmShape(variant.problem, call);
  let extra: number[];
  if (variant.problem === 'matmul') {
    const w = call.inputDims[1];
    extra = [elementCount(w.slice(0, -2)) === 1 ? 0 : packedDepth(shape.depth) * shape.cols];
  } else {
    extra = [shape.depth, shape.cols, packedDepth(shape.depth), (call as KernelCall<'conv2d'>).attrs.group];
  }
  return { ...reference, params: [...reference.params, ...extra], gemm: { ...variant, groups } };
}

/**
 * A weight packed for a packed variant's pre-packed operand: 4 int8 values per word (lane e = bits 8e..8e+7
 * holds value 4q+e of the depth), zero lanes past the depth.
 * matmul w [...wb, K, N] → [wb][⌈K/4⌉][N]; conv2d w [M, cg, kh, kw] → [M][⌈cg·kh·kw/4⌉].
 * The caller has checked every word is in [-128, 127] (the low byte then is the value).
 */
export function packWeight(problem: GemmProblem, words: Int32Array, dims: readonly number[]): Int32Array {
  const lane = (v: number, e: number) => (v & 0xff) << (8 * e);
  if (problem === 'matmul') {
    const k = dims[dims.length - 2];
    const n = dims[dims.length - 1];
    const wb = elementCount(dims.slice(0, -2));
    const kq = packedDepth(k);
    const out = new Int32Array(wb * kq * n);
    for (let b = 0; b < wb; b++) {
      for (let t = 0; t < k; t++) {
        const src = (b * k + t) * n;
        const dst = (b * kq + (t >> 2)) * n;
        for (let j = 0; j < n; j++) out[dst + j] |= lane(words[src + j], t & 3);
      }
    }
    return out;
  }
  const m = dims[0];
  const depth = elementCount(dims.slice(1));
  const kq = packedDepth(depth);
  const out = new Int32Array(m * kq);
  for (let r = 0; r < m; r++) for (let t = 0; t < depth; t++) out[r * kq + (t >> 2)] |= lane(words[r * depth + t], t & 3);
  return out;
}

/** The GEMM view of each problem in WGSL: gRows/gCols/gDepth, A and B elements, pre-packed weight words, epilogue. */
const PROBLEMS: Record<GemmProblem, string> = {
  // p: 2 M, 3 K, 4 N, 5 w batch stride, 6 shift, 7 lo, 8 hi, 9 packed w batch stride
  matmul: `fn gRows() -> i32 { return p(2); }
fn gCols() -> i32 { return p(4); }
fn gDepth() -> i32 { return p(3); }
fn aAt(z: i32, r: i32, t: i32) -> i32 { return x0((z * p(2) + r) * p(3) + t); }
fn bAt(z: i32, t: i32, c: i32) -> i32 { return x1(z * p(5) + t * p(4) + c); }
fn finish(z: i32, r: i32, c: i32, acc: i32) {
  yset((z * p(2) + r) * p(4) + c, clamp32(requant(add32(x2(c), acc), x3(c), p(6)), p(7), p(8)));
}`,
  // p: 2 C, 3 H, 4 W, 5 M, 6 OH, 7 OW, 8 kh, 9 kw, 10 sh, 11 sw, 12 pt, 13 pl, 14 dh, 15 dw, 16 cg, 17 mg,
  //    18 shift, 19 lo, 20 hi, 21 depth cg·kh·kw, 22 positions OH·OW, 23 packed depth, 24 groups
  conv2d: `fn gRows() -> i32 { return p(17); }
fn gCols() -> i32 { return p(22); }
fn gDepth() -> i32 { return p(21); }
// output channel of row r in batch z = b·group + g
fn channel(z: i32, r: i32) -> i32 { return (z % p(24)) * p(17) + r; }
fn aAt(z: i32, r: i32, t: i32) -> i32 { return x1(channel(z, r) * p(21) + t); }
// the im2col element: input channel ic, tap (ky, kx) of output position c; 0 outside the input plane
fn bAt(z: i32, t: i32, c: i32) -> i32 {
  let kk = p(8) * p(9);
  let ic = t / kk;
  let tap = t % kk;
  let iy = (c / p(7)) * p(10) - p(12) + (tap / p(9)) * p(14);
  let ix = (c % p(7)) * p(11) - p(13) + (tap % p(9)) * p(15);
  if (iy < 0 || iy >= p(3) || ix < 0 || ix >= p(4)) { return 0; }
  let plane = (z / p(24)) * p(2) + (z % p(24)) * p(16) + ic;
  return x0((plane * p(3) + iy) * p(4) + ix);
}
fn finish(z: i32, r: i32, c: i32, acc: i32) {
  let m = channel(z, r);
  yset(((z / p(24)) * p(5) + m) * p(22) + c, clamp32(requant(add32(x2(m), acc), x3(m), p(18)), p(19), p(20)));
}`,
};

/** The pre-packed weight's word q of row r (conv2d: A) or of column c (matmul: B), read from binding W1. */
const PREPACKED: Record<GemmProblem, string> = {
  matmul: 'fn bPre(z: i32, q: i32, c: i32) -> u32 { return bitcast<u32>(W1[z * p(9) + q * p(4) + c]); }',
  conv2d: 'fn aPre(z: i32, r: i32, q: i32) -> u32 { return bitcast<u32>(W1[channel(z, r) * p(23) + q]); }',
};

/** Tile loaders of the unpacked kernel: one word each, 0 past the problem's edges. */
const LOAD_WORDS = `fn loadA(z: i32, r: i32, t: i32) -> i32 {
  if (r < gRows() && t < gDepth()) { return aAt(z, r, t); }
  return 0;
}
fn loadB(z: i32, t: i32, c: i32) -> i32 {
  if (t < gDepth() && c < gCols()) { return bAt(z, t, c); }
  return 0;
}`;

/** Tile loaders of the packed kernel: packed word q = values 4q..4q+3 of the depth (0 lanes past it). */
function loadPacked(problem: GemmProblem, prepacked: boolean): string {
  const aPre = prepacked && problem === 'conv2d';
  const bPre = prepacked && problem === 'matmul';
  return `// four int8 values in the lanes of a u32 (lane e = bits 8e..8e+7); only the low byte of each word is kept
fn pack4(v0: i32, v1: i32, v2: i32, v3: i32) -> u32 {
  return (bitcast<u32>(v0) & 0xffu) | ((bitcast<u32>(v1) & 0xffu) << 8u) | ((bitcast<u32>(v2) & 0xffu) << 16u) | (bitcast<u32>(v3) << 24u);
}
fn aOr0(z: i32, r: i32, t: i32) -> i32 {
  if (t < gDepth()) { return aAt(z, r, t); }
  return 0;
}
fn bOr0(z: i32, t: i32, c: i32) -> i32 {
  if (t < gDepth()) { return bAt(z, t, c); }
  return 0;
}
fn loadA(z: i32, r: i32, q: i32) -> u32 {
  if (r >= gRows() || q >= (gDepth() + 3) / 4) { return 0u; }
  ${aPre ? 'return aPre(z, r, q);' : 'let t = 4 * q;\n  return pack4(aOr0(z, r, t), aOr0(z, r, t + 1), aOr0(z, r, t + 2), aOr0(z, r, t + 3));'}
}
fn loadB(z: i32, q: i32, c: i32) -> u32 {
  if (q >= (gDepth() + 3) / 4 || c >= gCols()) { return 0u; }
  ${bPre ? 'return bPre(z, q, c);' : 'let t = 4 * q;\n  return pack4(bOr0(z, t, c), bOr0(z, t + 1, c), bOr0(z, t + 2, c), bOr0(z, t + 3, c));'}
}`;
}

/** Pipeline key of a tiled variant, e.g. `matmul/tiled16x4-packed-w/awww` (16×16 invocations, 4×4 outputs each). */
export function gemmKey(v: GemmVariant, separate: readonly boolean[]): string {
  const packed = v.packed ? (v.prepacked ? '-packed-w' : '-packed') : '';
  return `${v.problem}/tiled${v.tile}x${v.per}${packed}/${separate.map((s) => (s ? 'w' : 'a')).join('')}`;
}

/**
 * The WGSL of a tiled variant. Workgroup (T, T), T = `tile`; each invocation owns R×R outputs (R = `per`):
 * invocation (tx, ty) of workgroup (wx, wy, z) owns rows r0 + ty + i·T and columns c0 + tx + j·T (i, j < R)
 * of the S×S output tile at (r0, c0) = (wy·S, wx·S), S = T·R, of batch z. Per depth slice of T (words, or
 * packed words of 4 values) it stages As[S][T] and Bs[T][S] (R words per invocation each), then adds the
 * R×R products of its rows of As and columns of Bs per slice position. Every invocation reaches both
 * barriers (the slice loop's bound comes from the read-only params, so it is uniform); only the final writes
 * are guarded. `separate` as for the reference kernels; a pre-packed weight must be separate (binding W1).
 */
export function gemmSource(v: GemmVariant, separate: readonly boolean[]): string {
  if (v.prepacked && !(v.packed && separate[1])) throw new Error(`internal: ${gemmKey(v, separate)}: a pre-packed operand must be a packed variant's weight binding`);
  const T = v.tile;
  const R = v.per;
  const S = T * R;
  const word = v.packed ? 'u32' : 'i32';
  const span = v.packed ? '(gDepth() + 3) / 4' : 'gDepth()';
  const idx = [...Array(R).keys()];
  const mac = (i: number, j: number) => (v.packed ? `dot4I8Packed(a${i}, b${j})` : `a${i} * b${j}`);
  const lines = (f: (i: number) => string) => idx.map(f).join('\n');
  const pairs = (f: (i: number, j: number) => string) => idx.flatMap((i) => idx.map((j) => f(i, j))).join('\n');
  return `${v.packed ? 'requires packed_4x8_integer_dot_product;\n' : ''}${kernelPrelude(4, separate)}
${PROBLEMS[v.problem]}
${v.prepacked ? PREPACKED[v.problem] : ''}
${v.packed ? loadPacked(v.problem, v.prepacked) : LOAD_WORDS}

var<workgroup> As: array<array<${word}, ${T}>, ${S}>;
var<workgroup> Bs: array<array<${word}, ${S}>, ${T}>;

@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let z = i32(wg.z);
  let tx = i32(l.x);
  let ty = i32(l.y);
  let r0 = i32(wg.y) * ${S};
  let c0 = i32(wg.x) * ${S};
  let span = ${span};
  // wrapping i32 sums: the same products in any order give the reference's add32 bits
${pairs((i, j) => `  var acc${i}${j} = 0;`)}
  for (var k0 = 0; k0 < span; k0 = k0 + ${T}) {
    for (var i = 0; i < ${R}; i = i + 1) {
      As[ty + i * ${T}][tx] = loadA(z, r0 + ty + i * ${T}, k0 + tx);
      Bs[ty][tx + i * ${T}] = loadB(z, k0 + ty, c0 + tx + i * ${T});
    }
    workgroupBarrier();
    for (var q = 0; q < ${T}; q = q + 1) {
${lines((i) => `      let a${i} = As[ty + ${i * T}][q];`)}
${lines((j) => `      let b${j} = Bs[q][tx + ${j * T}];`)}
${pairs((i, j) => `      acc${i}${j} = acc${i}${j} + ${mac(i, j)};`)}
    }
    workgroupBarrier();
  }
  // one epilogue in the code (it is large: requant), looped over the R×R outputs
  let accs = array<i32, ${R * R}>(${pairs((i, j) => `acc${i}${j}`).split('\n').join(', ')});
  for (var k = 0; k < ${R * R}; k = k + 1) {
    let r = r0 + ty + (k / ${R}) * ${T};
    let c = c0 + tx + (k % ${R}) * ${T};
    if (r < gRows() && c < gCols()) { finish(z, r, c, accs[k]); }
  }
}
`;
}
