/**
 * The challenger: re-executes a submitted result from the inputs published on-chain, challenges it when its own
 * final graph state differs, and plays the dispute from what its claims say: agree or disagree at each
 * midpoint, and at one step left, have the judge execute it. It also ends other disputes on the same
 * submission whose mover's clock is spent (anyone may), so that its reward never waits on a stalled dispute,
 * and settles its share once every dispute is ruled. One Challenger per submission; its persisted state is its
 * disputes (a state file shared by all the submissions it watches).
 */
import { Actor, short, type ActorOptions } from './actor.ts';
import { firstDisputedPart, innerPositions } from './dissection.ts';
import type { Claims } from './claims.ts';
import type { GameChain } from './chain.ts';
import type { Binding, Store } from './store.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { Move, Phase, Side, SubmissionStatus, type DisputeView } from './types.ts';

export interface ChallengerState {
  role: 'challenger';
  model: string;
  /** submission id → dispute id, or 'agreed' when its result matched, or 'skipped: <why>' when it was unusable. */
  checked: Record<string, string>;
}

export class Challenger extends Actor {
  constructor(
    chain: GameChain,
    claims: Claims,
    private readonly store: Store<ChallengerState & Binding>,
    /** The submission these claims are about (its inputs). */
    readonly submission: bigint,
    opts: ActorOptions = {},
    name = 'challenger',
  ) {
    super(name, chain, claims, opts);
  }

  /** Compare the submission with this party's claims; challenge it (once) if they differ (or `force`). */
  async consider(force = false): Promise<bigint | undefined> {
    const id = this.submission;
    const seen = this.store.get().checked[id.toString()];
    if (seen !== undefined && !seen.startsWith('skipped')) return seen === 'agreed' ? undefined : BigInt(seen);
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
    const d = await this.chain.challenge(id);
    this.store.update((st) => (st.checked[id.toString()] = d.toString()));
    this.observed('challenge', d);
    this.log(`challenged result ${id} as dispute ${d}: its S_n = ${short(s.finalState)}, mine = ${short(mine)}`);
    return d;
  }

  /** The dispute this challenger opened on its submission, if any. */
  dispute(): bigint | undefined {
    const v = this.store.get().checked[this.submission.toString()];
    return v === undefined || v === 'agreed' || v.startsWith('skipped') ? undefined : BigInt(v);
  }

  async tick(): Promise<boolean> {
    const mine = this.dispute();
    if (mine === undefined || !this.answering) return false;
    const now = await this.chain.now();
    const v = await this.chain.dispute(mine);
    this.noteOutcome(mine, v, Side.Challenger);
    let acted = await this.guarded(mine, v, () => this.play(mine, v, now));
    if (v.phase === Phase.Resolved && v.winner === Side.Challenger && v.next !== Move.Settle) acted = (await this.endStalled(now)) || acted;
    return (await this.collect()) || acted;
  }

  /**
   * Our share waits on every other dispute of the submission: end those whose mover's clock is spent (anyone
   * may), so that a stalled accomplice of the liar cannot hold the reward back.
   */
  private async endStalled(now: bigint): Promise<boolean> {
    if ((await this.chain.submission(this.submission)).openDisputes === 0) return false;
    let acted = false;
    for (const d of await this.chain.disputesOf(this.submission)) {
      const v = await this.chain.dispute(d);
      if (!Actor.spent(v, v.turn, now) || !this.answering) continue;
      acted = (await this.guarded(d, v, async () => {
        await this.chain.timeout(d);
        return this.moved(`dispute ${d} (not mine) on result ${this.submission}: its mover's clock ran out; ended it`, 'timeout');
      })) || acted;
    }
    return acted;
  }

  /**
   * The answer to the submitter's posted states: the part of the cut whose end this challenger's own state first
   * differs from (dissection.firstDisputedPart), the posted states resupplied as read from their event.
   */
  private async respond(d: bigint, v: DisputeView): Promise<boolean> {
    const posted = await this.chain.postedStates(d, v.postedHash);
    const at = innerPositions(v.lo, v.hi, Number(v.parts));
    const { mine, what, send } =
      v.next === Move.RespondGraph
        ? { mine: (p: bigint) => this.claims.graphState(Number(p)), what: 'S_', send: () => this.chain.respondGraph(d, part, posted) }
        : v.next === Move.RespondTile
          ? { mine: (p: bigint) => this.claims.tileState(v.node, Number(p)), what: 'σ_', send: () => this.chain.respondTile(d, part, posted) }
          : { mine: (p: bigint) => this.claims.vmState(v.node, Number(p), v.tile), what: 'step ', send: () => this.chain.respondVM(d, part, posted) };
    const part = firstDisputedPart(posted, (i) => mine(at[i]));
    await send();
    const agreed = part === 0 ? `${v.lo} (agreed before)` : String(at[part - 1]);
    const disputed = part === at.length ? `${v.hi} (its claim)` : String(at[part]);
    const of = v.next === Move.RespondGraph ? '' : ` of node ${v.node}`;
    return this.moved(`dispute ${d}: agrees with ${what}${agreed}, disputes ${what}${disputed}${of}`);
  }

  /** The one move this challenger makes in its dispute `d` now, if any. */
  private async play(d: bigint, v: DisputeView, now: bigint): Promise<boolean> {
    if (v.next === Move.Settle) {
      await this.chain.settle(d);
      return this.moved(`dispute ${d}: every dispute on result ${this.submission} is ruled; settling my share of the forfeited bond`);
    }
    if (v.phase === Phase.Resolved) return false;
    // The moment the submitter's clock is spent, the win is ours to claim; nothing else is checked first.
    if (Actor.spent(v, Side.Submitter, now)) return this.claimTimeout(d);
    if (v.turn !== Side.Challenger) return false;
    if (v.next === Move.RespondGraph || v.next === Move.RespondTile || v.next === Move.RespondVM) return this.respond(d, v);
    if (v.next === Move.ResolveStep) {
      const w = this.claims.witness(v.node, Number(v.lo), v.tile);
      if (w.preHash !== v.loHash || w.postHash === v.hiHash) return false; // the step would not go my way
      await this.chain.resolveStep(d, w);
      return this.moved(`dispute ${d}: asked the judge to execute step ${v.lo} of node ${v.node}: its result differs from the submitter's`);
    }
    return false;
  }

  async done(): Promise<boolean> {
    const mine = this.dispute();
    if (mine !== undefined) {
      const v = await this.chain.dispute(mine);
      // A ruling that came after this actor's last tick is recorded here, so a lost dispute is never missed.
      this.noteOutcome(mine, v, Side.Challenger);
      if (v.phase !== Phase.Resolved || v.next === Move.Settle) return false;
      const s = await this.chain.submission(this.submission);
      if (v.winner === Side.Challenger && s.openDisputes > 0) return false; // our share waits on other rulings
    } else if ((await this.chain.submission(this.submission)).status === SubmissionStatus.Pending && this.store.get().checked[this.submission.toString()] === undefined) {
      return false;
    }
    return (await this.chain.credits()) === 0n;
  }
}
