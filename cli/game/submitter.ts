/**
 * The submitter: posts a result with a bond and defends it in every dispute opened on it, from what its
 * claims say (honest, or a pluggable lie). Its persisted state is the submission id.
 */
import { Actor, short, type ActorOptions } from './actor.ts';
import type { Claims } from './claims.ts';
import type { GameChain } from './chain.ts';
import { ChainError } from './errors.ts';
import type { Store } from './store.ts';
import { Move, Phase, Side, SubmissionStatus } from './types.ts';

export interface SubmitterState {
  role: 'submitter';
  model: string;
  input: string;
  submissionId?: string;
}

export class Submitter extends Actor {
  /** Disputes whose transition the contract refused (a lying submitter cannot make one that checks). */
  private readonly rejected = new Set<bigint>();

  constructor(chain: GameChain, claims: Claims, private readonly store: Store<SubmitterState>, opts: ActorOptions = {}, name = 'submitter') {
    super(name, chain, claims, opts);
  }

  get submissionId(): bigint | undefined {
    const id = this.store.get().submissionId;
    return id === undefined ? undefined : BigInt(id);
  }

  /** Register the model if needed and post the result (once: a restarted submitter keeps its submission). */
  async submit(bond: bigint): Promise<bigint> {
    const existing = this.submissionId;
    if (existing !== undefined) return existing;
    const c = this.claims.commitment;
    const finalState = this.claims.graphState(c.numNodes);
    // A process killed after its submission was mined but before it saved the id finds it on the chain.
    const posted = await this.chain.findPendingSubmission(c.modelId, finalState);
    if (posted !== undefined) {
      this.store.update((s) => (s.submissionId = posted.toString()));
      this.log(`found my earlier submission ${posted} on the chain`);
      return posted;
    }
    await this.chain.register(c);
    const id = await this.chain.submit(c.modelId, this.claims.inputs, this.claims.output(), finalState, this.claims.outputProof(), bond);
    this.store.update((s) => (s.submissionId = id.toString()));
    this.log(`submitted result ${id}: S_n = ${short(finalState)}, bond ${bond} wei (${this.lastGas()})`);
    return id;
  }

  async tick(): Promise<boolean> {
    const id = this.submissionId;
    if (id === undefined || !this.answering) return false;
    let acted = false;
    for (const d of await this.chain.disputesOf(id)) {
      const v = await this.chain.dispute(d);
      if (v.phase === Phase.Resolved) continue;
      if (v.turn === Side.Submitter) {
        acted = (await this.move(d, v.next, v)) || acted;
      } else if (v.next === Move.ResolveStep) {
        // One step left and the challenger to move: an honest submitter can prove its step itself.
        const w = this.claims.witness(v.node, Number(v.lo));
        if (w.preHash === v.loHash && w.postHash === v.hiHash) {
          await this.chain.resolveStep(d, w);
          acted = this.moved(`dispute ${d}: the judge executed step ${v.lo} of node ${v.node}; it matches my state`);
        }
      }
      if (!acted) acted = await this.claimTimeout(d, v, Side.Challenger);
      if (!this.answering) break;
    }
    const s = await this.chain.submission(id);
    if (s.status === SubmissionStatus.Pending && s.openDisputes === 0) {
      const windowEnd = s.submittedAt + BigInt(this.chain.deployment.challengeWindow);
      if ((await this.chain.now()) > windowEnd) {
        await this.chain.finalize(id);
        acted = this.moved(`result ${id} finalized: nobody proved it wrong`);
      }
    }
    return (await this.collect()) || acted;
  }

  private async move(d: bigint, next: number, v: Awaited<ReturnType<GameChain['dispute']>>): Promise<boolean> {
    if (next === Move.PostGraphState) {
      const h = this.claims.graphState(Number(v.mid));
      await this.chain.postGraphState(d, h);
      return this.moved(`dispute ${d}: graph state S_${v.mid} = ${short(h)} (nodes ${v.lo}..${v.hi} in dispute)`);
    }
    if (next === Move.StartVM) {
      if (this.rejected.has(d)) return false;
      const t = this.claims.transition(Number(v.lo));
      try {
        await this.chain.startVM(d, t);
      } catch (err) {
        if (!(err instanceof ChainError)) throw err;
        this.rejected.add(d);
        this.log(`dispute ${d}: the contract rejected my transition of node ${v.lo}: ${err.message}`);
        return false;
      }
      return this.moved(`dispute ${d}: node ${v.lo} (${this.claims.graph.nodes[Number(v.lo)].name}) is disputed; opened its VM phase: ${t.spec.steps.toLocaleString('en-US')} steps`);
    }
    if (next === Move.PostVMState) {
      const h = this.claims.vmState(v.node, Number(v.mid));
      await this.chain.postVMState(d, h);
      return this.moved(`dispute ${d}: VM state at step ${v.mid} = ${short(h)} (steps ${v.lo}..${v.hi} in dispute)`);
    }
    return false;
  }

  async done(): Promise<boolean> {
    const id = this.submissionId;
    if (id === undefined) return false;
    const s = await this.chain.submission(id);
    return s.status !== SubmissionStatus.Pending && (await this.chain.credits()) === 0n;
  }
}
