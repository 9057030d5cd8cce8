/**
 * Dispute scenarios for replays on a local anvil (CI, `opml replay`, the demo): who lies, how, who attacks the
 * game itself, and who must win. Node indices are resolved against the model (first, middle, last, widest).
 */
import type { Lie } from './claims.ts';

export type NodePick = 'first' | 'middle' | 'last' | 'widest' | 'tiled';

export interface ActorSpec {
  /** Lie about this node (honest when absent). */
  lie?: { node: NodePick; vmFrom: Lie['vmFrom']; tileFrom?: Lie['tileFrom'] };
  /** Open the VM phase with a transition that does not check (the submitter). */
  badTransition?: boolean;
  /** Stop answering after this many moves (0: challenge, then never move). */
  stopAfterMoves?: number;
  /** Kill the actor and start a new one from its state file after this many moves. */
  restartAfterMoves?: number;
  /** Make every move at the last second of its clock. */
  lastSecond?: boolean;
  /** The account is the submitter's own second address (a Sybil of the liar): it is nobody's honest party. */
  sybil?: boolean;
}

/** A malformed submission the contract must refuse before the scenario's real result is posted. */
export type Attack = 'hidden-input' | 'short-input' | 'output-alias';

export interface Scenario {
  name: string;
  description: string;
  submitter: ActorSpec;
  challengers: ActorSpec[];
  /** Which party must win every dispute it is in: 'submitter' or the index of the honest challenger. */
  honest: 'submitter' | number;
  /** Try this malformed submission first; the contract must refuse it with the named error. */
  attack?: Attack;
  /** Post unusual submissions before the real one: another model's, and a lie on edge-valued inputs. */
  poison?: boolean;
  /** Put every challenge into one block. */
  sameBlock?: boolean;
  /** Play with this block time (seconds per block, every move waiting for a block); instant otherwise. */
  blockTime?: number;
}

const LIAR_MIX: ActorSpec[] = (['first', 'middle', 'last'] as const).flatMap((node) => (['start', 'middle', 'end'] as const).map((vmFrom) => ({ lie: { node, vmFrom } })));

export const SCENARIOS: readonly Scenario[] = [
  { name: 'wrong-first-node', description: 'the submitter is wrong at the first node; an honest challenger wins', submitter: { lie: { node: 'first', vmFrom: 'end' } }, challengers: [{}], honest: 0 },
  { name: 'wrong-middle-node', description: 'the submitter is wrong at a middle node; an honest challenger wins', submitter: { lie: { node: 'middle', vmFrom: 'end' } }, challengers: [{}], honest: 0 },
  { name: 'wrong-last-node', description: 'the submitter is wrong at the last node; an honest challenger wins', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{}], honest: 0 },
  { name: 'lying-challenger', description: 'the submitter is right and the challenger lies; the submitter wins', submitter: {}, challengers: [{ lie: { node: 'middle', vmFrom: 'middle' } }], honest: 'submitter' },
  { name: 'one-vm-step', description: 'the submitter is honest through the graph phase up to its lie and lies at a single VM step; the judge catches it', submitter: { lie: { node: 'middle', vmFrom: 'middle' } }, challengers: [{}], honest: 0 },
  { name: 'bad-transition', description: 'the submitter posts an inconsistent transition; it is rejected and the submitter loses on time', submitter: { lie: { node: 'last', vmFrom: 'end' }, badTransition: true }, challengers: [{}], honest: 0 },
  { name: 'silent-submitter', description: 'the submitter stops answering; the challenger wins on time', submitter: { lie: { node: 'last', vmFrom: 'end' }, stopAfterMoves: 1 }, challengers: [{}], honest: 0 },
  { name: 'two-challengers', description: 'a wrong result, one honest and one lying challenger; each dispute runs to its own ruling and the honest one wins', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{}, { lie: { node: 'first', vmFrom: 'start' } }], honest: 0 },
  { name: 'restart', description: 'the honest challenger is killed and restarted mid-game from its state file and still wins', submitter: { lie: { node: 'middle', vmFrom: 'middle' } }, challengers: [{ restartAfterMoves: 3 }], honest: 0 },
  { name: 'hidden-input', description: 'the liar publishes the 8 words that spell the input root instead of the input; the contract refuses it, then its real lie is caught', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{}], honest: 0, attack: 'hidden-input' },
  { name: 'short-input', description: 'the liar publishes an input one word short; the contract refuses it, then its real lie is caught', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{}], honest: 0, attack: 'short-input' },
  { name: 'output-alias', description: 'the liar posts a true S_n with the words that spell the output root as its output; the contract refuses it, then its real lie is caught', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{}], honest: 0, attack: 'output-alias' },
  { name: 'poison-submission', description: "another model's result and a lie on edge-valued inputs come first; the watcher handles each on its own and still catches the real lie", submitter: { lie: { node: 'middle', vmFrom: 'end' } }, challengers: [{}], honest: 0, poison: true },
  { name: 'wide-node', description: 'the liar forces the bisection onto the node with the most inputs; the transition stays under the forced-move caps', submitter: { lie: { node: 'widest', vmFrom: 'end' } }, challengers: [{}], honest: 0 },
  { name: 'last-second-challenger', description: 'a lying challenger makes every move at the last second of its clock; the honest submitter still wins within the bound', submitter: {}, challengers: [{ lie: { node: 'middle', vmFrom: 'middle' }, lastSecond: true }], honest: 'submitter' },
  { name: 'last-second-submitter', description: 'a lying submitter makes every move at the last second of its clock; the honest challenger still wins within the bound', submitter: { lie: { node: 'middle', vmFrom: 'middle' }, lastSecond: true }, challengers: [{}], honest: 0 },
  { name: 'colluding-challenger', description: "the liar's accomplice challenges first, agrees with everything and stalls; an honest second challenger wins and no bond is stuck", submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{ lie: { node: 'last', vmFrom: 'end' }, stopAfterMoves: 0, sybil: true }, {}], honest: 1 },
  { name: 'self-reject', description: 'the liar challenges its own result from a second address in the same block as an honest challenge; the honest challenger still gets its reward', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{ sybil: true }, {}], honest: 1, sameBlock: true },
  { name: 'tiled-node', description: 'the submitter is wrong in the middle tile of the (last) node with the most tiles; the tile bisection finds it and an honest challenger wins', submitter: { lie: { node: 'tiled', vmFrom: 'middle', tileFrom: 'middle' } }, challengers: [{}], honest: 0 },
  { name: 'tiled-lying-challenger', description: 'the submitter is right and a challenger lies about the first tile of the (last) node with the most tiles; the submitter wins', submitter: {}, challengers: [{ lie: { node: 'tiled', vmFrom: 'start', tileFrom: 'first' } }], honest: 'submitter' },
  { name: 'sybil-10', description: 'ten lying challengers against one honest submitter with 12 s blocks; it wins all ten within its clocks and ends with more than it started', submitter: {}, challengers: [...LIAR_MIX, { lie: { node: 'last', vmFrom: 'middle' } }], honest: 'submitter', blockTime: 12 },
];

export function scenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/**
 * Node index for a pick; 'widest' is the node with the most input regions (the costliest transition), 'tiled' the
 * tiled node with the most tiles, the last of them on a tie (in a generation, the latest token's: the lie the
 * bisection takes longest to reach), or the last node when none is tiled.
 */
export function pickNode(pick: NodePick, numNodes: number, inputCounts: readonly number[] = [], tileCounts: readonly number[] = []): number {
  if (pick === 'widest') return inputCounts.reduce((best, n, i) => (n > inputCounts[best] ? i : best), 0);
  if (pick === 'tiled') {
    const best = tileCounts.reduce((b, n, i) => (n >= (tileCounts[b] ?? 0) ? i : b), 0);
    return (tileCounts[best] ?? 0) > 0 ? best : numNodes - 1;
  }
  return pick === 'first' ? 0 : pick === 'last' ? numNodes - 1 : Math.floor((numNodes - 1) / 2);
}
