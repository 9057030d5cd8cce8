/** Turning the <model> argument and --calibration into a prepared integer graph, with CLI errors. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Feeds } from '../../models/float/evaluate.ts';
import { ModelError } from '../../models/errors.ts';
import type { Tensor } from '../../models/graph.ts';
import { IntGraphFormatError } from '../../models/int/serialize.ts';
import { ModelRefError, prepareModel, type PreparedModel } from '../../models/prepare.ts';
import { ExitCode, OpmlError, printable } from '../errors.ts';

function readCalibration(file: string): Feeds[] {
  const shown = printable(file, 120);
  const hint = 'write [{"<input>": {"dims": [...], "data": [...]}}, ...]';
  if (!existsSync(file)) throw new OpmlError(`calibration file ${shown} does not exist`, ExitCode.INPUT, 'check --calibration');
  if (!statSync(file).isFile()) throw new OpmlError(`calibration file ${shown} is a directory, not a file`, ExitCode.INPUT, 'check --calibration');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new OpmlError(`calibration file ${shown} is ${err instanceof RangeError ? 'nested too deeply' : 'not valid JSON'}`, ExitCode.INPUT, hint);
  }
  if (!Array.isArray(json) || json.length === 0) throw new OpmlError(`calibration file ${shown}: expected a non-empty array of samples`, ExitCode.INPUT, hint);
  return json.map((sample: unknown, i) => {
    const bad = (why: string): never => {
      throw new OpmlError(`calibration file ${shown}: sample ${i}${why}`, ExitCode.INPUT, hint);
    };
    if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) bad(' is not an object keyed by input name');
    const feeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(sample as Record<string, unknown>)) {
      const at = `, input "${printable(name, 40)}"`;
      if (typeof t !== 'object' || t === null) bad(`${at} is not {"dims": [...], "data": [...]}`);
      const { dims, data } = t as { dims: unknown; data: unknown };
      if (!Array.isArray(dims) || dims.length > 8 || !dims.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`${at}: "dims" is not an array of whole numbers`);
      if (!Array.isArray(data) || !data.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(`${at}: "data" is not an array of finite numbers`);
      const want = (dims as number[]).reduce((a, d) => a * d, 1);
      if ((data as number[]).length !== want) bad(`${at}: dims [${dims as number[]}] need ${want} values, "data" has ${(data as number[]).length}`);
      feeds[name] = { dims: dims as number[], data: Float32Array.from(data as number[]) };
    }
    return feeds;
  });
}

export function prepareFromArgs(model: string, calibration?: string): PreparedModel {
  try {
    return prepareModel(model, calibration ? readCalibration(calibration) : undefined);
  } catch (err) {
    if (err instanceof ModelRefError || err instanceof ModelError || err instanceof IntGraphFormatError) {
      throw new OpmlError(err.cause_, ExitCode.INPUT, err.fix ?? 'check the model: `opml inspect <model>` lists its nodes and what cannot run');
    }
    throw err;
  }
}
