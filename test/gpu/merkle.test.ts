/**
 * GPU keccak and tensor roots (models/gpu/merkle.ts) equal vm/keccak.ts hashPair and vm/merkle.ts roots bit
 * for bit, on random tensors of many sizes rooted together (one dispatch per level for all of them): depths
 * 0..13, sizes around the leaf (8), pair (16) and workgroup (16·WORKGROUP words per level-1 workgroup)
 * boundaries. A wrong round constant is caught.
 */
import { describe, expect, it } from 'vitest';
import { tensorRootsGpu } from '../../models/gpu/merkle.ts';
import { WORKGROUP } from '../../models/gpu/runtime.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { hashPair } from '../../vm/keccak.ts';
import { leafOf } from '../../vm/merkle.ts';
import { bytesToHex } from 'viem';
import { Rng } from '../support/rng.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const random = (rng: Rng, n: number): Int32Array => Int32Array.from({ length: n }, () => rng.int32());

describe.skipIf(NO_GPU)(`GPU tensor roots equal vm/merkle.ts${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  it('one keccak of two leaves = hashPair (byte order of big-endian words and lane form)', async () => {
    const rng = new Rng(1);
    for (let k = 0; k < 8; k++) {
      const words = random(rng, 16);
      const [root] = await tensorRootsGpu(device(), [words]);
      expect(root).toBe(bytesToHex(hashPair(leafOf(words, 0), leafOf(words, 8))));
    }
  });

  it('random tensors of many sizes (depth 0..13, every boundary, multi-level trees)', async () => {
    const rng = new Rng(2);
    const sizes = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 1000, 1023, 1024, 1025, 2047, 2048, 2049];
    const span = 16 * WORKGROUP;
    sizes.push(span - 1, span, span + 1, 2 * span, 2 * span + 8, 8 * span - 3, 16384 + 5, 65536);
    for (let k = 0; k < 12; k++) sizes.push(rng.int(1, 20000));
    const tensors = sizes.map((n) => random(rng, n));
    const gpuRoots = await tensorRootsGpu(device(), tensors);
    const cpuRoots = tensors.map((t) => tensorRoot(t));
    sizes.forEach((n, i) => expect(gpuRoots[i], `${n} words`).toBe(cpuRoots[i]));
  });

  it('sparse and all-zero tensors (zero subtrees are hashed, not special-cased)', async () => {
    const sizes = [8, 9, 4096, 4097, 12345];
    const tensors = sizes.map((n, i) => {
      const t = new Int32Array(n);
      if (i % 2 === 1) t[n - 1] = -1;
      return t;
    });
    const gpuRoots = await tensorRootsGpu(device(), tensors);
    sizes.forEach((n, i) => expect(gpuRoots[i], `${n} words`).toBe(tensorRoot(tensors[i])));
  });

  it('a one-bit change in a round constant is caught', async () => {
    const words = random(new Rng(3), 100);
    const patch = (_key: string, code: string) => code.replace('0x00008082u', '0x00008083u');
    const [bad] = await tensorRootsGpu(device(), [words], patch);
    expect(bad).not.toBe(tensorRoot(words));
    const [good] = await tensorRootsGpu(device(), [words]);
    expect(good).toBe(tensorRoot(words));
  });
});
