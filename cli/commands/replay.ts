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
  /** List the scenarios instead of playing them. */
  list?: boolean;
  /** Seconds per block for every scenario (0: instant); default: each scenario's own. */
  blockTime?: number;
}

const DEFAULT_INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:0', 'tiny-transformer': 'text:hello world. opm' };

export async function replayScenarios(names: string[], opts: ReplayOptions, out = new Output(opts)): Promise<ReplayResult[]> {
  if (opts.list) {
    out.result(SCENARIOS.map((s) => ({ name: s.name, description: s.description, honest: s.honest, blockTime: s.blockTime ?? 0 })));
    out.line(table([['scenario', 'block time', 'what it checks'], ...SCENARIOS.map((s) => [s.name, s.blockTime ? `${s.blockTime} s` : 'instant', s.description])]));
    return [];
  }
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
    const r = await replay(s, { model: prepared, input: input.words, inputLabel: inputSpec, commitment, blockTime: opts.blockTime, log: opts.verbose ? (l) => out.line(`  ${l}`) : undefined, onBuild: (what) => out.progress(what) });
    results.push(r);
    out.progress(`${s.name}: ${r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`}`);
  }
  out.result(results);
  out.line(
    table([
      ['scenario', 'result', 'disputes (winner/reason/node)', 'rounds graph+vm', 'gas submitter', 'gas challengers', 'startVM gas', 'chain time (bound)', 'funds', 'wall'],
      ...results.map((r) => [
        r.scenario,
        r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`,
        summarize(r.disputes.map((d) => `${d.winner}/${d.reason}/${d.node}`)),
        `${r.rounds.graph}+${r.rounds.vm}`,
        Number(r.gas.submitter).toLocaleString('en-US'),
        r.gas.challengers.map((g) => Number(g).toLocaleString('en-US')).join(' '),
        r.gas.startVM ? Number(r.gas.startVM).toLocaleString('en-US') : '-',
        `${r.chainSeconds.toLocaleString('en-US')} s (${r.boundSeconds.toLocaleString('en-US')} s)`,
        r.fundsOk ? 'ok' : 'WRONG',
        `${(r.wallMillis / 1000).toFixed(1)} s`,
      ]),
    ]),
  );
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) throw new OpmlError(`${failed.length} of ${results.length} replays failed: ${failed.map((r) => r.scenario).join(', ')}`, ExitCode.DISPUTE_LOST);
  return results;
}

/** "a a a b" as "3× a, b": ten identical outcomes in one cell. */
function summarize(items: string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([i, n]) => (n > 1 ? `${n}× ${i}` : i)).join(', ');
}

function fail(name: string): never {
  throw new OpmlError(`replay: no scenario "${name}"`, ExitCode.USAGE, `choose from ${SCENARIOS.map((s) => s.name).join(', ')} or all`);
}
