/**
 * keccak-256. `keccak256` is the reference (@noble/hashes); `hashPair` is the bulk path used by every Merkle
 * tree (hash-wasm's WebAssembly keccak, ~6x faster), pinned to the reference by test/keccak.test.ts.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createKeccak } from 'hash-wasm';

/** Reference keccak-256 of arbitrary bytes. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

const fast = await createKeccak(256);
const pair = new Uint8Array(64);

/** keccak256(left ‖ right) of two 32-byte nodes, written into `out` at `outOffset`. */
export function hashPairInto(
  left: Uint8Array,
  leftOffset: number,
  right: Uint8Array,
  rightOffset: number,
  out: Uint8Array,
  outOffset: number,
): void {
  pair.set(left.subarray(leftOffset, leftOffset + 32), 0);
  pair.set(right.subarray(rightOffset, rightOffset + 32), 32);
  fast.init();
  fast.update(pair);
  out.set(fast.digest('binary'), outOffset);
}

/** keccak256(left ‖ right) of two 32-byte nodes. */
export function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  hashPairInto(left, 0, right, 0, out, 0);
  return out;
}
