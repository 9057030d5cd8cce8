/**
 * `opml eval`: fidelity of an integer model against onnxruntime-node float inference. With no model, or with
 * zoo models and no --dataset, each zoo model on its own test data (MNIST, fixed prompts). With a model and
 * --dataset, any model on the user's samples: per output the top-1 agreement (argmax over the last axis) and the
 * error of the integer output against float; with --labels, float and integer accuracy too.
 */
import { readFileSync } from 'node:fs';
import { datasetFidelity, mnistFidelity, sequenceFidelity, type ClassifierFidelity, type DatasetFidelity, type SequenceFidelity } from '../../models/fidelity.ts';
import { InputFormatError, readLabels, readSamples, samplesToFeeds } from '../../models/inputs/samples.ts';
import { ModelRefError, modelFile } from '../../models/prepare.ts';
import { ZOO } from '../../models/zoo/index.ts';
import { ExitCode, OpmlError, printable } from '../errors.ts';
import { Output, table } from '../output.ts';
import { prepareFromArgs, type ModelArgs } from './modelArg.ts';

export interface EvalOptions extends ModelArgs {
  /** The positional model (any model); -m names zoo models. */
  target?: string;
  model?: string[];
  dataset?: string | string[];
  labels?: string;
  limit?: number;
  json?: boolean;
}

export type EvalResult = { model: string } & (ClassifierFidelity | SequenceFidelity | DatasetFidelity);

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export async function evalZoo(opts: EvalOptions, out = new Output(opts)): Promise<EvalResult[]> {
  const dataset = opts.dataset === undefined ? [] : typeof opts.dataset === 'string' ? [opts.dataset] : opts.dataset;
  if (opts.target !== undefined && opts.model && opts.model.length > 0) throw new OpmlError('eval: give the model once, as a positional or with -m', ExitCode.USAGE, 'e.g. opml eval model.onnx --dataset test.npy');
  if (dataset.length > 0 || opts.target !== undefined) {
    const target = opts.target ?? (opts.model?.length === 1 ? opts.model[0] : undefined);
    if (!target) throw new OpmlError('eval --dataset: name one model', ExitCode.USAGE, 'e.g. opml eval model.onnx --calibration calib.npy --dataset test.npy --labels labels.npy');
    const zoo = ZOO.find((z) => z.name === target);
    if (dataset.length === 0) {
      if (!zoo) throw new OpmlError(`eval: ${printable(target)} is not a zoo model, so it has no built-in test data`, ExitCode.USAGE, 'give --dataset <file> (JSON or .npy, first axis: samples; docs/INPUTS.md) and optionally --labels <file>');
      if (opts.labels) throw new OpmlError('eval: --labels goes with --dataset', ExitCode.USAGE, 'give --dataset too, or drop --labels');
      return zooEval([target], opts, out);
    }
    const r = await evalDataset(target, dataset, opts, out);
    out.result([r]);
    return [r];
  }
  if (opts.labels) throw new OpmlError('eval: --labels goes with --dataset', ExitCode.USAGE, 'e.g. opml eval model.onnx --dataset test.npy --labels labels.npy');
  return zooEval(opts.model && opts.model.length > 0 ? opts.model : ZOO.map((z) => z.name), opts, out);
}

async function zooEval(names: string[], opts: EvalOptions, out: Output): Promise<EvalResult[]> {
  const results: EvalResult[] = [];
  for (const name of names) {
    const zoo = ZOO.find((z) => z.name === name);
    if (!zoo) throw new OpmlError(`eval: no zoo model "${printable(name)}"`, ExitCode.USAGE, `choose from ${ZOO.map((z) => z.name).join(', ')}, or evaluate any model on your data: opml eval <model> --dataset <file>`);
    out.progress(`${name}: quantizing ...`);
    const { int } = prepareFromArgs(name, opts.calibration, opts.shape);
    const bytes = new Uint8Array(readFileSync(zoo.file));
    if (zoo.inputType === 'float32') {
      const r = await mnistFidelity(zoo, int, bytes, opts.limit, (done) => out.progress(`${name}: ${done} images`));
      results.push({ model: name, ...r });
      out.line(`${name}: ${r.images} MNIST test images  float ${pct(r.floatAccuracy)}  integer ${pct(r.intAccuracy)}  top-1 agreement ${pct(r.agreement)}`);
    } else {
      const r = await sequenceFidelity(zoo, int, bytes);
      results.push({ model: name, ...r });
      out.line(`${name}: ${r.prompts} prompts, ${r.positions} positions  top-1 agreement ${pct(r.top1Agreement)}  max |logit error| ${r.maxAbsError.toFixed(4)} (${pct(r.relativeError)} of the logit range), mean ${r.meanAbsError.toFixed(4)}`);
    }
  }
  out.result(results);
  return results;
}

async function evalDataset(model: string, dataset: string[], opts: EvalOptions, out: Output): Promise<EvalResult> {
  const { file } = fileOf(model);
  if (file.endsWith('.opml')) throw new OpmlError(`eval: ${printable(model)} is an integer graph; the float reference needs the .onnx it was quantized from`, ExitCode.USAGE, 'pass the .onnx with the --calibration (and --shape) it was quantized with');
  out.progress(`${model}: quantizing ...`);
  const prepared = prepareFromArgs(model, opts.calibration, opts.shape);
  const float = prepared.float!;
  const inputs = float.inputs.map((v) => ({ name: v.name, dims: v.dims, integer: v.dtype !== 'float32' }));
  let samples;
  let labels: number[] | undefined;
  try {
    samples = samplesToFeeds(readSamples(dataset, { flag: '--dataset', many: true }), inputs);
    labels = opts.labels ? readLabels(opts.labels) : undefined;
  } catch (err) {
    if (err instanceof InputFormatError) throw new OpmlError(err.cause_, ExitCode.INPUT, err.fix);
    throw err;
  }
  if (opts.limit !== undefined) samples = samples.slice(0, opts.limit);
  const g = prepared.int;
  const first = g.tensors[g.outputs[0]];
  const rows = (first.dims.at(-1) ?? 1) > 1 ? first.dims.reduce((a, d) => a * d, 1) / first.dims.at(-1)! : 0;
  if (labels) {
    if (rows === 0) throw new OpmlError(`eval --labels: the first output "${printable(float.outputs[0])}" has dims [${first.dims}]: no class axis to take an argmax over`, ExitCode.USAGE, 'drop --labels (agreement and error are reported without them)');
    const want = samples.length * rows;
    if (labels.length < want) throw new OpmlError(`eval --labels ${printable(opts.labels!, 120)}: ${labels.length} labels for ${samples.length} samples${rows > 1 ? ` of ${rows} rows each` : ''} (need ${want})`, ExitCode.INPUT, 'give one label per sample (per row of the first output)');
  }
  const bytes = new Uint8Array(readFileSync(file));
  const every = Math.max(1, Math.round(samples.length / 20));
  let r: DatasetFidelity;
  try {
    r = await datasetFidelity(g, bytes, float.outputs, samples, labels, (done) => {
      if (done % every === 0 || done === samples.length) out.progress(`${model}: ${done}/${samples.length} samples`);
    });
  } catch (err) {
    if (err instanceof OpmlError) throw err;
    throw new OpmlError(`eval: onnxruntime could not run ${printable(model)} on the dataset: ${printable((err as Error).message?.split('\n')[0] ?? String(err), 200)}`, ExitCode.INPUT, 'check that the dataset matches the model\'s inputs (`opml inspect <model>` lists them)');
  }
  out.line(`${model}: ${r.samples} samples, integer vs onnxruntime float (${Math.round(r.millis.int)} ms integer, ${Math.round(r.millis.float)} ms float)`);
  out.line(
    table([
      ['output', 'dims', 'top-1 agreement', 'max |error|', 'of the float range', 'mean |error|'],
      ...r.outputs.map((o) => [o.name, `[${o.dims}]`, o.top1Agreement === undefined ? '-' : `${pct(o.top1Agreement)} of ${o.rows}`, o.maxAbsError.toPrecision(4), pct(o.relativeError), o.meanAbsError.toPrecision(4)]),
    ]),
  );
  if (r.labels !== undefined) out.line(`accuracy on ${r.labels} labels: float ${pct(r.floatAccuracy!)}  integer ${pct(r.intAccuracy!)}`);
  return { model, ...r };
}

/** The model's file, with the one-line error every command gives for a missing one. */
function fileOf(model: string): { file: string } {
  try {
    return modelFile(model);
  } catch (err) {
    if (err instanceof ModelRefError) throw new OpmlError(err.cause_, ExitCode.INPUT, err.fix);
    throw err;
  }
}
