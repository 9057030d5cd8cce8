/**
 * The WGSL numerics (models/gpu/wgsl/numerics.ts) equal vm/numerics.ts bit for bit on this adapter: random and
 * edge int32 values for every function, requant and rshr at every shift 0..63, mulhi32, div32's edge cases,
 * isqrt32 around every kind of boundary. And the comparison is sharp: a one-token change to the WGSL rounding
 * is caught.
 */
import { describe, expect, it } from 'vitest';
import { compareNumerics, verifyGpuNumerics } from '../../models/gpu/probe.ts';
import { NUMERICS_WGSL, type NumericsFunction } from '../../models/gpu/wgsl/numerics.ts';
import { INT32_MAX, INT32_MIN } from '../../vm/numerics.ts';
import { Rng } from '../support/rng.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const EDGES = [0, 1, -1, 2, -2, 3, -3, 7, 8, 31, 32, 33, 63, 64, 127, -128, 255, 256, 32767, -32768, 65535, 65536, -65536, 46340, 46341,
  2 ** 30, -(2 ** 30), 2 ** 30 + 1, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1];

/** All edge pairs plus `random` pairs of Rng.int32 values (a quarter edges, a quarter small, half uniform). */
function pairs(seed: number, random: number): [Int32Array, Int32Array] {
  const rng = new Rng(seed);
  const a: number[] = [];
  const b: number[] = [];
  for (const x of EDGES) for (const y of EDGES) a.push(x), b.push(y);
  for (let i = 0; i < random; i++) a.push(rng.int32()), b.push(rng.int32());
  return [Int32Array.from(a), Int32Array.from(b)];
}

async function expectExact(fn: NumericsFunction, args: Int32Array[]): Promise<void> {
  const bad = await compareNumerics(device(), fn, args);
  expect(bad.slice(0, 5), `${bad.length} of ${args[0].length} ${fn} results differ`).toEqual([]);
}

describe.skipIf(NO_GPU)(`WGSL numerics equal vm/numerics.ts${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  for (const fn of ['add32', 'sub32', 'mul32', 'mulhi32', 'div32'] as const) {
    it(`${fn}: ${EDGES.length ** 2} edge pairs + 8192 random`, async () => {
      await expectExact(fn, pairs(fn.length * 31 + fn.charCodeAt(0), 8192));
    });
  }

  it('mulhi32: products near 2^32 multiples, both signs, and (INT32_MIN)^2', async () => {
    const rng = new Rng(5);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 4096; i++) {
      const x = rng.pick([rng.int32(), 1 << rng.int(0, 30), -(1 << rng.int(0, 31)), 65536 + rng.int(-3, 3)]);
      a.push(x);
      b.push(rng.pick([rng.int32(), 1 << rng.int(0, 30), -x, x, 65536 + rng.int(-3, 3), 0xffff]));
    }
    await expectExact('mulhi32', [Int32Array.from(a), Int32Array.from(b)]);
  });

  it('div32: by 0, INT32_MIN / -1, exact and inexact quotients of both signs', async () => {
    const rng = new Rng(9);
    const a: number[] = [INT32_MIN, INT32_MIN, INT32_MAX, 0, 7, -7, 7, -7, INT32_MIN, INT32_MIN, 1];
    const b: number[] = [-1, 0, 0, 0, 2, 2, -2, -2, 1, INT32_MIN, INT32_MIN];
    for (let i = 0; i < 4096; i++) {
      const d = rng.pick([rng.int(-20, 20), rng.int32(), rng.int(1, 1000) * rng.pick([1, -1])]);
      const q = rng.int(-100000, 100000);
      a.push(rng.pick([Math.imul(d, q), Math.imul(d, q) + rng.int(-3, 3), rng.int32()]) | 0);
      b.push(d);
    }
    await expectExact('div32', [Int32Array.from(a), Int32Array.from(b)]);
  });

  for (const fn of ['shl32', 'sra32', 'srl32'] as const) {
    it(`${fn}: every count in -40..70 on edge and random words`, async () => {
      const rng = new Rng(fn.charCodeAt(2));
      const a: number[] = [];
      const s: number[] = [];
      for (let c = -40; c <= 70; c++) {
        for (const x of EDGES) a.push(x), s.push(c);
        for (let k = 0; k < 16; k++) a.push(rng.int32()), s.push(c);
      }
      await expectExact(fn, [Int32Array.from(a), Int32Array.from(s)]);
    });
  }

  it('clamp32: random bounds, including lo > hi', async () => {
    const rng = new Rng(11);
    const n = 4096;
    const x = Int32Array.from({ length: n }, () => rng.int32());
    const lo = Int32Array.from({ length: n }, () => rng.pick([rng.int32(), -128, 0, INT32_MIN]));
    const hi = Int32Array.from({ length: n }, (_, i) => rng.pick([rng.int32(), 127, lo[i], INT32_MAX]));
    await expectExact('clamp32', [x, lo, hi]);
  });

  it('requant: every shift 0..63 (and counts beyond, taken mod 64) on edge and random (x, m)', async () => {
    const rng = new Rng(13);
    const x: number[] = [];
    const m: number[] = [];
    const s: number[] = [];
    const edge = [0, 1, -1, 2, -2, 3, 127, -128, 2 ** 30, -(2 ** 30), INT32_MAX, INT32_MIN, INT32_MIN + 1, 65535, -65536];
    for (let shift = -2; shift < 70; shift++) {
      for (const a of edge) for (const b of edge) x.push(a), m.push(b), s.push(shift);
      for (let k = 0; k < 96; k++) {
        x.push(rng.int32());
        m.push(rng.pick([rng.int32(), rng.int(2 ** 30, 2 ** 31 - 1), 1, -1, 1 << rng.int(0, 30)]));
        s.push(shift);
      }
      // exact ties: x·m = (2k + 1)·2^(shift-1)
      if (shift >= 1 && shift <= 31) {
        for (let k = 0; k < 16; k++) {
          x.push(((2 * rng.int(-1000, 1000) + 1) * 2 ** (shift - 1)) | 0);
          m.push(1);
          s.push(shift);
        }
      }
    }
    await expectExact('requant', [Int32Array.from(x), Int32Array.from(m), Int32Array.from(s)]);
  });

  it('rshr32: every shift 0..63 on edge and random words, ties included', async () => {
    const rng = new Rng(17);
    const x: number[] = [];
    const s: number[] = [];
    for (let shift = 0; shift < 64; shift++) {
      for (const a of EDGES) x.push(a), s.push(shift);
      for (let k = 0; k < 64; k++) x.push(rng.int32()), s.push(shift);
      for (let k = 0; shift >= 1 && shift <= 30 && k < 8; k++) x.push(((2 * rng.int(-100, 100) + 1) * 2 ** (shift - 1)) | 0), s.push(shift);
    }
    await expectExact('rshr32', [Int32Array.from(x), Int32Array.from(s)]);
  });

  it('isqrt32: perfect squares and their neighbours up to 46340^2, random, negative, INT32_MAX', async () => {
    const rng = new Rng(19);
    const a: number[] = [...EDGES, INT32_MAX, 46340 * 46340, 46340 * 46340 - 1, 46339 * 46341];
    for (let r = 0; r <= 46340; r += rng.int(1, 40)) a.push(r * r - 1, r * r, r * r + 1, r * r + 2 * r);
    for (let k = 0; k < 4096; k++) a.push(rng.int32());
    await expectExact('isqrt32', [Int32Array.from(a.map((v) => v | 0))]);
  });

  it('the quick self-check (verifyGpuNumerics) passes', async () => {
    expect(await verifyGpuNumerics(device())).toEqual([]);
  });

  it('a one-token change to the WGSL rounding (ties toward -inf) is caught', async () => {
    const tie = 'let lo = q.x + r;';
    expect(NUMERICS_WGSL).toContain(tie);
    const mutated = NUMERICS_WGSL.replace(tie, 'let lo = q.x + select(0u, r, (v.x & ((1u << (t & 31u)) - 1u)) != 0u || t >= 32u);');
    const x = Int32Array.from([5, 6, 7, -5, 3, 1000]);
    const ones = new Int32Array(x.length).fill(1);
    const shift = new Int32Array(x.length).fill(1);
    const bad = await compareNumerics(device(), 'requant', [x, ones, shift], mutated);
    // 5/2 = 2.5 → 3, 7/2 → 4, -5/2 → -2, 3/2 → 2: the ties; 6 and 1000 are exact.
    expect(bad.map((b) => b.args[0])).toEqual([5, 7, -5, 3]);
    const floor = NUMERICS_WGSL.replace(tie, 'let lo = q.x;');
    expect((await compareNumerics(device(), 'requant', [x, ones, shift], floor)).length).toBeGreaterThan(0);
  });
});
