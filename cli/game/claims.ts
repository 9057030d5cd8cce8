/**
 * What a party claims about one model run: the output and graph states it posts, the opening of a node's VM
 * phase, the VM state hashes at any step, and honest one-step witnesses. `HonestClaims` computes the truth;
 * `LyingClaims` models a party that lies about one node (for tests, replays and the demo): it tampers with that
 * node's output, recomputes everything after it honestly from the lie, and, in the VM phase of that node,
 * presents fake states (the honest state with the lied output written into memory) from a chosen step on.
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { modelCommitment, nodeTree, type ModelCommitment, type NodeSpec } from '../../models/int/commitment.ts';
import { runGraph, type GraphRun } from '../../models/int/execute.ts';
import { elementCount, stateSlots, type IntGraph } from '../../models/int/graph.ts';
import { slotTree } from '../../models/int/roots.ts';
import { initialMemory, lowerNode } from '../../models/int/vmNode.ts';
import { computeRoot, MerkleTree } from '../../vm/merkle.ts';
import { Trace, type StepWitness } from '../../vm/prover.ts';
import { hashState, type VMState } from '../../vm/state.ts';
import { MEM_DEPTH } from '../../vm/isa.ts';
import { tiledRunOf, type TileEntry, type TiledRun } from '../../models/int/tiles/run.ts';
import type { LoweringOptions } from '../../models/int/tiles/options.ts';

/** Everything the submitter proves when it opens the VM phase of node j (docs/GAME.md, Transition). */
export interface Transition {
  nodeIndex: number;
  spec: NodeSpec;
  nodeSiblings: Hex[];
  /** For each input region in order: its slot root (zero for constants) and its siblings in S_j (empty for constants). */
  slotRoots: Hex[];
  slotSiblings: Hex[][];
  final: VMState;
  /** The node's output root as claimed: the subtree of final.memRoot at the output region. */
  outRoot: Hex;
  outSiblings: Hex[];
  outSlotSiblings: Hex[];
}

/** Everything the submitter proves when it opens the tile phase of a tiled node j (docs/GAME.md, "Tiled nodes"). */
export interface TileTransition {
  nodeIndex: number;
  spec: NodeSpec;
  nodeSiblings: Hex[];
  slotRoots: Hex[];
  slotSiblings: Hex[][];
  /** σ_m as claimed: the node's memory root after its last tile. */
  finalMem: Hex;
  /** The node's output root as claimed: the subtree of finalMem at the output region. */
  outRoot: Hex;
  outSiblings: Hex[];
  outSlotSiblings: Hex[];
}

/** Everything the submitter proves when it opens the VM phase of tile i of a tiled node (startTileVM). */
export interface TileVMTransition {
  entry: TileEntry;
  /** The tile run's final VM state as claimed: HALTED at steps_i, memRoot = σ_{i+1}. */
  final: VMState;
}

export interface Claims {
  readonly graph: IntGraph;
  readonly commitment: ModelCommitment;
  readonly inputs: Int32Array[];
  readonly inputRoots: Hex[];
  /** The model output words this party posts. */
  output(): Int32Array;
  /** Siblings proving the output's root at the model's output slot under S_n. */
  outputProof(): Hex[];
  /** The root of node j's output as this party claims it. */
  nodeOutputRoot(j: number): Hex;
  /** S_i as this party claims it (0 ≤ i ≤ n). */
  graphState(i: number): Hex;
  /** The opening of node j's VM phase. */
  transition(j: number): Transition;
  /** σ_i of tiled node j as this party claims it (0 ≤ i ≤ numTiles). */
  tileState(j: number, i: number): Hex;
  /** The opening of tiled node j's tile phase. */
  tileTransition(j: number): TileTransition;
  /** The opening of the VM phase of tile i of tiled node j. */
  tileVM(j: number, i: number): TileVMTransition;
  /** The hash of the VM state at step k of node j (of its tile `tile` when tiled) as this party claims it. */
  vmState(j: number, k: number, tile?: number): Hex;
  /** The true witness of step k of node j (of its tile `tile` when tiled), for the judge. */
  witness(j: number, k: number, tile?: number): StepWitness;
}

const hex = (b: Uint8Array): Hex => bytesToHex(b);

export class HonestClaims implements Claims {
  readonly commitment: ModelCommitment;
  readonly inputRoots: Hex[];
  protected readonly run: GraphRun;
  private readonly traces = new Map<string, Trace>();
  private readonly tiledRuns = new Map<number, TiledRun>();

  constructor(
    readonly graph: IntGraph,
    readonly inputs: Int32Array[],
    commitment?: ModelCommitment,
    run?: GraphRun,
    /** The lowering options the commitment was made with (`--tile-steps`): they decide which nodes are tiled. */
    readonly lowering: LoweringOptions = {},
  ) {
    this.commitment = commitment ?? modelCommitment(graph, lowering);
    this.run = run ?? runGraph(graph, inputs);
    this.inputRoots = graph.inputs.map((t) => this.run.roots.get(t)!);
  }

  output(): Int32Array {
    return this.run.outputs[0];
  }

  outputProof(): Hex[] {
    const all = stateSlots(this.graph).map((t) => this.run.roots.get(t));
    return slotTree(all).proof(this.commitment.outputSlot).map(hex);
  }

  graphState(i: number): Hex {
    return this.run.states[i];
  }

  /** The root of node j's output as this party claims it. */
  nodeOutputRoot(j: number): Hex {
    return this.run.roots.get(this.graph.nodes[j].output)!;
  }

  /** Node j's input words as this run gives them (weights included), in node-input order. */
  private nodeInputs(j: number): Int32Array[] {
    return this.graph.nodes[j].inputs.map((id) => this.run.values.get(id) ?? this.graph.weights.get(id)!);
  }

  /** Node j's VM trace (of its tile `tile` when it is tiled) from the inputs this run gives it. */
  protected trace(j: number, tile = 0): Trace {
    const key = `${j}/${tile}`;
    let t = this.traces.get(key);
    if (!t) {
      if (this.commitment.nodes[j].numTiles > 0) {
        t = this.tiled(j).trace(tile);
      } else {
        const lowered = lowerNode(this.graph, j);
        t = new Trace(lowered.program, initialMemory(lowered, this.nodeInputs(j)));
      }
      this.traces.set(key, t);
    }
    return t;
  }

  /** Tiled node j's run (every tile, once) from the inputs this run gives it. */
  protected tiled(j: number): TiledRun {
    let r = this.tiledRuns.get(j);
    if (!r) {
      r = tiledRunOf(this.graph, j, this.nodeInputs(j), this.lowering);
      if (!r) throw new RangeError(`node ${j} is not tiled in this party's lowering`);
      this.tiledRuns.set(j, r);
    }
    return r;
  }

  /** Slot roots of S_j (inputs and nodes before j produced). */
  protected slotRootsBefore(j: number): (Hex | undefined)[] {
    const slots = stateSlots(this.graph);
    return slots.map((t, s) => (s < this.graph.inputs.length + j ? this.run.roots.get(t) : undefined));
  }

  transition(j: number): Transition {
    const trace = this.trace(j);
    const final = trace.runToEnd();
    const outWords = elementCount(this.graph.tensors[this.graph.nodes[j].output].dims);
    const o = this.opening(j);
    return { ...o, final, outRoot: this.nodeOutputRoot(j), outSiblings: trace.regionProof(o.spec.outBase, outWords) };
  }

  /** The slot-side proofs shared by startVM and startTiles: node proof, input slots, output slot. */
  protected opening(j: number) {
    const spec = this.commitment.nodes[j];
    const before = slotTree(this.slotRootsBefore(j));
    const zero: Hex = `0x${'00'.repeat(32)}`;
    return {
      nodeIndex: j,
      spec,
      nodeSiblings: nodeTree(this.commitment.nodes).proof(j).map(hex),
      slotRoots: spec.inputs.map((r) => (r.fromSlot ? hex(before.leaf(r.slot)) : zero)),
      slotSiblings: spec.inputs.map((r) => (r.fromSlot ? before.proof(r.slot).map(hex) : [])),
      outSlotSiblings: before.proof(this.graph.inputs.length + j).map(hex),
    };
  }

  tileState(j: number, i: number): Hex {
    return this.tiled(j).states[i];
  }

  tileTransition(j: number): TileTransition {
    const run = this.tiled(j);
    const m = run.numTiles;
    return { ...this.opening(j), finalMem: run.states[m], outRoot: this.nodeOutputRoot(j), outSiblings: outRegionProof(run, m) };
  }

  tileVM(j: number, i: number): TileVMTransition {
    return { entry: this.tiled(j).entry(i), final: this.trace(j, i).runToEnd() };
  }

  vmState(j: number, k: number, tile = 0): Hex {
    return hashState(this.trace(j, tile).stateAt(k));
  }

  witness(j: number, k: number, tile = 0): StepWitness {
    return this.trace(j, tile).witness(k);
  }
}

/** Siblings of a tiled node's output region in σ_i, from the region up to the memory root. */
function outRegionProof(run: TiledRun, i: number): Hex[] {
  const out = run.tiled.layout.regions.find((r) => r.role === 'out')!;
  const tree = MerkleTree.ofWords(run.memoryAt(i), MEM_DEPTH);
  return tree
    .proof(out.base / 8)
    .slice(out.height)
    .map(hex);
}

/** A memory root with the aligned region at (base, height) set to `root`, given the region's siblings. */
function withRegion(root: Hex, base: number, height: number, siblings: readonly Hex[]): Hex {
  return hex(computeRoot(hexToBytes(root), base / 8 / 2 ** height, siblings.map((h) => hexToBytes(h))));
}

export interface Lie {
  /** The node whose output is tampered with. */
  node: number;
  /** From which VM step on the fake states start in that node's VM phase (of its first wrong tile when tiled). */
  vmFrom: 'start' | 'middle' | 'end';
  /** A tiled node: the first tile whose state is wrong (σ_{i+1} on); default 'last'. */
  tileFrom?: 'first' | 'middle' | 'last';
  /** Open that node's VM phase with a final state that is not halted (a transition the contract rejects). */
  badTransition?: boolean;
}

/** Change one word of a node output so that it is clearly different (the smallest word becomes the largest). */
export function tamper(words: Int32Array): Int32Array {
  const out = Int32Array.from(words);
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < out.length; i++) {
    if (out[i] < out[lo]) lo = i;
    if (out[i] > out[hi]) hi = i;
  }
  out[lo] = out[hi] === 127 ? 127 : Math.max(127, out[hi] + 1);
  if (out.length === 1 || out[lo] === words[lo]) out[0] = words[0] === 0 ? 1 : 0;
  return out;
}

/**
 * A party that lies about one node's output. Untiled: its VM states carry the lied output from a chosen step on.
 * Tiled: its tile states are honest up to and including σ_f (f = the first wrong tile), and from σ_{f+1} on they
 * are the honest memory with the lied output in the output region; tile f's VM states lie as an untiled node's.
 */
export class LyingClaims extends HonestClaims {
  constructor(graph: IntGraph, inputs: Int32Array[], readonly lie: Lie, commitment?: ModelCommitment, lowering: LoweringOptions = {}) {
    super(graph, inputs, commitment, runGraph(graph, inputs, undefined, (i, out) => (i === lie.node ? tamper(out) : undefined)), lowering);
  }

  /** The first wrong tile of the lie node (tiled). */
  private wrongTile(): number {
    const m = this.commitment.nodes[this.lie.node].numTiles;
    const from = this.lie.tileFrom ?? 'last';
    return from === 'first' ? 0 : from === 'middle' ? Math.floor((m - 1) / 2) : m - 1;
  }

  /** Whether the VM run (node j, tile) is the one this party lies in. */
  private lying(j: number, tile: number): boolean {
    return j === this.lie.node && (this.commitment.nodes[j].numTiles === 0 || tile === this.wrongTile());
  }

  /** Steps of the VM run (node j, tile). */
  private stepsOf(j: number, tile: number): number {
    const spec = this.commitment.nodes[j];
    return spec.numTiles === 0 ? spec.steps : this.tiled(j).tiled.steps(tile);
  }

  private firstFakeStep(j: number, tile: number): number {
    const T = this.stepsOf(j, tile);
    return this.lie.vmFrom === 'start' ? 1 : this.lie.vmFrom === 'middle' ? Math.max(1, Math.floor(T / 2)) : T;
  }

  /** The lied output's root, at the output region's own height. */
  private liedRegion(j: number): { words: Int32Array; root: Hex } {
    const words = this.run.values.get(this.graph.nodes[j].output)!;
    return { words, root: hex(MerkleTree.ofWords(words).root()) };
  }

  /** The honest state at k with the lied output words in the output region. */
  private fake(j: number, k: number, tile = 0): VMState {
    const trace = this.trace(j, tile);
    const state = trace.stateAt(k);
    const spec = this.commitment.nodes[j];
    const { words, root } = this.liedRegion(j);
    return { ...state, memRoot: withRegion(root, spec.outBase, spec.outHeight, trace.regionProof(spec.outBase, words.length)) };
  }

  override transition(j: number): Transition {
    const t = super.transition(j);
    if (j !== this.lie.node) return t;
    const final = this.fake(j, this.commitment.nodes[j].steps);
    return { ...t, final: this.lie.badTransition ? { ...final, status: 0 } : final };
  }

  override tileState(j: number, i: number): Hex {
    if (j !== this.lie.node || i <= this.wrongTile()) return super.tileState(j, i);
    const spec = this.commitment.nodes[j];
    return withRegion(this.liedRegion(j).root, spec.outBase, spec.outHeight, outRegionProof(this.tiled(j), i));
  }

  override tileTransition(j: number): TileTransition {
    const t = super.tileTransition(j);
    return j === this.lie.node ? { ...t, finalMem: this.tileState(j, this.commitment.nodes[j].numTiles) } : t;
  }

  override tileVM(j: number, i: number): TileVMTransition {
    const t = super.tileVM(j, i);
    if (!this.lying(j, i)) return t;
    const final = this.fake(j, this.stepsOf(j, i), i);
    return { ...t, final: this.lie.badTransition ? { ...final, status: 0 } : final };
  }

  override vmState(j: number, k: number, tile = 0): Hex {
    if (!this.lying(j, tile) || k < this.firstFakeStep(j, tile)) return super.vmState(j, k, tile);
    return hashState(this.fake(j, k, tile));
  }
}
