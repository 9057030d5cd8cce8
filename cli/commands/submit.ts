/** `opml register`, `opml submit`, `opml challenge`: one-shot chain commands (the challenger then plays). */
import path from 'node:path';
import { parseEther } from 'viem';
import { modelCommitment } from '../../models/int/commitment.ts';
import type { Backend } from '../../models/gpu/backend.ts';
import { Challenger, type ChallengerState } from '../game/challenger.ts';
import { LyingClaims, type Claims } from '../game/claims.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { Submitter, type SubmitterState } from '../game/submitter.ts';
import { Store } from '../game/store.ts';
import { Phase, REASON_NAMES, SIDE_NAMES, STATUS_NAMES, Side } from '../game/types.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { parseInput } from '../inputs.ts';
import { Output } from '../output.ts';
import { honestClaims } from './backendArg.ts';
import { connect, type ChainOptions } from './connect.ts';
import { absoluteSpecs, modelFlags, generationFromArgs, loweringFromArgs, prepareFromArgs, type ModelArgs } from './modelArg.ts';
import { playUntilDone, requireNoLoss } from './watch.ts';

export interface SubmitOptions extends ChainOptions, ModelArgs {
  /** One spec, or several (name=x.npy for each input). */
  input: string | string[];
  backend?: Backend;
  bond?: string;
  state?: string;
  /** Post a deliberately wrong result: lie about this node's output (an index or a node name). Dev chains only. */
  tamper?: string;
  /** Stay and defend the result until it is final or every dispute on it is over (implied by --tamper). */
  defend?: boolean;
  /** Poll interval of the defence, in ms. */
  interval?: number;
  json?: boolean;
}

/** The chain id of anvil and hardhat: the only chains on which `submit --tamper` posts a lie. */
export const DEV_CHAIN_ID = 31337;

/** Refuse `--tamper` anywhere but a local dev chain (a wrong result with a real bond is a way to lose money). */
export function requireDevChain(chainId: number): void {
  if (chainId !== DEV_CHAIN_ID) {
    throw new OpmlError(`submit --tamper posts a deliberately wrong result; it is allowed only on a dev chain (chain id ${DEV_CHAIN_ID}), and this is chain ${chainId}`, ExitCode.USAGE, 'run it against `opml devnet`, or drop --tamper');
  }
}

/** `--tamper <node>`: a node index or a node name of the graph. */
export function tamperNode(spec: string, graph: IntGraph): number {
  const n = graph.nodes.length;
  if (/^\d+$/.test(spec)) {
    const i = Number(spec);
    if (i < n) return i;
    throw new OpmlError(`--tamper ${spec}: the model has nodes 0..${n - 1}`, ExitCode.USAGE, 'see `opml inspect <model>` for its nodes');
  }
  const i = graph.nodes.findIndex((node) => node.name === spec);
  if (i >= 0) return i;
  throw new OpmlError(`--tamper ${spec}: no node of that name`, ExitCode.USAGE, 'pass a node index or a name from `opml inspect <model>`');
}

export async function register(model: string, opts: ChainOptions & ModelArgs & { json?: boolean }, out = new Output(opts)) {
  const registered = prepareFromArgs(model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts));
  const c = modelCommitment(registered.int, registered.lowering); // a bad model file is refused before the chain is touched
  const chain = await connect(opts);
  const already = await chain.isRegistered(c.modelId);
  await chain.register(c, (k, n) => out.progress(`registering in chunks: ${k}/${n} node specs`));
  out.result({ modelId: c.modelId, alreadyRegistered: already });
  out.line(`${already ? 'already registered' : 'registered'}: ${model} as ${c.modelId} (${c.numNodes} nodes)`);
  return c.modelId;
}

export async function submit(model: string, opts: SubmitOptions, out = new Output(opts)) {
  const prepared = prepareFromArgs(model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts)); // bad model and input files are refused before the chain is touched
  const input = parseInput(opts.input, prepared.int, prepared.zoo?.text);
  const chain = await connect({ ...opts, account: opts.account ?? 0 });
  if (opts.tamper !== undefined) requireDevChain(chain.deployment.chainId);
  const lieNode = opts.tamper === undefined ? undefined : tamperNode(opts.tamper, prepared.int);
  const claims: Claims =
    lieNode === undefined
      ? await honestClaims(opts.backend ?? 'auto', prepared.int, input.words, (d) => out.progress(`native run: ${d}`), prepared.lowering)
      : new LyingClaims(prepared.int, input.words, { node: lieNode, vmFrom: 'end' }, undefined, prepared.lowering);
  const bond = parseEther(opts.bond ?? '0.1');
  const file = opts.state ?? path.join('.opml', `submitter-${Date.now()}.json`);
  const calibration = absoluteSpecs(opts.calibration);
  const initial: SubmitterState = {
    role: 'submitter',
    model: prepared.zoo || model.endsWith('.opml') ? model : path.resolve(model),
    input: typeof opts.input === 'string' ? opts.input : opts.input.join(' '),
    ...(calibration.length > 0 ? { calibration } : {}),
    ...(opts.shape && opts.shape.length > 0 ? { shape: opts.shape } : {}),
    ...(opts.tileSteps === undefined ? {} : { tileSteps: opts.tileSteps }),
    ...(opts.generate === undefined ? {} : { generate: opts.generate, promptLength: generationFromArgs(opts)!.promptLength }),
    ...(lieNode === undefined ? {} : { tamper: lieNode }),
  };
  const store = Store.openBound<SubmitterState>(file, initial, { chainId: chain.deployment.chainId, game: chain.deployment.game });
  const log = (l: string) => (out.json ? out.event({ time: new Date().toISOString(), line: l }) : out.line(`${new Date().toISOString()} ${l}`));
  const defend = opts.defend === true || lieNode !== undefined;
  const submitter = new Submitter(chain, claims, store, { log: defend ? log : (l) => out.progress(l) });
  let id: bigint;
  try {
    id = await submitter.submit(bond, (l) => out.progress(l));
  } catch (err) {
    if (store.get().submissionId === undefined) store.discard(); // nothing was posted: leave no state behind
    throw err;
  }
  out.result({ id: id.toString(), modelId: claims.commitment.modelId, finalState: claims.graphState(claims.commitment.numNodes), state: file, ...(lieNode === undefined ? {} : { tamper: lieNode }) });
  if (lieNode !== undefined) out.line(`TAMPERED: the output of node ${lieNode} (${prepared.int.nodes[lieNode].name}) was changed; this result is wrong on purpose`);
  out.line(`submitted result ${id} for ${model} on ${input.description}`);
  if (!defend) {
    out.line(`state     ${file} (defend it with: opml watch --role submitter --state ${file})`);
    return id;
  }
  out.line(`state     ${file}; defending result ${id} until it is final or its disputes are over`);
  await playUntilDone(async () => {}, () => [submitter], { intervalMs: opts.interval ?? 1000, log });
  const s = await chain.submission(id);
  out.line(`result ${id}: ${STATUS_NAMES[s.status] ?? s.status}`);
  requireNoLoss([submitter]);
  return id;
}

export async function challenge(id: string, opts: ChainOptions & ModelArgs & { model: string; backend?: Backend; force?: boolean; play?: boolean; state?: string; json?: boolean }, out = new Output(opts)) {
  if (!/^\d+$/.test(id)) throw new OpmlError(`challenge: "${id}" is not a submission id`, ExitCode.USAGE, 'ids are the numbers `opml submit` and `opml status` print');
  const prepared = prepareFromArgs(opts.model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts)); // a bad model file is refused before the chain is touched
  const chain = await connect({ ...opts, account: opts.account ?? 1 });
  const inputs = await chain.submittedInputs(BigInt(id));
  const claims = await honestClaims(opts.backend ?? 'auto', prepared.int, inputs, (d) => out.progress(`native run: ${d}`), prepared.lowering);
  const file = opts.state ?? path.join('.opml', `challenger-${Date.now()}.json`);
  const store = Store.openBound<ChallengerState>(file, { role: 'challenger', model: opts.model, checked: {} }, { chainId: chain.deployment.chainId, game: chain.deployment.game });
  const log = (l: string) => (out.json ? undefined : out.line(l));
  const challenger = new Challenger(chain, claims, store, BigInt(id), { log }, 'challenger');
  const d = await challenger.consider(opts.force);
  if (d === undefined) {
    out.result({ id, agreed: true });
    out.line(`result ${id} agrees with my run: no challenge`);
    return undefined;
  }
  if (opts.play !== false) await playUntilDone(async () => {}, () => [challenger], { log });
  const v = await chain.dispute(d);
  out.result({ id, dispute: d.toString(), winner: SIDE_NAMES[v.winner], reason: REASON_NAMES[v.reason], state: file });
  out.line(v.phase === Phase.Resolved ? `dispute ${d}: won by the ${SIDE_NAMES[v.winner]} (${REASON_NAMES[v.reason]})` : `dispute ${d} opened; play it with: opml watch --role challenger --model ${opts.model}${modelFlags(opts)} --state ${file}`);
  if (v.phase === Phase.Resolved && v.winner !== Side.Challenger) {
    // The ruling read from the chain is what counts (the actor may have stopped before it saw the ruling).
    throw new OpmlError(`1 dispute(s) lost: dispute ${d}: lost to the ${SIDE_NAMES[v.winner]} (${REASON_NAMES[v.reason]})`, ExitCode.DISPUTE_LOST);
  }
  return d;
}
