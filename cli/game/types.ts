/** The dispute game's enums and views as TypeScript sees them (mirrors contracts/src/GameTypes.sol, Clock.sol). */
import type { Address, Hex } from 'viem';

export const Phase = { None: 0, Graph: 1, VM: 2, Resolved: 3 } as const;
export const Side = { None: 0, Submitter: 1, Challenger: 2 } as const;
export const Reason = { None: 0, Step: 1, Timeout: 2 } as const;
export const Move = { None: 0, PostGraphState: 1, RespondGraph: 2, StartVM: 3, PostVMState: 4, RespondVM: 5, ResolveStep: 6, Settle: 7 } as const;
export const SubmissionStatus = { None: 0, Pending: 1, Rejected: 2, Finalized: 3 } as const;

export const PHASE_NAMES = ['none', 'graph', 'vm', 'resolved'] as const;
export const SIDE_NAMES = ['none', 'submitter', 'challenger'] as const;
export const REASON_NAMES = ['none', 'step', 'timeout'] as const;
export const MOVE_NAMES = ['none', 'post graph state', 'respond graph', 'start VM', 'post VM state', 'respond VM', 'resolve step', 'settle'] as const;
export const STATUS_NAMES = ['none', 'pending', 'rejected', 'finalized'] as const;

export interface DisputeView {
  submissionId: bigint;
  submitter: Address;
  challenger: Address;
  phase: number;
  next: number;
  turn: number;
  lo: bigint;
  hi: bigint;
  mid: bigint;
  loHash: Hex;
  hiHash: Hex;
  midHash: Hex;
  node: number;
  submitterClock: bigint;
  challengerClock: bigint;
  deadline: bigint;
  createdAt: bigint;
  winner: number;
  reason: number;
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
  deployBlock: string;
}
