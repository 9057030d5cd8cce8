/**
 * The Merkle scheme of docs/VM.md: fixed-depth binary keccak trees over raw 32-byte leaves of 8 big-endian
 * int32 words, zero subtrees precomputed. `MerkleTree` materialises the smallest power-of-two span of leaves
 * that holds the data and climbs the remaining levels with zero hashes; `setLeaf` then `root()` re-hashes only
 * the dirty paths (O(k · depth) for k changed leaves).
 */
import { hashArenaPairs, hashPair, hashPairInto, hashPairsInto, keccakArena } from './keccak.ts';

export type Bytes32 = Uint8Array;

export const LEAF_WORDS = 8;
export const LEAF_BYTES = 32;
const MAX_DEPTH = 64;

/** `ZERO_HASHES[h]` is the root of an all-zero subtree of height h. */
export const ZERO_HASHES: readonly Bytes32[] = (() => {
  const z: Bytes32[] = [new Uint8Array(32)];
  for (let h = 1; h <= MAX_DEPTH; h++) z.push(hashPair(z[h - 1], z[h - 1]));
  return z;
})();

export class MerkleIndexError extends Error {
  constructor(index: number, depth: number) {
    super(`leaf index ${index} does not fit a tree of depth ${depth} (at most ${2 ** depth - 1})`);
    this.name = 'MerkleIndexError';
  }
}

/** Write words[offset .. offset+8) (missing words count as 0) big-endian into out[outOffset .. +32). */
export function packLeaf(words: ArrayLike<number>, offset: number, out: Uint8Array, outOffset = 0): void {
  for (let i = 0; i < LEAF_WORDS; i++) {
    const j = offset + i;
    const w = j < words.length ? words[j] : 0;
    const o = outOffset + 4 * i;
    out[o] = w >>> 24;
    out[o + 1] = (w >>> 16) & 0xff;
    out[o + 2] = (w >>> 8) & 0xff;
    out[o + 3] = w & 0xff;
  }
}

/** The 32-byte leaf holding words[offset .. offset+8). */
export function leafOf(words: ArrayLike<number>, offset = 0): Bytes32 {
  const leaf = new Uint8Array(LEAF_BYTES);
  packLeaf(words, offset, leaf);
  return leaf;
}

/** The 8 int32 words of a leaf. */
export function wordsOfLeaf(leaf: Bytes32): Int32Array {
  const out = new Int32Array(LEAF_WORDS);
  for (let i = 0; i < LEAF_WORDS; i++) {
    out[i] = (leaf[4 * i] << 24) | (leaf[4 * i + 1] << 16) | (leaf[4 * i + 2] << 8) | leaf[4 * i + 3];
  }
  return out;
}

/** ceil(log2 n), 0 for n ≤ 1: the depth of a tree over n leaves. */
export const ceilLog2 = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Tree depth of a tensor of n words: leaves padded to max(8, 2^ceil(log2 n)) words. */
export function tensorDepth(words: number): number {
  return Math.max(0, ceilLog2(Math.max(words, 1)) - 3);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The root of a tensor of words (docs/VM.md: padded to max(8, 2^ceil(log2 n)) words), the same as
 * `MerkleTree.ofWords(words).root()` without materialising the tree: the leaves are written once into the
 * keccak arena and every level is hashed in place, one WebAssembly call per level; the padding is never
 * hashed (an odd level is completed with the zero hash of its height).
 */
export function tensorRootOf(words: ArrayLike<number>): Bytes32 {
  const n = words.length;
  const depth = tensorDepth(n);
  let count = Math.max(1, Math.ceil(n / LEAF_WORDS));
  const arena = keccakArena((count + 1) * LEAF_BYTES);
  if (LITTLE_ENDIAN) {
    const w32 = new Int32Array(arena.buffer, arena.byteOffset, (count + 1) * LEAF_WORDS);
    for (let i = 0; i < n; i++) {
      const w = words[i];
      w32[i] = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | ((w >>> 24) & 0xff);
    }
    w32.fill(0, n, count * LEAF_WORDS);
  } else {
    for (let j = 0; j < count; j++) packLeaf(words, j * LEAF_WORDS, arena, j * LEAF_BYTES);
  }
  for (let h = 1; h <= depth; h++) {
    if (count % 2 === 1) arena.set(ZERO_HASHES[h - 1], count * 32);
    count = (count + 1) >> 1;
    hashArenaPairs(0, 0, count, h - 1);
  }
  return arena.slice(0, 32);
}

/** Root obtained by climbing from `leaf` at `index` with `siblings` (leaf level first). */
export function computeRoot(leaf: Bytes32, index: number, siblings: readonly Bytes32[]): Bytes32 {
  if (index < 0 || index >= 2 ** siblings.length) throw new MerkleIndexError(index, siblings.length);
  let node = leaf;
  for (let h = 0; h < siblings.length; h++) {
    node = Math.floor(index / 2 ** h) % 2 === 0 ? hashPair(node, siblings[h]) : hashPair(siblings[h], node);
  }
  return node;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isNode(level: Uint8Array, offset: number, expected: Bytes32): boolean {
  for (let i = 0; i < 32; i++) if (level[offset + i] !== expected[i]) return false;
  return true;
}

export class MerkleTree {
  /** levels[h] holds the materialised nodes of height h (levels[0] are the leaves). */
  private levels: Uint8Array[];
  private span: number;
  private readonly dirty: number[] = [];
  private dirtyMark: Uint8Array;

  /**
   * @param depth fixed depth of the tree (leaf count 2^depth)
   * @param leafCount how many leaves to materialise (rounded up to a power of two); the rest are zero forever
   * @param leaves optional initial leaves, `leafCount * 32` bytes or fewer
   */
  constructor(
    readonly depth: number,
    leafCount: number,
    leaves?: Uint8Array,
  ) {
    const spanLog = ceilLog2(Math.max(1, leafCount));
    if (spanLog > depth) throw new MerkleIndexError(leafCount - 1, depth);
    this.span = 2 ** spanLog;
    this.levels = [];
    const base = new Uint8Array(this.span * LEAF_BYTES);
    if (leaves) base.set(leaves.subarray(0, base.length));
    this.levels.push(base);
    for (let h = 1, n = this.span / 2; h <= spanLog; h++, n /= 2) this.levels.push(new Uint8Array(n * 32));
    this.dirtyMark = new Uint8Array(this.span);
    this.rebuild();
  }

  /** Tree over a tensor's words (docs/VM.md: padded to max(8, 2^ceil(log2 n)) words). */
  static ofWords(words: ArrayLike<number>, depth = tensorDepth(words.length)): MerkleTree {
    const leafCount = Math.max(1, Math.ceil(words.length / LEAF_WORDS));
    const leaves = new Uint8Array(leafCount * LEAF_BYTES);
    for (let j = 0; j < leafCount; j++) packLeaf(words, j * LEAF_WORDS, leaves, j * LEAF_BYTES);
    return new MerkleTree(depth, leafCount, leaves);
  }

  /** A deep copy (for snapshots). */
  clone(): MerkleTree {
    this.flush();
    const copy = Object.create(MerkleTree.prototype) as MerkleTree;
    Object.assign(copy, {
      depth: this.depth,
      span: this.span,
      levels: this.levels.map((l) => l.slice()),
      dirty: [],
      dirtyMark: new Uint8Array(this.span),
    });
    return copy;
  }

  /** Replace the contents of this tree with another of the same shape (cheap reset to a snapshot). */
  copyFrom(other: MerkleTree): void {
    other.flush();
    if (other.depth !== this.depth) throw new Error('copyFrom: trees differ in depth');
    if (other.span === this.span) {
      for (let h = 0; h < this.levels.length; h++) this.levels[h].set(other.levels[h]);
    } else {
      this.levels = other.levels.map((l) => l.slice());
      this.span = other.span;
      this.dirtyMark = new Uint8Array(this.span);
    }
    for (const j of this.dirty) this.dirtyMark[j] = 0;
    this.dirty.length = 0;
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) throw new MerkleIndexError(index, this.depth);
  }

  /** The leaf at `index` (zero beyond the materialised span). */
  leaf(index: number): Bytes32 {
    this.checkIndex(index);
    if (index >= this.span) return new Uint8Array(32);
    return this.levels[0].slice(index * 32, index * 32 + 32);
  }

  /** Materialise more leaves (zero), so that leaf `index` lies inside the span. */
  private grow(index: number): void {
    this.flush();
    let spanLog = this.levels.length - 1;
    while (2 ** spanLog <= index) spanLog++;
    const old = this.levels;
    const oldLog = old.length - 1;
    this.levels = [];
    for (let h = 0; h <= spanLog; h++) {
      const level = new Uint8Array(2 ** (spanLog - h) * 32);
      if (h > 0) for (let o = 0; o < level.length; o += 32) level.set(ZERO_HASHES[h], o);
      if (h <= oldLog) level.set(old[h]);
      this.levels.push(level);
    }
    for (let h = oldLog + 1; h <= spanLog; h++) this.hashNode(h, 0);
    this.span = 2 ** spanLog;
    const mark = new Uint8Array(this.span);
    mark.set(this.dirtyMark);
    this.dirtyMark = mark;
  }

  /** Set a leaf; hashing is deferred to the next `root()` or `proof()`. */
  setLeaf(index: number, leaf: Uint8Array, leafOffset = 0): void {
    this.checkIndex(index);
    if (index >= this.span) this.grow(index);
    this.levels[0].set(leaf.subarray(leafOffset, leafOffset + 32), index * 32);
    if (!this.dirtyMark[index]) {
      this.dirtyMark[index] = 1;
      this.dirty.push(index);
    }
  }

  /** Set leaf `index` from 8 words of `words` at `offset`. */
  setLeafWords(index: number, words: ArrayLike<number>, offset: number): void {
    this.checkIndex(index);
    if (index >= this.span) this.grow(index);
    packLeaf(words, offset, this.levels[0], index * 32);
    if (!this.dirtyMark[index]) {
      this.dirtyMark[index] = 1;
      this.dirty.push(index);
    }
  }

  private hashNode(h: number, i: number): void {
    const below = this.levels[h - 1];
    const zero = ZERO_HASHES[h - 1];
    const l = 2 * i * 32;
    const r = l + 32;
    if (isNode(below, l, zero) && isNode(below, r, zero)) this.levels[h].set(ZERO_HASHES[h], i * 32);
    else hashPairInto(below, l, below, r, this.levels[h], i * 32);
  }

  private rebuild(): void {
    for (let h = 1; h < this.levels.length; h++) hashPairsInto(this.levels[h - 1], 0, this.levels[h].length / 32, this.levels[h], 0, h - 1);
  }

  /** Re-hash the paths above every leaf set since the last flush. */
  private flush(): void {
    if (this.dirty.length === 0) return;
    let indices = this.dirty.slice().sort((a, b) => a - b);
    for (const j of this.dirty) this.dirtyMark[j] = 0;
    this.dirty.length = 0;
    for (let h = 1; h < this.levels.length; h++) {
      const parents: number[] = [];
      for (const j of indices) {
        const p = j >> 1;
        if (parents.length === 0 || parents[parents.length - 1] !== p) parents.push(p);
      }
      for (const p of parents) this.hashNode(h, p);
      indices = parents;
    }
  }

  /** Node `i` at height `h` of the full tree (zero subtrees and the climb above the span included). */
  private nodeAt(h: number, i: number): Bytes32 {
    this.flush();
    const spanLevels = this.levels.length - 1;
    if (h <= spanLevels) {
      return i < this.levels[h].length / 32 ? this.levels[h].slice(i * 32, i * 32 + 32) : ZERO_HASHES[h];
    }
    if (i !== 0) return ZERO_HASHES[h];
    let node: Bytes32 = this.levels[spanLevels].slice(0, 32);
    for (let k = spanLevels; k < h; k++) node = hashPair(node, ZERO_HASHES[k]);
    return node;
  }

  /** Root of the whole depth-`depth` tree. */
  root(): Bytes32 {
    return this.nodeAt(this.depth, 0);
  }

  /** Root of the aligned subtree of height `height` whose first leaf is `firstLeaf`. */
  subtreeRoot(firstLeaf: number, height: number): Bytes32 {
    this.checkIndex(firstLeaf);
    if (firstLeaf % 2 ** height !== 0) throw new Error(`subtree at leaf ${firstLeaf} is not aligned to 2^${height}`);
    return this.nodeAt(height, firstLeaf / 2 ** height);
  }

  /** Siblings proving leaf `index`, leaf level first (`depth` hashes). */
  proof(index: number): Bytes32[] {
    this.checkIndex(index);
    const siblings: Bytes32[] = [];
    for (let h = 0; h < this.depth; h++) siblings.push(this.nodeAt(h, Math.floor(index / 2 ** h) ^ 1));
    return siblings;
  }
}
