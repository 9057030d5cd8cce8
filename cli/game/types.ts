/** The dispute game's enums and views as TypeScript sees them (mirrors contracts/src/GameTypes.sol, Clock.sol). */
import type { Address, Hex } from 'viem';

/** Tile (4) was appended after Resolved, so the first values never changed. */
export const Phase = { None: 0, Graph: 1, VM: 2, Resolved: 3, Tile: 4 } as const;
export const Side = { None: 0, Submitter: 1, Challenger: 2 } as const;
export const Reason = { None: 0, Step: 1, Timeout: 2 } as const;
/**
 * The move a dispute waits for. StartVM at a converged graph bisection stands for the transition into node lo:
 * startVM for an untiled node, startTiles for a tiled one (the contract keeps no node specs: the agent reads node
 * lo's spec). The tile moves (8..11) were appended after Settle, so the first values never changed.
 */
export const Move = {
  None: 0,
  PostGraphState: 1,
  RespondGraph: 2,
  StartVM: 3,
  PostVMState: 4,
  RespondVM: 5,
  ResolveStep: 6,
  Settle: 7,
  StartTiles: 8,
  PostTileState: 9,
  RespondTile: 10,
  StartTileVM: 11,
} as const;
export const SubmissionStatus = { None: 0, Pending: 1, Rejected: 2, Finalized: 3 } as const;

export const PHASE_NAMES = ['none', 'graph', 'vm', 'resolved', 'tile'] as const;
export const SIDE_NAMES = ['none', 'submitter', 'challenger'] as const;
export const REASON_NAMES = ['none', 'step', 'timeout'] as const;
export const MOVE_NAMES = ['none', 'post graph states', 'respond graph', 'start VM', 'post VM states', 'respond VM', 'resolve step', 'settle', 'start tiles', 'post tile states', 'respond tile', 'start tile VM'] as const;
export const STATUS_NAMES = ['none', 'pending', 'rejected', 'finalized'] as const;

export interface DisputeView {
  submissionId: bigint;
  submitter: Address;
  challenger: Address;
  phase: number;
  next: number;
  turn: number;
  /** The agreed position: node index (graph phase), tile state index (tile phase) or step (VM phase). */
  lo: bigint;
  hi: bigint;
  /** The parts of the cut of [lo, hi] the next post makes: min(arity, hi − lo), 1 once converged (dissection.ts). */
  parts: bigint;
  loHash: Hex;
  hiHash: Hex;
  /** keccak256 of the submitter's posted states while the challenger has to answer them (zero otherwise). */
  postedHash: Hex;
  /** The disputed node (tile and VM phases). */
  node: number;
  submitterClock: bigint;
  challengerClock: bigint;
  deadline: bigint;
  createdAt: bigint;
  winner: number;
  reason: number;
  /** The disputed tile of a tiled node (set by startTileVM: its VM phase runs this tile). */
  tile: number;
  /** The disputed node's tile count: 0 for an untiled node (or before the transition), else m (set by startTiles). */
  numTiles: number;
}

export interface SubmissionView {
  submitter: Address;
  submittedAt: bigint;
  status: number;
  openDisputes: number;
  winners: number;
  modelId: Hex;
  bond: bigint;
  rewardShare: bigint;
  initialState: Hex;
  finalState: Hex;
  outputRoot: Hex;
}

export interface Deployment {
  rpcUrl: string;
  chainId: number;
  judge: Address;
  game: Address;
  minBond: string;
  /** Every challenge's bond, in wei. */
  challengeBond: string;
  challengeWindow: number;
  clockSeconds: number;
  /** Seconds credited to the mover's clock at each move. */
  moveIncrement: number;
  /** k: the parts each post cuts a disputed interval into. */
  arity: number;
  deployBlock: string;
}
