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
  /** The hash of node j's VM state at step k as this party claims it. */
  vmState(j: number, k: number): Hex;
  /** The true witness of step k of node j (for the judge). */
  witness(j: number, k: number): StepWitness;
}

const hex = (b: Uint8Array): Hex => bytesToHex(b);

export class HonestClaims implements Claims {
  readonly commitment: ModelCommitment;
  readonly inputRoots: Hex[];
  protected readonly run: GraphRun;
  private readonly traces = new Map<number, Trace>();

  constructor(
    readonly graph: IntGraph,
    readonly inputs: Int32Array[],
    commitment?: ModelCommitment,
    run?: GraphRun,
  ) {
    this.commitment = commitment ?? modelCommitment(graph);
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

  /** Node j's trace from the inputs this run gives it. */
  protected trace(j: number): Trace {
    let t = this.traces.get(j);
    if (!t) {
      const node = this.graph.nodes[j];
      const lowered = lowerNode(this.graph, j);
      const inputs = node.inputs.map((id) => this.run.values.get(id) ?? this.graph.weights.get(id)!);
      t = new Trace(lowered.program, initialMemory(lowered, inputs));
      this.traces.set(j, t);
    }
    return t;
  }

  /** Slot roots of S_j (inputs and nodes before j produced). */
  protected slotRootsBefore(j: number): (Hex | undefined)[] {
    const slots = stateSlots(this.graph);
    return slots.map((t, s) => (s < this.graph.inputs.length + j ? this.run.roots.get(t) : undefined));
  }

  transition(j: number): Transition {
    const spec = this.commitment.nodes[j];
    const before = slotTree(this.slotRootsBefore(j));
    const zero: Hex = `0x${'00'.repeat(32)}`;
    const trace = this.trace(j);
    const final = trace.runToEnd();
    const outWords = elementCount(this.graph.tensors[this.graph.nodes[j].output].dims);
    return {
      nodeIndex: j,
      spec,
      nodeSiblings: nodeTree(this.commitment.nodes).proof(j).map(hex),
      slotRoots: spec.inputs.map((r) => (r.fromSlot ? hex(before.leaf(r.slot)) : zero)),
      slotSiblings: spec.inputs.map((r) => (r.fromSlot ? before.proof(r.slot).map(hex) : [])),
      final,
      outRoot: this.nodeOutputRoot(j),
      outSiblings: trace.regionProof(spec.outBase, outWords),
      outSlotSiblings: before.proof(this.graph.inputs.length + j).map(hex),
    };
  }

  vmState(j: number, k: number): Hex {
    return hashState(this.trace(j).stateAt(k));
  }

  witness(j: number, k: number): StepWitness {
    return this.trace(j).witness(k);
  }
}

export interface Lie {
  /** The node whose output is tampered with. */
  node: number;
  /** From which VM step on the fake states start in that node's VM phase. */
  vmFrom: 'start' | 'middle' | 'end';
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

export class LyingClaims extends HonestClaims {
  constructor(graph: IntGraph, inputs: Int32Array[], readonly lie: Lie, commitment?: ModelCommitment) {
    super(graph, inputs, commitment, runGraph(graph, inputs, undefined, (i, out) => (i === lie.node ? tamper(out) : undefined)));
  }

  private firstFakeStep(j: number): number {
    const T = this.commitment.nodes[j].steps;
    return this.lie.vmFrom === 'start' ? 1 : this.lie.vmFrom === 'middle' ? Math.max(1, Math.floor(T / 2)) : T;
  }

  /** The honest state at k with the lied output words in the output region. */
  private fake(j: number, k: number): VMState {
    const trace = this.trace(j);
    const state = trace.stateAt(k);
    const spec = this.commitment.nodes[j];
    const words = this.run.values.get(this.graph.nodes[j].output)!;
    const region = MerkleTree.ofWords(words).root();
    const siblings = trace.regionProof(spec.outBase, words.length).map((h) => hexToBytes(h));
    const index = spec.outBase / 8 / 2 ** spec.outHeight;
    return { ...state, memRoot: hex(computeRoot(region, index, siblings)) };
  }

  override transition(j: number): Transition {
    const t = super.transition(j);
    if (j !== this.lie.node) return t;
    const final = this.fake(j, this.commitment.nodes[j].steps);
    return { ...t, final: this.lie.badTransition ? { ...final, status: 0 } : final };
  }

  override vmState(j: number, k: number): Hex {
    if (j !== this.lie.node || k < this.firstFakeStep(j)) return super.vmState(j, k);
    return hashState(this.fake(j, k));
  }

}
