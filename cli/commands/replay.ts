/** `opml replay <scenario...>` and `opml demo`: whole disputes on an embedded anvil. */
import { prepareModel } from '../../models/prepare.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { replay, type ReplayResult } from '../game/replay.ts';
import { SCENARIOS, scenario as findScenario } from '../game/scenarios.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { parseInput } from '../inputs.ts';
import { Output, table } from '../output.ts';

export interface ReplayOptions {
  model?: string;
  input?: string;
  json?: boolean;
  verbose?: boolean;
}

const DEFAULT_INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:0', 'tiny-transformer': 'text:hello world. opm' };

export async function replayScenarios(names: string[], opts: ReplayOptions, out = new Output(opts)): Promise<ReplayResult[]> {
  const picked = names.length === 0 || names.includes('all') ? SCENARIOS : names.map((n) => findScenario(n) ?? fail(n));
  const model = opts.model ?? 'mnist-mlp';
  const prepared = prepareModel(model);
  const commitment = modelCommitment(prepared.int);
  const inputSpec = opts.input ?? DEFAULT_INPUT[model];
  if (!inputSpec) throw new OpmlError(`replay: give --input for model ${model}`, ExitCode.USAGE);
  const input = parseInput(inputSpec, prepared.int);
  const results: ReplayResult[] = [];
  for (const s of picked) {
    out.progress(`${s.name}: ${s.description}`);
    const r = await replay(s, { model: prepared, input: input.words, inputLabel: inputSpec, commitment, log: opts.verbose ? (l) => out.line(`  ${l}`) : undefined, onBuild: () => out.progress('compiling the contracts (first run only) ...') });
    results.push(r);
    out.progress(`${s.name}: ${r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`}`);
  }
  out.result(results);
  out.line(
    table([
      ['scenario', 'result', 'disputes (winner/reason/node)', 'rounds graph+vm', 'gas submitter', 'judge step gas', 'wall'],
      ...results.map((r) => [
        r.scenario,
        r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`,
        r.disputes.map((d) => `${d.winner}/${d.reason}/${d.node}`).join(' '),
        `${r.rounds.graph}+${r.rounds.vm}`,
        Number(r.gas.submitter).toLocaleString('en-US'),
        r.gas.judgeStep ? Number(r.gas.judgeStep).toLocaleString('en-US') : '-',
        `${(r.wallMillis / 1000).toFixed(1)} s`,
      ]),
    ]),
  );
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) throw new OpmlError(`${failed.length} of ${results.length} replays failed: ${failed.map((r) => r.scenario).join(', ')}`, ExitCode.DISPUTE_LOST);
  return results;
}

function fail(name: string): never {
  throw new OpmlError(`replay: no scenario "${name}"`, ExitCode.USAGE, `choose from ${SCENARIOS.map((s) => s.name).join(', ')} or all`);
}
