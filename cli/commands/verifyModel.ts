/**
 * `opml verify-model <model>`: is this model file what the chain's game holds, and can its game be played?
 * Recomputes the model commitment from the file (the code `opml register` runs) and checks:
 *
 *   registered    the game has a model under exactly that id, with the same nodesRoot, numNodes, outputSlot,
 *                 outputWords and inputWords (skipped, and said so, without a deployment file);
 *   registration  every node passes ModelValidator's checks (checkModel: the same rules, the same error names);
 *   forced moves  the dearest forced move fits the caps (2,000,000 gas, 65,536 bytes of calldata);
 *   weights       every constant region's root is the root of one of the node's weight tensors in the file, at
 *                 its height, so a challenger holding the file can open every weight word.
 *
 * Exit 0 when every check passes, 3 when one fails, 4 when the chain cannot be read.
 */
import { existsSync } from 'node:fs';
import type { Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { modelCommitment, type ModelCommitment } from '../../models/int/commitment.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { GameChain } from '../game/chain.ts';
import { disputeGameAbi, FORCED_MOVE_CALLDATA, FORCED_MOVE_GAS, forcedMoves, moveLabel } from '../game/forcedMoves.ts';
import { checkModel, tensorHeight } from '../game/modelChecks.ts';
import { Output, table } from '../output.ts';
import { DEFAULT_DEPLOYMENT, resolveChainOptions, resolveDeployment, type ChainOptions } from './connect.ts';
import { modelFlags, generationFromArgs, loweringFromArgs, prepareFromArgs } from './modelArg.ts';

export type CheckName = 'registered' | 'registration' | 'forced moves' | 'weights';

export interface ModelCheck {
  name: CheckName;
  /** 'skipped': not run (the on-chain check without a deployment file). */
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
  /** What failed, one line each. */
  problems: string[];
}

export interface VerifyResult {
  model: string;
  modelId: Hex;
  ok: boolean;
  /** Whether the on-chain check ran. */
  onChain: boolean;
  checks: ModelCheck[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Every constant region of every node is the root of one of that node's weight tensors, at its height. */
export function checkWeights(graph: IntGraph, c: Pick<ModelCommitment, 'nodes'>): ModelCheck {
  const problems: string[] = [];
  let regions = 0;
  c.nodes.forEach((spec, j) => {
    const node = graph.nodes[j];
    const weights = node.inputs.filter((t) => graph.weights.has(t)).map((t) => ({ name: graph.tensors[t].name, root: tensorRoot(graph.weights.get(t)!), height: tensorHeight(graph.weights.get(t)!.length) }));
    const unused = [...weights];
    spec.inputs.forEach((r, i) => {
      if (r.fromSlot) return;
      regions++;
      const k = unused.findIndex((w) => w.root === r.root && w.height === r.height);
      if (k < 0) problems.push(`node ${j} (${node.name}): constant region ${i} (root ${r.root.slice(0, 10)}…, height ${r.height}) is not the root of any weight tensor of the node`);
      else unused.splice(k, 1);
    });
    // A tiled node's weights that no persistent region holds are cut into its tiles' windows: the tile tree root
    // (in the commitment) is computed from this file, so every window word can be opened as well.
    if (spec.numTiles === 0) for (const w of unused) problems.push(`node ${j} (${node.name}): weight "${w.name}" has no constant region with its root`);
  });
  return {
    name: 'weights',
    status: problems.length === 0 ? 'ok' : 'failed',
    detail:
      problems.length === 0
        ? `${fmt(regions)} constant regions, each the root of a weight tensor of the file at its height: a challenger holding the file can open every weight word (true by construction: the commitment is computed from this file)`
        : `${problems.length} constant region(s) do not match the file's weights`,
    problems,
  };
}

/** The on-chain check: the game holds exactly this commitment under its id. */
async function checkRegistered(c: ModelCommitment, opts: ChainOptions): Promise<ModelCheck> {
  // Flag > OPML_* variable > config file, as for every chain command: a game address needs no deployment file.
  const r = resolveChainOptions(opts);
  if (!r.gameAddress && !existsSync(r.deployment)) {
    return { name: 'registered', status: 'skipped', detail: `no deployment file at ${r.deployment}: off-chain checks only (pass --deployment <file> or --game-address <addr> --rpc-url <url>, or start \`opml devnet\`)`, problems: [] };
  }
  const deployment = await resolveDeployment(r);
  // Reads only: any key will do, none is ever used to send.
  const chain = await GameChain.connect(deployment, generatePrivateKey());
  const where = `the game at ${deployment.game} (chain ${deployment.chainId}, ${deployment.rpcUrl})`;
  if (!(await chain.isRegistered(c.modelId))) {
    return { name: 'registered', status: 'failed', detail: `model ${c.modelId} is not registered on ${where}`, problems: [`not registered: run \`opml register\` with this model file`] };
  }
  const m = await chain.model(c.modelId);
  const problems: string[] = [];
  const same = (field: string, chainValue: unknown, local: unknown) => {
    if (String(chainValue) !== String(local)) problems.push(`${field}: the chain has ${String(chainValue)}, the file gives ${String(local)}`);
  };
  same('nodesRoot', m.nodesRoot, c.nodesRoot);
  same('numNodes', m.numNodes, c.numNodes);
  same('outputSlot', m.outputSlot, c.outputSlot);
  same('outputWords', m.outputWords, c.outputWords);
  same('inputWords', `[${[...m.inputWords].join(',')}]`, `[${c.inputWords.join(',')}]`);
  return {
    name: 'registered',
    status: problems.length === 0 ? 'ok' : 'failed',
    detail: problems.length === 0 ? `registered on ${where}: nodesRoot, numNodes, outputSlot, outputWords and inputWords match` : `the model registered under ${c.modelId} on ${where} differs from the file`,
    problems,
  };
}

export async function verifyModel(model: string, opts: ChainOptions & { calibration?: string | string[]; shape?: string[]; tileSteps?: number; generate?: number; promptLength?: number; json?: boolean }, out = new Output(opts)): Promise<VerifyResult> {
  out.progress(`preparing ${model} ...`);
  const { int: graph, lowering } = prepareFromArgs(model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts));
  out.progress('computing the model commitment (every node lowered and run once) ...');
  const c = modelCommitment(graph, { ...lowering, onNode: (i) => out.progress(`node ${i + 1}/${graph.nodes.length}`) });
  const checks: ModelCheck[] = [];
  checks.push(await checkRegistered(c, opts));

  const problems = checkModel(c);
  checks.push({
    name: 'registration',
    status: problems.length === 0 ? 'ok' : 'failed',
    detail: problems.length === 0 ? `all ${c.numNodes} nodes pass ModelValidator's checks: sizes, steps, region layout, slots read only after they are produced, heights` : `registration would refuse the model: ${[...new Set(problems.map((p) => p.rule))].join(', ')}`,
    problems: problems.map((p) => `${p.rule}: ${p.message}`),
  });

  const f = forcedMoves(c, disputeGameAbi((what) => out.progress(what)));
  checks.push({
    name: 'forced moves',
    status: f.underCaps ? 'ok' : 'failed',
    detail: `the dearest, ${moveLabel(f.worst)}, takes at most ${fmt(f.worst.gas)} gas; the most calldata, ${moveLabel(f.worstCalldata)}, ${fmt(f.worstCalldata.calldata)} bytes (caps ${fmt(FORCED_MOVE_GAS)} gas, ${fmt(FORCED_MOVE_CALLDATA)} bytes)`,
    problems: f.problems,
  });

  checks.push(checkWeights(graph, c));

  const failed = checks.filter((k) => k.status === 'failed');
  const onChain = checks[0].status !== 'skipped';
  const result: VerifyResult = { model, modelId: c.modelId, ok: failed.length === 0, onChain, checks };
  out.result(result);
  out.line(`${model}: model id ${c.modelId}, ${c.numNodes} nodes, ${c.inputWords.length} graph input(s) (${c.inputWords.map(fmt).join(', ')} words), output slot ${c.outputSlot} (${fmt(c.outputWords)} words)`);
  out.line(table(checks.map((k) => [k.status === 'ok' ? 'ok' : k.status === 'failed' ? 'FAILED' : 'skipped', k.name, k.detail])));
  for (const k of failed) for (const p of k.problems) out.line(`  ${k.name}: ${p}`);
  if (!onChain) out.line('off-chain checks only: nothing was read from a chain');
  if (failed.length > 0) {
    throw new OpmlError(
      `verify-model: ${model} failed ${failed.map((k) => k.name).join(', ')}`,
      ExitCode.INPUT,
      failed.length === 1 && failed[0].name === 'registered' && !result.checks[0].problems.some((p) => p.includes('the chain has'))
        ? `register it: opml register ${model}${modelFlags(opts)}${opts.deployment && opts.deployment !== DEFAULT_DEPLOYMENT ? ` --deployment ${opts.deployment}` : ''}${opts.gameAddress ? ` --game-address ${opts.gameAddress}` : ''}${opts.rpcUrl ? ` --rpc-url ${opts.rpcUrl}` : ''}`
        : undefined,
    );
  }
  return result;
}
