/**
 * Forced moves of a model's game and what they cost (docs/GAME.md, "Forced moves"): a move a party must be able to
 * make to win or keep playing — postGraphState, respondGraph, startVM, postVMState, respondVM, resolveStep,
 * timeout, settle — must fit FORCED_MOVE_GAS of gas and FORCED_MOVE_CALLDATA bytes of calldata for every model
 * registration accepts. All of them are constant but startVM, whose witness (a TransitionProof) grows with the
 * disputed node's input regions and the tree depths.
 *
 * Per node this module gives startVM's exact calldata size (an ABI encoding, through viem, of a transition of the
 * node's shape against the DisputeGame ABI: sizes depend on the shape alone, never on hash values) and an upper
 * bound on its gas from a formula calibrated on anvil (STARTVM_GAS below; scripts/calibrate-forced-moves.ts
 * re-measures it). The other moves' bounds are constants, measured the same way on their dearest paths.
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
import { CODE_DEPTH, MEM_DEPTH, NUM_REGS } from '../../vm/isa.ts';
import { ceilLog2 } from '../../vm/merkle.ts';
import { toAbiState } from '../chain/judgeAbi.ts';
import type { Transition } from './claims.ts';
import { toAbiTransition } from './chain.ts';

/** Forced-move caps (docs/GAME.md, "Forced moves"): gas of one transaction, and its calldata in bytes. */
export const FORCED_MOVE_GAS = 2_000_000;
export const FORCED_MOVE_CALLDATA = 65_536;

export type ForcedMoveName = 'postGraphState' | 'respondGraph' | 'startVM' | 'postVMState' | 'respondVM' | 'resolveStep' | 'timeout' | 'settle';

/** One forced move's cost bound. */
export interface ForcedMoveCost {
  move: ForcedMoveName;
  /** The disputed node (startVM only). */
  node?: number;
  /** Upper bound on the transaction's gasUsed (intrinsic + calldata + execution, or the EIP-7623 floor). */
  gas: number;
  /** Upper bound on the execution gas alone (gasUsed less 21,000 and the calldata's standard cost). */
  execution: number;
  /** Calldata bytes, exact (selector included). */
  calldata: number;
}

/** What startVM's cost depends on, for node j of a model. */
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
 * Execution-gas bounds of the constant forced moves: the largest measured on anvil on each move's dearest path
 * (first write of every storage slot it touches), plus CONSTANT_MARGIN. resolveStep's is the judge's dearest
 * instruction, STORE, in a dispute whose ruling rejects the submission and splits its bond.
 */
export const CONSTANT_EXECUTION_MEASURED: Readonly<Record<Exclude<ForcedMoveName, 'startVM'>, number>> = {
  postGraphState: 47_619,
  respondGraph: 31_740,
  postVMState: 30_314,
  respondVM: 33_166,
  /** STORE; LOAD measured 162,374 and MAC 163,045 on the same path. */
  resolveStep: 165_555,
  timeout: 119_045,
  settle: 40_654,
};
export const CONSTANT_MARGIN = 0.25;

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

/** The shape of node j's startVM. */
export function startVMShape(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, j: number, abi: Abi = disputeGameAbi()): StartVMShape {
  const spec: NodeSpec = c.nodes[j];
  const data = encodeFunctionData({ abi, functionName: 'startVM', args: startVMArgs(c, j) } as never);
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

/** The fit of STARTVM_GAS, without its margin. */
export function startVMExecutionFit(s: StartVMShape, k: Omit<typeof STARTVM_GAS, 'margin'> = STARTVM_GAS): number {
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

/**
 * startVM of the dearest node registration accepts: 256 graph inputs (height 0), 2^20 nodes (so D = 21, N = 20),
 * and a node with 32 fromSlot regions of height 0 spread one per 2^14 leaves (composeMemory's most calls and
 * scans), writing one leaf (MEM_DEPTH output siblings). Every term of the bound is at its largest here but the
 * scan count (528 of at most 32 · 19 = 608, reached only by layouts with far fewer calls): even both at once stay
 * under the caps (test/cli/inspect-forced.test.ts).
 */
export function registrableWorstStartVM(abi: Abi = disputeGameAbi()): StartVMCost {
  const spec: NodeSpec = {
    codeRoot: FULL,
    steps: 2 ** 40,
    outBase: 0,
    outHeight: 0,
    inputs: Array.from({ length: 32 }, (_, i) => ({ fromSlot: true, slot: i, root: ZERO, base: i * 8 * 2 ** 14, height: 0 })),
    ...UNTILED,
  };
  const numNodes = 2 ** 20;
  const model = { nodes: new Array<NodeSpec>(numNodes).fill(spec), numNodes, inputWords: Array<number>(256).fill(8) };
  return startVMCost(model, 0, abi);
}

/** The constant moves' arguments with every variable byte nonzero (resolveStep: a LOAD/STORE/MAC proof). */
function constantMoveArgs(move: Exclude<ForcedMoveName, 'startVM'>): readonly unknown[] {
  switch (move) {
    case 'postGraphState':
    case 'postVMState':
      return [MAX_DISPUTE, FULL];
    case 'respondGraph':
    case 'respondVM':
      return [MAX_DISPUTE, true];
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

export const CONSTANT_MOVES = ['postGraphState', 'respondGraph', 'postVMState', 'respondVM', 'resolveStep', 'timeout', 'settle'] as const;

/** The bound of a constant forced move (the same for every model). */
export function constantMoveCost(move: (typeof CONSTANT_MOVES)[number], abi: Abi = disputeGameAbi()): ForcedMoveCost {
  const data = encodeFunctionData({ abi, functionName: move, args: constantMoveArgs(move) } as never);
  const execution = Math.ceil(CONSTANT_EXECUTION_MEASURED[move] * (1 + CONSTANT_MARGIN));
  return { move, gas: transactionGas(execution, bytesOf(data), nonzeroBytes(data)), execution, calldata: bytesOf(data) };
}

/** Every forced move of a model's game, its worst, and whether all fit the caps. */
export interface ForcedMoves {
  caps: { gas: number; calldata: number };
  /** startVM per node. */
  startVM: StartVMCost[];
  /** The constant moves. */
  constant: ForcedMoveCost[];
  /** The move with the largest gas bound (startVM of some node, or a constant move). */
  worst: ForcedMoveCost;
  /** The move with the most calldata. */
  worstCalldata: ForcedMoveCost;
  underCaps: boolean;
  /** Each move over a cap, in words. */
  problems: string[];
}

export function forcedMoves(c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, abi: Abi = disputeGameAbi()): ForcedMoves {
  const startVM = c.nodes.map((_, j) => startVMCost(c, j, abi));
  const constant = CONSTANT_MOVES.map((m) => constantMoveCost(m, abi));
  const all: ForcedMoveCost[] = [...startVM, ...constant];
  const worst = all.reduce((a, b) => (b.gas > a.gas ? b : a));
  const worstCalldata = all.reduce((a, b) => (b.calldata > a.calldata ? b : a));
  const problems = all.flatMap((m) => {
    const what = m.node === undefined ? m.move : `${m.move} of node ${m.node}`;
    return [
      ...(m.gas > FORCED_MOVE_GAS ? [`${what} may take ${m.gas.toLocaleString('en-US')} gas, over the cap of ${FORCED_MOVE_GAS.toLocaleString('en-US')}`] : []),
      ...(m.calldata > FORCED_MOVE_CALLDATA ? [`${what} carries ${m.calldata.toLocaleString('en-US')} bytes of calldata, over the cap of ${FORCED_MOVE_CALLDATA.toLocaleString('en-US')}`] : []),
    ];
  });
  return { caps: { gas: FORCED_MOVE_GAS, calldata: FORCED_MOVE_CALLDATA }, startVM, constant, worst, worstCalldata, underCaps: problems.length === 0, problems };
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
