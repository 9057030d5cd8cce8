/**
 * The fast CPU kernels (models/int/kernels/fast.ts) against the references (each kernel's `execute`), word for
 * word: the random cases of cases.ts for every op, the same with edge words (±2^31, int8 limits, 0, ±1) mixed
 * in, the same again with their attrs perturbed (every shift 0..63, multipliers at the int32 edges, powers of
 * two, negative and non-trivial, clamps with lo > hi or the full int32 range), the requant loops of
 * fastCommon.ts on every shift, directed binary broadcast patterns and pool geometries, directed matmul/conv2d
 * shapes (K = 1, odd sizes, sizes off the 4×4 block, large K, batched weights), and every node of every zoo
 * model end to end (executeGraph with fast kernels vs with the references), plus the executor's hooks.
 */
import { describe, expect, it } from 'vitest';
import { executeGraph, executeNode, runGraph } from '../../../models/int/execute.ts';
import type { IntGraph, IntOp } from '../../../models/int/graph.ts';
import { FAST_KERNELS, FAST_PLANNERS, rq, runFast } from '../../../models/int/kernels/fast.ts';
import { requantClampInto, requantInto, shiftOf } from '../../../models/int/kernels/fastCommon.ts';
import { fusedBinaryLoop, type FusedLoop } from '../../../models/int/kernels/fastElementwise.ts';
import { INT_KERNELS } from '../../../models/int/kernels/index.ts';
import { requant } from '../../../vm/numerics.ts';
import { kernelOf } from '../../../models/int/kernels/index.ts';
import { prepareModel } from '../../../models/prepare.ts';
import { quantizeInput } from '../../../models/quantize/quantize.ts';
import { ZOO } from '../../../models/zoo/index.ts';
import { Rng } from '../../support/rng.ts';
import { KERNEL_CASES } from './cases.ts';

const EDGE = [-2147483648, 2147483647, -2147483647, -128, 127, -127, 0, 1, -1, 32767, -32768];

function compare<K extends IntOp>(op: K, attrs: unknown, inputDims: number[][], inputs: Int32Array[], label: string): void {
  const kernel = kernelOf(op);
  const outDims = kernel.outputDims(attrs as never, inputDims);
  const call = { attrs: attrs as never, inputDims, outDims };
  const expected = kernel.execute(call, inputs);
  const got = runFast(op, call, inputs)!;
  expect(got, `${op}: no fast kernel`).toBeDefined();
  if (got.length !== expected.length || got.some((v, i) => v !== expected[i])) {
    const i = got.findIndex((v, j) => v !== expected[j]);
    expect.fail(`${label}: word ${i} fast ${got[i]} reference ${expected[i]} (dims ${JSON.stringify(inputDims)} attrs ${JSON.stringify(attrs)})`);
  }
}

const withEdges = (rng: Rng, w: Int32Array, p: number): Int32Array => w.map((v) => (rng.int(0, 999) < p * 1000 ? rng.pick(EDGE) : v));

/** Multipliers to try: int32 edges, powers of two (the shift path), negative, small and non-trivial ones. */
const MULTS = [0, 1, -1, 2, 3, -3, 2 ** 7, 2 ** 14, 2 ** 21, 2 ** 21 + 1, -(2 ** 21), 2 ** 29, 2 ** 30, -(2 ** 30), 2 ** 30 + 1, 2147483647, -2147483648, 1815288066, -1541608998];
const CLAMPS: [number, number][] = [[-128, 127], [0, 127], [-32768, 32767], [-2147483648, 2147483647], [5, -5], [0, 0], [-2147483648, 0], [1, 2147483647]];
const multOf = (rng: Rng): number => (rng.int(0, 3) === 0 ? rng.int32() : rng.pick(MULTS));
const shiftOfRng = (rng: Rng): number => (rng.int(0, 2) === 0 ? rng.pick([0, 1, 16, 17, 30, 31, 32, 33, 44, 52, 53, 62, 63]) : rng.int(0, 63));

/**
 * The attrs of a case with every shift, multiplier and clamp replaced by a random one (matmul and conv2d, the
 * products, have their own directed tests below). Shapes stay as the case made them.
 */
function perturb(op: IntOp, attrs: Record<string, unknown>, rng: Rng): Record<string, unknown> {
  const a: Record<string, unknown> = { ...attrs };
  const [lo, hi] = rng.pick(CLAMPS);
  if ('lo' in a) Object.assign(a, { lo, hi });
  if (op === 'binary') Object.assign(a, { multA: multOf(rng), shiftA: shiftOfRng(rng), multB: multOf(rng), shiftB: shiftOfRng(rng), multOut: multOf(rng), shiftOut: shiftOfRng(rng) });
  if (op === 'reducemean' || op === 'softmax') Object.assign(a, { mult: multOf(rng), shift: shiftOfRng(rng) });
  if (op === 'softmax') a.one = rng.pick([...EDGE, 127, 32767]);
  if (op === 'sqrt') Object.assign(a, { mult: multOf(rng), shift: shiftOfRng(rng), frac: shiftOfRng(rng) });
  if (op === 'channelAffine' || op === 'avgpool2d') a.shift = shiftOfRng(rng);
  if (op === 'avgpool2d') a.mults = (a.mults as number[]).map(() => multOf(rng));
  if (op === 'concat') Object.assign(a, { mults: (a.mults as number[]).map(() => multOf(rng)), shifts: (a.shifts as number[]).map(() => shiftOfRng(rng)) });
  if (op === 'layernorm') {
    Object.assign(a, { xmax: rng.pick([0, 1, 128, 32768, 2 ** 20, 2147483647]), sqShift: shiftOfRng(rng), divShift: rng.int(0, 40), eps: rng.pick([...EDGE, 229]), shift: shiftOfRng(rng) });
  }
  if (op === 'rmsnorm') {
    Object.assign(a, { xmax: rng.pick([-5, 0, 1, 128, 32768, 2 ** 20, 2147483647]), eps: rng.pick([...EDGE, 229]), shift: shiftOfRng(rng) });
  }
  return a;
}

/** Ops whose fast kernel is a planner of this module's (all but the products). */
const PLANNED = (Object.keys(FAST_PLANNERS) as IntOp[]).filter((op) => op !== 'matmul' && op !== 'conv2d');

describe('fast kernels equal the references word for word', () => {
  it('rq (the fast epilogue requant) equals requant: every shift, edge and random int32 operands', () => {
    const rng = new Rng(99);
    const vals = [...EDGE, 2 ** 30, -(2 ** 30), 2 ** 21, 2 ** 21 + 1, 65535, 65536, -65536, -65537, 3, -3];
    for (let s = 0; s < 64; s++) {
      for (const v of vals) for (const m of vals) if (rq(v, m, s) !== requant(v, m, s)) expect.fail(`rq(${v}, ${m}, ${s}) = ${rq(v, m, s)}, requant ${requant(v, m, s)}`);
      for (let c = 0; c < 3000; c++) {
        const v = rng.int32();
        const m = rng.int32();
        if (rq(v, m, s) !== requant(v, m, s)) expect.fail(`rq(${v}, ${m}, ${s}) = ${rq(v, m, s)}, requant ${requant(v, m, s)}`);
      }
    }
  });

  it('every op has a fast kernel', () => {
    expect(Object.keys(FAST_KERNELS).sort()).toEqual(Object.keys(INT_KERNELS).sort());
  });

  it('requantInto / requantClampInto equal requant (and clamp32) on every shift, multiplier kind and edge word', () => {
    const rng = new Rng(123);
    const src = Int32Array.from([...EDGE, 2 ** 30, -(2 ** 30), 8191, 8192, -8192, -8193, 3, -3, ...Array.from({ length: 40 }, () => rng.int32())]);
    const n = src.length;
    const mults = [...MULTS, ...Array.from({ length: 31 }, (_, k) => 2 ** k), ...Array.from({ length: 6 }, () => rng.int32())];
    const dst = new Int32Array(n + 4);
    for (let s = 0; s < 64; s++) {
      for (const m of mults) {
        requantInto(src, 0, dst, 2, n, m, s);
        for (let i = 0; i < n; i++) if (dst[2 + i] !== requant(src[i], m, s)) expect.fail(`requantInto(${src[i]}, ${m}, ${s}) = ${dst[2 + i]}, requant ${requant(src[i], m, s)}`);
        const [lo, hi] = rng.pick(CLAMPS);
        requantClampInto(src, 0, dst, 1, n, m, s, lo, hi);
        for (let i = 0; i < n; i++) {
          const want = Math.min(Math.max(requant(src[i], m, s), lo), hi);
          if (dst[1 + i] !== want) expect.fail(`requantClampInto(${src[i]}, ${m}, ${s}, ${lo}, ${hi}) = ${dst[1 + i]}, reference ${want}`);
        }
      }
    }
    // in place, and the shift path's classification
    const inPlace = Int32Array.from(src);
    requantInto(inPlace, 0, inPlace, 0, n, 2 ** 30, 44);
    expect(Array.from(inPlace)).toEqual(Array.from(src, (v) => requant(v, 2 ** 30, 44)));
    expect([shiftOf(1, 0), shiftOf(2 ** 30, 30), shiftOf(2 ** 30, 44), shiftOf(2 ** 30, 29), shiftOf(3, 5), shiftOf(-4, 5), shiftOf(0, 3)]).toEqual([0, 0, 14, -1, -1, -1, -1]);
  });

  for (const op of PLANNED) {
    it(`${op}: random cases with perturbed attrs (shifts 0..63, edge multipliers, odd clamps) and edge words`, () => {
      const gen = KERNEL_CASES[op] as (rng: Rng) => ReturnType<(typeof KERNEL_CASES)[IntOp]>;
      const rng = new Rng(777 + op.charCodeAt(1) * 17 + op.length);
      for (let c = 0; c < 150; c++) {
        const kc = gen(rng);
        const attrs = perturb(op, kc.attrs as Record<string, unknown>, rng);
        compare(op, attrs, kc.inputDims, kc.inputs, `${op} perturbed case ${c}`);
        compare(op, attrs, kc.inputDims, kc.inputs.map((w) => withEdges(rng, w, 0.3)), `${op} perturbed case ${c} with edges`);
      }
    });
  }

  it('binary: every broadcast pattern, op and rescale kind, with edge words and zero divisors', () => {
    const rng = new Rng(31);
    const patterns: [number[], number[]][] = [
      [[1, 16, 32], [1, 16, 32]], [[1, 16, 32], [16, 32]], [[1, 16, 32], []], [[], [1, 16, 32]], [[1, 16, 32], [1]],
      [[1, 16, 32], [1, 16, 1]], [[1, 16, 1], [1, 16, 32]], [[1, 16, 32], [32]], [[32], [1, 16, 32]], [[4, 1], [1, 5]],
      [[2, 1, 3], [1, 4, 1]], [[3, 1, 2, 1], [1, 2, 1, 2]], [[], []], [[1], [1]], [[5, 1, 1], [1, 1, 7]], [[2, 3, 0], [3, 1]],
      [[0], []], [[1, 2, 16, 16], [16, 16]], [[2, 2, 2, 2, 2], [2, 1, 2, 1, 2]],
    ];
    const rescales: [number, number][] = [[1, 0], [2 ** 30, 30], [2 ** 30, 44], [2 ** 30, 63], [1, 63], [4, 1], [1815288066, 9], [-1815288066, 17], [2147483647, 0], [-2147483648, 63], [3, 52], [3, 53], [0, 5]];
    for (const [aDims, bDims] of patterns) {
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        for (let trial = 0; trial < 8; trial++) {
          const [multA, shiftA] = rng.pick(rescales);
          const [multB, shiftB] = rng.pick(rescales);
          const [multOut, shiftOut] = rng.pick(rescales);
          const [lo, hi] = rng.pick(CLAMPS);
          const len = (d: number[]) => d.reduce((x, y) => x * y, 1);
          const a = trial < 4 ? int32(rng, len(aDims)) : Int32Array.from({ length: len(aDims) }, () => rng.pick(EDGE));
          const b = Int32Array.from({ length: len(bDims) }, () => (rng.int(0, 3) === 0 ? 0 : trial < 4 ? rng.int32() : rng.pick(EDGE)));
          const attrs = { op, multA, shiftA, multB, shiftB, multOut, shiftOut, lo, hi };
          compare('binary', attrs, [aDims, bDims], [a, b], `binary ${op} [${aDims}] ⊙ [${bDims}] trial ${trial}`);
        }
      }
    }
  });

  /** Words around requant's 2^52 product threshold for multiplier m (|v·m| just below and at/above 2^52), with the int32 edges. */
  const thresholdWords = (m: number): number[] => {
    const out = [...EDGE, 2 ** 30, -(2 ** 30), 65535, 65536, -65536, -65537];
    if (m !== 0) {
      const k = Math.floor((2 ** 52 - 1) / Math.abs(m));
      for (const v of [k, k + 1, k - 1, k + 2]) if (v <= 2147483647) out.push(v, -v);
    }
    return out;
  };

  /**
   * int32 words v whose product with an odd m lies next to a rounding boundary of requant's shift s
   * (v·m ≡ 2^(s−1) − 1 + δ mod 2^s, δ in −2..1), the largest such |v| of each sign: where a product beyond
   * 2^52, rounded to a double, would land on the wrong side of ⌊(v·m + 2^(s−1)) / 2^s⌋.
   */
  const boundaryWords = (m: number, s: number): number[] => {
    if (s === 0 || m % 2 === 0) return [];
    const M = 1n << BigInt(s);
    const mb = ((BigInt(m) % M) + M) % M;
    let inv = mb;
    for (let k = 0; k < 7; k++) inv = (inv * (2n - mb * inv)) % M; // Newton: m·inv ≡ 1 mod 2^s
    inv = ((inv % M) + M) % M;
    const out: number[] = [];
    const am = BigInt(Math.abs(m));
    // the smallest |v·m| of the class at or above 2^52, 2^53, 2^54 and 2^(30+s) (products that round, results
    // below 2^31 in magnitude), and the class's largest int32 words of each sign
    const floors = [52n, 53n, 54n, BigInt(30 + s)].map((e) => ((1n << e) + am - 1n) / am);
    for (const d of [-2n, -1n, 0n, 1n]) {
      const v0 = ((((M >> 1n) - 1n + d) % M + M) % M * inv) % M;
      const cands = [v0 + ((2147483647n - v0) / M) * M, v0 - ((v0 + 2147483648n) / M) * M];
      for (const f of floors) cands.push(v0 + ((f - v0 + M - 1n) / M) * M, v0 - ((v0 + f + M - 1n) / M) * M);
      for (const v of cands) if (v >= -2147483648n && v <= 2147483647n && v !== 0n) out.push(Number(v));
    }
    return out;
  };

  it('requant near its rounding boundaries with products beyond 2^52: fused binary operand and output, layernorm output', () => {
    const rng = new Rng(161);
    const mults = [2147483647, -2147483647, 1815288066 + 1, -1541608998 + 1, 1082163459, 2 ** 21 + 1, 3, -3, 65537];
    for (let s = 1; s < 64; s++) {
      for (const m of mults) {
        const w = boundaryWords(m, s);
        if (w.length === 0) continue;
        const v = Int32Array.from(w);
        const k = v.length;
        const full: [number, number] = [-2147483648, 2147483647];
        // operand inline (addSubInlineShift), output of mulRq (t = v·1), both operands inline (addSubBothShift)
        compare('binary', { op: 'add', multA: m, shiftA: s, multB: 1, shiftB: 0, multOut: 2 ** 30, shiftOut: 30, lo: full[0], hi: full[1] }, [[k], [k]], [v, new Int32Array(k)], `boundary add m ${m} s ${s}`);
        compare('binary', { op: 'mul', multA: 1, shiftA: 0, multB: 1, shiftB: 0, multOut: m, shiftOut: s, lo: full[0], hi: full[1] }, [[k], []], [v, Int32Array.of(1)], `boundary mul m ${m} s ${s}`);
        compare('binary', { op: 'sub', multA: m, shiftA: s, multB: m, shiftB: s, multOut: 1, shiftOut: 0, lo: full[0], hi: full[1] }, [[k], [k]], [v, v.map(() => rng.pick(w))], `boundary sub m ${m} s ${s}`);
        // layernorm rows [w, 0]: S = w, d = (w, -w) (wrapping), V ≈ 0 for sqShift 63, σ = isqrt(eps) = 1, so
        // y_0 = requant(w, mult[0], shift) (no clamp, bias 0)
        const rows = w.length;
        const x = new Int32Array(2 * rows);
        w.forEach((wv, r) => (x[2 * r] = wv));
        compare('layernorm', { axis: 1, xmax: 2147483647, sqShift: 63, divShift: 0, eps: 1, shift: s, lo: full[0], hi: full[1] }, [[rows, 2], [2], [2]], [x, Int32Array.of(m, m), new Int32Array(2)], `boundary layernorm m ${m} s ${s}`);
      }
    }
  });

  it('binary fused loops: every shift 0..63 of inline operands and outputs, edge and threshold multipliers and words', () => {
    const rng = new Rng(2718);
    const seen = new Set<FusedLoop | undefined>();
    // [a dims, b dims]: same shape, row broadcast of b or a, column broadcast, scalars
    const patterns: [number[], number[]][] = [[[2, 3, 8], [2, 3, 8]], [[2, 3, 8], [3, 8]], [[3, 8], [2, 3, 8]], [[2, 3, 8], [2, 3, 1]], [[2, 3, 1], [2, 3, 8]], [[2, 3, 8], []], [[], [2, 3, 8]], [[2, 1, 8], [1, 3, 1]]];
    const mults = [-2147483648, 2147483647, 0, 1, -1, 3, -3, 2 ** 21 - 1, 2 ** 21, 2 ** 21 + 1, 2 ** 30, -(2 ** 30), 65535, 65536, -65537, 1815288066, -1541608998, 1073774585, 1082163458];
    const len = (d: number[]) => d.reduce((x, y) => x * y, 1);
    const words = (n: number, m: number) => {
      const pool = thresholdWords(m);
      return Int32Array.from({ length: n }, (_, i) => (i < pool.length && rng.int(0, 1) === 0 ? pool[i] : rng.int(0, 2) === 0 ? rng.int32() : rng.pick(pool)));
    };
    for (let s = 0; s < 64; s++) {
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        for (const [aDims, bDims] of patterns) {
          for (let trial = 0; trial < 3; trial++) {
            const multA = rng.pick(mults);
            const multB = rng.pick(mults);
            // the output: a power of two with j = s - 30 (j in [0, 33]), or a general multiplier at shift s
            const powOut = trial !== 1;
            const multOut = powOut ? rng.pick([2 ** 30, 1, 2 ** 7]) : rng.pick([...mults, rng.int32()]);
            const shiftOut = powOut ? (multOut === 2 ** 30 ? Math.max(s, 30) : multOut === 1 ? s : Math.max(s, 7)) : s;
            const shiftA = trial === 2 ? rng.int(0, 63) : s;
            const shiftB = trial === 0 ? rng.int(0, 63) : s;
            const [lo, hi] = rng.pick(CLAMPS);
            const attrs = { op, multA, shiftA, multB, shiftB, multOut, shiftOut, lo, hi };
            const a = words(len(aDims), multA);
            const b = op === 'div' ? words(len(bDims), multB).map((v) => (rng.int(0, 4) === 0 ? 0 : v)) : words(len(bDims), multB);
            const inputDims = [aDims, bDims];
            seen.add(fusedBinaryLoop({ attrs, inputDims, outDims: kernelOf('binary').outputDims(attrs, inputDims) }));
            compare('binary', attrs, inputDims, [a, b], `binary fused ${op} [${aDims}] ⊙ [${bDims}] shift ${s} trial ${trial}`);
          }
        }
      }
    }
    expect([...seen].sort()).toEqual(['addSubBothShift', 'addSubInlineShift', 'divInlineShift', 'mulRq', undefined]);
  });

  it('binary fused loops: the transformer patterns pick the fused loops, and out-of-int32 clamps or multipliers do not', () => {
    const call = (attrs: Record<string, unknown>, inputDims: number[][]) => ({ attrs: attrs as never, inputDims, outDims: kernelOf('binary').outputDims(attrs as never, inputDims) });
    const base = { multA: 1815288066, shiftA: 9, multB: 1, shiftB: 0, multOut: 2 ** 30, shiftOut: 44, lo: -32768, hi: 32767 };
    expect(fusedBinaryLoop(call({ ...base, op: 'add' }, [[1, 16, 32], [16, 32]]))).toBe('addSubInlineShift');
    expect(fusedBinaryLoop(call({ ...base, op: 'sub', multB: 1846459990, shiftB: 21 }, [[1, 16, 32], [1, 16, 1]]))).toBe('addSubInlineShift');
    expect(fusedBinaryLoop(call({ ...base, op: 'add', multB: 1527117643, shiftB: 9 }, [[1, 16, 32], [1, 16, 32]]))).toBe('addSubBothShift');
    expect(fusedBinaryLoop(call({ ...base, op: 'mul', multA: 1, shiftA: 0, multOut: 1082163458, shiftOut: 22 }, [[1, 2, 16, 16], []]))).toBe('mulRq');
    expect(fusedBinaryLoop(call({ ...base, op: 'div', shiftOut: 30 }, [[1, 16, 32], [1, 16, 1]]))).toBe('divInlineShift');
    // not fused: a clamp bound or an output multiplier outside int32, both operands broadcast, identity operands only
    expect(fusedBinaryLoop(call({ ...base, op: 'add', hi: 2 ** 40 }, [[1, 16, 32], [16, 32]]))).toBeUndefined();
    expect(fusedBinaryLoop(call({ ...base, op: 'mul', multOut: 2 ** 31, shiftOut: 40 }, [[4], [4]]))).toBeUndefined();
    expect(fusedBinaryLoop(call({ ...base, op: 'add' }, [[4, 1], [1, 5]]))).toBeUndefined();
    expect(fusedBinaryLoop(call({ ...base, op: 'add', multA: 1, shiftA: 0 }, [[4], [4]]))).toBeUndefined();
    // and those give the reference's words too, with clamps beyond int32
    const rng = new Rng(5);
    for (const [lo, hi] of [[-(2 ** 40), 2 ** 40], [-5, 2 ** 33], [-(2 ** 35), 7]]) {
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const attrs = { ...base, op, multOut: rng.pick([2 ** 30, 1082163458, -3]), shiftOut: rng.int(0, 63), lo, hi };
        compare('binary', attrs, [[2, 3, 8], [3, 8]], [int32(rng, 48), Int32Array.from({ length: 24 }, () => rng.pick(EDGE))], `binary wide clamp ${op} ${lo} ${hi}`);
      }
    }
  });

  it('layernorm: every sqShift and shift 0..63 with edge and threshold multipliers, wrapping rows, every divShift', () => {
    const rng = new Rng(1618);
    const n = 8;
    for (let s = 0; s < 64; s++) {
      for (let trial = 0; trial < 6; trial++) {
        const rows = 3;
        const xmax = rng.pick([2147483647, 32768, 2 ** 20, 128, 0, 1]);
        const x = Int32Array.from({ length: rows * n }, (_, i) => (i < n ? rng.pick(EDGE) : trial % 2 === 0 ? rng.int32() : rng.int(-40000, 40000)));
        if (trial === 3) x.fill(rng.pick(EDGE), n, 2 * n); // a constant row: σ from eps alone
        const mult = Int32Array.from({ length: n }, (_, i) => (i < 4 ? rng.pick([-2147483648, 2147483647, 0, 1, -1, 2 ** 21, 2 ** 21 + 1]) : rng.pick([rng.int32(), 1203149414, 1946143820, -(2 ** 30)])));
        const bias = Int32Array.from({ length: n }, () => (rng.int(0, 2) === 0 ? rng.pick(EDGE) : rng.int(-8, 8)));
        const attrs = { axis: 1, xmax, sqShift: trial < 3 ? s : rng.int(0, 63), divShift: trial === 5 ? rng.int(0, 40) : rng.int(0, 31), eps: rng.pick([0, 1, 229, -1, 2147483647, -2147483648]), shift: trial < 3 ? rng.int(0, 63) : s, lo: rng.pick([-128, -2147483648, 5]), hi: rng.pick([127, 2147483647, -5]) };
        compare('layernorm', attrs, [[rows, n], [n], [n]], [x, mult, bias], `layernorm shift ${s} trial ${trial}`);
      }
    }
  });

  it('pools: 2×2 windows (full and padded), dilations, strides, windows wholly in padding, edge words and attrs', () => {
    const rng = new Rng(55);
    const geos = [
      { x: [1, 8, 28, 28], kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dil: [1, 1] },
      { x: [2, 3, 7, 9], kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dil: [1, 1] },
      { x: [1, 2, 6, 6], kernel: [2, 2], strides: [1, 1], pads: [0, 0, 0, 0], dil: [2, 2] },
      { x: [1, 2, 5, 5], kernel: [2, 2], strides: [3, 2], pads: [1, 0, 1, 1], dil: [1, 1] },
      { x: [1, 1, 3, 3], kernel: [3, 3], strides: [1, 1], pads: [2, 2, 2, 2], dil: [1, 1] },
      { x: [1, 2, 4, 5], kernel: [3, 1], strides: [1, 2], pads: [0, 2, 1, 0], dil: [2, 1] },
      { x: [1, 1, 1, 1], kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
    ];
    for (const g of geos) {
      for (let trial = 0; trial < 6; trial++) {
        const words = g.x.reduce((a, b) => a * b, 1);
        const x = trial < 3 ? int32(rng, words) : Int32Array.from({ length: words }, () => rng.pick(EDGE));
        const win = { kernel: g.kernel, strides: g.strides, pads: g.pads, dilations: g.dil };
        const [lo, hi] = rng.pick(CLAMPS);
        compare('maxpool2d', { ...win, lo, hi }, [g.x], [x], `maxpool ${JSON.stringify(g)} trial ${trial}`);
        const mults = Array.from({ length: g.kernel[0] * g.kernel[1] + 1 }, () => multOf(rng));
        compare('avgpool2d', { ...win, countIncludePad: trial % 2 === 0, mults, shift: shiftOfRng(rng), lo, hi }, [g.x], [x], `avgpool ${JSON.stringify(g)} trial ${trial}`);
      }
    }
  });
  for (const op of Object.keys(FAST_KERNELS) as IntOp[]) {
    it(`${op}: random cases, plain and with edge words`, () => {
      const gen = KERNEL_CASES[op] as (rng: Rng) => ReturnType<(typeof KERNEL_CASES)[IntOp]>;
      const rng = new Rng(4242 + op.charCodeAt(0) * 31 + op.length);
      for (let c = 0; c < 120; c++) {
        const kc = gen(rng);
        compare(op, kc.attrs, kc.inputDims, kc.inputs, `${op} case ${c}`);
        compare(op, kc.attrs, kc.inputDims, kc.inputs.map((w) => withEdges(rng, w, 0.2)), `${op} case ${c} with edges`);
        compare(op, kc.attrs, kc.inputDims, kc.inputs.map((w) => withEdges(rng, w, 1)), `${op} case ${c} all edges`);
        // mostly-zero first input (conv2d's scatter path, matmul's zero skipping), with edge words among the rest
        const sparse = kc.inputs.map((w, i) => (i === 0 ? withEdges(rng, w, 0.3).map((v) => (rng.int(0, 9) < 8 ? 0 : v)) : w));
        compare(op, kc.attrs, kc.inputDims, sparse, `${op} case ${c} sparse`);
      }
    });
  }

  const int8 = (rng: Rng, n: number) => Int32Array.from({ length: n }, () => rng.int(-128, 127));
  const int32 = (rng: Rng, n: number) => Int32Array.from({ length: n }, () => rng.int32());

  it('matmul: directed shapes (K = 1, odd, off-block, large K, batched w), shifts 0..63, extreme words', () => {
    const rng = new Rng(7);
    const shapes: [number, number, number, number, boolean][] = [
      // batch, m, k, n, batched w
      [1, 1, 1, 1, false], [1, 1, 784, 64, false], [1, 3, 1, 5, false], [1, 4, 4, 4, false], [1, 5, 7, 9, false],
      [1, 8, 3, 8, false], [1, 16, 32, 32, false], [2, 16, 16, 16, true], [3, 5, 6, 7, true], [1, 7, 4096, 3, false],
      [1, 2, 3000, 10, false], [2, 9, 13, 6, false], [1, 1, 5, 130, false], [4, 1, 1, 1, true],
    ];
    for (const [batch, m, k, n, batchedW] of shapes) {
      for (let trial = 0; trial < 6; trial++) {
        const wide = trial >= 3; // int32 operands: products and sums wrap
        const x = wide ? int32(rng, batch * m * k) : int8(rng, batch * m * k);
        const wLen = (batchedW ? batch : 1) * k * n;
        const w = wide ? int32(rng, wLen) : int8(rng, wLen);
        const bias = trial % 2 === 0 ? int32(rng, n) : Int32Array.from({ length: n }, () => rng.int(-1000, 1000));
        const mult = Int32Array.from({ length: n }, () => rng.pick([rng.int(2 ** 30, 2 ** 31 - 1), rng.int32(), -2147483648, 2147483647, 0, 1, -1]));
        const shift = trial === 0 ? 0 : rng.int(0, 63);
        const [lo, hi] = rng.pick([[-128, 127], [0, 127], [-2147483648, 2147483647], [5, -5], [0, 0]]);
        const xDims = batch === 1 ? [m, k] : [batch, m, k];
        const wDims = batchedW ? [batch, k, n] : [k, n];
        compare('matmul', { shift, lo, hi }, [xDims, wDims, [n], [n]], [x, w, bias, mult], `matmul ${batch}×${m}×${k}×${n} trial ${trial}`);
        if (trial === 5) {
          const ex = x.map(() => rng.pick(EDGE));
          const ew = w.map(() => rng.pick(EDGE));
          compare('matmul', { shift, lo, hi }, [xDims, wDims, [n], [n]], [ex, ew, bias.map(() => rng.pick(EDGE)), mult], `matmul edges ${batch}×${m}×${k}×${n}`);
        }
      }
    }
    // every shift with extreme multipliers and accumulators: requant's fast path boundary (|p| = 2^52, s = 53)
    for (let shift = 0; shift < 64; shift++) {
      const n = EDGE.length;
      const x = Int32Array.from([1]);
      const w = Int32Array.from(EDGE);
      const bias = Int32Array.from(EDGE, (v) => v >> 1);
      for (const mv of [-2147483648, 2147483647, 2 ** 30, 2 ** 21, 2 ** 21 + 1, -(2 ** 21), 3, 0]) {
        compare('matmul', { shift, lo: -2147483648, hi: 2147483647 }, [[1, 1], [1, n], [n], [n]], [x, w, bias, new Int32Array(n).fill(mv)], `matmul shift ${shift} mult ${mv}`);
      }
    }
  });

  it('conv2d: directed geometries and extreme words', () => {
    const rng = new Rng(11);
    const cases: { x: number[]; m: number; group: number; kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number]; dil: [number, number] }[] = [
      { x: [1, 1, 28, 28], m: 8, group: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
      { x: [1, 8, 14, 14], m: 16, group: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
      { x: [2, 6, 9, 7], m: 6, group: 6, kernel: [3, 2], strides: [2, 1], pads: [2, 0, 1, 2], dil: [1, 2] },
      { x: [1, 4, 5, 5], m: 6, group: 2, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
      { x: [1, 3, 3, 3], m: 5, group: 1, kernel: [3, 3], strides: [2, 2], pads: [2, 2, 2, 2], dil: [2, 2] },
      { x: [1, 2, 1, 1], m: 3, group: 1, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
    ];
    for (const c of cases) {
      for (let trial = 0; trial < 6; trial++) {
        const cg = c.x[1] / c.group;
        const wDims = [c.m, cg, ...c.kernel];
        const xLen = c.x.reduce((a, b) => a * b);
        const wLen = wDims.reduce((a, b) => a * b);
        const edge = trial === 3;
        const dense = edge ? Int32Array.from({ length: xLen }, () => rng.pick(EDGE)) : trial === 2 ? int32(rng, xLen) : int8(rng, xLen);
        // trials 4, 5: mostly zeros (the scatter path), int8 and edge words
        const x = trial >= 4 ? dense.map((v) => (rng.int(0, 9) < 8 ? 0 : trial === 5 ? rng.pick(EDGE) : v)) : dense;
        const w = edge ? Int32Array.from({ length: wLen }, () => rng.pick(EDGE)) : trial === 2 ? int32(rng, wLen) : int8(rng, wLen);
        const bias = int32(rng, c.m);
        const mult = Int32Array.from({ length: c.m }, () => rng.pick([rng.int(2 ** 30, 2 ** 31 - 1), rng.int32(), -2147483648, 2147483647]));
        const attrs = { kernel: c.kernel, strides: c.strides, pads: c.pads, dilations: c.dil, group: c.group, shift: rng.int(0, 63), lo: rng.pick([-128, 0, -2147483648]), hi: rng.pick([127, 2147483647]) };
        compare('conv2d', attrs, [c.x, wDims, [c.m], [c.m]], [x, w, bias, mult], `conv2d ${JSON.stringify(c)} trial ${trial}`);
      }
    }
  });
});

describe('executeGraph with fast kernels equals the references on every zoo model node', () => {
  for (const zoo of ZOO) {
    it(zoo.name, () => {
      const { int } = prepareModel(zoo.name);
      const info = int.tensors[int.inputs[0]];
      for (const sample of zoo.samples(3)) {
        const words = [quantizeInput(sample.feeds[zoo.inputName].data, info.scale, info.integer === true)];
        const ref: Int32Array[] = [];
        executeGraph(int, words, (_i, out) => ref.push(out), undefined, 'reference');
        const fast: Int32Array[] = [];
        const run = executeGraph(int, words, (_i, out) => fast.push(out));
        expect(fast.length).toBe(int.nodes.length);
        fast.forEach((out, i) => expect(Array.from(out), `${zoo.name} node ${i} (${int.nodes[i].op})`).toEqual(Array.from(ref[i])));
        const refRun = executeGraph(int, words, undefined, undefined, 'reference');
        run.outputs.forEach((o, i) => expect(Array.from(o)).toEqual(Array.from(refRun.outputs[i])));
      }
    });
  }
});

describe('the executor (plan per graph) keeps its hooks and choices', () => {
  const { int } = prepareModel('tiny-transformer');
  const info = int.tensors[int.inputs[0]];
  const zoo = ZOO.find((z) => z.name === 'tiny-transformer')!;
  const words = [quantizeInput(zoo.samples(1)[0].feeds[zoo.inputName].data, info.scale, info.integer === true)];

  it('executeNode gives each node the reference words, with and without an output array, fast or reference', () => {
    const ref = executeGraph(int, words, undefined, undefined, 'reference');
    const word = (t: number) => ref.values.get(t) ?? int.weights.get(t)!;
    int.nodes.forEach((node, i) => {
      const inputs = node.inputs.map(word);
      const want = Array.from(ref.values.get(node.output)!);
      expect(Array.from(executeNode(int, i, inputs)), `node ${i}`).toEqual(want);
      expect(Array.from(executeNode(int, i, inputs, 'reference')), `node ${i} reference`).toEqual(want);
      const out = new Int32Array(want.length).fill(-7);
      expect(executeNode(int, i, inputs, 'fast', out)).toBe(out);
      expect(Array.from(out), `node ${i} into out`).toEqual(want);
    });
  });

  it('an override replaces a node output for the rest of the run, and onNode sees every node in order', () => {
    const target = 5;
    const honest = runGraph(int, words);
    const seen: number[] = [];
    const lying = runGraph(int, words, (i) => seen.push(i), (i, out) => (i === target ? out.map((v) => v + 1) : undefined));
    expect(seen).toEqual(int.nodes.map((_, i) => i));
    expect(lying.states.slice(0, target + 1)).toEqual(honest.states.slice(0, target + 1));
    expect(lying.states[target + 1]).not.toBe(honest.states[target + 1]);
    const ref = executeGraph(int, words, undefined, (i, out) => (i === target ? out.map((v) => v + 1) : undefined), 'reference');
    lying.outputs.forEach((o, i) => expect(Array.from(o)).toEqual(Array.from(ref.outputs[i])));
  });

  it('runs are independent: outputs never alias, and a graph whose node was replaced is re-planned', () => {
    const first = executeGraph(int, words);
    const second = executeGraph(int, words);
    expect(first.outputs[0]).not.toBe(second.outputs[0]);
    first.outputs[0].fill(0);
    expect(Array.from(second.outputs[0])).not.toEqual(Array.from(first.outputs[0]));
    // a copy of the graph with the last node's clamp narrowed: the cached plan of `int` must not be used
    const last = int.nodes.length - 1;
    const node = int.nodes[last];
    const edited: IntGraph = { ...int, nodes: [...int.nodes.slice(0, last), { ...node, attrs: { ...node.attrs, lo: 0, hi: 0 } } as typeof node] };
    expect(executeGraph(edited, words).outputs[0].every((v) => v === 0)).toBe(true);
    int.nodes[last] = edited.nodes[last];
    try {
      expect(executeGraph(int, words).outputs[0].every((v) => v === 0)).toBe(true);
    } finally {
      int.nodes[last] = node;
    }
    expect(Array.from(executeGraph(int, words).outputs[0])).toEqual(Array.from(second.outputs[0]));
  });
});
