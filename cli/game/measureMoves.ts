/**
 * Measuring forced moves on a real chain (an anvil): a game with a submitter and a challenger account, a
 * dispute steered to any node j (the challenger agrees with every graph state up to S_j and with none after),
 * startVM there, then a VM bisection steered to any step k and resolveStep on it, and the endings (timeout,
 * settle). Each measured transaction comes back with its gasUsed, calldata and execution gas.
 *
 * A "world" is what the submitter posts: HonestClaims/LyingClaims of a zoo model (a real run), or a synthetic
 * world over any registered commitment (random tensors, a transition that checks but whose VM run is never
 * executed: the verifier only checks proofs, so its gas is exactly that of a real transition of the same shape).
 * Used by scripts/calibrate-forced-moves.ts (the STARTVM_GAS fit) and the tests of cli/game/forcedMoves.ts.
 */
import { bytesToHex, hexToBytes, keccak256, toHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { modelIdOf, nodeTree, UNTILED, type InputRegion, type ModelCommitment, type NodeSpec } from '../../models/int/commitment.ts';
import { slotTree, tensorRoot } from '../../models/int/roots.ts';
import { MEM_DEPTH } from '../../vm/isa.ts';
import { Machine } from '../../vm/interpreter.ts';
import { runGraph } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { initialMemory, lowerNode } from '../../models/int/vmNode.ts';
import { computeRoot } from '../../vm/merkle.ts';
import { Status } from '../../vm/state.ts';
import type { StepWitness } from '../../vm/prover.ts';
import type { Transition } from './claims.ts';
import { GameChain, type GameParams } from './chain.ts';
import { profile } from './params.ts';
import { Move, type DisputeView } from './types.ts';

/** What a submitter posts in a game steered by an Arena (Claims satisfy it). */
export interface World {
  readonly inputs: Int32Array[];
  output(): Int32Array;
  outputProof(): Hex[];
  graphState(i: number): Hex;
  transition(j: number): Transition;
}

export interface MeasuredTx {
  action: string;
  hash: Hex;
  gasUsed: number;
  calldata: number;
  nonzero: number;
  /** gasUsed less 21,000 and the calldata's standard cost (16 per nonzero byte, 4 per zero byte). */
  execution: number;
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** A fresh game on an anvil, with a funded submitter and challenger. */
export class Arena {
  private readonly uploaded = new Map<string, bigint>();

  private constructor(
    readonly rpcUrl: string,
    readonly params: GameParams,
    readonly sub: GameChain,
    readonly ch: GameChain,
  ) {}

  /** Deploy a game on the anvil at `rpcUrl` (every account fresh and funded: no nonce shared with anything else). */
  static async open(rpcUrl: string, params: GameParams = profile('devnet').params): Promise<Arena> {
    const funded = async () => {
      const key = generatePrivateKey();
      await rpc(rpcUrl, 'anvil_setBalance', [privateKeyToAccount(key).address, toHex(10n ** 24n)]);
      return key;
    };
    const deployment = await GameChain.deploy(rpcUrl, await funded(), params);
    return new Arena(rpcUrl, params, await GameChain.connect(deployment, await funded()), await GameChain.connect(deployment, await funded()));
  }

  /** The upload ids of these inputs (each published once per arena, shared by every submission on it). */
  async uploads(inputs: readonly Int32Array[]): Promise<bigint[]> {
    const ids: bigint[] = [];
    for (const words of inputs) {
      const key = keccak256(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
      let id = this.uploaded.get(key);
      if (id === undefined) {
        id = await this.sub.uploadInput(words);
        this.uploaded.set(key, id);
      }
      ids.push(id);
    }
    return ids;
  }

  /** Register the model, post the world's result and challenge it; returns the dispute id. */
  async dispute(c: ModelCommitment, world: World): Promise<bigint> {
    await this.sub.register(c);
    const uploads = await this.uploads(world.inputs);
    const id = await this.sub.submit(c.modelId, uploads, world.output(), world.graphState(c.numNodes), world.outputProof(), this.params.minBond);
    return this.ch.challenge(id);
  }

  private async view(d: bigint): Promise<DisputeView> {
    return this.sub.dispute(d);
  }

  private async settled(chain: GameChain, action: string, send: Promise<Hex>): Promise<MeasuredTx> {
    const hash = await send;
    const failures = await chain.flush();
    if (failures.length > 0) throw failures[0];
    const [receipt, tx] = await Promise.all([chain.publicClient.getTransactionReceipt({ hash }), chain.publicClient.getTransaction({ hash })]);
    const bytes = hexToBytes(tx.input);
    const nonzero = bytes.reduce((n, b) => n + (b === 0 ? 0 : 1), 0);
    const gasUsed = Number(receipt.gasUsed);
    return { action, hash, gasUsed, calldata: bytes.length, nonzero, execution: gasUsed - 21_000 - 16 * nonzero - 4 * (bytes.length - nonzero) };
  }

  /**
   * Play the graph bisection of dispute d to node j: the submitter posts `stateAt(mid)`, the challenger agrees
   * exactly when mid <= j. Returns every move measured.
   */
  async graphTo(d: bigint, j: number, stateAt: (i: number) => Hex): Promise<MeasuredTx[]> {
    const moves: MeasuredTx[] = [];
    for (;;) {
      const v = await this.view(d);
      if (v.next !== Move.PostGraphState) break;
      const mid = Number(v.mid);
      moves.push(await this.settled(this.sub, 'postGraphState', this.sub.postGraphState(d, stateAt(mid))));
      moves.push(await this.settled(this.ch, 'respondGraph', this.ch.respondGraph(d, mid <= j)));
    }
    const v = await this.view(d);
    if (v.next !== Move.StartVM || Number(v.lo) !== j) throw new Error(`the graph bisection ended at node ${v.lo} (next move ${v.next}), not at node ${j}`);
    return moves;
  }

  async startVM(d: bigint, t: Transition): Promise<MeasuredTx> {
    return this.settled(this.sub, 'startVM', this.sub.startVM(d, t));
  }

  /**
   * Play the VM bisection of dispute d to step k: the submitter posts `honestAt(mid)` up to k and another hash
   * after, the challenger agrees exactly when mid <= k.
   */
  async vmTo(d: bigint, k: number, honestAt: (k: number) => Hex): Promise<MeasuredTx[]> {
    const moves: MeasuredTx[] = [];
    for (;;) {
      const v = await this.view(d);
      if (v.next !== Move.PostVMState) break;
      const mid = Number(v.mid);
      const state = mid <= k ? honestAt(mid) : keccak256(toHex(`not step ${mid}`));
      moves.push(await this.settled(this.sub, 'postVMState', this.sub.postVMState(d, state)));
      moves.push(await this.settled(this.ch, 'respondVM', this.ch.respondVM(d, mid <= k)));
    }
    const v = await this.view(d);
    if (v.next !== Move.ResolveStep || Number(v.lo) !== k) throw new Error(`the VM bisection ended at step ${v.lo} (next move ${v.next}), not at step ${k}`);
    return moves;
  }

  async resolveStep(d: bigint, w: StepWitness): Promise<MeasuredTx> {
    return this.settled(this.ch, 'resolveStep', this.ch.resolveStep(d, w));
  }

  /** Let the mover's clock run out, then claim the timeout (the challenger sends it). */
  async timeout(d: bigint): Promise<MeasuredTx> {
    const v = await this.view(d);
    const now = await this.sub.now();
    if (now <= v.deadline) await rpc(this.rpcUrl, 'evm_increaseTime', [Number(v.deadline - now) + 1]);
    await rpc(this.rpcUrl, 'evm_mine', []);
    return this.settled(this.ch, 'timeout', this.ch.timeout(d));
  }

  /** The challenger withdraws its credit first (so settle writes a zero slot: its dearest path), then settles. */
  async settle(d: bigint): Promise<MeasuredTx> {
    if ((await this.ch.credits()) > 0n) await this.settled(this.ch, 'withdraw', this.ch.withdraw());
    return this.settled(this.ch, 'settle', this.ch.settle(d));
  }
}

/** The first step of node j (run on these graph inputs) that executes each opcode. */
export function firstStepOfOp(graph: IntGraph, inputs: readonly Int32Array[], j: number): Map<number, number> {
  const run = runGraph(graph, inputs);
  const lowered = lowerNode(graph, j);
  const words = graph.nodes[j].inputs.map((t) => run.values.get(t) ?? graph.weights.get(t)!);
  const m = new Machine(lowered.program, initialMemory(lowered, words));
  const first = new Map<number, number>();
  while (m.status === Status.RUNNING) {
    const op = m.pc < lowered.program.length ? lowered.program.ops[m.pc] : -1;
    if (!first.has(op)) first.set(op, m.step);
    m.run(1);
  }
  return first;
}

// ---- synthetic models and worlds ----------------------------------------------------------------------------

const ZERO: Hex = `0x${'00'.repeat(32)}`;

/** A deterministic pseudo-random 32-byte value. */
const hashOf = (label: string): Hex => keccak256(toHex(label));

/** The shape of the one wide node of a synthetic model. */
export interface WideNode {
  /** fromSlot regions (each reads a distinct height-0 slot produced before the node). */
  slotInputs: number;
  /** Constant regions. */
  constInputs: number;
  /** Height of the constant regions. */
  constHeight: number;
  /** log2 of the stride between regions in leaves (0: packed; larger spreads them over memory). */
  spreadLog: number;
  outHeight: number;
}

/**
 * A registrable model of `graphInputs` 8-word inputs and `nodes` >= 2 nodes: node `nodes - 2` is the wide one;
 * every other node reads graph input 0 and writes 8 words; the output is the last node's.
 */
export function syntheticModel(graphInputs: number, nodes: number, wide: WideNode, tag = ''): ModelCommitment {
  if (nodes < 2) throw new RangeError('a synthetic model has at least 2 nodes');
  const j = nodes - 2;
  const n = wide.slotInputs + wide.constInputs;
  const strideLog = Math.max(wide.spreadLog, wide.constHeight);
  if (wide.slotInputs > graphInputs + j) throw new RangeError(`node ${j} can read at most ${graphInputs + j} slots`);
  if (n * 2 ** strideLog > 2 ** MEM_DEPTH) throw new RangeError('the regions do not fit in memory');
  const specs: NodeSpec[] = Array.from({ length: nodes }, (_, k) => {
    if (k !== j) {
      return { codeRoot: hashOf(`code ${tag} ${k}`), steps: 1 + k, outBase: 8, outHeight: 0, inputs: [{ fromSlot: true, slot: 0, root: ZERO, base: 0, height: 0 }], ...UNTILED };
    }
    const inputs: InputRegion[] = Array.from({ length: n }, (_, i) => {
      const base = i * 8 * 2 ** strideLog;
      return i < wide.slotInputs ? { fromSlot: true, slot: i, root: ZERO, base, height: 0 } : { fromSlot: false, slot: 0, root: hashOf(`const ${tag} ${i}`), base, height: wide.constHeight };
    });
    return { codeRoot: hashOf(`code ${tag} ${k}`), steps: 1000 + k, outBase: 0, outHeight: wide.outHeight, inputs, ...UNTILED };
  });
  const m = {
    nodes: specs,
    nodesRoot: bytesToHex(nodeTree(specs).root()),
    numNodes: nodes,
    numInputs: graphInputs,
    outputSlot: graphInputs + nodes - 1,
    outputWords: 8,
    inputWords: Array<number>(graphInputs).fill(8),
  };
  return { ...m, modelId: modelIdOf(m) };
}

/**
 * A consistent world over any commitment whose graph inputs are synthetic: input i is syntheticInput-like words
 * of its size, every node output a random root (the output slot's the root of random output words), and a
 * transition for every node that passes every check of TransitionVerifier.
 */
export function syntheticWorld(c: ModelCommitment, tag = ''): World {
  const inputs = c.inputWords.map((words, i) => Int32Array.from({ length: words }, (_, w) => ((i + 1) * 2654435761 + w * 40503) | 0));
  const output = Int32Array.from({ length: c.outputWords }, (_, w) => (w * 7919 + 13) | 0);
  const roots: Hex[] = [...inputs.map((w) => tensorRoot(w)), ...c.nodes.map((_, k) => hashOf(`out ${tag} ${k}`))];
  roots[c.outputSlot] = c.outputSlot < c.numInputs ? roots[c.outputSlot] : tensorRoot(output);
  const before = (i: number) => slotTree(roots.map((r, s) => (s < c.numInputs + i ? r : undefined)));
  const nodes = nodeTree(c.nodes);
  return {
    inputs,
    output: () => (c.outputSlot < c.numInputs ? inputs[c.outputSlot] : output),
    outputProof: () => slotTree(roots).proof(c.outputSlot).map((h) => bytesToHex(h)),
    graphState: (i) => bytesToHex(before(i).root()),
    transition(j) {
      const spec = c.nodes[j];
      const tree = before(j);
      const outRoot = roots[c.numInputs + j];
      const outSiblings = Array.from({ length: MEM_DEPTH - spec.outHeight }, (_, h) => hashOf(`mem ${tag} ${j} ${h}`));
      const index = spec.outBase / 8 / 2 ** spec.outHeight;
      const memRoot = bytesToHex(computeRoot(hexToBytes(outRoot), index, outSiblings.map((h) => hexToBytes(h))));
      return {
        nodeIndex: j,
        spec,
        nodeSiblings: nodes.proof(j).map((h) => bytesToHex(h)),
        slotRoots: spec.inputs.map((r) => (r.fromSlot ? bytesToHex(tree.leaf(r.slot)) : ZERO)),
        slotSiblings: spec.inputs.map((r) => (r.fromSlot ? tree.proof(r.slot).map((h) => bytesToHex(h)) : [])),
        final: { codeRoot: spec.codeRoot, memRoot, pc: 1234 + j, step: spec.steps, status: Status.HALTED, regs: Array.from({ length: 16 }, (_, r) => (r === 0 ? 0 : (r * 0x9e3779b1) | 0)) },
        outRoot,
        outSiblings,
        outSlotSiblings: tree.proof(c.numInputs + j).map((h) => bytesToHex(h)),
      };
    },
  };
}
