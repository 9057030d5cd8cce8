/**
 * Directed boundary and tie cases for every integer kernel: exact .5 requantizations of both signs, INT32_MIN /
 * INT32_MAX / -1 / 0 operands, wrapping sums, saturation, equal softmax logits, max-pool ties, constant
 * layer-norm rows, windows wholly in padding, out-of-range gather indices, argmax ties. Random cases (cases.ts) almost never
 * hit these.
 *
 * Every case's `expected` words come from test/support/oracle.ts (BigInt, written from the docs, importing
 * nothing under test); where the answer is simple enough it is also written out by hand (`hand`), and the
 * oracle must agree with the hand values too. test/models/int/directed.test.ts runs each case through the CPU
 * reference and the VM lowering, test/gpu/directed.test.ts through the GPU kernel.
 */
import type { IntAttrs, IntOp } from '../../../models/int/graph.ts';
import * as O from '../../support/oracle.ts';

const { MIN, MAX } = O;

export interface DirectedCase<K extends IntOp = IntOp> {
  name: string;
  op: K;
  attrs: IntAttrs[K];
  inputDims: number[][];
  inputs: Int32Array[];
  /** Output dims (from the oracle's shape rules, not the kernel's). */
  outDims: number[];
  /** Output words from the independent BigInt reference. */
  expected: number[];
  /** The same words worked out by hand, where that is easy (checked against the oracle as well). */
  hand?: number[];
}

const i32 = (v: readonly number[]) => Int32Array.from(v);
const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** Odd numbers ±1, ±3, ±5, ±7: halved, every one is an exact tie. */
const TIES = [1, -1, 3, -3, 5, -5, 7, -7];
/** TIES halved with ties toward +∞ (round half up): 0.5→1, -0.5→0, 1.5→2, -1.5→-1, ... */
const TIES_HALVED = [1, 0, 2, -1, 3, -2, 4, -3];

const FULL = { lo: MIN, hi: MAX };
const INT8 = { lo: -128, hi: 127 };
const win = (kernel: [number, number], strides: [number, number], pads: [number, number, number, number], dilations: [number, number] = [1, 1]) => ({
  kernel,
  strides,
  pads,
  dilations,
});

const cases: DirectedCase[] = [];
function add<K extends IntOp>(c: DirectedCase<K>): void {
  cases.push(c as unknown as DirectedCase);
}

// ---- clamp, copy, lut ------------------------------------------------------------------------------------------
{
  const x = [MIN, -129, -128, -1, 0, 1, 127, 128, MAX];
  add({ name: 'int32 edges into int8 bounds', op: 'clamp', attrs: INT8, inputDims: [[9]], inputs: [i32(x)], outDims: [9], expected: O.clampRef(x, -128, 127), hand: [-128, -128, -128, -1, 0, 1, 127, 127, 127] });
  add({ name: 'full int32 bounds are the identity', op: 'clamp', attrs: FULL, inputDims: [[3, 3]], inputs: [i32(x)], outDims: [3, 3], expected: O.clampRef(x, MIN, MAX), hand: x });
  add({ name: 'lo > hi is literally min(max(x, lo), hi) = hi', op: 'clamp', attrs: { lo: 5, hi: -5 }, inputDims: [[9]], inputs: [i32(x)], outDims: [9], expected: O.clampRef(x, 5, -5), hand: x.map(() => -5) });
  add({ name: 'int32 edges move unchanged', op: 'copy', attrs: { dims: [9] }, inputDims: [[3, 3]], inputs: [i32(x)], outDims: [9], expected: x, hand: x });

  const table = seq(256, (i) => (i === 0 ? MIN : i === 255 ? MAX : (i - 128) * 1000 + 7));
  const lx = [MIN, -129, -128, -127, -1, 0, 1, 126, 127, 128, MAX];
  add({
    name: 'index clamped to [-128, 127] from int32 edges; first and last table entries',
    op: 'lut',
    attrs: {},
    inputDims: [[11], [256]],
    inputs: [i32(lx), i32(table)],
    outDims: [11],
    expected: O.lutRef(lx, table),
    hand: [MIN, MIN, MIN, -126993, -993, 7, 1007, 126007, MAX, MAX, MAX],
  });
}

// ---- binary ----------------------------------------------------------------------------------------------------
{
  const id = { multA: 1, shiftA: 0, multB: 1, shiftB: 0, multOut: 1, shiftOut: 0 };
  const bin = (name: string, attrs: IntAttrs['binary'], aDims: number[], bDims: number[], a: number[], b: number[], hand?: number[]) => {
    const r = O.binaryRef(attrs, aDims, bDims, a, b);
    add({ name, op: 'binary', attrs, inputDims: [aDims, bDims], inputs: [i32(a), i32(b)], outDims: r.dims, expected: r.y, hand });
  };
  bin('add wraps at the int32 edges', { op: 'add', ...id, ...FULL }, [5], [5], [MAX, MIN, -1, 0, MAX], [1, -1, MIN, 0, MAX], [MIN, MAX, MAX, 0, -2]);
  bin('sub wraps at the int32 edges', { op: 'sub', ...id, ...FULL }, [4], [4], [MIN, MAX, 0, 0], [1, -1, MIN, MAX], [MAX, MIN, MIN, -MAX]);
  bin('mul keeps the low 32 bits', { op: 'mul', ...id, ...FULL }, [5], [5], [MIN, 65536, MAX, -1, 46341], [-1, 65536, MAX, MIN, 46341], [MIN, 0, 1, MIN, -2147479015]);
  bin(
    'div truncates toward zero; by 0 is 0; INT32_MIN / -1 is INT32_MIN',
    { op: 'div', ...id, ...FULL },
    [9],
    [9],
    [7, -7, 7, -7, MIN, MIN, 5, 0, MAX],
    [2, 2, -2, -2, -1, 0, 0, 0, MIN],
    [3, -3, -3, 3, MIN, 0, 0, 0, 0],
  );
  bin(
    'operand requant ties: r(x) + r(-x) = 1 for odd x (ties toward +inf)',
    { op: 'add', ...id, multA: 1, shiftA: 1, multB: 1, shiftB: 1, ...FULL },
    [8],
    [8],
    TIES,
    TIES.map((v) => -v),
    [1, 1, 1, 1, 1, 1, 1, 1],
  );
  bin(
    'output requant ties of both signs, then the int8 clamp',
    { op: 'add', ...id, multOut: 1, shiftOut: 1, ...INT8 },
    [10],
    [1],
    [1, -1, 3, -3, 255, -255, 256, -257, MAX, MIN],
    [0],
    [1, 0, 2, -1, 127, -127, 127, -128, 127, -128],
  );
  bin('requant saturates to int32 (multiplier INT32_MAX, shift 0)', { op: 'add', ...id, multOut: MAX, shiftOut: 0, ...FULL }, [5], [1], [2, -2, 1, -1, 0], [0], [MAX, MIN, MAX, -MAX, 0]);
  bin('shift 63: requant(INT32_MIN, INT32_MIN, 63) = 1 (2^62 / 2^63 = 0.5 rounds up)', { op: 'add', ...id, multA: MIN, shiftA: 63, ...FULL }, [5], [1], [MIN, MAX, -1, 1, 0], [0], [1, 0, 0, 0, 0]);
  bin('shifts 31, 32, 33 around the 64-bit halves', { op: 'sub', ...id, multA: MIN, shiftA: 32, multB: MAX, shiftB: 31, ...FULL }, [6], [6], [MIN, MAX, -1, 1, 3, -3], [MIN, MAX, -1, 1, 3, -3]);
  bin('add of two shift-33 requants', { op: 'add', ...id, multA: MAX, shiftA: 33, multB: MIN, shiftB: 33, ...FULL }, [6], [6], [MIN, MAX, -1, 1, 6, -6], [MIN, MAX, -1, 1, 2, -2]);
  bin('broadcast [2,1] - [1,3] at the int32 edges', { op: 'sub', ...id, ...FULL }, [2, 1], [1, 3], [10, MIN], [1, 0, -1], [9, 10, 11, MAX, MIN, MIN + 1]);
  bin('mul by a scalar, quarter-step ties', { op: 'mul', ...id, multOut: 1, shiftOut: 2, ...FULL }, [8], [1], [1, 3, 5, -1, -3, -5, 2, -2], [1], [0, 1, 1, 0, -1, -1, 1, 0]);
}

// ---- matmul ----------------------------------------------------------------------------------------------------
{
  const mm = (name: string, xDims: number[], wDims: number[], x: number[], w: number[], bias: number[], mult: number[], shift: number, lo: number, hi: number, hand?: number[]) => {
    const n = wDims[wDims.length - 1];
    add({
      name,
      op: 'matmul',
      attrs: { shift, lo, hi },
      inputDims: [xDims, wDims, [n], [n]],
      inputs: [i32(x), i32(w), i32(bias), i32(mult)],
      outDims: [...xDims.slice(0, -1), n],
      expected: O.matmulRef(xDims, wDims, x, w, bias, mult, shift, lo, hi),
      hand,
    });
  };
  mm('the accumulator wraps past INT32_MAX', [1, 2], [2, 1], [1, 1], [1, 1], [MAX], [1], 0, MIN, MAX, [MIN + 1]);
  mm('requant ties of both signs (shift 1)', [8, 1], [1, 1], TIES, [1], [0], [1], 1, MIN, MAX, TIES_HALVED);
  mm('saturation per column, then a ReLU clamp', [1, 2], [2, 4], [127, -128], [127, -128, 1, 0, -128, 127, 1, 0], [0, 0, 0, MAX], [MAX, MAX, 1 << 30, MAX], 0, 0, 127, [127, 0, 0, 127]);
  mm('int8 extremes over K = 64', [2, 64], [64, 2], [...seq(64, () => -128), ...seq(64, () => 127)], seq(128, (i) => (i % 2 ? 127 : -128)), [-1, 1], [1 << 30, (1 << 30) + 1], 40, -128, 127);
  mm('ties through a 2^30 multiplier with shift 31', [1, 4], [4, 4], [1, -1, 0, 0], [...[1, -1, 3, -3], ...[0, 0, 0, 0], ...[0, 0, 0, 0], ...[0, 0, 0, 0]], [0, 0, 0, 0], [1 << 30, 1 << 30, 1 << 30, 1 << 30], 31, MIN, MAX);
  mm('batched w, INT32 bias edges', [2, 1, 3], [2, 3, 2], [1, 2, 3, -1, -2, -3], [1, -1, 2, -2, 3, -3, -3, 3, -2, 2, -1, 1], [MAX, MIN], [1, 1], 0, MIN, MAX);
}

// ---- conv2d ----------------------------------------------------------------------------------------------------
{
  const conv = (name: string, attrs: IntAttrs['conv2d'], xDims: number[], wDims: number[], x: number[], w: number[], bias: number[], mult: number[], hand?: number[]) => {
    const r = O.conv2dRef(attrs, xDims, wDims, x, w, bias, mult);
    add({ name, op: 'conv2d', attrs, inputDims: [xDims, wDims, [wDims[0]], [wDims[0]]], inputs: [i32(x), i32(w), i32(bias), i32(mult)], outDims: r.dims, expected: r.y, hand });
  };
  conv(
    '1x1 kernel with pads 1: border outputs see no tap (bias only, a tie)',
    { ...win([1, 1], [1, 1], [1, 1, 1, 1]), group: 1, shift: 1, ...FULL },
    [1, 1, 2, 2],
    [1, 1, 1, 1],
    [1, 2, 3, 4],
    [3],
    [5],
    [1],
    [3, 3, 3, 3, 3, 4, 6, 3, 3, 7, 9, 3, 3, 3, 3, 3],
  );
  conv('the accumulator wraps; saturation', { ...win([1, 1], [1, 1], [0, 0, 0, 0]), group: 1, shift: 0, ...FULL }, [1, 1, 1, 2], [2, 1, 1, 1], [1, -1], [1, 2], [MAX, MIN], [1, MAX], [MIN, MAX - 1, MIN, MAX]);
  conv(
    'depthwise 3x3, stride 2, dilation 2, pads 2, ties',
    { ...win([3, 3], [2, 2], [2, 2, 2, 2], [2, 2]), group: 2, shift: 1, lo: -128, hi: 127 },
    [1, 2, 5, 5],
    [2, 1, 3, 3],
    seq(50, (i) => ((i * 37) % 17) - 8),
    [1, -1, 1, -1, 1, -1, 1, -1, 1, 2, 0, -2, 0, 1, 0, -2, 0, 2],
    [1, -1],
    [1, 3],
  );
  conv(
    'grouped (2 groups, 2 in / 2 out each), pads only at the bottom/right, odd shift',
    { ...win([2, 2], [1, 1], [0, 0, 1, 1]), group: 2, shift: 3, lo: -128, hi: 127 },
    [1, 4, 2, 2],
    [4, 2, 2, 2],
    [127, -128, 0, 1, -1, 2, -3, 4, 5, -6, 7, -8, 100, -100, 50, -50],
    seq(32, (i) => ((i * 11) % 9) - 4),
    [4, -4, 3, -3],
    [1, 1, 2, 3],
  );
}

// ---- maxpool2d / avgpool2d ---------------------------------------------------------------------------------------
{
  const maxp = (name: string, attrs: IntAttrs['maxpool2d'], xDims: number[], x: number[], hand?: number[]) => {
    const r = O.maxpoolRef(attrs, xDims, x);
    add({ name, op: 'maxpool2d', attrs, inputDims: [xDims], inputs: [i32(x)], outDims: r.dims, expected: r.y, hand });
  };
  maxp('ties: equal maxima, an all-INT32_MIN window', { ...win([2, 2], [2, 2], [0, 0, 0, 0]), ...FULL }, [1, 1, 2, 4], [5, 5, MIN, MIN, 5, -1, MIN, MIN], [5, MIN]);
  maxp('a window wholly in padding gives lo', { ...win([1, 1], [1, 1], [1, 1, 1, 1]), ...INT8 }, [1, 1, 1, 1], [-7], [-128, -128, -128, -128, -7, -128, -128, -128, -128]);
  maxp('lo above every tap, hi below the max', { ...win([1, 2], [1, 2], [0, 0, 0, 0]), lo: 0, hi: 3 }, [1, 1, 1, 4], [-5, -3, MAX, 9], [0, 3]);
  maxp('lo > hi gives hi everywhere', { ...win([1, 2], [1, 2], [0, 0, 0, 0]), lo: 10, hi: -10 }, [1, 1, 1, 4], [-5, -3, MAX, 9], [-10, -10]);
  maxp('overlapping 3x3 windows, stride 1, pads 1, INT32 edges', { ...win([3, 3], [1, 1], [1, 1, 1, 1]), ...FULL }, [1, 2, 3, 3], [MIN, -1, 0, 1, MAX, MIN, -1, -1, -1, ...seq(9, () => MIN)]);

  const avg = (name: string, attrs: IntAttrs['avgpool2d'], xDims: number[], x: number[], hand?: number[]) => {
    const r = O.avgpoolRef(attrs, xDims, x);
    add({ name, op: 'avgpool2d', attrs, inputDims: [xDims], inputs: [i32(x)], outDims: r.dims, expected: r.y, hand });
  };
  const m22 = [0, 1 << 30, 1 << 29, 357913941, 1 << 28]; // mults[n] / 2^30 = 1/n
  avg('exact .5 averages of both signs (count 2)', { ...win([1, 2], [1, 2], [0, 0, 0, 0]), countIncludePad: false, mults: [0, 1 << 30, 1 << 29], shift: 30, ...FULL }, [1, 1, 1, 8], [1, 2, -1, -2, 3, 4, -3, -4], [2, -1, 4, -3]);
  avg('countIncludePad: border windows divide by 4 (quarter steps, a tie)', { ...win([2, 2], [2, 2], [1, 1, 1, 1]), countIncludePad: true, mults: m22, shift: 30, ...FULL }, [1, 1, 2, 2], [1, 2, 3, 4], [0, 1, 1, 1]);
  avg('valid-tap count: border windows divide by 1', { ...win([2, 2], [2, 2], [1, 1, 1, 1]), countIncludePad: false, mults: m22, shift: 30, ...FULL }, [1, 1, 2, 2], [1, 2, 3, 4], [1, 2, 3, 4]);
  avg('a window wholly in padding: S = 0, y = clamp32(0, lo, hi)', { ...win([1, 1], [1, 1], [1, 1, 1, 1]), countIncludePad: false, mults: [12345, 1 << 30], shift: 30, lo: 5, hi: 127 }, [1, 1, 1, 1], [100], [5, 5, 5, 5, 100, 5, 5, 5, 5]);
  avg('the sum wraps', { ...win([1, 2], [1, 2], [0, 0, 0, 0]), countIncludePad: false, mults: [0, 1 << 30, 1 << 30], shift: 30, ...FULL }, [1, 1, 1, 2], [MAX, 1], [MIN]);
  avg('3 valid taps (1/3 multiplier): sums ±1.5 · 3', { ...win([2, 2], [1, 1], [1, 1, 0, 0]), countIncludePad: false, mults: m22, shift: 30, ...INT8 }, [1, 1, 2, 2], [3, 6, -9, 1]);
}

// ---- channelAffine -------------------------------------------------------------------------------------------------
{
  const ca = (name: string, xDims: number[], x: number[], w: number[], bias: number[], mult: number[], shift: number, lo: number, hi: number, hand?: number[]) => {
    const c = xDims[1];
    add({
      name,
      op: 'channelAffine',
      attrs: { shift, lo, hi },
      inputDims: [xDims, [c], [c], [c]],
      inputs: [i32(x), i32(w), i32(bias), i32(mult)],
      outDims: xDims,
      expected: O.channelAffineRef(xDims, x, w, bias, mult, shift, lo, hi),
      hand,
    });
  };
  ca('ties of both signs per channel (w = ±1, shift 1)', [1, 2, 4], [1, -1, 3, -3, 1, -1, 3, -3], [1, -1], [0, 0], [1, 1], 1, MIN, MAX, [1, 0, 2, -1, 0, 1, -1, 2]);
  ca('x·w + bias wraps; saturation; clamp', [2, 2, 1], [MAX, MIN, -1, 1], [2, -1], [MIN, MIN], [1, MAX], 0, -128, 127, [127, 0, 127, 127]);
  ca('x·w + bias wraps, full range', [2, 2, 1], [MAX, MIN, -1, 1], [2, -1], [MIN, MIN], [1, 1], 0, MIN, MAX, [2147483646, 0, 2147483646, 2147483647]);
}

// ---- softmax ---------------------------------------------------------------------------------------------------
{
  const table4 = [1 << 22, 1 << 21, 1 << 20, 1 << 19];
  const sm = (name: string, dims: number[], axis: number, x: number[], table: number[], mult: number, shift: number, one: number, hand?: number[]) =>
    add({
      name,
      op: 'softmax',
      attrs: { axis, mult, shift, one },
      inputDims: [dims, [table.length]],
      inputs: [i32(x), i32(table)],
      outDims: dims,
      expected: O.softmaxRef(dims, axis, x, table, mult, shift, one),
      hand,
    });
  // Equal logits: y = ⌊(127·T + ⌊n·T/2⌋) / (n·T)⌋ = ⌊127/n + 1/2⌋ with T = table[0].
  sm('equal logits, n = 2: 63.5 rounds to 64', [2], 0, [5, 5], table4, 1 << 30, 30, 127, [64, 64]);
  sm('equal logits INT32_MIN, n = 3', [3], 0, [MIN, MIN, MIN], table4, 1 << 30, 30, 127, [42, 42, 42]);
  sm('equal logits INT32_MAX, n = 4', [4], 0, [MAX, MAX, MAX, MAX], table4, 1 << 30, 30, 127, [32, 32, 32, 32]);
  sm('equal logits, n = 254: 127/254 + 1/2 = 1 exactly', [254], 0, seq(254, () => -3), table4, 1 << 30, 30, 127, seq(254, () => 1));
  sm('equal logits along a strided axis (axis 0 of [2, 3])', [2, 3], 0, [7, -7, 0, 7, -7, 0], table4, 1 << 30, 30, 127, [64, 64, 64, 64, 64, 64]);
  sm('halving table steps: 64, 32, 16, 8, and a difference past the table end', [5], 0, [0, -1, -2, -3, -100], [1024, 512, 256, 128], 1 << 30, 30, 127, [64, 32, 16, 8, 8]);
  sm('INT32_MIN in a row with max 0 clamps to the last table entry', [3], 0, [0, MIN, -1], [1024, 512, 256, 128], 1 << 30, 30, 127);
  sm(
    'differences requantized by 1/2: ties toward +inf (-0.5 → 0, -1.5 → -1, -2.5 → -2)',
    [6],
    0,
    [0, -1, -2, -3, -4, -5],
    [1024, 512, 256, 128],
    1 << 30,
    31,
    127,
    [36, 36, 18, 18, 9, 9],
  );
  // Spec-literal: sub32 wraps, so INT32_MIN - INT32_MAX = 1, clamped to 0: both get table[0].
  sm('INT32_MAX and INT32_MIN in one row (sub32 wraps the difference to 1)', [2], 0, [MAX, MIN], table4, 1 << 30, 30, 127, [64, 64]);
  sm('one row of one element: probability one', [1, 1], 1, [MIN], [1], 1 << 30, 30, 127, [127]);
}

// ---- rmsnorm -----------------------------------------------------------------------------------------------------
{
  const rms = (name: string, attrs: IntAttrs['rmsnorm'], dims: number[], x: number[], mult: number[], hand?: number[]) => {
    const n = O.count(dims.slice(attrs.axis));
    add({ name, op: 'rmsnorm', attrs, inputDims: [dims, [n]], inputs: [i32(x), i32(mult)], outDims: dims, expected: O.rmsnormRef(attrs, dims, x, mult), hand });
  };
  const one = { axis: 1, xmax: 128, eps: 0, shift: 30, ...FULL };
  rms('all-zero rows, eps 0: σ = 0, R = div32(2^30, 0) = 0, y = clamp32(0)', { ...one, lo: 5 }, [2, 3], [0, 0, 0, 0, 0, 0], [MAX, MIN, 1], [5, 5, 5, 5, 5, 5]);
  rms('eps alone (x = 0): y = 0', { ...one, eps: 12345 }, [1, 3], [0, 0, 0], [MAX, MIN, 1 << 30], [0, 0, 0]);
  // N = 1, eps 0: ±1 → P = 1, u = 23, W = 2^28, σ = 2^14, R = 2^16, w = ±2^30 exactly;
  // 127 → P = 16129, t = 6, W = 16129·4^8, σ = 32512, R = 33026, w = 127·2^23·33026/2^15 = 1073741312
  rms('N = 1: x / |x| = ±1 up to R\'s 16 bits', one, [5, 1], [1, -1, 127, -128, MIN], [1 << 30], [1 << 30, -(1 << 30), 1073741312, -(1 << 30), -(1 << 30)]);
  rms('P exactly at the 4^k thresholds: 4, 2^16, 2^30, 2^32, and 2^32 − 1 through eps', { axis: 1, xmax: 32768, eps: 0, shift: 31, lo: -32768, hi: 32767 }, [5, 4],
    [1, 1, 1, 1, 128, 128, 128, 128, 16384, 16384, 16384, 16384, 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32767], [1 << 30, -(1 << 30), MAX, MIN]);
  rms('eps = 2^31 − 1 (both halves full) over ±xmax rows', { axis: 1, xmax: 32768, eps: MAX, shift: 30, ...FULL }, [2, 3], [32768, -32768, MAX, MIN, 0, 5], [1 << 30, 1 << 30, 1 << 30]);
  rms('int32 edges clamp to ±xmax; a requant tie of w·mult; int8 clamp', { axis: 0, xmax: 128, eps: 0, shift: 31, ...INT8 }, [4], [MAX, MIN, 0, 1], [1 << 9, -(1 << 9), 3, MAX]);
  rms('arbitrary attrs: xmax beyond 2^15 (the squares wrap), negative eps, shift 63', { axis: 1, xmax: MAX, eps: -7, shift: 63, ...FULL }, [2, 2], [MAX, MIN, 65536, -3], [MAX, MIN]);
}

// ---- layernorm ---------------------------------------------------------------------------------------------------
{
  const ln = (name: string, attrs: IntAttrs['layernorm'], dims: number[], x: number[], mult: number[], bias: number[], hand?: number[]) => {
    const n = O.count(dims.slice(attrs.axis));
    add({
      name,
      op: 'layernorm',
      attrs,
      inputDims: [dims, [n], [n]],
      inputs: [i32(x), i32(mult), i32(bias)],
      outDims: dims,
      expected: O.layernormRef(attrs, dims, x, mult, bias),
      hand,
    });
  };
  const base = { axis: 1, xmax: 128, sqShift: 0, divShift: 4, eps: 0, shift: 0, lo: -128, hi: 127 };
  ln('constant rows, eps 0: σ = 0, w = div32(0, 0) = 0, y = bias', base, [2, 4], [7, 7, 7, 7, MIN, MIN, MIN, MIN], [1, 1, 1, 1], [-3, 0, 7, 1000], [-3, 0, 7, 127, -3, 0, 7, 127]);
  ln('constant row, eps 5: σ = 2, y = bias', { ...base, eps: 5 }, [1, 4], [MAX, MAX, MAX, MAX], [MAX, MIN, 1, -1], [-3, 0, 7, -1000], [-3, 0, 7, -128]);
  ln('±xmax from INT32 edges: w = ±11, then requant ties 5.5 → 6, -5.5 → -5', { ...base, shift: 1 }, [1, 2], [MAX, MIN], [1, 1], [0, 0], [6, -5]);
  ln(
    'N = 5 (not a power of two), sqShift and eps, per-element signed multipliers',
    { axis: 1, xmax: 128, sqShift: 3, divShift: 10, eps: 77, shift: 12, lo: -128, hi: 127 },
    [2, 5],
    [127, -128, 0, 1, -1, 3, 3, 3, 3, 4],
    [4096, -4096, 8192, 1 << 20, -(1 << 20)],
    [1, -1, 0, 2, -2],
  );
  ln(
    '16-bit words clamped at xmax = 32768, axis 0 (one row)',
    { axis: 0, xmax: 32768, sqShift: 20, divShift: 13, eps: 0, shift: 14, lo: -32768, hi: 32767 },
    [4],
    [MAX, MIN, 32767, -32768],
    [1 << 14, 1 << 14, 1 << 14, 1 << 14],
    [0, 0, 0, 0],
  );
}

// ---- reducemean ----------------------------------------------------------------------------------------------------
{
  const rm = (name: string, dims: number[], axes: number[], keepdims: boolean, x: number[], mult: number, shift: number, lo: number, hi: number, hand?: number[]) => {
    const r = O.reducemeanRef(dims, axes, keepdims, x, mult, shift, lo, hi);
    add({ name, op: 'reducemean', attrs: { axes, keepdims, mult, shift, lo, hi }, inputDims: [dims], inputs: [i32(x)], outDims: r.dims, expected: r.y, hand });
  };
  rm('row means that are exact .5 ties of both signs', [4, 2], [1], false, [1, 2, -1, -2, 0, 1, 0, -1], 1 << 30, 31, MIN, MAX, [2, -1, 1, 0]);
  rm('the sum wraps', [2], [0], true, [MAX, 1], 1, 0, MIN, MAX, [MIN]);
  rm('no axes: a rescale that saturates', [3], [], false, [MAX, MIN, 3], 2, 0, MIN, MAX, [MAX, MIN, 6]);
  rm('no axes: a rescale with ties at the int32 edges', [3], [], true, [MAX, MIN, 3], 1, 1, MIN, MAX, [1073741824, -1073741824, 2]);
  rm('axes [0, 2] of [2, 3, 2], keepdims, 1/4 with ties', [2, 3, 2], [0, 2], true, [1, 1, 0, 0, -1, -1, 2, 0, 0, 1, -1, 0], 1 << 30, 32, -128, 127);
}

// ---- sqrt ----------------------------------------------------------------------------------------------------------
{
  const sq = (name: string, x: number[], mult: number, shift: number, frac: number, lo: number, hi: number, hand?: number[]) =>
    add({ name, op: 'sqrt', attrs: { mult, shift, frac, lo, hi }, inputDims: [[x.length]], inputs: [i32(x)], outDims: [x.length], expected: O.sqrtRef(x, mult, shift, frac, lo, hi), hand });
  sq('negative and zero give 0; INT32_MAX gives 46340', [-5, MIN, 0, 1, 2, 3, 4, 8, MAX], 1, 0, 0, MIN, MAX, [0, 0, 0, 1, 1, 1, 2, 2, 46340]);
  sq('final rshr by frac = 1: ties 0.5, 1.5, 2.5 round up', [1, 9, 25, 16], 1, 0, 1, MIN, MAX, [1, 2, 3, 2]);
  sq('the pre-scale saturates both ways', [2, -2], MAX, 0, 0, -32768, 32767, [32767, 0]);
  sq('perfect squares and their neighbours', [1 << 30, (1 << 30) - 1, 2147395600, 2147395599, MAX - 1], 1, 0, 0, MIN, MAX, [32768, 32767, 46340, 46339, 46340]);
  sq('frac 15 and a halving pre-scale', [MAX, 7, 1 << 20, 3], 1 << 30, 31, 15, MIN, MAX);
}

// ---- transpose, concat, gather ----------------------------------------------------------------------------------------
{
  const x = [MIN, -1, 0, 1, MAX, 7];
  const t = O.transposeRef([2, 1, 3], [2, 0, 1], x);
  add({ name: 'int32 edges move unchanged through [2,1,3] perm [2,0,1]', op: 'transpose', attrs: { perm: [2, 0, 1] }, inputDims: [[2, 1, 3]], inputs: [i32(x)], outDims: t.dims, expected: t.y, hand: [MIN, 1, -1, MAX, 0, 7] });
  const t4 = O.transposeRef([2, 3, 1, 2], [3, 1, 0, 2], seq(12, (i) => (i % 3 === 0 ? MIN : i % 3 === 1 ? MAX : -i)));
  add({ name: 'rank 4 perm [3,1,0,2] with a size-1 axis', op: 'transpose', attrs: { perm: [3, 1, 0, 2] }, inputDims: [[2, 3, 1, 2]], inputs: [i32(seq(12, (i) => (i % 3 === 0 ? MIN : i % 3 === 1 ? MAX : -i)))], outDims: t4.dims, expected: t4.y });

  const cc = (name: string, dims: number[][], axis: number, xs: number[][], mults: number[], shifts: number[], lo: number, hi: number, hand?: number[]) => {
    const r = O.concatRef(dims, axis, xs, mults, shifts, lo, hi);
    add({ name, op: 'concat', attrs: { axis, mults, shifts, lo, hi }, inputDims: dims, inputs: xs.map(i32), outDims: r.dims, expected: r.y, hand });
  };
  cc('identity pairs (2^30, 30) move INT32 edges unchanged', [[1, 2], [1, 3]], 1, [[MIN, MAX], [-1, 0, 1]], [1 << 30, 1 << 30], [30, 30], MIN, MAX, [MIN, MAX, -1, 0, 1]);
  cc('rescale ties of both signs, int8 clamp', [[4], [4]], 0, [[1, -1, 3, -3], [255, -257, MAX, MIN]], [1 << 30, 1], [31, 1], -128, 127, [1, 0, 2, -1, 127, -128, 127, -128]);
  cc('axis 1 with two outer rows and three inputs', [[2, 1], [2, 2], [2, 1]], 1, [[MIN, MAX], [3, -3, 5, -5], [-1, 1]], [1 << 30, 1 << 30, 3], [30, 31, 0], -100, 100);

  const data = seq(8, (i) => (i % 2 === 0 ? 10 * (i >> 1) : MIN + (i >> 1)));
  const idx = [MIN, -7, -5, -4, -1, 0, 3, 4, 7, MAX];
  add({
    name: 'indices INT32_MIN, below -len, -len, -1, len, beyond, INT32_MAX: counted from the end once, then clamped',
    op: 'gather',
    attrs: { axis: 0 },
    inputDims: [[4, 2], [10]],
    inputs: [i32(data), i32(idx)],
    outDims: [10, 2],
    expected: O.gatherRef([4, 2], 0, data, idx),
    hand: [0, 0, 0, 0, 3, 0, 3, 3, 3, 3].flatMap((r) => [data[2 * r], data[2 * r + 1]]),
  });
  const idx2 = [-1, MAX, -2, MIN];
  add({
    name: 'axis 1 of [2, 3, 2] with 2x2 indices',
    op: 'gather',
    attrs: { axis: 1 },
    inputDims: [[2, 3, 2], [2, 2]],
    inputs: [i32(seq(12, (i) => i * 1000 - 5000)), i32(idx2)],
    outDims: [2, 2, 2, 2],
    expected: O.gatherRef([2, 3, 2], 1, seq(12, (i) => i * 1000 - 5000), idx2),
  });
}

// ---- argmax ------------------------------------------------------------------------------------------------------------
{
  const am = (name: string, dims: number[], x: number[], hand?: number[]) => {
    const r = O.argmaxRef(dims, x);
    add({ name, op: 'argmax', attrs: {}, inputDims: [dims], inputs: [i32(x)], outDims: r.dims, expected: r.y, hand });
  };
  am(
    'ties at the first, middle and last positions: the lowest index wins',
    [5, 5],
    [7, 7, 3, 7, 1, 1, 9, 2, 9, 9, 0, -1, 5, 2, 5, -3, -3, -3, -3, 4, 1, 2, 3, 8, 8],
    [0, 1, 2, 4, 3],
  );
  am('all-equal rows (0, INT32_MIN, INT32_MAX, -1): index 0', [4, 6], [...seq(6, () => 0), ...seq(6, () => MIN), ...seq(6, () => MAX), ...seq(6, () => -1)], [0, 0, 0, 0]);
  // An unsigned compare would pick INT32_MIN over INT32_MAX and -1 over 1.
  am('INT32_MIN / INT32_MAX words compare signed', [5, 4], [MIN, MAX, MAX, MIN, MAX, MIN, MIN, MIN, MIN, MIN, MIN, MIN + 1, -1, 1, 0, -2, MIN, -1, MIN, MAX - 1], [1, 0, 3, 1, 3]);
  am('V = 1: every row gives 0', [6, 1], [MIN, MAX, 0, -1, 5, MIN], [0, 0, 0, 0, 0, 0]);
  am('[1, 1, 1] → [1, 1]', [1, 1, 1], [MIN], [0]);
  am('rank 1: [V] → [1]', [7], [-5, 3, MIN, 3, 2, -1, MAX - 1], [6]);
  am('rank 1, V = 1', [1], [MAX], [0]);
  am('[1, 1, V] → [1, 1] (a decode step\'s logits)', [1, 1, 9], [-128, 5, 127, 0, 127, -7, 3, 126, 127], [2]);
  am('rank 3 [2, 3, 4] → [2, 3]', [2, 3, 4], seq(24, (i) => ((i * 37) % 11) - 5));
  // The lowering unrolls rows in blocks of 64 words: maxima and ties on either side of the block edges.
  const row = (v: number, at: number[], top = 100) => seq(v, (i) => (at.includes(i) ? top : (i * 13) % 50));
  am('V = 64: the maximum at the last word of the only block', [64], row(64, [63]), [63]);
  am('V = 65: the maximum in the remainder after one block', [2, 65], [...row(65, [64]), ...row(65, [63, 64])], [64, 63]);
  am('V = 130: ties across blocks keep the first (10 and 100; 129 alone; 64 and 128)', [3, 130], [...row(130, [10, 100]), ...row(130, [129]), ...row(130, [64, 128], MIN + 1).map((w, i) => ([64, 128].includes(i) ? MAX : w))], [10, 129, 64]);
  am('many rows: 70 rows of 3', [70, 3], seq(210, (i) => ((i * 7919) % 5) - 2));
  am('many rows of INT32 edges: 40 × 2', [40, 2], seq(80, (i) => [MIN, MAX, -1, 0, 1][(i * 3) % 5]));
}

export const DIRECTED_CASES: readonly DirectedCase[] = cases;
