import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { hashPair, keccak256 } from '../vm/keccak.ts';
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
});
