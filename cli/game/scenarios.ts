/**
 * Dispute scenarios for replays on a local anvil (CI, `opml replay`, the demo): who lies, how, and who must
 * win. Node indices are resolved against the model (first, middle, last).
 */
import type { Lie } from './claims.ts';

export type NodePick = 'first' | 'middle' | 'last';

export interface ActorSpec {
  /** Lie about this node (honest when absent). */
  lie?: { node: NodePick; vmFrom: Lie['vmFrom'] };
  /** Open the VM phase with a transition that does not check (the submitter). */
  badTransition?: boolean;
  /** Stop answering after this many moves. */
  stopAfterMoves?: number;
  /** Kill the actor and start a new one from its state file after this many moves. */
  restartAfterMoves?: number;
}

export interface Scenario {
  name: string;
  description: string;
  submitter: ActorSpec;
  challengers: ActorSpec[];
  /** Which party must win every dispute: 'submitter' or the index of the honest challenger. */
  honest: 'submitter' | number;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'wrong-first-node', description: 'the submitter is wrong at the first node; an honest challenger wins', submitter: { lie: { node: 'first', vmFrom: 'end' } }, challengers: [{}], honest: 0 },
  { name: 'wrong-middle-node', description: 'the submitter is wrong at a middle node; an honest challenger wins', submitter: { lie: { node: 'middle', vmFrom: 'end' } }, challengers: [{}], honest: 0 },
  { name: 'wrong-last-node', description: 'the submitter is wrong at the last node; an honest challenger wins', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{}], honest: 0 },
  { name: 'lying-challenger', description: 'the submitter is right and the challenger lies; the submitter wins', submitter: {}, challengers: [{ lie: { node: 'middle', vmFrom: 'middle' } }], honest: 'submitter' },
  { name: 'one-vm-step', description: 'the submitter is honest through the graph phase up to its lie and lies at a single VM step; the judge catches it', submitter: { lie: { node: 'middle', vmFrom: 'middle' } }, challengers: [{}], honest: 0 },
  { name: 'bad-transition', description: 'the submitter posts an inconsistent transition; it is rejected and the submitter loses on time', submitter: { lie: { node: 'last', vmFrom: 'end' }, badTransition: true }, challengers: [{}], honest: 0 },
  { name: 'silent-submitter', description: 'the submitter stops answering; the challenger wins on time', submitter: { lie: { node: 'last', vmFrom: 'end' }, stopAfterMoves: 1 }, challengers: [{}], honest: 0 },
  { name: 'two-challengers', description: 'a wrong result, one honest and one lying challenger; the honest one wins and the liar is refunded or loses', submitter: { lie: { node: 'last', vmFrom: 'end' } }, challengers: [{}, { lie: { node: 'first', vmFrom: 'start' } }], honest: 0 },
  { name: 'restart', description: 'the honest challenger is killed and restarted mid-game from its state file and still wins', submitter: { lie: { node: 'middle', vmFrom: 'middle' } }, challengers: [{ restartAfterMoves: 3 }], honest: 0 },
];

export function scenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export function pickNode(pick: NodePick, numNodes: number): number {
  return pick === 'first' ? 0 : pick === 'last' ? numNodes - 1 : Math.floor((numNodes - 1) / 2);
}
