/**
 * What actors share: the chain, what they claim, a log for people, the clock rule for timeouts, and the shape of
 * a tick: at most one move per dispute, all sent without waiting (the driver then waits for them together, so N
 * disputes cost about one block per round, not N), and an error in one dispute never stops the others.
 */
import type { Hex } from 'viem';
import type { Claims } from './claims.ts';
import type { GameChain } from './chain.ts';
import { Phase, SIDE_NAMES, REASON_NAMES, MOVE_NAMES, Side, type DisputeView } from './types.ts';

/** How much a log line matters (a daemon prints those at or above its --log-level). */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type ActorLog = (line: string, level?: LogLevel) => void;

/** What an actor did, for metrics: `action` is a move's name (MOVE_NAMES, snake_case) or timeout, finalize, challenge, withdraw. */
export interface ActorAction {
  actor: string;
  action: string;
  dispute?: bigint;
}

/**
 * Optional hooks for whoever watches the actors (`opml watch` turns them into Prometheus metrics); the game
 * code calls them and depends on nothing else. Every hook is optional and must not throw.
 */
export interface ActorObserver {
  /** A transaction this actor sent (counted when sent; a failure shows up in the round's flush). */
  acted?(a: ActorAction): void;
  /** A dispute this actor looked at during its tick, as the chain shows it. */
  saw?(actor: string, d: bigint, v: DisputeView): void;
  /** A failure in one dispute or submission that the actor will retry. */
  failed?(actor: string, err: unknown): void;
}

/** A move's name as a metric label: 'respond graph' → 'respond_graph'. */
export const moveLabel = (next: number): string => (MOVE_NAMES[next] ?? 'unknown').replace(/ /g, '_').toLowerCase();

export interface ActorOptions {
  /** Stop making moves after this many (models a party that stops answering). */
  stopAfterMoves?: number;
  /** Called before each move with the dispute's view (replays use it to move at the last second). */
  beforeMove?: (d: bigint, v: DisputeView) => Promise<void>;
  log?: ActorLog;
  /** Hooks for metrics (see ActorObserver). */
  observer?: ActorObserver;
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

  protected log(line: string, level?: LogLevel): void {
    this.opts.log?.(`${this.name}: ${line}`, level);
  }

  /** The move being made in `guarded` (its label for the observer), if any. */
  private acting: { dispute: bigint; action: string } | undefined;

  /** Tell the observer about a transaction sent outside a dispute move (a challenge, a withdrawal). */
  protected observed(action: string, dispute?: bigint): void {
    this.opts.observer?.acted?.({ actor: this.name, action, dispute });
  }

  /** False once the actor has gone silent. */
  protected get answering(): boolean {
    return this.opts.stopAfterMoves === undefined || this.moves < this.opts.stopAfterMoves;
  }

  /** Count and log a move; `action` defaults to the move the dispute was waiting for (see guarded). */
  protected moved(line: string, action?: string): true {
    this.moves++;
    this.log(line);
    this.observed(action ?? this.acting?.action ?? 'other', this.acting?.dispute);
    return true;
  }

  /** Run `move` for dispute `d` (after the beforeMove hook); an error is logged and this dispute waits. */
  protected async guarded(d: bigint, v: DisputeView, move: () => Promise<boolean>): Promise<boolean> {
    this.opts.observer?.saw?.(this.name, d, v);
    this.acting = { dispute: d, action: moveLabel(v.next) };
    try {
      if (this.opts.beforeMove) await this.opts.beforeMove(d, v);
      return await move();
    } catch (err) {
      this.opts.observer?.failed?.(this.name, err);
      this.log(`dispute ${d}: ${err instanceof Error ? err.message : String(err)} (will retry)`, 'warn');
      return false;
    } finally {
      this.acting = undefined;
    }
  }

  /** Whether the side to move in `v` is `side` and its clock is spent at `now` (timeout can be claimed). */
  protected static spent(v: DisputeView, side: number, now: bigint): boolean {
    return v.phase !== Phase.Resolved && v.turn === side && v.deadline !== 0n && now >= v.deadline;
  }

  /** Claim a win on time: the other side's clock is spent. Checked before anything else in each dispute. */
  protected async claimTimeout(d: bigint): Promise<boolean> {
    await this.chain.timeout(d);
    return this.moved(`dispute ${d}: the other side's clock ran out; claimed the win`, 'timeout');
  }

  /** Record a resolved dispute that `mine` (our side) lost. */
  protected noteOutcome(d: bigint, v: DisputeView, mine: number): void {
    if (v.phase !== Phase.Resolved || v.winner === mine || this.lost.has(d.toString())) return;
    const line = `dispute ${d}: lost to the ${SIDE_NAMES[v.winner]} (${REASON_NAMES[v.reason]})`;
    this.lost.set(d.toString(), line);
    this.log(line, 'warn');
  }

  /** Withdraw whatever the game credited this actor's account. */
  protected async collect(): Promise<boolean> {
    const credit = await this.chain.credits();
    if (credit === 0n) return false;
    await this.chain.withdraw();
    this.observed('withdraw');
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
export async function playRound(actors: readonly Actor[], beforeWait?: () => Promise<void>, log?: ActorLog, onFailure?: (err: Error) => void): Promise<boolean> {
  let acted = false;
  for (const a of actors) acted = (await a.tick()) || acted;
  if (beforeWait) await beforeWait();
  for (const chain of new Set(actors.map((a) => a.chain))) {
    for (const failure of await chain.flush()) {
      onFailure?.(failure);
      log?.(`a transaction failed: ${failure.message}`, 'warn');
    }
  }
  return acted;
}
