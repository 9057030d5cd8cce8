/**
 * A tiled node's run as the game sees it (docs/GAME.md "Tiled nodes"): the tile states σ_0..σ_m (VM memory
 * roots), and for any tile i what `startTileVM` needs (the window's current root in σ_i with its siblings, μ_i,
 * the tile's spec and its proof under tilesRoot) and a `Trace` of the tile's VM run from μ_i, from which the VM
 * bisection and the judge's step proofs come as for an untiled node.
 *
 * One pass runs every tile on one memory and one Merkle tree, re-hashing only the leaves each tile dirtied
 * (and the window's, replaced before each tile), so σ_{i+1} comes from σ_i without a second full memory. The
 * pass keeps what each tile wrote (its dirty leaves after the run), so the memory of any σ_i is the initial
 * memory plus those writes, rebuilt on demand.
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { Machine } from '../../../vm/interpreter.ts';
import { MEM_DEPTH, MEM_WORDS } from '../../../vm/isa.ts';
import { computeRoot, LEAF_WORDS, MerkleTree } from '../../../vm/merkle.ts';
import { Trace } from '../../../vm/prover.ts';
import { Status } from '../../../vm/state.ts';
import type { IntGraph } from '../graph.ts';
import { lowerForCommitment } from './lowering.ts';
import type { LoweringOptions } from './options.ts';
import type { TileSpec } from './spec.ts';
import type { TiledNode } from './tiled.ts';

export class TileRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TileRunError';
  }
}

/** What startTileVM proves for tile i, besides the final state. */
export interface TileEntry {
  index: number;
  spec: TileSpec;
  /** Siblings of the tile's leaf under the node's tilesRoot (ceil(log2 numTiles) of them). */
  tileSiblings: Hex[];
  /** σ_i: the agreed memory root the tile starts from, before its window is put in. */
  sigma: Hex;
  /** The window's root in σ_i (what the previous tile left there; zero for tile 0). */
  windowRoot: Hex;
  /** MEM_DEPTH − windowHeight siblings of the window's subtree in σ_i (the same in μ_i). */
  windowSiblings: Hex[];
  /** μ_i: σ_i with the window replaced by the tile's windowRoot, the tile run's initial memory root. */
  mu: Hex;
  /** σ_{i+1}: the tile run's final memory root. */
  next: Hex;
}

/** A tile's writes: the leaves it dirtied, and their 8 words each after its run. */
interface Delta {
  leaves: Int32Array;
  words: Int32Array;
}

/** Memory words of a tiled node before its first tile: each persistent input at its region, the rest zero. */
export function tiledInitialMemory(tiled: TiledNode, inputs: readonly Int32Array[]): Int32Array {
  const mem = new Int32Array(tiled.layout.extent);
  inputs.forEach((words, k) => {
    const base = tiled.layout.inputs[k];
    if (base !== undefined) mem.set(words, base);
  });
  return mem;
}

export class TiledRun {
  /** σ_0..σ_m. */
  readonly states: Hex[];
  /** The node's output words (the output region of σ_m). */
  readonly output: Int32Array;
  /** R: the root of the output region in σ_m. */
  readonly outputRoot: Hex;
  private readonly initial: Int32Array;
  private readonly deltas: Delta[] = [];
  private readonly windowWords: number;
  private readonly windowLeaf: number;
  private cached: { i: number; mem: Int32Array; tree: MerkleTree } | undefined;

  /**
   * Run every tile of `tiled` on the node's input words (all of them, in node-input order: the ones cut into
   * the windows are not read).
   */
  constructor(
    readonly tiled: TiledNode,
    inputs: readonly Int32Array[],
  ) {
    const { layout } = tiled;
    this.windowWords = LEAF_WORDS * 2 ** layout.windowHeight;
    this.windowLeaf = layout.window / LEAF_WORDS;
    this.initial = tiledInitialMemory(tiled, inputs);
    const mem = new Int32Array(MEM_WORDS);
    mem.set(this.initial);
    const tree = MerkleTree.ofWords(this.initial, MEM_DEPTH);
    this.states = [bytesToHex(tree.root())];
    for (let i = 0; i < tiled.numTiles; i++) {
      this.putWindow(mem, i);
      for (let j = 0; j < this.windowWords / LEAF_WORDS; j++) tree.setLeafWords(this.windowLeaf + j, mem, layout.window + j * LEAF_WORDS);
      const machine = new Machine(tiled.program(i), undefined, mem);
      const steps = tiled.steps(i);
      machine.run(steps);
      if (machine.status !== Status.HALTED || machine.step !== steps) {
        throw new TileRunError(`node "${tiled.name}" tile ${i}: the program stopped with status ${machine.status} after ${machine.step} steps, not HALTED after ${steps}`);
      }
      const leaves = Int32Array.from(machine.takeDirtyLeaves());
      const words = new Int32Array(leaves.length * LEAF_WORDS);
      leaves.forEach((j, n) => {
        tree.setLeafWords(j, mem, j * LEAF_WORDS);
        words.set(mem.subarray(j * LEAF_WORDS, (j + 1) * LEAF_WORDS), n * LEAF_WORDS);
      });
      this.deltas.push({ leaves, words });
      this.states.push(bytesToHex(tree.root()));
    }
    this.output = mem.slice(layout.output, layout.output + tiled.outputWords);
    const out = layout.regions.find((r) => r.role === 'out')!;
    this.outputRoot = bytesToHex(tree.subtreeRoot(out.base / LEAF_WORDS, out.height));
  }

  get numTiles(): number {
    return this.tiled.numTiles;
  }

  /** Write tile i's window (its words, then zeros to the window's end) into a memory. */
  private putWindow(mem: Int32Array, i: number): void {
    const w = this.tiled.window(i);
    const base = this.tiled.layout.window;
    mem.set(w, base);
    mem.fill(0, base + w.length, base + this.windowWords);
  }

  private inWindow(leaf: number): boolean {
    return leaf >= this.windowLeaf && leaf < this.windowLeaf + this.windowWords / LEAF_WORDS;
  }

  /**
   * The memory words of σ_i (the node's extent; everything past it is zero) and its tree: the initial memory,
   * every earlier tile's writes outside the window, then tile i−1's window and all its writes.
   */
  private at(i: number): { mem: Int32Array; tree: MerkleTree } {
    if (!Number.isInteger(i) || i < 0 || i > this.numTiles) throw new RangeError(`node "${this.tiled.name}" has tile states 0..${this.numTiles}, not ${i}`);
    if (this.cached?.i === i) return this.cached;
    const mem = this.initial.slice();
    const apply = (d: Delta, all: boolean) =>
      d.leaves.forEach((j, n) => {
        if (all || !this.inWindow(j)) mem.set(d.words.subarray(n * LEAF_WORDS, (n + 1) * LEAF_WORDS), j * LEAF_WORDS);
      });
    for (let t = 0; t < i - 1; t++) apply(this.deltas[t], false);
    if (i >= 1) {
      this.putWindow(mem, i - 1);
      apply(this.deltas[i - 1], true);
    }
    const tree = MerkleTree.ofWords(mem, MEM_DEPTH);
    const root = bytesToHex(tree.root());
    if (root !== this.states[i]) throw new TileRunError(`node "${this.tiled.name}": the memory rebuilt for σ_${i} has root ${root}, the run had ${this.states[i]}`);
    this.cached = { i, mem, tree };
    return this.cached;
  }

  /** The memory words of σ_i (from address 0 to the node's extent). */
  memoryAt(i: number): Int32Array {
    return this.at(i).mem.slice();
  }

  /** The window's root in σ_i and its MEM_DEPTH − windowHeight siblings. */
  windowProof(i: number): { root: Hex; siblings: Hex[] } {
    const { tree } = this.at(i);
    const h = this.tiled.layout.windowHeight;
    return {
      root: bytesToHex(tree.subtreeRoot(this.windowLeaf, h)),
      siblings: tree
        .proof(this.windowLeaf)
        .slice(h)
        .map((x) => bytesToHex(x)),
    };
  }

  /** Everything startTileVM proves for tile i (i in 0..m−1). */
  entry(i: number): TileEntry {
    if (!Number.isInteger(i) || i < 0 || i >= this.numTiles) throw new RangeError(`node "${this.tiled.name}" has tiles 0..${this.numTiles - 1}, not ${i}`);
    const spec = this.tiled.specs()[i];
    const { root, siblings } = this.windowProof(i);
    return {
      index: i,
      spec,
      tileSiblings: this.tiled.tileProof(i),
      sigma: this.states[i],
      windowRoot: root,
      windowSiblings: siblings,
      mu: muOf(spec.windowRoot, this.tiled.layout.window, this.tiled.layout.windowHeight, siblings),
      next: this.states[i + 1],
    };
  }

  /** A trace of tile i's VM run from μ_i (code codeRoot_i, pc 0, step 0, zero registers); it halts at steps_i with memory σ_{i+1}. */
  trace(i: number): Trace {
    if (!Number.isInteger(i) || i < 0 || i >= this.numTiles) throw new RangeError(`node "${this.tiled.name}" has tiles 0..${this.numTiles - 1}, not ${i}`);
    const mem = this.at(i).mem.slice();
    this.putWindow(mem, i);
    return new Trace(this.tiled.program(i), mem);
  }
}

/**
 * Node j of a graph as a tiled run: its lowering with `options` (those of the model's commitment) run on the
 * node's input words (node-input order, weights included, as `runLowered` takes them); undefined for a node
 * committed untiled.
 */
export function tiledRunOf(graph: IntGraph, j: number, inputs: readonly Int32Array[], options: LoweringOptions = {}): TiledRun | undefined {
  const lowering = lowerForCommitment(graph, j, options);
  return lowering.kind === 'tiled' ? new TiledRun(lowering, inputs) : undefined;
}

/** μ: the memory root with the window subtree (at `windowBase`, height `windowHeight`) set to `windowRoot`, from its siblings. */
export function muOf(windowRoot: Hex, windowBase: number, windowHeight: number, siblings: readonly Hex[]): Hex {
  const index = windowBase / LEAF_WORDS / 2 ** windowHeight;
  return bytesToHex(
    computeRoot(
      hexToBytes(windowRoot),
      index,
      siblings.map((s) => hexToBytes(s)),
    ),
  );
}
