/**
 * Forced moves of a model's game and what they cost (docs/GAME.md, "Forced moves"): a move a party must be able to
 * make to win or keep playing — postGraphStates, respondGraph, startVM, postVMStates, respondVM, resolveStep,
 * timeout, settle, and for a tiled node startTiles, postTileStates, respondTile, startTileVM — must fit
 * FORCED_MOVE_GAS of gas and FORCED_MOVE_CALLDATA bytes of calldata for every model registration accepts. All of
 * them are constant but the transitions: startVM and startTiles, whose witnesses (a TransitionProof, a
 * TileEntryProof) grow with the disputed node's input regions and the tree depths, and startTileVM, whose witness
 * (a TileVMProof) grows with the node's tile tree depth and how deep its window sits in memory.
 *
 * Per node this module gives the entry move's exact calldata size (startVM for an untiled node, startTiles and
 * startTileVM for a tiled one: an ABI encoding, through viem, of a witness of the node's shape against the
 * DisputeGame ABI: sizes depend on the shape alone, never on hash values) and an upper bound on its gas from a
 * formula calibrated on anvil (STARTVM_GAS, STARTTILES_GAS, STARTTILEVM_GAS below; scripts/calibrate-forced-moves.ts
 * re-measures them). The other moves' bounds are constants, measured the same way on their dearest paths.
 *
 * Gas figures are bounds on the whole transaction's gasUsed: 21,000 + calldata + execution, or the EIP-7623
 * calldata floor (10 gas per zero byte, 40 per nonzero byte) when that is higher; both are computed from an
 * encoding whose variable bytes are all nonzero, so the bound holds for any hash values. The execution part
 * alone is reported as `execution`.
 */
import { encodeFunctionData, type Abi, type Hex } from 'viem';
import { loadArtifact } from '../chain/artifacts.ts';
import { ensureContractsBuilt } from '../chain/foundry.ts';
import { toAbiNodeSpec, UNTILED, type ModelCommitment, type NodeSpec } from '../../models/int/commitment.ts';
import { toAbiTileSpec } from '../../models/int/tiles/spec.ts';
import { CODE_DEPTH, MEM_DEPTH, NUM_REGS } from '../../vm/isa.ts';
import { ceilLog2 } from '../../vm/merkle.ts';
import { toAbiState } from '../chain/judgeAbi.ts';
import type { TileTransition, TileVMTransition, Transition } from './claims.ts';
import { toAbiTileEntry, toAbiTileVM, toAbiTransition } from './chain.ts';
import { MAX_GRAPH_INPUTS, MAX_NODE_INPUTS, MAX_NODES, MAX_TILES } from './modelChecks.ts';
import { DEFAULT_ARITY } from './params.ts';

/** Forced-move caps (docs/GAME.md, "Forced moves"): gas of one transaction, and its calldata in bytes. */
export const FORCED_MOVE_GAS = 2_000_000;
export const FORCED_MOVE_CALLDATA = 65_536;

export type ForcedMoveName =
  | 'postGraphStates'
  | 'respondGraph'
  | 'startVM'
  | 'startTiles'
  | 'postTileStates'
  | 'respondTile'
  | 'startTileVM'
  | 'postVMStates'
  | 'respondVM'
  | 'resolveStep'
  | 'timeout'
  | 'settle';

/** The moves whose witness depends on the disputed node: their bounds are per node. */
export type NodeMoveName = 'startVM' | 'startTiles' | 'startTileVM';
/** The moves whose cost is the same for every model. */
export type ConstantMoveName = Exclude<ForcedMoveName, NodeMoveName>;

/** One forced move's cost bound. */
export interface ForcedMoveCost {
  move: ForcedMoveName;
  /** The disputed node (startVM, startTiles and startTileVM). */
  node?: number;
  /** Upper bound on the transaction's gasUsed (intrinsic + calldata + execution, or the EIP-7623 floor). */
  gas: number;
  /** Upper bound on the execution gas alone (gasUsed less 21,000 and the calldata's standard cost). */
  execution: number;
  /** Calldata bytes, exact (selector included). */
  calldata: number;
}

/**
 * What startVM's cost depends on, for node j of a model; startTiles' too (the same checks of the same witness
 * parts: startTiles has σ_m where startVM has a final VM state, and `calldata`/`nonzero` are then its own).
 */
export interface StartVMShape {
  node: number;
  /** Input regions of the node (spec.inputs.length). */
  regions: number;
  /** Of those, fromSlot regions: each carries a slot root and D siblings. */
  slotInputs: number;
  /** D = ceil(log2(numInputs + numNodes)): the slot tree's depth. */
  slotDepth: number;
  /** ceil(log2 numNodes): the node proof's siblings. */
  nodeDepth: number;
  /** MEM_DEPTH - outHeight: the output proof's siblings. */
  outSiblings: number;
  /** Graph inputs (the registered model's inputWords, read from storage and passed to the verifier). */
  graphInputs: number;
  /** Calls of Commitments._compose for this layout (composeMemory's recursion, computed exactly). */
  composeCalls: number;
  /** Steps of _compose's scans for its split points (computed exactly). */
  composeScans: number;
  /** Calldata bytes (exact). */
  calldata: number;
  /** Nonzero calldata bytes at most (every hash, register and pc byte nonzero). */
  nonzero: number;
}

export interface StartVMCost extends ForcedMoveCost {
  move: 'startVM';
  node: number;
  shape: StartVMShape;
}

/** startTiles of a tiled node: its shape is startVM's, with its own calldata. */
export interface StartTilesCost extends ForcedMoveCost {
  move: 'startTiles';
  node: number;
  shape: StartVMShape;
}

/** What startTileVM's cost depends on, for tiled node j of a model (the same for each of its tiles). */
export interface StartTileVMShape {
  node: number;
  numTiles: number;
  /** ceil(log2 numTiles): the tile proof's siblings. */
  tileDepth: number;
  /** MEM_DEPTH - windowHeight: the window proof's siblings. */
  windowSiblings: number;
  /** Calldata bytes (exact). */
  calldata: number;
  /** Nonzero calldata bytes at most. */
  nonzero: number;
}

export interface StartTileVMCost extends ForcedMoveCost {
  move: 'startTileVM';
  node: number;
  shape: StartTileVMShape;
}

/**
 * startVM's execution gas, bounded by (1 + margin) times
 *
 *   base + perGraphInput·I + perInputWordsSlot·⌈I/8⌉ + perSlotSibling·s·D + perSlotInput·s + perRegion·n
 *        + perNodeSibling·N + perOutSibling·O + perSlotLevel·D + perComposeCall·K + perComposeScan·C
 *        + perByte·L + perQuadWord·⌈(L + 32·I) / 32⌉² / 512
 *
 * where I is the graph inputs, s the fromSlot regions of the node's n, D the slot tree's depth, N the node tree's,
 * O = MEM_DEPTH - outHeight, K and C the calls and scan steps of composeMemory for the node's layout
 * (composeWork), L the calldata bytes. The coefficients are a non-negative least-squares fit to startVM
 * transactions measured on anvil, rounded up (scripts/calibrate-forced-moves.ts, scripts/fit-forced-moves.py):
 * CALIBRATION says on what, and how far above every measurement the bound lies.
 */
export const STARTVM_GAS = {
  base: 81_084,
  perGraphInput: 349,
  perInputWordsSlot: 2_301,
  perSlotSibling: 315,
  perSlotInput: 1_461,
  perRegion: 4_531,
  perNodeSibling: 693,
  perOutSibling: 315,
  perSlotLevel: 716,
  perComposeCall: 436,
  perComposeScan: 441,
  perByte: 0,
  perQuadWord: 3.61,
  /** Added on top of the fit (a fraction of it). */
  margin: 0.1,
} as const;

/**
 * startTiles' execution gas, bounded by (1 + margin) times STARTVM_GAS's formula with these coefficients, on
 * startTiles' shape (startVMShape(..., 'startTiles'): startVM's features, L the calldata of the TileEntryProof).
 * startTiles runs startVM's checks but the final state's, and writes the tile tree's root besides; it grows with
 * nothing else (not with the tile count, the window or the tile specs, which only startTileVM reads). Fitted as
 * STARTVM_GAS was, to the startTiles transactions of TILES_CALIBRATION, which says how far above each it lies.
 */
export const STARTTILES_GAS = {
  base: 94_718,
  perGraphInput: 437,
  perInputWordsSlot: 1_730,
  perSlotSibling: 313,
  perSlotInput: 826,
  perRegion: 3_427,
  perNodeSibling: 865,
  perOutSibling: 289,
  perSlotLevel: 638,
  perComposeCall: 434,
  perComposeScan: 443,
  perByte: 0,
  perQuadWord: 9.04,
  /** Added on top of the fit (a fraction of it). */
  margin: 0.1,
} as const;

/**
 * startTileVM's execution gas, bounded by (1 + margin) times
 *
 *   base + perTileSibling·t + perWindowSibling·w
 *
 * where t = ceil(log2 numTiles) ≤ 20 is the tile proof's siblings and w = MEM_DEPTH - windowHeight ≤ 19 the window
 * proof's: the rest of its witness (a tile spec, the window's root, a final state) and work (a tile leaf, μ_i and
 * σ_i from one sibling path, two state hashes, the VM bisection's start) are the same for every tile of every node.
 * Fitted (non-negative least squares, rounded up) to the startTileVM transactions of TILES_CALIBRATION.
 */
export const STARTTILEVM_GAS = {
  base: 56_970,
  perTileSibling: 451,
  perWindowSibling: 493,
  /** Added on top of the fit (a fraction of it). */
  margin: 0.1,
} as const;

/**
 * Execution-gas bounds of the constant forced moves: the largest measured on anvil on each move's dearest path
 * (first write of every storage slot it touches), plus CONSTANT_MARGIN. resolveStep's is the judge's dearest
 * instruction, STORE, in a dispute whose ruling rejects the submission and splits its bond. postTileStates's is the
 * first post of a one-node model's dispute (no graph round before it: it writes the posted hash's slot first);
 * timeout's a timeout in the tile phase that rejects the submission. Where the contracts have since become cheaper
 * on a path the larger (earlier) measurement is kept.
 */
export const CONSTANT_EXECUTION_MEASURED: Readonly<Record<ConstantMoveName, number>> = {
  /** k = 2, the states as an array (one word and its length and offset): 47,619 as a single word before. */
  postGraphStates: 49_598,
  respondGraph: 31_765,
  /** The first post of a one-node dispute (it writes the posted hash first); about 28,000 after a graph round. */
  postTileStates: 49_599,
  respondTile: 31_787,
  postVMStates: 32_476,
  respondVM: 33_166,
  /** STORE; LOAD measured 162,374 and MAC 163,045 on the same path. */
  resolveStep: 165_555,
  /** In the tile phase, the submitter's clock spent (119,045 measured in the graph and VM phases before). */
  timeout: 119_114,
  settle: 40_654,
};
export const CONSTANT_MARGIN = 0.25;

/**
 * What each state beyond the first adds to a post's and an answer's execution gas (k-ary dissection: a post and
 * its answer carry k − 1 states; CONSTANT_EXECUTION_MEASURED holds k = 2). Measured on anvil at k = 2, 4 … 64
 * (scripts/calibrate-forced-moves.ts, phase `arity`): a post adds 274–275 per state (the event's data, the copy
 * and the hash), an answer 12 (the hash); rounded up. Their calldata is priced by transactionGas (at k = 64 an
 * answer pays the EIP-7623 floor).
 */
export const PER_STATE_EXECUTION: Readonly<Record<'post' | 'respond', number>> = { post: 300, respond: 20 };

/**
 * What an answer naming a middle part adds at k ≥ 3: it writes both ends' hashes, where an answer at k = 2 (the
 * first or the last part) writes one. Measured 5,078 (a cold slot's second write: 2,100 + 2,900), rounded up.
 */
export const MIDDLE_PART_EXECUTION = 5_100;

/** The moves that carry the dissection's states (their bounds grow with the arity). */
function statesCarried(move: ConstantMoveName): 'post' | 'respond' | undefined {
  if (move === 'postGraphStates' || move === 'postTileStates' || move === 'postVMStates') return 'post';
  if (move === 'respondGraph' || move === 'respondTile' || move === 'respondVM') return 'respond';
  return undefined;
}

/** The calibration behind STARTVM_GAS (for reports and docs). */
export const CALIBRATION = {
  /** startVM transactions measured. */
  samples: 156,
  /** Of those, the zoo models' nodes played for real (every node of mnist-mlp, mnist-cnn, tiny-transformer). */
  zooSamples: 75,
  /** The smallest and largest bound / measured execution-gas ratio over the samples. */
  minRatio: 1.069,
  maxRatio: 1.1236,
  /** The largest measured / fit ratio over the runs (what the margin covers, with 7 points to spare). */
  maxResidual: 1.029,
  /** Deepest trees of a registered sample: D = 12, N = 11 (1,800 nodes, 256 graph inputs). */
  deepest: { slotDepth: 12, nodeDepth: 11 },
  /**
   * Beyond what registers on a test chain, the dearest registrable node (registrableWorstStartVM: D = 21, N = 20,
   * 32 spread slot inputs, 256 graph inputs): TransitionVerifier.verify measured alone, plus what startVM adds
   * around it (measured at D = 9 and 12: 257,762 gas, flat in the calldata size), estimates its execution at
   * 1,346,954 gas (1,803,402 for the whole transaction); the bound says 1,479,498 (1,935,922).
   */
  registrableWorst: { estimatedExecution: 1_346_954, boundExecution: 1_479_498, estimatedTransaction: 1_803_402, boundTransaction: 1_935_922, calldata: 32_932 },
  /**
   * The same node measured on anvil (its 2^20-node model written into the registry: Arena.inject), with the spec's
   * four tile fields (33,060 bytes): 1,307,711 gas of execution, 1,760,939 for the transaction; the bound says
   * 1,479,578 (1,936,538), 1.131x.
   */
  registrableWorstMeasured: { execution: 1_307_711, transaction: 1_760_939, boundExecution: 1_479_578, boundTransaction: 1_936_538, calldata: 33_060 },
  /**
   * The same 156 startVM samples re-measured on the contracts as they are now (the witness forwarded to the
   * verifier as it came, the spec's tile fields, the mover's clock running): the bound is 1.089x to 1.207x each.
   */
  remeasured: { minRatio: 1.089, maxRatio: 1.207 },
};

/** The calibration behind STARTTILES_GAS and STARTTILEVM_GAS (for reports and docs). */
export const TILES_CALIBRATION = {
  /**
   * Tiled nodes played on anvil, each to its startTiles, a tile bisection and one tile's startTileVM: every tiled
   * node of the zoo models committed with tileSteps 4096 (mnist-mlp fc1 at its first, middle and last tile,
   * mnist-cnn fc, tiny-transformer's 17), 71 synthetic tiled models (the startVM grid's shapes with 1 to 2^20 tiles,
   * windows of height 0 to 12, the played tile first, last or anywhere; D up to 12) and the dearest tiled node
   * registration accepts (registrableWorst below). Each move is measured with the mover's clock running (its
   * dearest path: a move that keeps the turn, as startTiles and startTileVM do, finds the clock slot unchanged
   * when it lands in the same second as the move before and pays 2,800 gas less).
   */
  samples: 93,
  zooSamples: 21,
  startTiles: { minRatio: 1.086, maxRatio: 1.131, maxResidual: 1.013 },
  startTileVM: { minRatio: 1.098, maxRatio: 1.103, maxResidual: 1.002 },
  /**
   * Measured on anvil, the 2^20-node model written into the registry (registrableWorstStartTiles and
   * registrableWorstStartTileVM: the tile 2^20 - 1 after 20 tile rounds): execution and whole transaction, bound
   * and measured.
   */
  registrableWorst: {
    startTiles: { execution: 1_322_121, transaction: 1_769_309, boundExecution: 1_455_475, boundTransaction: 1_903_287, calldata: 32_420 },
    startTileVM: { execution: 75_421, transaction: 125_545, boundExecution: 82_893, boundTransaction: 136_305, calldata: 2_244 },
  },
};

// ---- ABI and encodings -----------------------------------------------------------------------------------

let abiCache: Abi | undefined;

/** The DisputeGame ABI (compiling the contracts first when their artifacts are missing or stale). */
export function disputeGameAbi(onBuild?: (what: string) => void): Abi {
  if (!abiCache) {
    ensureContractsBuilt('DisputeGame', onBuild);
    abiCache = loadArtifact('DisputeGame').abi;
  }
  return abiCache;
}

const FULL: Hex = `0x${'ff'.repeat(32)}`;
const ZERO: Hex = `0x${'00'.repeat(32)}`;
/** A dispute id with 8 nonzero bytes: no game ever has 2^64 disputes. */
const MAX_DISPUTE = 2n ** 64n - 1n;

const bytesOf = (data: Hex): number => (data.length - 2) / 2;

function nonzeroBytes(data: Hex): number {
  let n = 0;
  for (let i = 2; i < data.length; i += 2) if (data[i] !== '0' || data[i + 1] !== '0') n++;
  return n;
}

/** The tree depths of a model's proofs. */
export function depths(c: Pick<ModelCommitment, 'numNodes' | 'inputWords'>): { slotDepth: number; nodeDepth: number } {
  return { slotDepth: ceilLog2(c.inputWords.length + c.numNodes), nodeDepth: ceilLog2(c.numNodes) };
}

/**
 * startVM's arguments for node j with every variable byte set to `fill` (the spec, lengths and offsets are the
 * node's own): 0xff… gives the most nonzero bytes any real transition of this node can have.
 */
export function startVMArgs(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, j: number, fill: Hex = FULL) {
  const spec = c.nodes[j];
  const { slotDepth, nodeDepth } = depths(c);
  const word = fill;
  const reg = fill === ZERO ? 0 : -1; // int32 -1: 32 bytes of 0xff once sign-extended
  return [
    fill === ZERO ? 0n : MAX_DISPUTE,
    {
      spec: toAbiNodeSpec(spec),
      nodeSiblings: Array<Hex>(nodeDepth).fill(word),
      slotRoots: spec.inputs.map(() => word),
      slotSiblings: spec.inputs.map((r) => (r.fromSlot ? Array<Hex>(slotDepth).fill(word) : [])),
      finalState: { codeRoot: spec.codeRoot, memRoot: word, pc: fill === ZERO ? 0 : 0xffffffff, step: BigInt(spec.steps), status: 1, regs: Array<number>(NUM_REGS).fill(reg) },
      outRoot: word,
      outSiblings: Array<Hex>(MEM_DEPTH - spec.outHeight).fill(word),
      outSlotSiblings: Array<Hex>(slotDepth).fill(word),
    },
  ] as const;
}

/** The calldata of startVM(d, t) as GameChain.startVM sends it. */
export function encodeStartVM(d: bigint, t: Transition, abi: Abi = disputeGameAbi()): Hex {
  return encodeFunctionData({ abi, functionName: 'startVM', args: [d, toAbiTransition(t)] } as never);
}

/** The calldata of startTiles(d, t) as GameChain.startTiles sends it. */
export function encodeStartTiles(d: bigint, t: TileTransition, abi: Abi = disputeGameAbi()): Hex {
  return encodeFunctionData({ abi, functionName: 'startTiles', args: [d, toAbiTileEntry(t)] } as never);
}

/** The calldata of startTileVM(d, t) as GameChain.startTileVM sends it. */
export function encodeStartTileVM(d: bigint, t: TileVMTransition, abi: Abi = disputeGameAbi()): Hex {
  return encodeFunctionData({ abi, functionName: 'startTileVM', args: [d, toAbiTileVM(t)] } as never);
}

/**
 * startTiles' arguments for tiled node j with every variable byte set to `fill` (the spec, lengths and offsets
 * are the node's own), as startVMArgs.
 */
export function startTilesArgs(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, j: number, fill: Hex = FULL) {
  const [d, t] = startVMArgs(c, j, fill);
  const { finalState: _final, ...rest } = t;
  return [d, { ...rest, finalMem: fill }] as const;
}

/** The most steps a tile can be played with (TransitionVerifier.MAX_TILE_STEPS). */
export const MAX_TILE_STEPS = 2 ** 40;

/**
 * startTileVM's arguments for any tile of tiled node j with every variable byte nonzero (`fill` 0xff…): the tile
 * tree's and the window's sibling counts are the node's own; the step count 2^40 - 1 has the most nonzero bytes of
 * any count a tile can be played with.
 */
export function startTileVMArgs(spec: Pick<NodeSpec, 'numTiles' | 'windowHeight'>, fill: Hex = FULL) {
  const zero = fill === ZERO;
  const steps = zero ? 0 : MAX_TILE_STEPS - 1;
  return [
    zero ? 0n : MAX_DISPUTE,
    {
      tile: toAbiTileSpec({ codeRoot: fill, steps, windowRoot: fill }),
      tileSiblings: Array<Hex>(ceilLog2(spec.numTiles)).fill(fill),
      window: fill,
      windowSiblings: Array<Hex>(MEM_DEPTH - spec.windowHeight).fill(fill),
      finalState: { codeRoot: fill, memRoot: fill, pc: zero ? 0 : 0xffffffff, step: BigInt(steps), status: 1, regs: Array<number>(NUM_REGS).fill(zero ? 0 : -1) },
    },
  ] as const;
}

/**
 * The work of Commitments._compose for these regions (sorted by base, as registered): its calls, and the steps of
 * its scans for the split point (each call that splits walks the regions of its left half).
 */
export function composeWork(regions: readonly { base: number; height: number }[], depth = MEM_DEPTH): { calls: number; scans: number } {
  let calls = 0;
  let scans = 0;
  const rec = (lo: number, hi: number, level: number, index: number): void => {
    calls++;
    if (lo === hi || regions[lo].height >= level) return;
    const split = (2 * index + 1) * 2 ** (level + 2);
    let m = lo;
    while (m < hi && regions[m].base < split) m++;
    scans += m - lo;
    rec(lo, m, level - 1, 2 * index);
    rec(m, hi, level - 1, 2 * index + 1);
  };
  rec(0, regions.length, depth, 0);
  return { calls, scans };
}

/** The shape of node j's startVM (of its startTiles with `move` 'startTiles'). */
export function startVMShape(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, j: number, abi: Abi = disputeGameAbi(), move: 'startVM' | 'startTiles' = 'startVM'): StartVMShape {
  const spec: NodeSpec = c.nodes[j];
  const data = encodeFunctionData({ abi, functionName: move, args: move === 'startVM' ? startVMArgs(c, j) : startTilesArgs(c, j) } as never);
  const { slotDepth, nodeDepth } = depths(c);
  const work = composeWork(spec.inputs);
  return {
    node: j,
    regions: spec.inputs.length,
    slotInputs: spec.inputs.filter((r) => r.fromSlot).length,
    slotDepth,
    nodeDepth,
    outSiblings: MEM_DEPTH - spec.outHeight,
    graphInputs: c.inputWords.length,
    composeCalls: work.calls,
    composeScans: work.scans,
    calldata: bytesOf(data),
    nonzero: nonzeroBytes(data),
  };
}

/** The coefficients of startVM's (and startTiles') formula. */
export type EntryGasCoefficients = { readonly [K in Exclude<keyof typeof STARTVM_GAS, 'margin'>]: number };

/** The fit of STARTVM_GAS, without its margin (of STARTTILES_GAS with k = STARTTILES_GAS). */
export function startVMExecutionFit(s: StartVMShape, k: EntryGasCoefficients = STARTVM_GAS): number {
  const memWords = Math.ceil((s.calldata + 32 * s.graphInputs) / 32);
  return (
    k.base +
    k.perGraphInput * s.graphInputs +
    k.perInputWordsSlot * Math.ceil(s.graphInputs / 8) +
    k.perSlotSibling * s.slotInputs * s.slotDepth +
    k.perSlotInput * s.slotInputs +
    k.perRegion * s.regions +
    k.perNodeSibling * s.nodeDepth +
    k.perOutSibling * s.outSiblings +
    k.perSlotLevel * s.slotDepth +
    k.perComposeCall * s.composeCalls +
    k.perComposeScan * s.composeScans +
    k.perByte * s.calldata +
    (k.perQuadWord * memWords * memWords) / 512
  );
}

/** Upper bound on startVM's execution gas for a node of this shape. */
export function startVMExecutionBound(s: StartVMShape): number {
  return Math.ceil(startVMExecutionFit(s) * (1 + STARTVM_GAS.margin));
}

/** Upper bound on startTiles' execution gas for a tiled node of this shape (startVMShape(..., 'startTiles')). */
export function startTilesExecutionBound(s: StartVMShape): number {
  return Math.ceil(startVMExecutionFit(s, STARTTILES_GAS) * (1 + STARTTILES_GAS.margin));
}

/** The shape of tiled node j's startTileVM. */
export function startTileVMShape(c: Pick<ModelCommitment, 'nodes'>, j: number, abi: Abi = disputeGameAbi()): StartTileVMShape {
  const spec = c.nodes[j];
  const data = encodeFunctionData({ abi, functionName: 'startTileVM', args: startTileVMArgs(spec) } as never);
  return { node: j, numTiles: spec.numTiles, tileDepth: ceilLog2(spec.numTiles), windowSiblings: MEM_DEPTH - spec.windowHeight, calldata: bytesOf(data), nonzero: nonzeroBytes(data) };
}

/** The fit of STARTTILEVM_GAS, without its margin. */
export function startTileVMExecutionFit(s: Pick<StartTileVMShape, 'tileDepth' | 'windowSiblings'>, k: Omit<typeof STARTTILEVM_GAS, 'margin'> = STARTTILEVM_GAS): number {
  return k.base + k.perTileSibling * s.tileDepth + k.perWindowSibling * s.windowSiblings;
}

/** Upper bound on startTileVM's execution gas for a tiled node of this shape. */
export function startTileVMExecutionBound(s: Pick<StartTileVMShape, 'tileDepth' | 'windowSiblings'>): number {
  return Math.ceil(startTileVMExecutionFit(s) * (1 + STARTTILEVM_GAS.margin));
}

/**
 * A transaction's gasUsed from its execution gas and calldata: 21,000 + 16 per nonzero byte + 4 per zero byte +
 * execution, or the EIP-7623 floor 21,000 + 10 per zero byte + 40 per nonzero byte when that is higher.
 */
export function transactionGas(execution: number, calldata: number, nonzero: number): number {
  const zero = calldata - nonzero;
  return Math.max(21_000 + 16 * nonzero + 4 * zero + execution, 21_000 + 10 * zero + 40 * nonzero);
}

/** startVM of node j: exact calldata, gas bound. */
export function startVMCost(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, j: number, abi: Abi = disputeGameAbi()): StartVMCost {
  const shape = startVMShape(c, j, abi);
  const execution = startVMExecutionBound(shape);
  return { move: 'startVM', node: j, gas: transactionGas(execution, shape.calldata, shape.nonzero), execution, calldata: shape.calldata, shape };
}

/** startTiles of tiled node j: exact calldata, gas bound. */
export function startTilesCost(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, j: number, abi: Abi = disputeGameAbi()): StartTilesCost {
  const shape = startVMShape(c, j, abi, 'startTiles');
  const execution = startTilesExecutionBound(shape);
  return { move: 'startTiles', node: j, gas: transactionGas(execution, shape.calldata, shape.nonzero), execution, calldata: shape.calldata, shape };
}

/** startTileVM of any tile of tiled node j: exact calldata, gas bound. */
export function startTileVMCost(c: Pick<ModelCommitment, 'nodes'>, j: number, abi: Abi = disputeGameAbi()): StartTileVMCost {
  const shape = startTileVMShape(c, j, abi);
  const execution = startTileVMExecutionBound(shape);
  return { move: 'startTileVM', node: j, gas: transactionGas(execution, shape.calldata, shape.nonzero), execution, calldata: shape.calldata, shape };
}

/** Registration's bounds (ModelValidator) that the entry moves' costs grow with: nodes, graph inputs, input regions per node, tiles per node. */
export const REGISTRATION_LIMITS = { maxNodes: MAX_NODES, maxGraphInputs: MAX_GRAPH_INPUTS, maxNodeInputs: MAX_NODE_INPUTS, maxTiles: MAX_TILES } as const;

/**
 * The dearest node registration accepts, and its model: 256 graph inputs (height 0), 2^20 nodes (so D = 21,
 * N = 20), and a node with 32 fromSlot regions of height 0 spread one per 2^14 leaves (composeMemory's most calls
 * and scans), writing one leaf (MEM_DEPTH output siblings). Tiled: the same node with 2^20 tiles (a depth-20 tile
 * tree) and a one-leaf window at the last leaf of memory (MEM_DEPTH window siblings; clear of every region).
 */
export function registrableWorstModel(tiled = false): { spec: NodeSpec; model: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'> } {
  const { maxNodes, maxGraphInputs, maxNodeInputs, maxTiles } = REGISTRATION_LIMITS;
  const untiled: NodeSpec = {
    codeRoot: FULL,
    steps: 2 ** 40,
    outBase: 0,
    outHeight: 0,
    inputs: Array.from({ length: maxNodeInputs }, (_, i) => ({ fromSlot: true, slot: i, root: ZERO, base: i * 8 * 2 ** 14, height: 0 })),
    ...UNTILED,
  };
  const spec: NodeSpec = tiled ? { ...untiled, codeRoot: ZERO, steps: 0, numTiles: maxTiles, tilesRoot: FULL, windowBase: 2 ** (MEM_DEPTH + 3) - 8, windowHeight: 0 } : untiled;
  return { spec, model: { nodes: new Array<NodeSpec>(maxNodes).fill(spec), numNodes: maxNodes, inputWords: Array<number>(maxGraphInputs).fill(8) } };
}

/**
 * startVM of the dearest node registration accepts (registrableWorstModel). Every term of the bound is at its
 * largest here but the scan count (528 of at most 32 · 19 = 608, reached only by layouts with far fewer calls):
 * even both at once stay under the caps (test/cli/inspect-forced.test.ts).
 */
export function registrableWorstStartVM(abi: Abi = disputeGameAbi()): StartVMCost {
  return startVMCost(registrableWorstModel().model, 0, abi);
}

/**
 * startTiles of the dearest tiled node registration accepts: registrableWorstStartVM's node, tiled
 * (registrableWorstModel(true)). startTiles' witness and work do not grow with the tile count or the window:
 * those reach startTileVM only.
 */
export function registrableWorstStartTiles(abi: Abi = disputeGameAbi()): StartTilesCost {
  return startTilesCost(registrableWorstModel(true).model, 0, abi);
}

/** startTileVM of the dearest tiled node registration accepts: 2^20 tiles (20 tile siblings), a one-leaf window (19 window siblings). */
export function registrableWorstStartTileVM(abi: Abi = disputeGameAbi()): StartTileVMCost {
  return startTileVMCost(registrableWorstModel(true).model, 0, abi);
}

/**
 * The constant moves' arguments with every variable byte nonzero (posts and answers: k − 1 states; resolveStep: a
 * LOAD/STORE/MAC proof).
 */
function constantMoveArgs(move: ConstantMoveName, arity: number): readonly unknown[] {
  const states = Array<Hex>(arity - 1).fill(FULL);
  switch (move) {
    case 'postGraphStates':
    case 'postTileStates':
    case 'postVMStates':
      return [MAX_DISPUTE, states];
    case 'respondGraph':
    case 'respondTile':
    case 'respondVM':
      return [MAX_DISPUTE, BigInt(arity - 1), states];
    case 'timeout':
    case 'settle':
      return [MAX_DISPUTE];
    case 'resolveStep':
      return [
        MAX_DISPUTE,
        { codeRoot: FULL, memRoot: FULL, pc: 0xffffffff, step: 2n ** 64n - 1n, status: 0xff, regs: Array<number>(NUM_REGS).fill(-1) },
        { instruction: FULL, codeSiblings: Array<Hex>(CODE_DEPTH).fill(FULL), memLeaf: FULL, memSiblings: Array<Hex>(MEM_DEPTH).fill(FULL) },
      ];
  }
}

/** The constant moves of every game. */
export const CONSTANT_MOVES = ['postGraphStates', 'respondGraph', 'postVMStates', 'respondVM', 'resolveStep', 'timeout', 'settle'] as const;
/** The constant moves of a game with a tiled node (its tile bisection). */
export const TILE_CONSTANT_MOVES = ['postTileStates', 'respondTile'] as const;

/** The bound of a constant forced move (the same for every model) in a game of k = `arity`. */
export function constantMoveCost(move: ConstantMoveName, abi: Abi = disputeGameAbi(), arity = DEFAULT_ARITY): ForcedMoveCost {
  const data = encodeFunctionData({ abi, functionName: move, args: constantMoveArgs(move, arity) } as never);
  const carried = statesCarried(move);
  const middle = carried === 'respond' && arity >= 3 ? MIDDLE_PART_EXECUTION : 0;
  const measured = CONSTANT_EXECUTION_MEASURED[move] + (carried ? PER_STATE_EXECUTION[carried] * (arity - 2) : 0) + middle;
  const execution = Math.ceil(measured * (1 + CONSTANT_MARGIN));
  return { move, gas: transactionGas(execution, bytesOf(data), nonzeroBytes(data)), execution, calldata: bytesOf(data) };
}

/** Every forced move of a model's game, its worst, and whether all fit the caps. */
export interface ForcedMoves {
  caps: { gas: number; calldata: number };
  /** startVM per untiled node (in node order; a tiled node has none: its entry is startTiles). */
  startVM: StartVMCost[];
  /** startTiles per tiled node (in node order). */
  startTiles: StartTilesCost[];
  /** startTileVM per tiled node (any of its tiles: they share the witness's shape). */
  startTileVM: StartTileVMCost[];
  /** The constant moves (postTileStates and respondTile only when a node is tiled). */
  constant: ForcedMoveCost[];
  /** The move with the largest gas bound (a transition of some node, or a constant move). */
  worst: ForcedMoveCost;
  /** The move with the most calldata. */
  worstCalldata: ForcedMoveCost;
  underCaps: boolean;
  /** Each move over a cap, in words. */
  problems: string[];
}

/** Every forced move of model `c`'s game in a deployment of k = `arity` (the posts and answers grow with k). */
export function forcedMoves(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, abi: Abi = disputeGameAbi(), arity = DEFAULT_ARITY): ForcedMoves {
  const untiled = c.nodes.flatMap((n, j) => (n.numTiles === 0 ? [j] : []));
  const tiled = c.nodes.flatMap((n, j) => (n.numTiles === 0 ? [] : [j]));
  const startVM = untiled.map((j) => startVMCost(c, j, abi));
  const startTiles = tiled.map((j) => startTilesCost(c, j, abi));
  const startTileVM = tiled.map((j) => startTileVMCost(c, j, abi));
  const constant = [...CONSTANT_MOVES, ...(tiled.length > 0 ? TILE_CONSTANT_MOVES : [])].map((m) => constantMoveCost(m, abi, arity));
  // Node by node (each node's entry, then its tile VM entry), then the constant moves: the first of equals wins.
  const perNode = c.nodes.flatMap((n, j): ForcedMoveCost[] => (n.numTiles === 0 ? [startVM[untiled.indexOf(j)]] : [startTiles[tiled.indexOf(j)], startTileVM[tiled.indexOf(j)]]));
  const all: ForcedMoveCost[] = [...perNode, ...constant];
  const worst = all.reduce((a, b) => (b.gas > a.gas ? b : a));
  const worstCalldata = all.reduce((a, b) => (b.calldata > a.calldata ? b : a));
  const problems = all.flatMap((m) => {
    const what = m.node === undefined ? m.move : `${m.move} of node ${m.node}`;
    return [
      ...(m.gas > FORCED_MOVE_GAS ? [`${what} may take ${m.gas.toLocaleString('en-US')} gas, over the cap of ${FORCED_MOVE_GAS.toLocaleString('en-US')}`] : []),
      ...(m.calldata > FORCED_MOVE_CALLDATA ? [`${what} carries ${m.calldata.toLocaleString('en-US')} bytes of calldata, over the cap of ${FORCED_MOVE_CALLDATA.toLocaleString('en-US')}`] : []),
    ];
  });
  return { caps: { gas: FORCED_MOVE_GAS, calldata: FORCED_MOVE_CALLDATA }, startVM, startTiles, startTileVM, constant, worst, worstCalldata, underCaps: problems.length === 0, problems };
}

export class ForcedMoveCapError extends Error {
  constructor(readonly problems: string[]) {
    super(`a forced move is over its cap: ${problems.join('; ')}`);
    this.name = 'ForcedMoveCapError';
  }
}

/** Throws ForcedMoveCapError unless every forced move fits the caps; returns the report otherwise. */
export function assertForcedMovesUnderCaps(f: ForcedMoves): ForcedMoves {
  if (!f.underCaps) throw new ForcedMoveCapError(f.problems);
  return f;
}

/** "startVM (node 3)" or "resolveStep". */
export function moveLabel(m: Pick<ForcedMoveCost, 'move' | 'node'>): string {
  return m.node === undefined ? m.move : `${m.move} (node ${m.node})`;
}
