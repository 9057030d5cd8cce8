/**
 * `opml demo`: one command, no setup: an embedded anvil, the contracts deployed, a cheating submitter that
 * posts a wrong classification with a bond, and an honest challenger who re-executes, challenges, bisects to
 * the disputed node and VM step, and wins the judge's ruling. Prints a readable account of the dispute.
 */
import { writeFileSync } from 'node:fs';
import { dequantize } from '../../models/quantize/quantize.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { executeGraph } from '../../models/int/execute.ts';
import { LyingClaims } from '../game/claims.ts';
import { startAnvil } from '../chain/anvil.ts';
import { replay, type ReplayResult } from '../game/replay.ts';
import type { Deployment } from '../game/types.ts';
import { scenario, pickNode } from '../game/scenarios.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { defaultInput } from './replay.ts';
import { generationFromArgs, loweringFromArgs, prepareFromArgs, type ModelArgs } from './modelArg.ts';
import { Output } from '../output.ts';

const argmax = (v: ArrayLike<number>): number => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
};

export async function demo(opts: ModelArgs & { model?: string; input?: string | string[]; json?: boolean; report?: string }, out = new Output(opts)): Promise<ReplayResult> {
  const model = opts.model ?? 'mnist-mlp';
  out.line(`opml demo: a full two-phase dispute on an embedded anvil`);
  out.line();
  const t0 = performance.now();
  const prepared = prepareFromArgs(model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts));
  const commitment = modelCommitment(prepared.int, prepared.lowering);
  const { input, label: inputSpec } = defaultInput('demo', model, prepared, opts);
  const s = scenario('wrong-last-node')!;
  const lieNode = pickNode(s.submitter.lie!.node, commitment.numNodes);
  const outScale = prepared.int.tensors[prepared.int.outputs[0]].scale;
  const honest = dequantize(executeGraph(prepared.int, input.words).outputs[0], outScale);
  const lie = dequantize(new LyingClaims(prepared.int, input.words, { node: lieNode, vmFrom: 'end' }, commitment).output(), outScale);
  out.line(`model     ${model}: ${commitment.numNodes} integer nodes, model id ${commitment.modelId.slice(0, 18)}… (quantized in ${Math.round(performance.now() - t0)} ms)`);
  out.line(`input     ${input.description}`);
  if (honest.length <= 16) {
    out.line(`truth     the integer model says class ${argmax(honest)}`);
    out.line(`lie       the cheating submitter posts class ${argmax(lie)} (it changed the output of node ${lieNode}, "${prepared.int.nodes[lieNode].name}")`);
  } else {
    out.line(`lie       the cheating submitter changes the output of node ${lieNode}, "${prepared.int.nodes[lieNode].name}"`);
  }
  out.line();
  let round = 0;
  // With --report the anvil is ours, so the finished dispute can still be read for the page before it stops.
  const anvil = opts.report ? await startAnvil() : undefined;
  let deployment: Deployment | undefined;
  let result: ReplayResult;
  try {
    result = await replay(s, {
      model: prepared,
      input: input.words,
      inputLabel: inputSpec,
      commitment,
      log: (line) => out.line(`  ${String(++round).padStart(2)}. ${line}`),
      onBuild: (what) => out.line(what),
      rpcUrl: anvil?.rpcUrl,
      onDeployed: (d) => (deployment = d),
    });
    if (opts.report && deployment) {
      const [{ collectReport }, { renderReport }, { GameChain }] = await Promise.all([import('../report/collect.ts'), import('../report/html.ts'), import('../game/chain.ts')]);
      const data = await collectReport(await GameChain.connect(deployment), BigInt(result.disputes[0]?.submission ?? 0), { model: prepared });
      writeFileSync(opts.report, renderReport(data));
    }
  } finally {
    await anvil?.stop();
  }
  out.line();
  const d = result.disputes[0];
  out.line(`ruling    dispute won by the ${d?.winner ?? '?'} (${d?.reason ?? '?'}) at node ${d?.node ?? '?'}; the result was ${result.submissionStatus}`);
  out.line(`rounds    graph phase ${result.rounds.graph}, ${result.rounds.tile > 0 ? `tile phase ${result.rounds.tile}, ` : ''}VM phase ${result.rounds.vm}`);
  out.line(`gas       submitter ${Number(result.gas.submitter).toLocaleString('en-US')}, challenger ${Number(result.gas.challengers[0]).toLocaleString('en-US')}, judge step ${result.gas.judgeStep ? Number(result.gas.judgeStep).toLocaleString('en-US') : '-'}`);
  out.line(`bonds     challenger net ${fmtEth(result.net.challengers[0])} ETH, submitter net ${fmtEth(result.net.submitter)} ETH (half the forfeited bond is burned; gas fees excluded)`);
  out.line(`time      ${(result.wallMillis / 1000).toFixed(1)} s for the whole dispute`);
  if (opts.report) out.line(`report    ${opts.report}: the whole dispute as one HTML page (open it in a browser)`);
  out.result(result);
  if (!result.ok) throw new OpmlError(`the demo's dispute did not end as it should: ${result.problems.join('; ')}`, ExitCode.DISPUTE_LOST);
  return result;
}

function fmtEth(wei: string): string {
  return (Number(BigInt(wei)) / 1e18).toFixed(2);
}
