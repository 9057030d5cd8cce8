/**
 * Commitments of the graph phase: a tensor's root (vm/merkle.ts scheme), and graph states S_i, the root of
 * the slot tree whose leaves are the slot tensors' roots (zero while a slot is not produced yet).
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { ceilLog2, MerkleTree } from '../../vm/merkle.ts';

export function tensorRoot(words: ArrayLike<number>): Hex {
  return bytesToHex(MerkleTree.ofWords(words).root());
}

/** Depth of the slot tree for `slots` slots. */
export function slotDepth(slots: number): number {
  return ceilLog2(slots);
}

/** The slot tree over `roots` (undefined = not yet produced = zero leaf). */
export function slotTree(roots: readonly (Hex | undefined)[]): MerkleTree {
  const leaves = new Uint8Array(Math.max(1, roots.length) * 32);
  roots.forEach((r, i) => {
    if (r) leaves.set(hexToBytes(r), i * 32);
  });
  return new MerkleTree(slotDepth(roots.length), Math.max(1, roots.length), leaves);
}

export function graphState(roots: readonly (Hex | undefined)[]): Hex {
  return bytesToHex(slotTree(roots).root());
}
