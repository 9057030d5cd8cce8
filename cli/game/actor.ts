/**
 * What actors share: the chain, what they claim, a log for people, the clock rule for timeouts, and the shape of
 * a tick: at most one move per dispute, all sent without waiting (the driver then waits for them together, so N
 * disputes cost about one block per round, not N), and an error in one dispute never stops the others.
 */
import type { Hex } from 'viem';
import type { Claims } from './claims.ts';
import type { GameChain } from './chain.ts';
import { Phase, SIDE_NAMES, REASON_NAMES, Side, type DisputeView } from './types.ts';

export type ActorLog = (line: string) => void;

export interface ActorOptions {
  /** Stop making moves after this many (models a party that stops answering). */
  stopAfterMoves?: number;
  /** Called before each move with the dispute's view (replays use it to move at the last second). */
  beforeMove?: (d: bigint, v: DisputeView) => Promise<void>;
  log?: ActorLog;
}

export const short = (h: Hex): string => `${h.slice(0, 10)}…`;

export abstract class Actor {
  /** Moves made so far by this process. */
  moves = 0;
  /** Disputes this actor's side lost, as lines for people (a command that saw one exits 5). */
  readonly lost = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly chain: GameChain,
    readonly claims: Claims,
    protected readonly opts: ActorOptions = {},
  ) {}

  protected log(line: string): void {
    this.opts.log?.(`${this.name}: ${line}`);
  }

  /** False once the actor has gone silent. */
  protected get answering(): boolean {
    return this.opts.stopAfterMoves === undefined || this.moves < this.opts.stopAfterMoves;
  }

  protected moved(line: string): true {
    this.moves++;
    this.log(line);
    return true;
  }

  /** Run `move` for dispute `d` (after the beforeMove hook); an error is logged and this dispute waits. */
  protected async guarded(d: bigint, v: DisputeView, move: () => Promise<boolean>): Promise<boolean> {
    try {
      if (this.opts.beforeMove) await this.opts.beforeMove(d, v);
      return await move();
    } catch (err) {
      this.log(`dispute ${d}: ${err instanceof Error ? err.message : String(err)} (will retry)`);
      return false;
    }
  }

  /** Whether the side to move in `v` is `side` and its clock is spent at `now` (timeout can be claimed). */
  protected static spent(v: DisputeView, side: number, now: bigint): boolean {
    return v.phase !== Phase.Resolved && v.turn === side && v.deadline !== 0n && now >= v.deadline;
  }

  /** Claim a win on time: the other side's clock is spent. Checked before anything else in each dispute. */
  protected async claimTimeout(d: bigint): Promise<boolean> {
    await this.chain.timeout(d);
    return this.moved(`dispute ${d}: the other side's clock ran out; claimed the win`);
  }

  /** Record a resolved dispute that `mine` (our side) lost. */
  protected noteOutcome(d: bigint, v: DisputeView, mine: number): void {
    if (v.phase !== Phase.Resolved || v.winner === mine || this.lost.has(d.toString())) return;
    const line = `dispute ${d}: lost to the ${SIDE_NAMES[v.winner]} (${REASON_NAMES[v.reason]})`;
    this.lost.set(d.toString(), line);
    this.log(line);
  }

  /** Withdraw whatever the game credited this actor's account. */
  protected async collect(): Promise<boolean> {
    const credit = await this.chain.credits();
    if (credit === 0n) return false;
    await this.chain.withdraw();
    this.log(`withdrawing ${credit} wei`);
    return true;
  }

  /** One pass: at most one move per dispute, sent without waiting. Returns whether it sent anything. */
  abstract tick(): Promise<boolean>;
  /** Whether there is nothing left for this actor to do. */
  abstract done(): Promise<boolean>;
}

/**
 * One round for a group of actors: every actor ticks (sending its moves), then each chain waits for its
 * transactions together; failed transactions are logged, never thrown. Returns whether anyone sent anything.
 * `beforeWait` runs between sending and waiting (a replay mines the block there).
 */
export async function playRound(actors: readonly Actor[], beforeWait?: () => Promise<void>, log?: ActorLog): Promise<boolean> {
  let acted = false;
  for (const a of actors) acted = (await a.tick()) || acted;
  if (beforeWait) await beforeWait();
  for (const chain of new Set(actors.map((a) => a.chain))) {
    for (const failure of await chain.flush()) log?.(`a transaction failed: ${failure.message}`);
  }
  return acted;
}
