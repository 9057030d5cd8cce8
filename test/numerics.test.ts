/**
 * vm/numerics.ts against a BigInt oracle written straight from docs/NUMERICS.md: exhaustive over small
 * operands and every shift count, random over the whole int32 range (biased toward edge values).
 */
import { describe, expect, it } from 'vitest';
import * as N from '../vm/numerics.ts';
import { Rng } from './support/rng.ts';

const B = BigInt;
const wrap = (x: bigint): number => Number(BigInt.asIntN(32, x));
const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};
const sat = (x: bigint): number => Number(x > 2147483647n ? 2147483647n : x < -2147483648n ? -2147483648n : x);
const oracle = {
  add32: (a: number, b: number) => wrap(B(a) + B(b)),
  sub32: (a: number, b: number) => wrap(B(a) - B(b)),
  mul32: (a: number, b: number) => wrap(B(a) * B(b)),
  mulhi32: (a: number, b: number) => Number(floorDiv(B(a) * B(b), 1n << 32n)),
  div32: (a: number, b: number) => (b === 0 ? 0 : wrap(B(a) / B(b))),
  shl32: (a: number, s: number) => wrap(B(a) * (1n << B(((s % 32) + 32) % 32))),
  sra32: (a: number, s: number) => Number(floorDiv(B(a), 1n << B(((s % 32) + 32) % 32))),
  srl32: (a: number, s: number) => wrap(BigInt.asUintN(32, B(a)) >> B(((s % 32) + 32) % 32)),
  rshr: (x: bigint, s: number) => (s === 0 ? x : floorDiv(x + (1n << B(s - 1)), 1n << B(s))),
  requant: (x: number, m: number, s: number) => sat(oracle.rshr(B(x) * B(m), ((s % 64) + 64) % 64)),
  isqrt32: (a: number) => {
    if (a <= 0) return 0;
    let r = B(Math.floor(Math.sqrt(a)));
    while (r * r > B(a)) r--;
    while ((r + 1n) * (r + 1n) <= B(a)) r++;
    return Number(r);
  },
};

const binary = ['add32', 'sub32', 'mul32', 'mulhi32', 'div32', 'shl32', 'sra32', 'srl32'] as const;

describe('numerics', () => {
  it('binary ops equal the oracle on every pair of operands in [-70, 70] and on edge values', () => {
    const small = Array.from({ length: 141 }, (_, i) => i - 70);
    const edges = [N.INT32_MIN, N.INT32_MIN + 1, -65536, -32768, 32767, 65535, 65536, N.INT32_MAX - 1, N.INT32_MAX];
    const values = [...small, ...edges];
    for (const f of binary) {
      for (const a of values) for (const b of values) expect.soft(N[f](a, b), `${f}(${a}, ${b})`).toBe(oracle[f](a, b));
    }
  });

  it('binary ops equal the oracle on 200,000 random pairs', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200_000; i++) {
      const a = rng.int32();
      const b = rng.int32();
      const f = binary[i % binary.length];
      if (N[f](a, b) !== oracle[f](a, b)) expect.fail(`${f}(${a}, ${b}) = ${N[f](a, b)}, oracle ${oracle[f](a, b)}`);
    }
  });

  it('requant equals the oracle for every shift 0..63 (and wrapped shifts) on random and extreme operands', () => {
    const rng = new Rng(2);
    const extremes = [N.INT32_MIN, N.INT32_MAX, -1, 0, 1];
    for (let s = -2; s < 70; s++) {
      for (const x of extremes) for (const m of extremes) expect(N.requant(x, m, s), `requant(${x}, ${m}, ${s})`).toBe(oracle.requant(x, m, s));
      for (let i = 0; i < 3000; i++) {
        const x = rng.int32();
        const m = rng.int32();
        if (N.requant(x, m, s) !== oracle.requant(x, m, s)) expect.fail(`requant(${x}, ${m}, ${s})`);
      }
    }
    expect(N.requant(N.INT32_MIN, N.INT32_MIN, 63)).toBe(1); // rshr(2^62, 63): no 64-bit overflow
    expect(N.requant(3, 1, 1)).toBe(2); // 1.5 rounds up
    expect(N.requant(-3, 1, 1)).toBe(-1); // -1.5 rounds toward +infinity
  });

  it('rshr32 equals the oracle for every shift on random values', () => {
    const rng = new Rng(3);
    for (let s = 0; s < 64; s++) {
      for (let i = 0; i < 2000; i++) {
        const x = rng.int32();
        if (N.rshr32(x, s) !== Number(oracle.rshr(B(x), s))) expect.fail(`rshr32(${x}, ${s})`);
      }
    }
  });

  it('isqrt32 is exact around every perfect square boundary and at the extremes', () => {
    for (let r = 0; r <= 46340; r += 1) {
      for (const a of [r * r - 1, r * r, r * r + 1]) if (N.isqrt32(a) !== oracle.isqrt32(a)) expect.fail(`isqrt32(${a})`);
    }
    expect(N.isqrt32(N.INT32_MAX)).toBe(46340);
    expect(N.isqrt32(N.INT32_MIN)).toBe(0);
  });

  it('division edge cases follow the spec', () => {
    expect(N.div32(N.INT32_MIN, -1)).toBe(N.INT32_MIN);
    expect(N.div32(7, 0)).toBe(0);
    expect(N.div32(-7, 2)).toBe(-3);
    expect(N.sat32(2 ** 40)).toBe(N.INT32_MAX);
    expect(N.clamp32(300, -128, 127)).toBe(127);
  });
});
