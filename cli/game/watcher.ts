/**
 * Watchers: what `opml watch` runs, and what replays run for honest parties. Each submission is handled on its
 * own: one that cannot be read, decoded or re-executed is logged and skipped (or retried, when the failure was
 * the RPC's), never fatal, so no submission can silence the watcher for the next one.
 *
 * - ChallengerWatch: every result of one model, re-executed from the inputs published on-chain; a wrong one is
 *   challenged and played (Challenger), including results posted after it started.
 * - SubmitterWatch: every result posted by its account for a model it knows (by model id), defended
 *   (Submitter), including results posted after it started.
 */
import path from 'node:path';
import type { Hex } from 'viem';
import type { ModelCommitment } from '../../models/int/commitment.ts';
import type { ActorLog, ActorOptions } from './actor.ts';
import type { GameChain } from './chain.ts';
import { Challenger, type ChallengerState } from './challenger.ts';
import type { Claims } from './claims.ts';
import { ChainError } from './errors.ts';
import { Store, type Binding } from './store.ts';
import { Submitter, type SubmitterState } from './submitter.ts';
import { SubmissionStatus } from './types.ts';

/** A model a watcher can re-execute: its commitment, and how to get claims for an input. */
export interface WatchedModel {
  name: string;
  commitment: ModelCommitment;
  claims: (inputs: Int32Array[]) => Promise<Claims>;
}

/** Whether a failure is the RPC's (try again next round) rather than the submission's (skip it for good). */
export function transient(err: unknown): boolean {
  // A refused send (base fee above --max-fee), a chain reorganizing under a read and a remote signer that
  // cannot be reached pass too: the submission is checked again next round, never skipped for them.
  return err instanceof ChainError && /cannot reach|timed out|429|fetch failed|ECONN|socket|not sent: the base fee|reorganiz|remote signer at .*: (no answer|cannot reach)/i.test(err.message);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ChallengerWatch {
  private readonly actors = new Map<string, Challenger>();

  constructor(
    readonly chain: GameChain,
    readonly model: WatchedModel,
    private readonly store: Store<ChallengerState & Binding>,
    private readonly opts: ActorOptions & { log: ActorLog; name?: string },
  ) {}

  get challengers(): Challenger[] {
    return [...this.actors.values()];
  }

  /** Look at every submission not handled yet: skip other models', re-execute ours, challenge wrong ones. */
  async scan(): Promise<void> {
    const count = await this.chain.submissionCount();
    for (let id = 0n; id < count; id++) {
      const key = id.toString();
      const seen = this.store.get().checked[key];
      // Settled for good (agreed, another model's, closed, skipped): no read of the chain every round.
      if (this.actors.has(key) || seen === 'agreed' || seen === 'other model' || seen === 'closed' || seen?.startsWith('skipped')) continue;
      try {
        await this.take(id, seen);
      } catch (err) {
        if (transient(err)) {
          this.opts.observer?.failed?.(this.name, err);
          this.opts.log(`${this.name}: result ${id}: ${message(err)}; will try again`, 'warn');
          continue;
        }
        this.store.update((s) => (s.checked[key] = `skipped: ${message(err)}`));
        this.opts.log(`${this.name}: result ${id}: cannot check it (${message(err)}); skipped, watching the others`, 'warn');
      }
    }
  }

  private get name(): string {
    return this.opts.name ?? 'challenger';
  }

  private async take(id: bigint, seen: string | undefined): Promise<void> {
    const key = id.toString();
    const s = await this.chain.submission(id);
    if (s.modelId.toLowerCase() !== this.model.commitment.modelId.toLowerCase()) {
      this.store.update((st) => (st.checked[key] = 'other model'));
      return;
    }
    if (seen === undefined && s.status !== SubmissionStatus.Pending) {
      this.store.update((st) => (st.checked[key] = 'closed'));
      return;
    }
    const claims = await this.model.claims(await this.chain.submittedInputs(id));
    const c = new Challenger(this.chain, claims, this.store, id, this.opts, this.name);
    this.actors.set(key, c);
    if (seen === undefined) await c.consider();
  }
}

export class SubmitterWatch {
  private readonly actors = new Map<string, Submitter>();
  private readonly skipped = new Set<string>();

  /**
   * @param models the models this submitter can defend, by model id
   * @param stateDir where a state file per defended submission is kept
   */
  constructor(
    readonly chain: GameChain,
    private readonly models: ReadonlyMap<Hex, WatchedModel>,
    private readonly stateDir: string,
    private readonly opts: ActorOptions & { log: ActorLog },
  ) {}

  get submitters(): Submitter[] {
    return [...this.actors.values()];
  }

  /** Adopt every result this account posted that is not defended yet. */
  async scan(): Promise<void> {
    for (const id of await this.chain.submissionsBy(this.chain.address)) {
      const key = id.toString();
      if (this.actors.has(key) || this.skipped.has(key)) continue;
      try {
        await this.take(id);
      } catch (err) {
        if (transient(err)) {
          this.opts.observer?.failed?.('submitter', err);
          this.opts.log(`submitter: result ${id}: ${message(err)}; will try again`, 'warn');
          continue;
        }
        this.skipped.add(key);
        this.opts.log(`submitter: result ${id}: cannot defend it (${message(err)}); skipped`, 'warn');
      }
    }
  }

  private async take(id: bigint): Promise<void> {
    const key = id.toString();
    const s = await this.chain.submission(id);
    const model = [...this.models.entries()].find(([mid]) => mid.toLowerCase() === s.modelId.toLowerCase())?.[1];
    if (!model) throw new Error(`it is for model ${s.modelId}, which this watcher was not given (pass --model)`);
    if (s.status !== SubmissionStatus.Pending && s.openDisputes === 0 && (await this.chain.credits()) === 0n) {
      this.skipped.add(key); // over, nothing left to collect
      return;
    }
    const claims = await model.claims(await this.chain.submittedInputs(id));
    const { chainId, game } = { chainId: this.chain.deployment.chainId, game: this.chain.deployment.game };
    const file = path.join(this.stateDir, `submitter-${chainId}-${game.slice(2, 10).toLowerCase()}-${id}.json`);
    const store = Store.openBound<SubmitterState>(file, { role: 'submitter', model: model.name, input: 'chain', submissionId: key }, { chainId, game });
    this.actors.set(key, new Submitter(this.chain, claims, store, this.opts));
    this.opts.log(`submitter: defending result ${id} (${model.name})`);
  }
}
