/**
 * Measuring forced moves on a real chain (an anvil): a game with a submitter and a challenger account, a
 * dispute steered to any node j (the challenger agrees with every graph state up to S_j and with none after),
 * startVM there (startTiles for a tiled node, then a tile bisection steered to any tile i and startTileVM on it),
 * then a VM bisection steered to any step k and resolveStep on it, and the endings (timeout, settle). Each
 * measured transaction comes back with its gasUsed, calldata and execution gas.
 *
 * A "world" is what the submitter posts: HonestClaims/LyingClaims of a zoo model (a real run), or a synthetic
 * world over any registered commitment (random tensors, a transition that checks but whose VM run is never
 * executed: the verifier only checks proofs, so its gas is exactly that of a real transition of the same shape;
 * likewise for a tiled node's entry and one tile's transition). A model too large to register in a test (2^20
 * nodes) can be written into the game's registry storage instead (Arena.inject, as the forge test of the forced
 * moves does). Used by scripts/calibrate-forced-moves.ts (the STARTVM_GAS fit) and the tests of
 * cli/game/forcedMoves.ts.
 */
import { bytesToHex, encodeAbiParameters, hexToBytes, keccak256, toHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { composeMemory, modelIdOf, nodeLeaf, nodeTree, tileLeaf, UNTILED, type InputRegion, type ModelCommitment, type NodeSpec, type TileSpec } from '../../models/int/commitment.ts';
import { slotTree, tensorRoot } from '../../models/int/roots.ts';
import { MEM_DEPTH } from '../../vm/isa.ts';
import { Machine } from '../../vm/interpreter.ts';
import { runGraph } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { initialMemory, lowerNode } from '../../models/int/vmNode.ts';
import { ceilLog2, computeRoot, MerkleTree, ZERO_HASHES, type Bytes32 } from '../../vm/merkle.ts';
import { hashPair } from '../../vm/keccak.ts';
import { Status } from '../../vm/state.ts';
import type { StepWitness } from '../../vm/prover.ts';
import type { TileTransition, TileVMTransition, Transition } from './claims.ts';
import { GameChain, type GameParams } from './chain.ts';
import { innerPositions } from './dissection.ts';
import { profile } from './params.ts';
import { Move, type DisputeView } from './types.ts';

/** What a submitter posts in a game steered by an Arena (Claims satisfy it). */
export interface World {
  readonly inputs: Int32Array[];
  output(): Int32Array;
  outputProof(): Hex[];
  graphState(i: number): Hex;
  transition(j: number): Transition;
  /** A tiled node's entry (startTiles), its tile states σ_0..σ_m and one tile's transition (startTileVM). */
  tileTransition?(j: number): TileTransition;
  tileState?(j: number, i: number): Hex;
  tileVM?(j: number, i: number): TileVMTransition;
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

/** The anvils being nudged (see nudge), by RPC URL. */
const nudged = new Set<string>();

/**
 * Mine an empty block whenever the anvil at `url` has mined none for a second, for as long as it answers. A client
 * waiting for a receipt learns of it from a new block number; on a loaded machine anvil can report a transaction's
 * block before its receipt, and with nothing else sent no later block would ever come (the wait would end only at
 * its timeout, minutes later). An empty block changes no measured gas.
 */
function nudge(url: string): void {
  if (nudged.has(url)) return;
  nudged.add(url);
  let last: unknown;
  const timer = setInterval(() => {
    rpc(url, 'eth_blockNumber', [])
      .then(async (n) => {
        if (n === last) await rpc(url, 'evm_mine', []);
        last = n;
      })
      .catch(() => {
        clearInterval(timer);
        nudged.delete(url);
      });
  }, 1000);
  timer.unref();
}

/** Per level of the game: its post and answer (names and sends), the move awaited after it, and what a position is. */
const LEVELS = {
  graph: { post: Move.PostGraphState, postName: 'postGraphStates', end: Move.StartVM, respond: 'respondGraph', unit: 'node', postWith: (c: GameChain, d: bigint, s: readonly Hex[]) => c.postGraphStates(d, s), respondWith: (c: GameChain, d: bigint, part: number, s: readonly Hex[]) => c.respondGraph(d, part, s) },
  tile: { post: Move.PostTileState, postName: 'postTileStates', end: Move.StartTileVM, respond: 'respondTile', unit: 'tile', postWith: (c: GameChain, d: bigint, s: readonly Hex[]) => c.postTileStates(d, s), respondWith: (c: GameChain, d: bigint, part: number, s: readonly Hex[]) => c.respondTile(d, part, s) },
  VM: { post: Move.PostVMState, postName: 'postVMStates', end: Move.ResolveStep, respond: 'respondVM', unit: 'step', postWith: (c: GameChain, d: bigint, s: readonly Hex[]) => c.postVMStates(d, s), respondWith: (c: GameChain, d: bigint, part: number, s: readonly Hex[]) => c.respondVM(d, part, s) },
} as const;

/**
 * One cut of the interval in `v` aimed at position `target`: the states at its inner positions and the part
 * holding [target, target + 1] (the count of inner positions <= target: the challenger agrees with those).
 */
function cutTo(v: DisputeView, target: number, stateAt: (p: number) => Hex): { states: Hex[]; part: number } {
  const at = innerPositions(v.lo, v.hi, Number(v.parts)).map(Number);
  return { states: at.map(stateAt), part: at.filter((p) => p <= target).length };
}

/** A fresh game on an anvil, with a funded submitter and challenger. */
export class Arena {
  private readonly uploaded = new Map<string, bigint>();

  private constructor(
    readonly rpcUrl: string,
    readonly params: GameParams,
    readonly sub: GameChain,
    readonly ch: GameChain,
    /** Seconds the chain's clock advances before each measured move (see settled). */
    readonly tick: number,
  ) {}

  /** Deploy a game on the anvil at `rpcUrl` (every account fresh and funded: no nonce shared with anything else). */
  static async open(rpcUrl: string, params: GameParams = profile('devnet').params, tick = 1): Promise<Arena> {
    const funded = async () => {
      const key = generatePrivateKey();
      await rpc(rpcUrl, 'anvil_setBalance', [privateKeyToAccount(key).address, toHex(10n ** 24n)]);
      return key;
    };
    nudge(rpcUrl);
    const deployment = await GameChain.deploy(rpcUrl, await funded(), params);
    return new Arena(rpcUrl, params, await GameChain.connect(deployment, await funded()), await GameChain.connect(deployment, await funded()), tick);
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
    return this.disputeOn(c.modelId, c.numNodes, world);
  }

  private async view(d: bigint): Promise<DisputeView> {
    return this.sub.dispute(d);
  }

  /**
   * Send one move and measure it. The chain's clock first advances by `tick` seconds, so that the mover's clock
   * runs before every move as it does on a real chain: each move then rewrites the dispute's clock slot, its
   * dearest path (on an anvil answering within the second, a move that keeps the turn would find that slot
   * unchanged and pay 2,800 gas less).
   */
  private async settled(chain: GameChain, action: string, send: () => Promise<Hex>): Promise<MeasuredTx> {
    if (this.tick > 0) await rpc(this.rpcUrl, 'evm_increaseTime', [this.tick]);
    const hash = await send();
    const failures = await chain.flush();
    if (failures.length > 0) throw failures[0];
    const [receipt, tx] = await Promise.all([chain.publicClient.getTransactionReceipt({ hash }), chain.publicClient.getTransaction({ hash })]);
    const bytes = hexToBytes(tx.input);
    const nonzero = bytes.reduce((n, b) => n + (b === 0 ? 0 : 1), 0);
    const gasUsed = Number(receipt.gasUsed);
    return { action, hash, gasUsed, calldata: bytes.length, nonzero, execution: gasUsed - 21_000 - 16 * nonzero - 4 * (bytes.length - nonzero) };
  }

  /**
   * Play the graph dissection of dispute d to node j: the submitter posts `stateAt(p)` at each inner position p of
   * the cut, the challenger agrees with exactly those at p <= j. Returns every move measured.
   */
  async graphTo(d: bigint, j: number, stateAt: (i: number) => Hex): Promise<MeasuredTx[]> {
    return this.dissectTo(d, 'graph', j, stateAt);
  }

  async startVM(d: bigint, t: Transition): Promise<MeasuredTx> {
    return this.settled(this.sub, 'startVM', () => this.sub.startVM(d, t));
  }

  /** The entry into a tiled node (the graph bisection converged on it). */
  async startTiles(d: bigint, t: TileTransition): Promise<MeasuredTx> {
    return this.settled(this.sub, 'startTiles', () => this.sub.startTiles(d, t));
  }

  /**
   * Play the tile dissection of dispute d to tile i: the submitter posts `stateAt(p)` at each inner position p,
   * the challenger agrees with exactly those at p <= i. Returns every move measured.
   */
  async tilesTo(d: bigint, i: number, stateAt: (k: number) => Hex): Promise<MeasuredTx[]> {
    return this.dissectTo(d, 'tile', i, stateAt);
  }

  /** One post of the tile dissection (the submitter's). */
  async postTileStates(d: bigint, states: readonly Hex[]): Promise<MeasuredTx> {
    return this.settled(this.sub, 'postTileStates', () => this.sub.postTileStates(d, states));
  }

  /** One answer of the tile dissection (the challenger's). */
  async respondTile(d: bigint, part: number, states: readonly Hex[]): Promise<MeasuredTx> {
    return this.settled(this.ch, 'respondTile', () => this.ch.respondTile(d, part, states));
  }

  /** The transition into tile i's VM run (the tile bisection converged on it). */
  async startTileVM(d: bigint, t: TileVMTransition): Promise<MeasuredTx> {
    return this.settled(this.sub, 'startTileVM', () => this.sub.startTileVM(d, t));
  }

  /**
   * Write a model into the game's registry storage (ModelRegistry._models, slot 0 of the game) under the id
   * registration would give it, and read it back through model(id) to check the layout: for models too large to
   * register in a test (2^20 nodes). Returns the id.
   */
  async inject(m: Pick<ModelCommitment, 'nodesRoot' | 'numNodes' | 'outputSlot' | 'outputWords' | 'inputWords'>): Promise<Hex> {
    const id = modelIdOf(m);
    const game = this.sub.deployment.game;
    const word = (x: bigint): Hex => toHex(x, { size: 32 });
    const base = BigInt(keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [id, 0n])));
    const set = (slot: bigint, value: Hex) => rpc(this.rpcUrl, 'anvil_setStorageAt', [game, word(slot), value]);
    await set(base, m.nodesRoot);
    await set(base + 1n, word(BigInt(m.numNodes) | (BigInt(m.outputSlot) << 32n) | (BigInt(m.outputWords) << 64n)));
    await set(base + 2n, word(BigInt(m.inputWords.length)));
    const data = BigInt(keccak256(word(base + 2n)));
    for (let k = 0; k * 8 < m.inputWords.length; k++) {
      let packed = 0n;
      for (let i = 8 * k; i < Math.min(8 * k + 8, m.inputWords.length); i++) packed |= BigInt(m.inputWords[i]) << BigInt(32 * (i % 8));
      await set(data + BigInt(k), word(packed));
    }
    const got = await this.sub.model(id);
    if (got.nodesRoot !== m.nodesRoot || got.numNodes !== m.numNodes || got.outputSlot !== m.outputSlot || got.outputWords !== m.outputWords || got.inputWords.join() !== m.inputWords.join()) {
      throw new Error(`the injected model reads back as ${JSON.stringify(got)}: the registry's storage layout changed`);
    }
    return id;
  }

  /** Post the world's result on an already registered (or injected) model and challenge it; returns the dispute id. */
  async disputeOn(modelId: Hex, numNodes: number, world: Pick<World, 'inputs' | 'output' | 'outputProof' | 'graphState'>): Promise<bigint> {
    const uploads = await this.uploads(world.inputs);
    const id = await this.sub.submit(modelId, uploads, world.output(), world.graphState(numNodes), world.outputProof(), this.params.minBond);
    return this.ch.challenge(id);
  }

  /**
   * Play the VM dissection of dispute d to step k: the submitter posts `honestAt(p)` at inner positions p <= k and
   * another hash after, the challenger agrees with exactly those at p <= k.
   */
  async vmTo(d: bigint, k: number, honestAt: (k: number) => Hex): Promise<MeasuredTx[]> {
    return this.dissectTo(d, 'VM', k, (p) => (p <= k ? honestAt(p) : keccak256(toHex(`not step ${p}`))));
  }

  /**
   * Play `level`'s dissection of dispute d down to [target, target + 1]: each round the submitter posts `stateAt`
   * at the cut's inner positions and the challenger names the part holding target (cutTo). Returns every move
   * measured; throws unless it converged on target.
   */
  private async dissectTo(d: bigint, level: keyof typeof LEVELS, target: number, stateAt: (p: number) => Hex): Promise<MeasuredTx[]> {
    const l = LEVELS[level];
    const moves: MeasuredTx[] = [];
    for (;;) {
      const v = await this.view(d);
      if (v.next !== l.post) break;
      const { states, part } = cutTo(v, target, stateAt);
      moves.push(await this.settled(this.sub, l.postName, () => l.postWith(this.sub, d, states)));
      moves.push(await this.settled(this.ch, l.respond, () => l.respondWith(this.ch, d, part, states)));
    }
    const v = await this.view(d);
    if (v.next !== l.end || Number(v.lo) !== target) throw new Error(`the ${level} dissection ended at ${l.unit} ${v.lo} (next move ${v.next}), not at ${l.unit} ${target}`);
    return moves;
  }

  async resolveStep(d: bigint, w: StepWitness): Promise<MeasuredTx> {
    return this.settled(this.ch, 'resolveStep', () => this.ch.resolveStep(d, w));
  }

  /** Let the mover's clock run out, then claim the timeout (the challenger sends it). */
  async timeout(d: bigint): Promise<MeasuredTx> {
    const v = await this.view(d);
    const now = await this.sub.now();
    if (now <= v.deadline) await rpc(this.rpcUrl, 'evm_increaseTime', [Number(v.deadline - now) + 1]);
    await rpc(this.rpcUrl, 'evm_mine', []);
    return this.settled(this.ch, 'timeout', () => this.ch.timeout(d));
  }

  /** The challenger withdraws its credit first (so settle writes a zero slot: its dearest path), then settles. */
  async settle(d: bigint): Promise<MeasuredTx> {
    if ((await this.ch.credits()) > 0n) await this.settled(this.ch, 'withdraw', () => this.ch.withdraw());
    return this.settled(this.ch, 'settle', () => this.ch.settle(d));
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
  /** Tiled: the node is committed as `numTiles` tiles with a window of `windowHeight` (startTiles, startTileVM). */
  tiles?: SyntheticTiles;
}

/** The tiling of a synthetic wide node. */
export interface SyntheticTiles {
  numTiles: number;
  windowHeight: number;
  /**
   * The one tile whose transition can be played (default the last, numTiles - 1): the tile tree is made up, only
   * that tile's leaf and proof are real.
   */
  tile?: number;
}

/** The made-up tile i of a synthetic tiled node: a program of 1000 + i steps, a window root. */
export function syntheticTile(i: number): TileSpec {
  return { codeRoot: hashOf(`tile code ${i}`), steps: 1000 + i, windowRoot: hashOf(`tile window ${i}`) };
}

/** The made-up siblings of a synthetic tile tree of `numTiles` leaves. */
const tileSiblingsOf = (numTiles: number): Hex[] => Array.from({ length: ceilLog2(numTiles) }, (_, h) => hashOf(`tile sibling ${h}`));

/** The root of a tile tree of `numTiles` leaves whose leaf `tile` is syntheticTile(tile) (the other leaves made up). */
export function syntheticTilesRoot(numTiles: number, tile: number): Hex {
  return bytesToHex(computeRoot(hexToBytes(tileLeaf(syntheticTile(tile))), tile, tileSiblingsOf(numTiles).map((h) => hexToBytes(h))));
}

/**
 * The highest aligned window of `height` in memory that shares no word with any of these regions (a tiled node's
 * window must be clear of its inputs and its output); undefined when there is none.
 */
export function freeWindow(regions: readonly { base: number; height: number }[], height: number): number | undefined {
  const size = 8 * 2 ** height;
  for (let base = 2 ** (MEM_DEPTH + 3) - size; base >= 0; base -= size) {
    if (regions.every((r) => r.base >= base + size || base >= r.base + 8 * 2 ** r.height)) return base;
  }
  return undefined;
}

/**
 * A registrable model of `graphInputs` 8-word inputs and `nodes` >= 2 nodes: node `nodes - 2` is the wide one
 * (tiled when `wide.tiles` says so, its window the highest free one); every other node reads graph input 0 and
 * writes 8 words; the output is the last node's.
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
    const spec: NodeSpec = { codeRoot: hashOf(`code ${tag} ${k}`), steps: 1000 + k, outBase: 0, outHeight: wide.outHeight, inputs, ...UNTILED };
    if (!wide.tiles) return spec;
    const { numTiles, windowHeight } = wide.tiles;
    const tile = wide.tiles.tile ?? numTiles - 1;
    if (!(numTiles >= 1 && tile >= 0 && tile < numTiles)) throw new RangeError(`tile ${tile} of ${numTiles}`);
    const windowBase = freeWindow([...inputs, { base: spec.outBase, height: spec.outHeight }], windowHeight);
    if (windowBase === undefined) throw new RangeError(`no window of height ${windowHeight} is clear of node ${j}'s regions`);
    return { ...spec, codeRoot: ZERO, steps: 0, numTiles, tilesRoot: syntheticTilesRoot(numTiles, tile), windowBase, windowHeight };
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
 * The siblings, from the level `height` up to the root, of the aligned subtree at (`base`, `height`) in the
 * depth-MEM_DEPTH tree composed from these regions (as composeMemory composes it; the subtree itself must hold
 * no region).
 */
export function composedSiblings(regions: readonly { base: number; height: number; root: Hex }[], base: number, height: number): Hex[] {
  const byLevel = new Map<number, Map<number, Bytes32>>();
  for (const r of regions) {
    const level = byLevel.get(r.height) ?? new Map<number, Bytes32>();
    level.set(r.base / 8 / 2 ** r.height, hexToBytes(r.root));
    byLevel.set(r.height, level);
  }
  const siblings: Hex[] = [];
  let index = base / 8 / 2 ** height;
  let current = new Map<number, Bytes32>();
  for (let h = 0; h < MEM_DEPTH; h++) {
    for (const [i, node] of byLevel.get(h) ?? []) current.set(i, node);
    if (h >= height) {
      siblings.push(bytesToHex(current.get(index ^ 1) ?? ZERO_HASHES[h]));
      index >>= 1;
    }
    const next = new Map<number, Bytes32>();
    for (const i of current.keys()) {
      const p = Math.floor(i / 2);
      if (next.has(p)) continue;
      next.set(p, hashPair(current.get(2 * p) ?? ZERO_HASHES[h], current.get(2 * p + 1) ?? ZERO_HASHES[h]));
    }
    current = next;
  }
  return siblings;
}

/**
 * A consistent world over any commitment whose graph inputs are synthetic: input i is syntheticInput-like words
 * of its size, every node output a random root (the output slot's the root of random output words), and a
 * transition for every node that passes every check of TransitionVerifier. For a tiled node (a syntheticModel's):
 * σ_0 composed from its regions, σ_i (0 < i < m) a memory holding a made-up window content under made-up
 * siblings, σ_m holding the node's output root; its entry, and the transition of the tile its model made playable.
 */
export function syntheticWorld(c: ModelCommitment, tag = ''): World {
  const inputs = c.inputWords.map((words, i) => Int32Array.from({ length: words }, (_, w) => ((i + 1) * 2654435761 + w * 40503) | 0));
  const output = Int32Array.from({ length: c.outputWords }, (_, w) => (w * 7919 + 13) | 0);
  const roots: Hex[] = [...inputs.map((w) => tensorRoot(w)), ...c.nodes.map((_, k) => hashOf(`out ${tag} ${k}`))];
  roots[c.outputSlot] = c.outputSlot < c.numInputs ? roots[c.outputSlot] : tensorRoot(output);
  const before = (i: number) => slotTree(roots.map((r, s) => (s < c.numInputs + i ? r : undefined)));
  const nodes = nodeTree(c.nodes);
  return syntheticOpenings(c, {
    inputs,
    output: () => (c.outputSlot < c.numInputs ? inputs[c.outputSlot] : output),
    outputProof: () => slotTree(roots).proof(c.outputSlot).map((h) => bytesToHex(h)),
    graphState: (i) => bytesToHex(before(i).root()),
    slotsBefore: before,
    nodeSiblings: (j) => nodes.proof(j).map((h) => bytesToHex(h)),
    outRoot: (j) => roots[c.numInputs + j],
    tag,
  });
}

/** What syntheticOpenings needs besides the commitment: the graph's side of a world. */
export interface GraphSide extends Pick<World, 'inputs' | 'output' | 'outputProof' | 'graphState'> {
  /** The slot tree before node j (S_j). */
  slotsBefore(j: number): { leaf(i: number): Bytes32; proof(i: number): Bytes32[] };
  nodeSiblings(j: number): Hex[];
  /** The output root node j writes. */
  outRoot(j: number): Hex;
  tag: string;
}

/** The node- and tile-level openings of a synthetic world (see syntheticWorld) over its graph side. */
export function syntheticOpenings(c: Pick<ModelCommitment, 'nodes' | 'numInputs'>, g: GraphSide): World {
  const { tag } = g;
  const hex = (b: Bytes32): Hex => bytesToHex(b);
  const opening = (j: number) => {
    const spec = c.nodes[j];
    const tree = g.slotsBefore(j);
    const outRoot = g.outRoot(j);
    const outSiblings = Array.from({ length: MEM_DEPTH - spec.outHeight }, (_, h) => hashOf(`mem ${tag} ${j} ${h}`));
    const index = spec.outBase / 8 / 2 ** spec.outHeight;
    const memRoot = bytesToHex(computeRoot(hexToBytes(outRoot), index, outSiblings.map((h) => hexToBytes(h))));
    const slotRoots = spec.inputs.map((r) => (r.fromSlot ? hex(tree.leaf(r.slot)) : ZERO));
    return {
      nodeIndex: j,
      spec,
      nodeSiblings: g.nodeSiblings(j),
      slotRoots,
      slotSiblings: spec.inputs.map((r) => (r.fromSlot ? tree.proof(r.slot).map(hex) : [])),
      memRoot,
      outRoot,
      outSiblings,
      outSlotSiblings: tree.proof(c.numInputs + j).map(hex),
      // σ_0 of a tiled node: its regions, each with its slot root or its constant root.
      regions: spec.inputs.map((r, i) => ({ base: r.base, height: r.height, root: r.fromSlot ? slotRoots[i] : r.root })),
    };
  };
  const windowSiblings = (spec: NodeSpec) => Array.from({ length: MEM_DEPTH - spec.windowHeight }, (_, h) => hashOf(`window sibling ${tag} ${h}`));
  const windowIndex = (spec: NodeSpec) => spec.windowBase / 8 / 2 ** spec.windowHeight;
  /** The window's content in σ_i, 0 < i < m. */
  const windowIn = (j: number, i: number) => hashOf(`window ${tag} ${j} ${i}`);
  const tileState = (j: number, i: number): Hex => {
    const spec = c.nodes[j];
    if (i === 0) return composeMemory(opening(j).regions);
    if (i === spec.numTiles) return opening(j).memRoot;
    return bytesToHex(computeRoot(hexToBytes(windowIn(j, i)), windowIndex(spec), windowSiblings(spec).map((h) => hexToBytes(h))));
  };
  return {
    inputs: g.inputs,
    output: g.output,
    outputProof: g.outputProof,
    graphState: g.graphState,
    transition(j) {
      const { regions: _r, memRoot, ...o } = opening(j);
      const spec = o.spec;
      return { ...o, final: { codeRoot: spec.codeRoot, memRoot, pc: 1234 + j, step: spec.steps, status: Status.HALTED, regs: Array.from({ length: 16 }, (_, r) => (r === 0 ? 0 : (r * 0x9e3779b1) | 0)) } };
    },
    tileTransition(j) {
      const { regions: _r, memRoot, ...o } = opening(j);
      return { ...o, finalMem: memRoot };
    },
    tileState,
    tileVM(j, i) {
      const spec = c.nodes[j];
      const tile = syntheticTile(i);
      const tileSiblings = tileSiblingsOf(spec.numTiles);
      if (bytesToHex(computeRoot(hexToBytes(tileLeaf(tile)), i, tileSiblings.map((h) => hexToBytes(h)))) !== spec.tilesRoot) {
        throw new RangeError(`node ${j}'s synthetic tile tree makes only one tile playable, not tile ${i}`);
      }
      const sigma = tileState(j, i);
      const window = i === 0 ? bytesToHex(ZERO_HASHES[spec.windowHeight]) : windowIn(j, i);
      const siblings = i === 0 ? composedSiblings(opening(j).regions, spec.windowBase, spec.windowHeight) : windowSiblings(spec);
      const next = tileState(j, i + 1);
      const mu = bytesToHex(computeRoot(hexToBytes(tile.windowRoot), windowIndex(spec), siblings.map((h) => hexToBytes(h))));
      return {
        entry: { index: i, spec: tile, tileSiblings, sigma, windowRoot: window, windowSiblings: siblings, mu, next },
        final: { codeRoot: tile.codeRoot, memRoot: next, pc: 4321 + i, step: tile.steps, status: Status.HALTED, regs: Array.from({ length: 16 }, (_, r) => (r === 0 ? 0 : (r * 0x7f4a7c15) | 0)) },
      };
    },
  };
}

/**
 * A model too large to register in a test, for Arena.inject: `numNodes` nodes (up to 2^20) whose node 0 is `spec`
 * (the node tree made up around its leaf), `graphInputs` 8-word graph inputs, the output slot graph input 0. Its
 * world's graph states are S_0 and S_1 (node 0's output written) only: a challenger that disagrees with every
 * posted state brings the dispute to node 0, where every move of node 0 (startVM, or startTiles, the tile
 * bisection and startTileVM) can be played as on any synthetic world.
 */
export function injectedModel(spec: NodeSpec, graphInputs: number, numNodes: number, tag = 'injected'): { model: Omit<ModelCommitment, 'modelId'> & { modelId: Hex }; world: World } {
  const depth = ceilLog2(graphInputs + numNodes);
  const nodeSiblings = Array.from({ length: ceilLog2(numNodes) }, (_, h) => hashOf(`node sibling ${tag} ${h}`));
  const nodesRoot = bytesToHex(computeRoot(hexToBytes(nodeLeaf(spec)), 0, nodeSiblings.map((h) => hexToBytes(h))));
  const inputs = Array.from({ length: graphInputs }, (_, i) => Int32Array.from({ length: 8 }, (_, w) => ((i + 1) * 2654435761 + w * 40503) | 0));
  const outRoot = hashOf(`out ${tag} 0`);
  const leaves = new Uint8Array((graphInputs + 1) * 32);
  inputs.forEach((w, i) => leaves.set(hexToBytes(tensorRoot(w)), i * 32));
  const s0 = new MerkleTree(depth, graphInputs + 1, leaves.slice(0, graphInputs * 32));
  leaves.set(hexToBytes(outRoot), graphInputs * 32);
  const s1 = new MerkleTree(depth, graphInputs + 1, leaves);
  const m = { nodesRoot, numNodes, numInputs: graphInputs, outputSlot: 0, outputWords: 8, inputWords: Array<number>(graphInputs).fill(8) };
  // Only node 0's spec is ever read; the others stand in for the made-up leaves of the node tree.
  const model = { ...m, nodes: [spec], modelId: modelIdOf(m) };
  const world = syntheticOpenings(
    { nodes: [spec], numInputs: graphInputs },
    {
      inputs,
      output: () => inputs[0],
      outputProof: () => s1.proof(0).map((h) => bytesToHex(h)),
      graphState: (i) => bytesToHex((i === 0 ? s0 : s1).root()),
      slotsBefore: () => s0,
      nodeSiblings: () => nodeSiblings,
      outRoot: () => outRoot,
      tag,
    },
  );
  return { model, world };
}
