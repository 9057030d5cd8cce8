/**
 * A tiled node (docs/VM.md "Tiled nodes"): its memory layout (persistent regions and the window), and its tiles,
 * each a VM program plus the words of its window. Tiles of the same shape share one program (every
 * tile-specific address is in the window's header), so a node of thousands of tiles has a handful of programs.
 * The kernels that tile (matmul.ts, gather.ts) describe a node by a `TileSource`; `TiledNode` adds the caches and
 * the commitments (tile specs, tile tree, window roots).
 */
import { bytesToHex, type Hex } from 'viem';
import { MEM_WORDS, type Instruction } from '../../../vm/isa.ts';
import { ceilLog2, MerkleTree, tensorDepth, tensorRootOf, ZERO_HASHES } from '../../../vm/merkle.ts';
import { hashPair } from '../../../vm/keccak.ts';
import { Program } from '../../../vm/program.ts';
import { NodeTooLargeError, regionSize, type Region } from '../layout.ts';
import { staticSteps } from '../staticSteps.ts';
import { TileStepsError } from './options.ts';
import { tileTree, type TileSpec } from './spec.ts';

/** Words at the start of every window that hold the tile's addresses (one leaf). */
export const HEADER_WORDS = 8;

export interface TiledLayout {
  /** Persistent input regions (`in<k>`), `out` and `window`, by base. */
  regions: Region[];
  /** Base of node input k, or undefined for an input that is cut into the windows. */
  inputs: (number | undefined)[];
  output: number;
  window: number;
  windowHeight: number;
  /** Words of memory the node uses (the end of the last region). */
  extent: number;
}

/** One tile as a kernel describes it. */
export interface TileBody {
  /** Tiles with the same key have the same program. */
  key: string;
  /** The tile's program (called once per key). */
  program(): Instruction[];
  /** The window's words: the header, then the constants; at most the window's size. */
  window(): Int32Array;
  /** The tile's steps by the kernel's formula (checked against `staticSteps` of the program). */
  steps: number;
}

/** What a tiling kernel gives for a node. */
export interface TileSource {
  layout: TiledLayout;
  outputWords: number;
  numTiles: number;
  tile(i: number): TileBody;
}

export class TileProgramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TileProgramError';
  }
}

/** The largest number of tiles a commitment may have (registration refuses more). */
export const MAX_TILES = 2 ** 20;

export class TiledNode {
  readonly kind = 'tiled' as const;
  readonly layout: TiledLayout;
  readonly outputWords: number;
  readonly numTiles: number;
  private readonly source: TileSource;
  private readonly programs = new Map<string, { program: Program; steps: number; codeRoot?: Hex }>();
  private specCache: TileSpec[] | undefined;
  private treeCache: MerkleTree | undefined;

  constructor(
    readonly name: string,
    source: TileSource,
  ) {
    if (source.numTiles < 1) throw new TileProgramError(`node "${name}" would have no tile`);
    if (source.numTiles > MAX_TILES) throw new TileStepsError(`node "${name}" would have ${source.numTiles} tiles, more than the 2^20 a node may have: the tile bound is too small for it`);
    this.source = source;
    this.layout = source.layout;
    this.outputWords = source.outputWords;
    this.numTiles = source.numTiles;
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.numTiles) throw new RangeError(`node "${this.name}" has tiles 0..${this.numTiles - 1}, not ${i}`);
  }

  private entry(i: number): { program: Program; steps: number; codeRoot?: Hex } {
    this.checkIndex(i);
    const body = this.source.tile(i);
    let e = this.programs.get(body.key);
    if (!e) {
      const program = Program.fromInstructions(body.program());
      const steps = staticSteps(program);
      if (steps !== body.steps) throw new TileProgramError(`node "${this.name}" tile ${i}: the program runs ${steps ?? 'an unknown number of'} steps, the tiling planned ${body.steps}`);
      e = { program, steps };
      this.programs.set(body.key, e);
    }
    return e;
  }

  /** Tile i's program. */
  program(i: number): Program {
    return this.entry(i).program;
  }

  /** Tile i's exact step count (HALT included). */
  steps(i: number): number {
    return this.entry(i).steps;
  }

  /** The words tile i finds in the window (header first; the rest of the window is zero). */
  window(i: number): Int32Array {
    this.checkIndex(i);
    return this.source.tile(i).window();
  }

  /** Root at windowHeight of tile i's window. */
  windowRoot(i: number): Hex {
    return rootAtHeight(this.window(i), this.layout.windowHeight);
  }

  /** Every tile's spec (computed once). */
  specs(): TileSpec[] {
    if (!this.specCache) {
      const specs: TileSpec[] = [];
      for (let i = 0; i < this.numTiles; i++) {
        const e = this.entry(i);
        e.codeRoot ??= e.program.codeRoot();
        specs.push({ codeRoot: e.codeRoot, steps: e.steps, windowRoot: this.windowRoot(i) });
      }
      this.specCache = specs;
    }
    return this.specCache;
  }

  /** The tile tree (depth ceil(log2 numTiles)). */
  tree(): MerkleTree {
    this.treeCache ??= tileTree(this.specs());
    return this.treeCache;
  }

  get tileDepth(): number {
    return ceilLog2(this.numTiles);
  }

  tilesRoot(): Hex {
    return bytesToHex(this.tree().root());
  }

  /** Siblings of tile i's leaf under tilesRoot (leaf level first). */
  tileProof(i: number): Hex[] {
    this.checkIndex(i);
    return this.tree().proof(i).map((h) => bytesToHex(h));
  }

  /** Sum of the tiles' steps. */
  totalSteps(): number {
    let n = 0;
    for (let i = 0; i < this.numTiles; i++) n += this.steps(i);
    return n;
  }

  /** Instructions of the longest tile program. */
  maxCodeSize(): number {
    let n = 0;
    for (let i = 0; i < this.numTiles; i++) n = Math.max(n, this.program(i).length);
    return n;
  }
}

/** Root of `words` (from the subtree's first word, zeros after) as a subtree of height `height`. */
export function rootAtHeight(words: ArrayLike<number>, height: number): Hex {
  const own = tensorDepth(words.length);
  if (own > height) throw new RangeError(`${words.length} words do not fit a subtree of height ${height}`);
  let node = tensorRootOf(words);
  for (let h = own; h < height; h++) node = hashPair(node, ZERO_HASHES[h]);
  return bytesToHex(node);
}

/** A persistent region a tiling asks for: `in<k>` or `out`. */
export interface WantedRegion {
  role: string;
  words: number;
}

/** Words a window may take beside these persistent regions (at most `most`; 0 if no memory is left). */
export function windowCapacity(persistent: readonly WantedRegion[], most = Number.MAX_SAFE_INTEGER): number {
  const used = persistent.reduce((n, r) => n + regionSize(r.words), 0);
  const left = MEM_WORDS - used;
  return Math.min(most, left < 8 ? 0 : 2 ** Math.floor(Math.log2(left)));
}

/**
 * Place the persistent regions and the window as layout.ts places a node's regions: each P = max(8,
 * 2^ceil(log2 words)) words, largest first (ties in the order given, the window last), from address 0.
 */
export function layoutTiled(node: string, inputCount: number, persistent: readonly WantedRegion[], windowWords: number): TiledLayout {
  const wanted = [...persistent, { role: 'window', words: windowWords }].map((w, order) => ({ ...w, order }));
  const sorted = [...wanted].sort((a, b) => regionSize(b.words) - regionSize(a.words) || a.order - b.order);
  let next = 0;
  const regions: Region[] = [];
  for (const w of sorted) {
    const size = regionSize(w.words);
    regions.push({ role: w.role, base: next, words: w.words, height: Math.log2(size / 8) });
    next += size;
  }
  if (next > MEM_WORDS) throw new NodeTooLargeError(node, next);
  const region = (role: string) => regions.find((r) => r.role === role);
  const window = region('window')!;
  return {
    regions,
    inputs: Array.from({ length: inputCount }, (_, k) => region(`in${k}`)?.base),
    output: region('out')!.base,
    window: window.base,
    windowHeight: window.height,
    extent: next,
  };
}

/** The block size that splits `total` into as few blocks of at most `most` as possible, as evenly as possible. */
export function evenBlock(total: number, most: number): number {
  return Math.ceil(total / Math.ceil(total / most));
}

/** The largest v in [1, hi] with ok(v), for ok monotone (true then false); 0 when ok(1) is false. */
export function largest(hi: number, ok: (v: number) => boolean): number {
  if (hi < 1 || !ok(1)) return 0;
  let lo = 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Steps of `Codegen.repeat(count, body)` around a body of `body` steps (the LI, and a LOOP per trip). */
export function loopSteps(count: number, body: number): number {
  if (count <= 0) return 0;
  return count === 1 ? body : 1 + count * (body + 1);
}
