/**
 * Collects everything a dispute report shows into one plain object (types.ts): the submission and its events,
 * the model graph, every move of every dispute with its block, gas and clocks, the disputed VM step decoded, and
 * where every bond went. Reads only: no key needed.
 */
import { getAddress, type Hex } from 'viem';
import { modelCommitment } from '../../models/int/commitment.ts';
import type { PreparedModel } from '../../models/prepare.ts';
import type { GameChain } from '../game/chain.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { PHASE_NAMES, Phase, REASON_NAMES, SIDE_NAMES, STATUS_NAMES, type DisputeView } from '../game/types.ts';
import { bondRows } from './bonds.ts';
import { EventReader, byPosition, type GameEvent } from './events.ts';
import { modelFromChain, modelFromFile } from './graph.ts';
import { rawStep, stepFromChain, stepFromModel, type StepContext } from './step.ts';
import { tilePhase } from './tiles.ts';
import { buildMoves, DISPUTE_EVENTS } from './timeline.ts';
import type { DisputeData, ReportData, SubmissionData } from './types.ts';

export interface CollectOptions {
  /** Only this dispute (it must be on the submission). */
  dispute?: bigint;
  /** The model, to name the graph's nodes and decode the disputed step by re-running it. */
  model?: PreparedModel;
}

export async function collectReport(chain: GameChain, id: bigint, opts: CollectOptions = {}): Promise<ReportData> {
  const count = await chain.submissionCount();
  if (id >= count) throw new OpmlError(`report: there is no submission ${id}`, ExitCode.INPUT, count > 0n ? `ids run from 0 to ${count - 1n}` : 'no result has been submitted to this game yet');
  const dep = chain.deployment;
  const [s, latest] = await Promise.all([chain.submission(id), chain.publicClient.getBlock()]);
  // Events up to the block of the contract reads, so both tell the same story.
  const events = new EventReader(chain, latest.number ?? undefined);

  // The model: the file's commitment must be the one the submission was made on.
  const commitment = opts.model ? modelCommitment(opts.model.int, opts.model.lowering) : undefined;
  if (opts.model && commitment!.modelId !== s.modelId) {
    throw new OpmlError(`report: the model ${opts.model.ref} has id ${commitment!.modelId}, but submission ${id} was made on model ${s.modelId}`, ExitCode.INPUT, 'pass the model the result was submitted for, or leave out --model');
  }
  const model = opts.model ? modelFromFile(opts.model.ref, commitment!, opts.model.int) : await modelFromChain(chain, events, s.modelId);

  // The submission and its own events.
  const [submitted] = await events.read('Submitted', { id });
  const subEvents = (await Promise.all(['SubmissionRejected', 'BondForfeited', 'SubmissionFinalized'].map((n) => events.read(n, { id })))).flat().sort(byPosition);
  const forfeit = subEvents.find((e) => e.name === 'BondForfeited');
  const allIds = await chain.disputesOf(id);
  if (opts.dispute !== undefined && !allIds.includes(opts.dispute)) {
    throw new OpmlError(`report: dispute ${opts.dispute} is not on submission ${id}`, ExitCode.INPUT, allIds.length > 0 ? `its disputes: ${allIds.join(', ')}` : 'nobody has challenged it');
  }
  const shownIds = opts.dispute !== undefined ? [opts.dispute] : allIds;
  const views = new Map<bigint, DisputeView>(await Promise.all(allIds.map(async (d) => [d, await chain.dispute(d)] as const)));

  const submission: SubmissionData = {
    id: id.toString(),
    modelId: s.modelId,
    submitter: s.submitter,
    bond: s.bond.toString(),
    status: STATUS_NAMES[s.status],
    submittedAt: s.submittedAt.toString(),
    initialState: s.initialState,
    finalState: s.finalState,
    outputRoot: s.outputRoot,
    uploads: ((submitted?.args.uploads as readonly bigint[] | undefined) ?? []).map(String),
    inputRoots: ((submitted?.args.inputRoots as readonly Hex[] | undefined) ?? []).map(String),
    openDisputes: Number(s.openDisputes),
    winners: Number(s.winners),
    rewardShare: s.rewardShare.toString(),
    otherDisputes: allIds.filter((d) => !shownIds.includes(d)).map(String),
    events: subEvents.map((e) => ({ name: e.name, detail: subEventDetail(e), block: e.block.toString(), timestamp: e.timestamp.toString(), tx: e.tx })),
    ...(submitted ? { block: submitted.block.toString(), timestamp: submitted.timestamp.toString(), tx: submitted.tx } : {}),
  };

  // Inputs are needed only to re-run the model for a decoded step.
  let inputs: Promise<Int32Array[]> | undefined;
  const inputsOnce = () => (inputs ??= chain.submittedInputs(id));

  const disputes: DisputeData[] = [];
  for (const d of shownIds) {
    const v = views.get(d)!;
    const evs = (await Promise.all(DISPUTE_EVENTS.map((n) => events.read(n, { d })))).flat().sort(byPosition);
    const moves = buildMoves(evs, { submitter: v.submitter, challenger: v.challenger }, dep);
    // The VM phase opens with startVM, or on a tiled node with startTileVM after the tile phase.
    const started = evs.find((e) => e.name === 'VMStarted' || e.name === 'TileVMStarted');
    const tiles = tilePhase(evs, (j) => model.nodes[j]?.name);
    const graphRange = lastRange(evs.filter((e) => Number(e.args.phase) === Phase.Graph), 'Responded') ?? { lo: 0n, hi: BigInt(model.numNodes) };
    const data: DisputeData = {
      d: d.toString(),
      challenger: v.challenger,
      phase: PHASE_NAMES[v.phase],
      winner: SIDE_NAMES[v.winner],
      reason: REASON_NAMES[v.reason],
      createdAt: v.createdAt.toString(),
      graph: { lo: graphRange.lo.toString(), hi: graphRange.hi.toString() },
      clocks: { submitter: v.submitterClock.toString(), challenger: v.challengerClock.toString() },
      moves,
    };
    if (tiles) data.tiles = tiles;
    if (started) {
      const node = tiles ? tiles.node : Number(started.args.node);
      const tile = started.name === 'TileVMStarted' ? Number(started.args.tile) : undefined;
      const steps = started.args.steps as bigint;
      data.node = node;
      data.vm = { lo: v.lo.toString(), hi: v.hi.toString(), steps: steps.toString() };
      const resolved = evs.find((e) => e.name === 'DisputeResolved' && Number(e.args.reason) === 1);
      const ctx: StepContext = {
        node,
        nodeName: model.nodes[node]?.name,
        tile,
        step: v.lo,
        steps,
        agreedPreHash: v.loHash,
        submitterPostHash: v.hiHash,
        raw: resolved ? rawStep(resolved, chain.abi) : undefined,
      };
      if (v.hi - v.lo !== 1n) {
        data.step = stepFromChain(ctx, `the VM dissection ${v.phase === Phase.Resolved ? 'ended' : 'stands'} at steps ${v.lo}..${v.hi}: no single step ${v.phase === Phase.Resolved ? 'was' : 'is yet'} in dispute`);
      } else if (opts.model) {
        data.step = stepFromModel(ctx, opts.model.int, await inputsOnce(), commitment!, opts.model.lowering);
      } else {
        data.step = stepFromChain(ctx, 'the step cannot be decoded without the model: pass --model <model> to re-run it on the submission\'s inputs. Shown: the raw step data the judge was sent (resolveStep calldata), its instruction read from the code leaf.');
      }
    } else if (tiles) {
      data.node = tiles.node; // in the tile phase, or it ended there (a timeout)
    } else if (graphRange.hi - graphRange.lo === 1n) {
      data.node = Number(graphRange.lo); // agreed on, but the VM phase never opened (a timeout)
    }
    disputes.push(data);
  }

  // Bonds: computed from the rulings of every dispute on the submission; credits and withdrawals from the contract.
  const all = allIds.map((d) => ({ d, challenger: views.get(d)!.challenger, resolved: views.get(d)!.phase === Phase.Resolved, winner: views.get(d)!.winner }));
  const computed = bondRows({ submitter: s.submitter, bond: s.bond, status: s.status, challengeBond: BigInt(dep.challengeBond), disputes: all });
  const accountsSeen = new Map<string, string>([[getAddress(s.submitter), 'submitter']]);
  for (const x of all) {
    const k = getAddress(x.challenger);
    accountsSeen.set(k, accountsSeen.has(k) ? `${accountsSeen.get(k)}, challenger of ${x.d}` : `challenger of dispute ${x.d}`);
  }
  const accounts = await Promise.all(
    [...accountsSeen].map(async ([account, role]) => {
      const [credit, withdrawals] = await Promise.all([chain.read<bigint>('credits', [account]), events.read('Withdrawn', { account })]);
      return { account, role, credit: credit.toString(), withdrawn: withdrawals.reduce((a, e) => a + (e.args.amount as bigint), 0n).toString() };
    }),
  );

  return {
    version: 1,
    chain: { chainId: dep.chainId, game: dep.game, judge: dep.judge, deployBlock: dep.deployBlock, asOfBlock: latest.number!.toString(), asOfTimestamp: latest.timestamp.toString() },
    params: { minBond: dep.minBond, challengeBond: dep.challengeBond, challengeWindow: dep.challengeWindow, clockSeconds: dep.clockSeconds, moveIncrement: dep.moveIncrement },
    submission,
    model,
    disputes,
    bonds: {
      ...computed,
      forfeited: forfeit ? { winners: Number(forfeit.args.winners), share: String(forfeit.args.share), burned: String(forfeit.args.burnedAmount) } : undefined,
      accounts,
      burnedTotal: (await chain.read<bigint>('burned')).toString(),
    },
  };
}

function lastRange(evs: GameEvent[], name: string): { lo: bigint; hi: bigint } | undefined {
  const e = evs.filter((x) => x.name === name).at(-1);
  return e ? { lo: e.args.lo as bigint, hi: e.args.hi as bigint } : undefined;
}

function subEventDetail(e: GameEvent): string {
  const a = e.args;
  if (e.name === 'SubmissionRejected') return `rejected by the ruling of dispute ${a.d}`;
  if (e.name === 'BondForfeited') return `bond forfeited: ${a.winners} winning challenger(s), ${a.share} wei each, ${a.burnedAmount} wei burned`;
  return 'finalized: the bond is credited back to the submitter';
}
