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

/**
 * Words packed 4 bytes each, big-endian two's complement, word 0 first: how inputs and outputs travel on-chain.
 * Read 32 bytes at a time the string is the tensor's leaves (Commitments.packedRoot).
 */
export function packWords(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setInt32(4 * i, words[i], false);
  return out;
}

/** The words of a packed string (its length must be a multiple of 4). */
export function unpackWords(bytes: Uint8Array): Int32Array {
  if (bytes.length % 4 !== 0) throw new RangeError(`a packed word string has ${bytes.length} bytes, not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(4 * i, false);
  return out;
}
