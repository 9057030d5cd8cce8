/** `opml replay <scenario...>` and `opml demo`: whole disputes on an embedded anvil. */
import { modelCommitment } from '../../models/int/commitment.ts';
import { replay, type ReplayResult } from '../game/replay.ts';
import { SCENARIOS, scenario as findScenario } from '../game/scenarios.ts';
import { checkArity } from '../game/params.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { inputFromCalibration, parseInput, type ModelInput } from '../inputs.ts';
import type { PreparedModel } from '../../models/prepare.ts';
import { ZOO } from '../../models/zoo/index.ts';
import { generationFromArgs, loweringFromArgs, prepareFromArgs, type ModelArgs } from './modelArg.ts';
import { Output, table } from '../output.ts';

export interface ReplayOptions extends ModelArgs {
  model?: string;
  /** One spec, or several (name=x.npy for each input). */
  input?: string | string[];
  json?: boolean;
  verbose?: boolean;
  /** List the scenarios instead of playing them. */
  list?: boolean;
  /** Seconds per block for every scenario (0: instant); default: each scenario's own. */
  blockTime?: number;
  /** k of the dissection (default: the profile's). */
  arity?: number;
}

/** A positional that names a model rather than a scenario: a zoo name, or an .onnx / .opml path. */
export function looksLikeModel(arg: string): boolean {
  return ZOO.some((z) => z.name === arg) || /\.(onnx|opml)$/i.test(arg);
}

/**
 * The input of a replay or demo: --input; else the zoo model's default; else the first --calibration sample;
 * else a usage error saying what to give.
 */
export function defaultInput(cmd: string, model: string, prepared: PreparedModel, opts: ModelArgs & { input?: string | string[] }): { input: ModelInput; label: string } {
  const given = opts.input === undefined ? [] : typeof opts.input === 'string' ? [opts.input] : opts.input;
  if (given.length > 0) return { input: parseInput(given, prepared.int, prepared.zoo?.text), label: given.join(' ') };
  const zooDefault = prepared.zoo?.defaultInput;
  if (zooDefault) return { input: parseInput(zooDefault, prepared.int, prepared.zoo?.text), label: zooDefault };
  const calibration = opts.calibration === undefined ? [] : typeof opts.calibration === 'string' ? [opts.calibration] : opts.calibration;
  if (calibration.length > 0) {
    const input = inputFromCalibration(calibration, prepared.int);
    return { input, label: input.description };
  }
  throw new OpmlError(`${cmd}: give --input for model ${model}`, ExitCode.USAGE, 'e.g. --input x.npy, --input name=x.npy per input, or a JSON file (docs/INPUTS.md)');
}

export async function replayScenarios(names: string[], opts: ReplayOptions, out = new Output(opts)): Promise<ReplayResult[]> {
  if (opts.list) {
    out.result(SCENARIOS.map((s) => ({ name: s.name, description: s.description, honest: s.honest, blockTime: s.blockTime ?? 0 })));
    out.line(table([['scenario', 'block time', 'what it checks'], ...SCENARIOS.map((s) => [s.name, s.blockTime ? `${s.blockTime} s` : 'instant', s.description])]));
    return [];
  }
  if (opts.arity !== undefined) checkArity(opts.arity);
  // `opml replay wrong-last-node model.onnx`: a model among the scenario names is the model.
  const positional = names.filter((n) => !findScenario(n) && n !== 'all' && looksLikeModel(n));
  if (positional.length > 1 || (positional.length === 1 && opts.model !== undefined)) {
    throw new OpmlError(`replay: more than one model given (${[...positional, ...(opts.model ? [opts.model] : [])].join(', ')})`, ExitCode.USAGE, 'name one model, as a positional or with --model');
  }
  const scenarioNames = names.filter((n) => !positional.includes(n));
  const picked = scenarioNames.length === 0 || scenarioNames.includes('all') ? SCENARIOS : scenarioNames.map((n) => findScenario(n) ?? fail(n));
  const model = positional[0] ?? opts.model ?? 'mnist-mlp';
  const prepared = prepareFromArgs(model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts));
  const commitment = modelCommitment(prepared.int, prepared.lowering);
  const { input, label: inputSpec } = defaultInput('replay', model, prepared, opts);
  const results: ReplayResult[] = [];
  for (const s of picked) {
    out.progress(`${s.name}: ${s.description}`);
    const r = await replay(s, { model: prepared, input: input.words, inputLabel: inputSpec, commitment, blockTime: opts.blockTime, arity: opts.arity, log: opts.verbose ? (l) => out.line(`  ${l}`) : undefined, onBuild: (what) => out.progress(what) });
    results.push(r);
    out.progress(`${s.name}: ${r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`}`);
  }
  out.result(results);
  out.line(
    table([
      ['scenario', 'result', 'disputes (winner/reason/node)', 'rounds graph+tile+vm', 'gas submitter', 'gas challengers', 'startVM gas', 'chain time (bound)', 'funds', 'wall'],
      ...results.map((r) => [
        r.scenario,
        r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`,
        summarize(r.disputes.map((d) => `${d.winner}/${d.reason}/${d.node}`)),
        `${r.rounds.graph}+${r.rounds.tile}+${r.rounds.vm}`,
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
