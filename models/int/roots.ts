/**
 * Commitments of the graph phase: a tensor's root (vm/merkle.ts scheme), and graph states S_i, the root of
 * the slot tree whose leaves are the slot tensors' roots (zero while a slot is not produced yet).
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { hashArenaPairs, keccakArena } from '../../vm/keccak.ts';
import { ceilLog2, MerkleTree, tensorRootOf, ZERO_HASHES } from '../../vm/merkle.ts';

export function tensorRoot(words: ArrayLike<number>): Hex {
  return bytesToHex(tensorRootOf(words));
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
 * Every graph state of a run at once: `slotRoots` are all the slot roots in slot order (inputs, then node
 * outputs), and state S_k (k = 0 .. slots − inputCount) is the slot tree with the first inputCount + k leaves
 * set, the rest zero. Equal to `graphState` of each prefix, but hashed level by level for all states together
 * (one WebAssembly call per level): with c leaves set, the tree's only partial node at height h is node
 * ⌊(c−1)/2^h⌋, P(h, c); its children are P(h−1, c) and either Z[h−1] (it is a left child) or the full left
 * sibling, which is P(h−1, c') for the count c' that completed it.
 */
export function graphStates(slotRoots: readonly Hex[], inputCount: number): Hex[] {
  const slots = slotRoots.length;
  const depth = slotDepth(slots);
  // level[c-1] = P(h, c) for c = 1 .. slots
  let level = new Uint8Array(Math.max(1, slots) * 32);
  slotRoots.forEach((r, i) => level.set(hexToBytes(r), i * 32));
  for (let h = 1; h <= depth; h++) {
    const arena = keccakArena(slots * 64);
    const half = 2 ** (h - 1);
    for (let c = 1; c <= slots; c++) {
      const q = Math.floor((c - 1) / half);
      const o = (c - 1) * 64;
      if (q % 2 === 0) {
        arena.set(level.subarray((c - 1) * 32, c * 32), o);
        arena.set(ZERO_HASHES[h - 1], o + 32);
      } else {
        const full = q * half; // the count that completed the left sibling
        arena.set(level.subarray((full - 1) * 32, full * 32), o);
        arena.set(level.subarray((c - 1) * 32, c * 32), o + 32);
      }
    }
    hashArenaPairs(0, 0, slots, h - 1);
    level = keccakArena(slots * 32).slice(0, slots * 32);
  }
  const states: Hex[] = [];
  for (let c = inputCount; c <= slots; c++) states.push(c === 0 ? bytesToHex(ZERO_HASHES[depth]) : bytesToHex(level.subarray((c - 1) * 32, c * 32)));
  return states;
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
