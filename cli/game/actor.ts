/** What actors share: the chain, what they claim, a log for people, and the clock rule for timeouts. */
import type { Hex } from 'viem';
import type { Claims } from './claims.ts';
import type { GameChain } from './chain.ts';
import { Phase, type DisputeView } from './types.ts';

export type ActorLog = (line: string) => void;

export interface ActorOptions {
  /** Stop making moves after this many (models a party that stops answering). */
  stopAfterMoves?: number;
  log?: ActorLog;
}

export const short = (h: Hex): string => `${h.slice(0, 10)}…`;

export abstract class Actor {
  /** Moves made so far by this process. */
  moves = 0;

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

  protected lastGas(): string {
    const g = this.chain.gas.at(-1);
    return g ? `${g.gas.toLocaleString('en-US')} gas` : '';
  }

  protected moved(line: string): true {
    this.moves++;
    this.log(`${line} (${this.lastGas()})`);
    return true;
  }

  /** Claim a win on time when the other side's clock is spent. */
  protected async claimTimeout(d: bigint, v: DisputeView, otherSide: number): Promise<boolean> {
    if (v.phase === Phase.Resolved || v.turn !== otherSide || v.deadline === 0n) return false;
    if ((await this.chain.now()) < v.deadline) return false;
    await this.chain.timeout(d);
    return this.moved(`dispute ${d}: the other side's clock ran out; claimed the win`);
  }

  /** Withdraw whatever the game credited this actor. */
  protected async collect(): Promise<boolean> {
    const credit = await this.chain.credits();
    if (credit === 0n) return false;
    await this.chain.withdraw();
    this.log(`withdrew ${credit} wei (${this.lastGas()})`);
    return true;
  }

  /** One pass: at most one move per open dispute. Returns whether it did anything. */
  abstract tick(): Promise<boolean>;
  /** Whether there is nothing left for this actor to do. */
  abstract done(): Promise<boolean>;
}
