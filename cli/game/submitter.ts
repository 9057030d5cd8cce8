/**
 * The submitter: publishes the inputs, posts a result with a bond and defends it in every dispute opened on it,
 * from what its claims say (honest, or a pluggable lie). One Submitter per submission; its persisted state is
 * the submission id (and the uploads that carry its inputs).
 */
import { Actor, short, type ActorOptions } from './actor.ts';
import { innerPositions } from './dissection.ts';
import type { Claims } from './claims.ts';
import type { GameChain } from './chain.ts';
import type { Binding, Store } from './store.ts';
import { Move, Phase, Side, SubmissionStatus, type DisputeView } from './types.ts';

export interface SubmitterState {
  role: 'submitter';
  model: string;
  input: string;
  /** How an .onnx outside the zoo was quantized (absolute paths), so `opml watch --role submitter` derives the same graph. */
  calibration?: string[];
  shape?: string[];
  /** `--tile-steps` the model was committed with, so `opml watch --role submitter` derives the same commitment. */
  tileSteps?: number;
  /** --generate and --prompt-length: a greedy generation (part of the model id). */
  generate?: number;
  promptLength?: number;
  /** `opml submit --tamper`: the node whose output this (deliberately wrong) result lies about. */
  tamper?: number;
  /** Upload ids of the published inputs, once published. */
  uploads?: string[];
  submissionId?: string;
}

export class Submitter extends Actor {
  /** Disputes whose transition the contract refused (a lying submitter cannot make one that checks). */
  private readonly refused = new Set<bigint>();

  constructor(chain: GameChain, claims: Claims, private readonly store: Store<SubmitterState & Binding>, opts: ActorOptions = {}, name = 'submitter') {
    super(name, chain, claims, opts);
  }

  get submissionId(): bigint | undefined {
    const id = this.store.get().submissionId;
    return id === undefined ? undefined : BigInt(id);
  }

  /**
   * Register the model if needed, publish the inputs and post the result (once: a restarted submitter keeps its
   * uploads and its submission).
   */
  async submit(bond: bigint, progress?: (line: string) => void): Promise<bigint> {
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
    await this.chain.register(c, (k, n) => progress?.(`registering the model in chunks: ${k}/${n} node specs`));
    if (this.store.get().uploads === undefined) {
      const uploads: string[] = [];
      for (const [i, words] of this.claims.inputs.entries()) {
        const u = await this.chain.uploadInput(words, (k, n) => progress?.(`publishing input ${i}: chunk ${k}/${n}`));
        uploads.push(u.toString());
      }
      this.store.update((s) => (s.uploads = uploads));
    }
    const uploads = this.store.get().uploads!.map(BigInt);
    const id = await this.chain.submit(c.modelId, uploads, this.claims.output(), finalState, this.claims.outputProof(), bond);
    this.store.update((s) => (s.submissionId = id.toString()));
    this.log(`submitted result ${id}: S_n = ${short(finalState)}, bond ${bond} wei, inputs in upload(s) ${uploads.join(', ')}`);
    return id;
  }

  async tick(): Promise<boolean> {
    const id = this.submissionId;
    if (id === undefined || !this.answering) return false;
    let acted = false;
    const now = await this.chain.now();
    for (const d of await this.chain.disputesOf(id)) {
      const v = await this.chain.dispute(d);
      this.noteOutcome(d, v, Side.Submitter);
      if (v.phase === Phase.Resolved) continue;
      acted = (await this.guarded(d, v, () => this.play(d, v, now))) || acted;
      if (!this.answering) return acted;
    }
    const s = await this.chain.submission(id);
    if (s.status === SubmissionStatus.Pending && s.openDisputes === 0) {
      const windowEnd = s.submittedAt + BigInt(this.chain.deployment.challengeWindow);
      if (now > windowEnd) {
        await this.chain.finalize(id);
        acted = this.moved(`result ${id} finalized: nobody proved it wrong`, 'finalize');
      }
    }
    return (await this.collect()) || acted;
  }

  /** The one move this submitter makes in dispute `d` now, if any. */
  private async play(d: bigint, v: DisputeView, now: bigint): Promise<boolean> {
    // The moment the challenger's clock is spent, the win is ours to claim; nothing else is checked first.
    if (Actor.spent(v, Side.Challenger, now)) return this.claimTimeout(d);
    if (v.turn === Side.Submitter) return this.move(d, v);
    if (v.next === Move.ResolveStep) {
      // One step left and the challenger to move: an honest submitter can prove its step itself.
      const w = this.claims.witness(v.node, Number(v.lo), v.tile);
      if (w.preHash !== v.loHash || w.postHash !== v.hiHash) return false;
      await this.chain.resolveStep(d, w);
      return this.moved(`dispute ${d}: asked the judge to execute step ${v.lo} of node ${v.node}; it gives my state`);
    }
    return false;
  }

  private async move(d: bigint, v: DisputeView): Promise<boolean> {
    if (v.next === Move.PostGraphState) {
      const at = innerPositions(v.lo, v.hi, Number(v.parts));
      await this.chain.postGraphStates(d, at.map((p) => this.claims.graphState(Number(p))));
      return this.moved(`dispute ${d}: graph states ${postedAt('S', at)} (nodes ${v.lo}..${v.hi} in dispute)`);
    }
    if (v.next === Move.StartVM && this.claims.commitment.nodes[Number(v.lo)].numTiles > 0) return this.startTiles(d, Number(v.lo));
    if (v.next === Move.PostTileState) {
      const at = innerPositions(v.lo, v.hi, Number(v.parts));
      await this.chain.postTileStates(d, at.map((p) => this.claims.tileState(v.node, Number(p))));
      return this.moved(`dispute ${d}: tile states ${postedAt('σ', at)} of node ${v.node} (tiles ${v.lo}..${v.hi} in dispute)`);
    }
    if (v.next === Move.StartTileVM) {
      if (this.refused.has(d)) return false;
      const t = this.claims.tileVM(v.node, Number(v.lo));
      try {
        await this.chain.startTileVM(d, t);
      } catch (err) {
        this.refused.add(d);
        throw new Error(`the contract refused my transition into tile ${v.lo} of node ${v.node}: ${err instanceof Error ? err.message : String(err)}`);
      }
      return this.moved(`dispute ${d}: tile ${v.lo} of node ${v.node} is disputed; opened its VM phase: ${t.entry.spec.steps.toLocaleString('en-US')} steps`);
    }
    if (v.next === Move.StartVM) {
      if (this.refused.has(d)) return false;
      const t = this.claims.transition(Number(v.lo));
      try {
        await this.chain.startVM(d, t);
      } catch (err) {
        this.refused.add(d);
        throw new Error(`the contract refused my transition of node ${v.lo}: ${err instanceof Error ? err.message : String(err)}`);
      }
      return this.moved(`dispute ${d}: node ${v.lo} (${this.claims.graph.nodes[Number(v.lo)].name}) is disputed; opened its VM phase: ${t.spec.steps.toLocaleString('en-US')} steps`);
    }
    if (v.next === Move.PostVMState) {
      const at = innerPositions(v.lo, v.hi, Number(v.parts));
      await this.chain.postVMStates(d, at.map((p) => this.claims.vmState(v.node, Number(p), v.tile)));
      return this.moved(`dispute ${d}: VM states at steps ${at.join(', ')} (steps ${v.lo}..${v.hi} in dispute)`);
    }
    return false;
  }

  /** Open the tile phase of tiled node j (startTiles). */
  private async startTiles(d: bigint, j: number): Promise<boolean> {
    if (this.refused.has(d)) return false;
    const t = this.claims.tileTransition(j);
    try {
      await this.chain.startTiles(d, t);
    } catch (err) {
      this.refused.add(d);
      throw new Error(`the contract refused my transition of tiled node ${j}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return this.moved(`dispute ${d}: node ${j} (${this.claims.graph.nodes[j].name}) is disputed; opened its tile phase: ${t.spec.numTiles} tiles`);
  }

  async done(): Promise<boolean> {
    const id = this.submissionId;
    if (id === undefined) return false;
    const s = await this.chain.submission(id);
    if (s.status === SubmissionStatus.Pending || s.openDisputes !== 0 || (await this.chain.credits()) !== 0n) return false;
    // Rulings that came after this actor's last tick are recorded here, so a lost dispute is never missed.
    for (const d of await this.chain.disputesOf(id)) this.noteOutcome(d, await this.chain.dispute(d), Side.Submitter);
    return true;
  }
}

/** `S_3, S_6` for the positions a post gives states at. */
function postedAt(symbol: string, at: readonly bigint[]): string {
  return at.map((p) => `${symbol}_${p}`).join(', ');
}
