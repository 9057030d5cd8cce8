import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { hashArenaPairs, hashPair, hashPairInto, hashPairsInto, keccak256, keccakArena } from '../vm/keccak.ts';
import { ZERO_HASHES } from '../vm/merkle.ts';
import { Rng } from './support/rng.ts';

describe('keccak', () => {
  it('matches the published keccak-256 of the empty string', () => {
    expect(bytesToHex(keccak256(new Uint8Array()))).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });

  it('the fast pair hash equals the reference on 5,000 random pairs', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 5000; i++) {
      const l = rng.bytes(32);
      const r = rng.bytes(32);
      const both = new Uint8Array(64);
      both.set(l);
      both.set(r, 32);
      expect(bytesToHex(hashPair(l, r))).toBe(bytesToHex(keccak_256(both)));
    }
  });

  const reference = (src: Uint8Array, count: number) => {
    const out = new Uint8Array(32 * count);
    for (let i = 0; i < count; i++) out.set(keccak_256(src.subarray(64 * i, 64 * i + 64)), 32 * i);
    return out;
  };

  it('the batched pair hash equals the reference: random, all-zero, all-0xff, counts 1, 2, odd, large', () => {
    const rng = new Rng(41);
    for (const count of [1, 2, 3, 7, 64, 1001, 70_000]) {
      for (const fill of ['random', 'zero', 'ff', 'mixed'] as const) {
        if (count === 70_000 && fill !== 'random') continue;
        const src =
          fill === 'random' ? rng.bytes(64 * count) : fill === 'zero' ? new Uint8Array(64 * count) : fill === 'ff' ? new Uint8Array(64 * count).fill(0xff) : rng.bytes(64 * count).map((b, i) => ((i >> 5) % 3 === 0 ? 0 : b));
        const out = new Uint8Array(32 * count + 7);
        hashPairsInto(src, 0, count, out, 7);
        expect(bytesToHex(out.subarray(7))).toBe(bytesToHex(reference(src, count)));
      }
    }
  });

  it('the zero-subtree shortcut gives exactly the hashes it skips, and the single-pair path agrees', () => {
    const rng = new Rng(42);
    for (const level of [0, 1, 5, 63]) {
      const count = 33;
      const src = rng.bytes(64 * count);
      // runs of Z ‖ Z (two in a row take the SIMD path's shortcut), Z ‖ x, and plain pairs
      for (let i = 0; i < count; i++) {
        if (i % 7 < 4) src.set(ZERO_HASHES[level], 64 * i);
        if (i % 7 < 3) src.set(ZERO_HASHES[level], 64 * i + 32);
      }
      const out = new Uint8Array(32 * count);
      hashPairsInto(src, 0, count, out, 0, level);
      expect(bytesToHex(out)).toBe(bytesToHex(reference(src, count)));
      for (let i = 0; i < count; i++) {
        const one = new Uint8Array(32);
        hashPairInto(src, 64 * i, src, 64 * i + 32, one, 0);
        expect(bytesToHex(one)).toBe(bytesToHex(out.subarray(32 * i, 32 * i + 32)));
      }
    }
  });

  it('hashes a level in place in the arena', () => {
    const rng = new Rng(43);
    const src = rng.bytes(64 * 500);
    const arena = keccakArena(src.length);
    arena.set(src);
    hashArenaPairs(0, 0, 500);
    expect(bytesToHex(keccakArena(src.length).slice(0, 32 * 500))).toBe(bytesToHex(reference(src, 500)));
  });
});
