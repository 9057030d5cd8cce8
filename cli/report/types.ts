/**
 * The report's data: everything `opml report` collects from the chain (and, with --model, from re-running the
 * model), as plain JSON (every wei amount and 64-bit position a decimal string). `--json` prints exactly this
 * object and the HTML page is rendered from exactly this object (collect.ts → html.ts).
 */

export type Role = 'submitter' | 'challenger' | 'third party';

export interface ReportData {
  /** Format version of this object. */
  version: 1;
  chain: { chainId: number; game: string; judge: string; deployBlock: string; asOfBlock: string; asOfTimestamp: string };
  params: { minBond: string; challengeBond: string; challengeWindow: number; clockSeconds: number; moveIncrement: number };
  submission: SubmissionData;
  model: ModelData;
  disputes: DisputeData[];
  bonds: BondsData;
}

export interface TxRef {
  block: string;
  /** Block timestamp, seconds since the epoch. */
  timestamp: string;
  tx: string;
}

export interface SubmissionData extends Partial<TxRef> {
  id: string;
  modelId: string;
  submitter: string;
  bond: string;
  status: string;
  submittedAt: string;
  initialState: string;
  finalState: string;
  outputRoot: string;
  uploads: string[];
  inputRoots: string[];
  openDisputes: number;
  winners: number;
  rewardShare: string;
  /** Disputes on this submission not shown (when --dispute picked one). */
  otherDisputes: string[];
  /** Submission-level events: rejected, bond forfeited, finalized. */
  events: { name: string; detail: string; block: string; timestamp: string; tx: string }[];
}

export interface GraphNode {
  index: number;
  /** From the model file (absent when only the chain's commitment is known). */
  name?: string;
  op?: string;
  steps: number;
  outputWords?: number;
  /** Graph input indices and node indices whose outputs it reads. */
  fromInputs: number[];
  fromNodes: number[];
  /** Input regions holding constants (weights). */
  constants: number;
  /** A tiled node (docs/GAME.md, "Tiled nodes"): its tile count (its spec's `steps` is 0 then). Absent when untiled. */
  numTiles?: number;
}

export interface ModelData {
  /** Where the graph came from: the model file given with --model, the registration transaction's calldata, or nothing. */
  source: 'model file' | 'registration calldata' | 'none';
  /** What --model named. */
  ref?: string;
  numNodes: number;
  numInputs: number;
  inputWords: number[];
  outputSlot: number;
  outputWords: number;
  inputNames: string[];
  nodes: GraphNode[];
  note?: string;
}

export interface MoveRow extends TxRef {
  /** The move's name: challenge, a MOVE_NAMES entry (post graph state … settle), or timeout. */
  name: string;
  actor: string;
  role: Role;
  gasUsed: string;
  /** What the move said (a posted state, agree/disagree and the new range, the ruling). */
  detail: string;
  /** Seconds left on each side's clock right after the move (chess clock, docs/GAME.md). */
  clocks: { submitter: number; challenger: number };
}

export interface VMStateData {
  codeRoot: string;
  memRoot: string;
  pc: number;
  step: string;
  status: string;
  regs: number[];
}

export interface InstructionData {
  pc: number;
  opcode: number;
  op: string;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  valid: boolean;
  /** Assembly-like text, e.g. `MAC r3, r1, [r2 + 12]`. */
  text: string;
  leaf: string;
}

export interface MemoryAccessData {
  kind: 'read' | 'write';
  address: number;
  /** The memory leaf (8 words) the word lies in. */
  leafIndex: number;
  /** Which region of the node's memory layout the address lies in, where known. */
  region?: string;
  before: number;
  after?: number;
  /** The leaf's 8 words before the step. */
  leafWords?: number[];
}

export interface StepData {
  node: number;
  nodeName?: string;
  /** A tiled node: the tile whose VM run the step belongs to (step and steps count within that tile). */
  tile?: number;
  /** The step executed: from state `step` to state `step + 1`. */
  step: string;
  steps: string;
  /** The state hash both sides agreed on at `step`, and the submitter's claim at `step + 1` (from the contract). */
  agreedPreHash: string;
  submitterPostHash: string;
  /** How the step was decoded: by re-running the model, or only from the judge's calldata. */
  decodedBy: 'model' | 'calldata' | 'none';
  note?: string;
  instruction?: InstructionData;
  memory: MemoryAccessData[];
  pre?: VMStateData;
  post?: VMStateData;
  preHash?: string;
  /** The honest post-state hash (from re-running the model). */
  postHash?: string;
  /** Registers whose value the step changed. */
  regChanges: { reg: number; before: number; after: number }[];
  /** The resolveStep call as sent, when there was one. */
  raw?: { caller: string; tx: string; pre: VMStateData; instruction: string; memLeaf: string; codeSiblings: number; memSiblings: number };
}

export interface DisputeData {
  d: string;
  challenger: string;
  phase: string;
  /** Winner (side name) and reason, or 'none' while open. */
  winner: string;
  reason: string;
  /** The node the graph bisection agreed on (set once the VM phase started, or the tile phase for a tiled node). */
  node?: number;
  createdAt: string;
  graph: { lo: string; hi: string };
  /** The tile phase, when the disputed node is tiled (absent for an untiled node). */
  tiles?: TilePhaseData;
  /** The VM bisection (of the converged tile's VM run when the node is tiled: `tiles.vm.tile`). */
  vm?: { lo: string; hi: string; steps: string };
  /** Clocks as the contract reports them now. */
  clocks: { submitter: string; challenger: string };
  moves: MoveRow[];
  step?: StepData;
}

/** One round of a bisection: the submitter posts the state at the midpoint, the challenger agrees or not. */
export interface BisectionRound {
  /** The range in dispute before the round. */
  lo: string;
  hi: string;
  /** The inner positions of the round's cut (dissection.innerPositions), and the states the submitter posted there. */
  positions: string[];
  states: string[];
  post: TxRef & { by: string };
  /** The part of the cut the challenger named (absent while it has not answered): it agreed with the state at its start. */
  part?: number;
  respond?: TxRef & { by: string };
  /** The range after the answer: the named part. */
  newLo?: string;
  newHi?: string;
}

/**
 * The tile phase of a dispute on a tiled node (docs/GAME.md, "Tiled nodes"): startTiles (TilesStarted), the
 * dissection over the tile states σ_0..σ_m (StatesPosted, Responded), and startTileVM (TileVMStarted), which
 * opens the VM phase of the tile it converged on.
 */
export interface TilePhaseData {
  /** The tiled node the graph bisection converged on. */
  node: number;
  nodeName?: string;
  /** m: the node's tile count; the tile states are σ_0..σ_m. */
  numTiles: number;
  /** σ_0, the node's initial memory root (composed on-chain from the agreed slot roots), and σ_m, the submitter's claim. */
  initialMem: string;
  finalMem: string;
  /** The startTiles move. */
  started: TxRef & { by: string };
  rounds: BisectionRound[];
  /** The tile-state range in dispute now (final once the tile's VM phase opened). */
  lo: string;
  hi: string;
  /** The tile the bisection converged on (tile lo, once hi = lo + 1): σ_lo agreed, the submitter's σ_hi disputed. */
  converged?: number;
  /** The startTileVM move: the tile whose VM run is played, its steps and the VM state hashes it proved. */
  vm?: TxRef & { by: string; tile: number; steps: string; initialState: string; finalState: string };
}

export interface BondRow {
  /** 'submitter bond' or 'challenge bond, dispute <d>'. */
  bond: string;
  amount: string;
  /** Where this part went: 'burned', 'challenger', 'submitter', 'held' (open). */
  to: string;
  account?: string;
  why: string;
}

export interface AccountData {
  account: string;
  role: string;
  /** Credit the contract holds for it now. */
  credit: string;
  /** Sum of its Withdrawn events. */
  withdrawn: string;
}

export interface BondsData {
  rows: BondRow[];
  /** The sources and their amounts; each source's rows sum to its amount. */
  sources: { bond: string; amount: string }[];
  /** What the contract's BondForfeited event said, where the submission was rejected and fully ruled. */
  forfeited?: { winners: number; share: string; burned: string };
  accounts: AccountData[];
  /** The contract's `burned` counter (all submissions of this game). */
  burnedTotal: string;
  /** Computed from the rulings; partial when a dispute shown is still open. */
  settled: boolean;
}
