/**
 * The challenger: re-executes a submitted result from the inputs in its Submitted event, challenges it when
 * its own final graph state differs, and plays the dispute from what its claims say: agree or disagree at each
 * midpoint, and at one step left, have the judge execute it. Its persisted state is its disputes.
 */
import { Actor, short, type ActorOptions } from './actor.ts';
import type { Claims } from './claims.ts';
import type { GameChain } from './chain.ts';
import type { Store } from './store.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { Move, Phase, SIDE_NAMES, REASON_NAMES, Side, SubmissionStatus } from './types.ts';

export interface ChallengerState {
  role: 'challenger';
  model: string;
  /** submission id → dispute id (or 'agreed' when its result matched). */
  checked: Record<string, string>;
}

export class Challenger extends Actor {
  /**
   * @param submission the one submission these claims are about (its inputs); the state file may list
   *        others, handled by other Challenger instances with their own claims
   */
  constructor(
    chain: GameChain,
    claims: Claims,
    private readonly store: Store<ChallengerState>,
    opts: ActorOptions = {},
    name = 'challenger',
    private readonly submission?: bigint,
  ) {
    super(name, chain, claims, opts);
  }

  /** Compare submission `id` with this party's claims; challenge it (once) if they differ. */
  async consider(id: bigint, force = false): Promise<bigint | undefined> {
    const seen = this.store.get().checked[id.toString()];
    if (seen !== undefined) return seen === 'agreed' ? undefined : BigInt(seen);
    const s = await this.chain.submission(id);
    const mine = this.claims.graphState(this.claims.commitment.numNodes);
    if (s.modelId !== this.claims.commitment.modelId) {
      throw new OpmlError(`result ${id} is for model ${s.modelId}, not ${this.claims.commitment.modelId}`, ExitCode.INPUT, 'challenge it with the model it was submitted for (see `opml status`)');
    }
    if (s.finalState === mine && !force) {
      this.store.update((st) => (st.checked[id.toString()] = 'agreed'));
      this.log(`result ${id} checked: S_n = ${short(mine)} matches my run`);
      return undefined;
    }
    const d = await this.chain.challenge(id, s.bond);
    this.store.update((st) => (st.checked[id.toString()] = d.toString()));
    this.log(`challenged result ${id} as dispute ${d}: its S_n = ${short(s.finalState)}, mine = ${short(mine)} (${this.lastGas()})`);
    return d;
  }

  /** The disputes this challenger opened. */
  disputes(): bigint[] {
    return Object.entries(this.store.get().checked)
      .filter(([id, v]) => v !== 'agreed' && (this.submission === undefined || BigInt(id) === this.submission))
      .map(([, v]) => BigInt(v));
  }

  async tick(): Promise<boolean> {
    if (!this.answering) return false;
    let acted = false;
    for (const d of this.disputes()) {
      const v = await this.chain.dispute(d);
      if (v.phase === Phase.Resolved) continue;
      if (v.next === Move.Settle) {
        await this.chain.settle(d);
        acted = this.moved(`dispute ${d}: the result was rejected in another dispute; bond refunded`);
        continue;
      }
      if (v.turn === Side.Challenger) acted = (await this.move(d, v)) || acted;
      else acted = (await this.claimTimeout(d, v, Side.Submitter)) || acted;
      if (!this.answering) break;
    }
    return (await this.collect()) || acted;
  }

  private async move(d: bigint, v: Awaited<ReturnType<GameChain['dispute']>>): Promise<boolean> {
    if (v.next === Move.RespondGraph) {
      const agree = this.claims.graphState(Number(v.mid)) === v.midHash;
      await this.chain.respondGraph(d, agree);
      return this.moved(`dispute ${d}: ${agree ? 'agrees with' : 'disputes'} S_${v.mid}`);
    }
    if (v.next === Move.RespondVM) {
      const agree = this.claims.vmState(v.node, Number(v.mid)) === v.midHash;
      await this.chain.respondVM(d, agree);
      return this.moved(`dispute ${d}: ${agree ? 'agrees with' : 'disputes'} VM step ${v.mid}`);
    }
    if (v.next === Move.ResolveStep) {
      const w = this.claims.witness(v.node, Number(v.lo));
      if (w.preHash !== v.loHash || w.postHash === v.hiHash) return false; // the step would not go my way
      await this.chain.resolveStep(d, w);
      const after = await this.chain.dispute(d);
      return this.moved(`dispute ${d}: the judge executed step ${v.lo} of node ${v.node}: winner ${SIDE_NAMES[after.winner]} (${REASON_NAMES[after.reason]})`);
    }
    return false;
  }

  async done(): Promise<boolean> {
    for (const d of this.disputes()) {
      const v = await this.chain.dispute(d);
      if (v.phase !== Phase.Resolved) return false;
    }
    for (const [id, v] of Object.entries(this.store.get().checked)) {
      if (v === 'agreed' || (this.submission !== undefined && BigInt(id) !== this.submission)) continue;
      if ((await this.chain.submission(BigInt(id))).status === SubmissionStatus.Pending) return false;
    }
    return (await this.chain.credits()) === 0n;
  }
}
