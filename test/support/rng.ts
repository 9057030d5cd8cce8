/** A seeded PRNG (splitmix32) so every random test is reproducible from its seed. */
import { INT32_MAX, INT32_MIN } from '../../vm/numerics.ts';

const EDGES = [0, 1, -1, 2, -2, 7, 8, 31, 32, 63, 64, 127, -128, 255, 65535, 65536, -65536, INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1, 1 << 30, -(1 << 30)];

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  /** Uniform uint32. */
  u32(): number {
    this.s = (this.s + 0x9e3779b9) | 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.u32() / 4294967296) * (hi - lo + 1));
  }
  /** An int32 biased toward edge cases: a quarter edges, a quarter small, half uniform. */
  int32(): number {
    const r = this.u32() % 4;
    if (r === 0) return EDGES[this.int(0, EDGES.length - 1)];
    if (r === 1) return this.int(-300, 300);
    return this.u32() | 0;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
}
