/** Turning the <model> argument and --calibration into a prepared integer graph, with CLI errors. */
import { existsSync, readFileSync } from 'node:fs';
import type { Feeds } from '../../models/float/evaluate.ts';
import { ModelError } from '../../models/errors.ts';
import type { Tensor } from '../../models/graph.ts';
import { IntGraphFormatError } from '../../models/int/serialize.ts';
import { ModelRefError, prepareModel, type PreparedModel } from '../../models/prepare.ts';
import { ExitCode, OpmlError } from '../errors.ts';

function readCalibration(file: string): Feeds[] {
  if (!existsSync(file)) throw new OpmlError(`calibration file ${file} does not exist`, ExitCode.INPUT);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new OpmlError(`calibration file ${file} is not valid JSON`, ExitCode.INPUT);
  }
  const hint = 'write [{"<input>": {"dims": [...], "data": [...]}}, ...]';
  if (!Array.isArray(json) || json.length === 0) throw new OpmlError(`calibration file ${file}: expected a non-empty array of samples`, ExitCode.INPUT, hint);
  return json.map((sample: Record<string, { dims: number[]; data: number[] }>) => {
    const feeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(sample)) feeds[name] = { dims: t.dims, data: Float32Array.from(t.data) };
    return feeds;
  });
}

export function prepareFromArgs(model: string, calibration?: string): PreparedModel {
  try {
    return prepareModel(model, calibration ? readCalibration(calibration) : undefined);
  } catch (err) {
    if (err instanceof ModelRefError || err instanceof ModelError || err instanceof IntGraphFormatError) {
      throw new OpmlError(err.message, ExitCode.INPUT);
    }
    throw err;
  }
}
