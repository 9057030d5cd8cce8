/** `opml eval`: fidelity of the integer zoo models against onnxruntime-node float inference. */
import { readFileSync } from 'node:fs';
import { mnistFidelity, sequenceFidelity, type ClassifierFidelity, type SequenceFidelity } from '../../models/fidelity.ts';
import { ZOO } from '../../models/zoo/index.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { Output } from '../output.ts';
import { prepareFromArgs } from './modelArg.ts';

export interface EvalOptions {
  model?: string[];
  limit?: number;
  json?: boolean;
}

export type EvalResult = { model: string } & (ClassifierFidelity | SequenceFidelity);

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export async function evalZoo(opts: EvalOptions, out = new Output(opts)): Promise<EvalResult[]> {
  const names = opts.model && opts.model.length > 0 ? opts.model : ZOO.map((z) => z.name);
  const results: EvalResult[] = [];
  for (const name of names) {
    const zoo = ZOO.find((z) => z.name === name);
    if (!zoo) throw new OpmlError(`eval: no zoo model "${name}"`, ExitCode.USAGE, `choose from ${ZOO.map((z) => z.name).join(', ')}`);
    out.progress(`${name}: quantizing ...`);
    const { int } = prepareFromArgs(name);
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
