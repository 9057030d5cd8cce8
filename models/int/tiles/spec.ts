/**
 * Tile commitments (docs/GAME.md "Tiled nodes"): a tile's spec, its leaf `keccak256(abi.encode(tile))`, and the
 * tile tree of a node (depth ceil(log2 numTiles), zero leaves past numTiles). Twins of Commitments.sol's.
 */
import { bytesToHex, encodeAbiParameters, hexToBytes, keccak256, type Hex } from 'viem';
import { ceilLog2, MerkleTree } from '../../../vm/merkle.ts';

export interface TileSpec {
  /** Root of the tile's program. */
  codeRoot: Hex;
  /** Exactly the steps its run takes, HALT included. */
  steps: number;
  /** Root, at the node's windowHeight, of the constants the tile reads (its window). */
  windowRoot: Hex;
}

export const TILE_SPEC_ABI = {
  type: 'tuple',
  components: [
    { name: 'codeRoot', type: 'bytes32' },
    { name: 'steps', type: 'uint64' },
    { name: 'windowRoot', type: 'bytes32' },
  ],
} as const;

export function toAbiTileSpec(tile: TileSpec) {
  return { ...tile, steps: BigInt(tile.steps) };
}

/** keccak256(abi.encode(tile)): the tile tree's leaf. */
export function tileLeaf(tile: TileSpec): Hex {
  return keccak256(encodeAbiParameters([TILE_SPEC_ABI], [toAbiTileSpec(tile)]));
}

/** The tile tree: depth ceil(log2 tiles.length), leaf i tile i's leaf, zero leaves past the last tile. */
export function tileTree(tiles: readonly TileSpec[]): MerkleTree {
  const leaves = new Uint8Array(Math.max(1, tiles.length) * 32);
  tiles.forEach((t, i) => leaves.set(hexToBytes(tileLeaf(t)), i * 32));
  return new MerkleTree(ceilLog2(tiles.length), Math.max(1, tiles.length), leaves);
}

/** Root of the tile tree. */
export function tilesRootOf(tiles: readonly TileSpec[]): Hex {
  return bytesToHex(tileTree(tiles).root());
}

/** Siblings proving tile i under the tile tree's root (leaf level first). */
export function tileProof(tree: MerkleTree, i: number): Hex[] {
  return tree.proof(i).map((h) => bytesToHex(h));
}
