/**
 * vm/merkle.ts against a naive recursive tree built with the reference keccak, and the property the whole
 * design rests on: a tensor's root is the root of its aligned region of VM memory.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { computeRoot, leafOf, MerkleIndexError, MerkleTree, tensorDepth, tensorRootOf, wordsOfLeaf, ZERO_HASHES } from '../vm/merkle.ts';
import { Rng } from './support/rng.ts';

function naiveRoot(leaves: Uint8Array[], depth: number): Uint8Array {
  let level = leaves.slice();
  const size = 2 ** depth;
  while (level.length < size) level.push(new Uint8Array(32));
  for (let h = 0; h < depth; h++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const both = new Uint8Array(64);
      both.set(level[i]);
      both.set(level[i + 1], 32);
      next.push(keccak_256(both));
    }
    level = next;
  }
  return level[0];
}

const hex = (b: Uint8Array) => bytesToHex(b);

describe('merkle', () => {
  it('packs words big-endian and unpacks them back', () => {
    const words = [1, -1, 0x12345678, -2147483648, 2147483647, 0, 255, -256];
    const leaf = leafOf(words);
    expect(hex(leaf.subarray(0, 8))).toBe('0x00000001ffffffff');
    expect(Array.from(wordsOfLeaf(leaf))).toEqual(words);
  });

  it('zero hashes chain: Z[h+1] = keccak(Z[h] ‖ Z[h])', () => {
    expect(hex(ZERO_HASHES[0])).toBe(`0x${'00'.repeat(32)}`);
    for (let h = 0; h < 20; h++) expect(hex(ZERO_HASHES[h + 1])).toBe(hex(naiveRoot([ZERO_HASHES[h], ZERO_HASHES[h]], 1)));
  });

  it('roots and proofs equal the naive tree for random sizes and depths', () => {
    const rng = new Rng(5);
    for (let t = 0; t < 60; t++) {
      const depth = rng.int(0, 9);
      const count = rng.int(1, 2 ** depth);
      const leaves = Array.from({ length: count }, () => (rng.int(0, 3) === 0 ? new Uint8Array(32) : rng.bytes(32)));
      const flat = new Uint8Array(count * 32);
      leaves.forEach((l, i) => flat.set(l, i * 32));
      const tree = new MerkleTree(depth, count, flat);
      const expected = naiveRoot(leaves, depth);
      expect(hex(tree.root())).toBe(hex(expected));
      const j = rng.int(0, 2 ** depth - 1);
      const proof = tree.proof(j);
      expect(proof.length).toBe(depth);
      expect(hex(computeRoot(tree.leaf(j), j, proof))).toBe(hex(expected));
    }
  });

  it('a wrong sibling or a wrong leaf gives a different root', () => {
    const rng = new Rng(6);
    const tree = MerkleTree.ofWords(Array.from({ length: 200 }, () => rng.int32()));
    const root = hex(tree.root());
    const proof = tree.proof(7);
    const leaf = tree.leaf(7);
    proof[3] = rng.bytes(32);
    expect(hex(computeRoot(leaf, 7, proof))).not.toBe(root);
    const badLeaf = leaf.slice();
    badLeaf[31] ^= 1;
    expect(hex(computeRoot(badLeaf, 7, tree.proof(7)))).not.toBe(root);
    expect(() => computeRoot(leaf, 2 ** proof.length, proof)).toThrow(MerkleIndexError);
  });

  it('incremental updates give the same root as a rebuild', () => {
    const rng = new Rng(7);
    const depth = 12;
    const count = 1 << 10;
    const flat = rng.bytes(count * 32);
    const tree = new MerkleTree(depth, count, flat);
    for (let round = 0; round < 20; round++) {
      for (let k = 0; k < rng.int(1, 30); k++) {
        const j = rng.int(0, count - 1);
        const leaf = rng.bytes(32);
        flat.set(leaf, j * 32);
        tree.setLeaf(j, leaf);
      }
      expect(hex(tree.root())).toBe(hex(new MerkleTree(depth, count, flat).root()));
    }
  });

  it('grows its materialised span when a leaf past it is set, with the same roots and proofs as a full tree', () => {
    const rng = new Rng(9);
    const depth = 11;
    const full = new Uint8Array(2 ** depth * 32);
    const small = new MerkleTree(depth, 3, full.subarray(0, 96));
    for (const j of [5, 2, 700, 64, 2047, 0]) {
      const leaf = rng.bytes(32);
      full.set(leaf, j * 32);
      small.setLeaf(j, leaf);
      expect(hex(small.root())).toBe(hex(new MerkleTree(depth, 2 ** depth, full).root()));
      expect(hex(computeRoot(small.leaf(j), j, small.proof(j)))).toBe(hex(small.root()));
    }
  });

  it('a tensor placed at an aligned region of memory has its own root as that subtree root', () => {
    const rng = new Rng(8);
    for (let t = 0; t < 20; t++) {
      const n = rng.int(1, 3000);
      const words = Array.from({ length: n }, () => rng.int32());
      const height = tensorDepth(n);
      const regionWords = 8 * 2 ** height;
      const base = regionWords * rng.int(0, 7);
      const mem = new Int32Array(base + regionWords * 2);
      mem.set(words, base);
      const memTree = MerkleTree.ofWords(mem, 14);
      expect(hex(memTree.subtreeRoot(base / 8, height))).toBe(hex(MerkleTree.ofWords(words).root()));
    }
  });

  it('tensorRootOf equals the naive tree over the padded words, for edge sizes and contents', () => {
    const rng = new Rng(10);
    const naiveTensorRoot = (words: ArrayLike<number>) => {
      const leaves: Uint8Array[] = [];
      for (let j = 0; j < Math.max(1, Math.ceil(words.length / 8)); j++) leaves.push(leafOf(words, 8 * j));
      return naiveRoot(leaves, tensorDepth(words.length));
    };
    const sizes = [0, 1, 7, 8, 9, 15, 16, 17, 24, 63, 64, 65, 100, 255, 256, 257, 1000, 1024, 4097, 65536 + 3];
    for (const n of sizes) {
      for (const kind of ['random', 'zero', 'minus1', 'sparse'] as const) {
        const words = new Int32Array(n).map(() =>
          kind === 'random' ? rng.int32() : kind === 'zero' ? 0 : kind === 'minus1' ? -1 : rng.int(0, 9) === 0 ? rng.int32() : 0,
        );
        const expected = hex(naiveTensorRoot(words));
        expect(hex(tensorRootOf(words)), `${kind} ${n}`).toBe(expected);
        expect(hex(MerkleTree.ofWords(words).root()), `${kind} ${n}`).toBe(expected);
        if (n < 300) expect(hex(tensorRootOf(Array.from(words))), `${kind} ${n} (array)`).toBe(expected);
      }
    }
  });
});
