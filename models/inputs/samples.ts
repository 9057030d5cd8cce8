/**
 * One input format for everything that feeds a model: `--input` (one sample), `--calibration` and `--dataset`
 * (many). See docs/INPUTS.md.
 *
 *   JSON   {"<input>": {"dims": [...], "data": [...], "dtype": "float32"}}   one sample ("dtype" optional:
 *          float32, float64, int64 or int32; inferred from the model's input); a value may also be a plain
 *          (nested) array of numbers; [{...}, {...}] is many samples; a bare array of numbers is the one input
 *          of a one-input model.
 *   .npy   `x.npy` for a one-input model, `name=x.npy` (repeatable) for several. For many samples the first
 *          axis is the sample axis.
 *
 * Files are read before the model's inputs are known (the calibration is needed to quantize); `resolveSample`
 * then matches names, element counts and types against the inputs: integer (int64) inputs take whole numbers
 * that fit an int32 word; float inputs any finite number.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { printable } from '../errors.ts';
import type { Feeds } from '../float/evaluate.ts';
import type { Tensor } from '../graph.ts';
import { InputFormatError, readNpy, type NpyDType } from './npy.ts';

export { InputFormatError } from './npy.ts';

export const INPUT_DTYPES: readonly NpyDType[] = ['float32', 'float64', 'int64', 'int32'];

/** One tensor of a sample as the file gives it. */
export interface RawTensor {
  /** The dims the file states (a JSON "dims", or a .npy's shape less the sample axis); absent for a bare array. */
  dims?: number[];
  values: ArrayLike<number>;
  dtype?: NpyDType;
}

/** One sample: tensors by input name ('' for the one unnamed value of a one-input model). */
export type RawSample = Map<string, RawTensor>;

export const UNNAMED = '';

/** A model input as the resolver needs it. */
export interface InputSlot {
  name: string;
  dims: number[];
  integer: boolean;
}

export interface SampleSet {
  samples: RawSample[];
  /** For messages: `--calibration samples.json`. */
  where: string;
}

const FIX = 'see docs/INPUTS.md: JSON {"<input>": {"dims": [...], "data": [...]}} (an array of them for many samples) or .npy files (name=file.npy for several inputs)';

/**
 * Read `specs` (one JSON file, or .npy files: `x.npy` or `name=x.npy` each) as samples. `many`: a calibration
 * set or a dataset (a .npy's first axis is the sample axis); else one sample. `flag` names the option in errors.
 */
export function readSamples(specs: readonly string[], opts: { flag: string; many: boolean; fix?: string }): SampleSet {
  const fix = opts.fix ?? FIX;
  const where = `${opts.flag} ${specs.map((s) => printable(s, 120)).join(' ')}`;
  if (specs.length === 0) throw new InputFormatError(opts.flag, 'no file given', fix);
  const parsed = specs.map((spec) => {
    if (existsSync(spec)) return { name: UNNAMED, file: spec };
    const m = /^([^=]+)=(.+)$/s.exec(spec);
    return m ? { name: m[1], file: m[2] } : { name: UNNAMED, file: spec };
  });
  const json = parsed.filter((p) => !isNpy(p.file));
  if (json.length > 0) {
    if (specs.length > 1) throw new InputFormatError(where, 'one JSON file holds every input of a sample; several files must all be .npy (name=file.npy)', fix);
    if (parsed[0].name !== UNNAMED) throw new InputFormatError(where, 'name=file is for .npy files; a JSON file names its inputs itself', fix);
    return { samples: jsonSamples(readFile(parsed[0].file, opts.flag, fix), printable(parsed[0].file, 120), opts.many, fix), where };
  }
  if (parsed.length > 1 && parsed.some((p) => p.name === UNNAMED)) throw new InputFormatError(where, 'with several .npy files, name each one: name=file.npy', fix);
  const seen = new Set<string>();
  for (const p of parsed) {
    if (seen.has(p.name)) throw new InputFormatError(where, `input "${printable(p.name, 40)}" is given twice`, fix);
    seen.add(p.name);
  }
  const arrays = parsed.map((p) => ({ name: p.name, file: p.file, npy: readNpy(readFile(p.file, opts.flag, fix), `${opts.flag} ${printable(p.file, 120)}`) }));
  if (!opts.many) return { samples: [new Map(arrays.map((a) => [a.name, { dims: a.npy.dims, values: a.npy.values, dtype: a.npy.dtype }]))], where };
  let count: number | undefined;
  for (const a of arrays) {
    const at = `${opts.flag} ${printable(a.file, 120)}`;
    if (a.npy.dims.length === 0) throw new InputFormatError(at, 'is a scalar; its first axis must count the samples', fix);
    const n = a.npy.dims[0];
    if (n === 0) throw new InputFormatError(at, 'holds no samples (its first axis is 0)', fix);
    if (count !== undefined && n !== count) throw new InputFormatError(where, `the files hold different numbers of samples (${count} and ${n} along the first axis)`, fix);
    count = n;
  }
  const samples: RawSample[] = Array.from({ length: count! }, (_, i) =>
    new Map(
      arrays.map((a) => {
        const per = a.npy.dims.slice(1);
        const size = per.reduce((x, d) => x * d, 1);
        return [a.name, { dims: per, values: a.npy.values.subarray(i * size, (i + 1) * size), dtype: a.npy.dtype }];
      }),
    ),
  );
  return { samples, where };
}

function isNpy(file: string): boolean {
  return file.toLowerCase().endsWith('.npy');
}

function readFile(file: string, flag: string, fix: string): Uint8Array {
  const shown = `${flag} ${printable(file, 120)}`;
  if (!existsSync(file)) throw new InputFormatError(shown, 'no such file', fix);
  if (!statSync(file).isFile()) throw new InputFormatError(shown, 'is a directory, not a file', fix);
  return new Uint8Array(readFileSync(file));
}

/** The JSON forms: an object keyed by input name, an array of them, or a bare array of numbers. */
function jsonSamples(bytes: Uint8Array, shown: string, many: boolean, fix: string): RawSample[] {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new InputFormatError(shown, err instanceof RangeError ? 'is nested too deeply' : 'is not valid JSON', fix);
  }
  const bad = (why: string): never => {
    throw new InputFormatError(shown, why, fix);
  };
  if (Array.isArray(json)) {
    if (json.length === 0) bad('is an empty array; expected samples');
    const objects = json.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s));
    if (!objects) {
      if (json.some((s) => typeof s === 'object' && s !== null && !Array.isArray(s))) bad('mixes samples ({...}) with plain values in one array');
      if (many) bad('is an array of plain values; a set of samples is [{"<input>": {"dims": [...], "data": [...]}}, ...]');
      return [new Map([[UNNAMED, { values: flatten(json, bad, 'the array') }]])];
    }
    if (!many && json.length !== 1) bad(`holds ${json.length} samples; --input takes one`);
    return json.map((s, i) => sampleOf(s as Record<string, unknown>, (why) => bad(`sample ${i}${why}`)));
  }
  if (json === null || typeof json !== 'object') bad('expected an object keyed by input name, or an array');
  return [sampleOf(json as Record<string, unknown>, (why) => bad(many ? `sample 0${why}` : why.replace(/^, /, '')))];
}

function sampleOf(obj: Record<string, unknown>, bad: (why: string) => never): RawSample {
  const sample: RawSample = new Map();
  const keys = Object.keys(obj);
  if (keys.length === 0) bad(' has no inputs');
  for (const name of keys) {
    const at = `, input "${printable(name, 40)}"`;
    const t = obj[name];
    if (Array.isArray(t)) {
      sample.set(name, { values: flatten(t, (w) => bad(`${at}${w}`), '') });
      continue;
    }
    if (typeof t !== 'object' || t === null) bad(`${at} is ${t === null ? 'null' : typeof t}, expected {"dims": [...], "data": [...]} or an array of numbers`);
    const { dims, data, dtype, ...rest } = t as { dims?: unknown; data?: unknown; dtype?: unknown };
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) bad(`${at}: unknown key "${printable(extra, 30)}" (expected dims, data, dtype)`);
    if (data === undefined) bad(`${at} has no "data"`);
    if (!Array.isArray(data)) bad(`${at}: "data" is not an array of numbers`);
    const values = flatten(data as unknown[], (w) => bad(`${at}: "data"${w}`), '');
    let d: number[] | undefined;
    if (dims !== undefined) {
      if (!Array.isArray(dims) || dims.length > 8 || !dims.every((x) => Number.isSafeInteger(x) && x >= 0 && x <= 2 ** 31)) bad(`${at}: "dims" is not an array of at most 8 whole numbers`);
      d = dims as number[];
      const want = d.reduce((a, x) => a * x, 1);
      if (values.length !== want) bad(`${at}: dims [${d}] need ${want} values, "data" has ${values.length}`);
    }
    if (dtype !== undefined && !(INPUT_DTYPES as readonly unknown[]).includes(dtype)) bad(`${at}: "dtype" ${printable(JSON.stringify(dtype) ?? String(dtype), 30)} is not one of ${INPUT_DTYPES.join(', ')}`);
    sample.set(name, { dims: d, values, dtype: dtype as NpyDType | undefined });
  }
  return sample;
}

/** Nested arrays of numbers → numbers (anything else, or NaN/Infinity spelled as strings, is refused by position). */
function flatten(v: unknown[], bad: (why: string) => never, what: string): number[] {
  let flat: unknown[];
  try {
    flat = v.flat(Infinity as 1);
  } catch {
    bad(`${what ? ` ${what}` : ''} is nested too deeply`);
  }
  const i = flat!.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (i >= 0) bad(`${what ? ` ${what}` : ''}: value ${i} (${printable(JSON.stringify(flat![i]) ?? String(flat![i]), 30)}) is not a finite number`);
  return flat! as number[];
}

/**
 * One sample's values in the order of `inputs`: names matched (an unnamed value needs a one-input model),
 * element counts checked against the model's dims, integer inputs checked for whole numbers that fit int32.
 */
export function resolveSample(sample: RawSample, inputs: readonly InputSlot[], where: string, fix = FIX): ArrayLike<number>[] {
  const bad = (why: string): never => {
    throw new InputFormatError(where, why, fix);
  };
  const names = inputs.map((s) => `"${printable(s.name)}"`).join(', ');
  if (sample.has(UNNAMED)) {
    if (inputs.length !== 1) bad(`the model takes ${inputs.length} inputs (${names}); name each value (name=file.npy, or a JSON object keyed by input name)`);
    sample = new Map([[inputs[0].name, sample.get(UNNAMED)!]]);
  }
  const extra = [...sample.keys()].find((k) => !inputs.some((s) => s.name === k));
  if (extra !== undefined) bad(`has a value for "${printable(extra, 40)}", which is not an input of the model (its inputs: ${names})`);
  return inputs.map((slot) => {
    const name = printable(slot.name);
    const t = sample.get(slot.name);
    if (!t) bad(`has no value for input "${name}" (the model's inputs: ${names})`);
    const want = slot.dims.reduce((a, d) => a * d, 1);
    if (t!.values.length !== want) {
      const given = t!.dims ? `dims [${t!.dims}] (${t!.values.length} values)` : `${t!.values.length} values`;
      bad(`input "${name}" needs ${want} values (dims [${slot.dims}]), the file gives ${given}${t!.dims && t!.dims.length > 0 ? `; if the model's dims are symbolic, fix them with --shape ${shapeArg(slot.name)}=${t!.dims.join(',')}` : ''}`);
    }
    for (let i = 0; i < t!.values.length; i++) {
      const v = t!.values[i];
      if (!Number.isFinite(v)) bad(`input "${name}": value ${i} (${v}) is not a finite number`);
      if (slot.integer) {
        if (!Number.isInteger(v)) bad(`input "${name}" takes integers (int64: token ids, indices); value ${i} is ${v}`);
        if (v < -(2 ** 31) || v >= 2 ** 31) bad(`input "${name}": value ${i} (${v}) does not fit int32; opml computes in int32 words, so int64 inputs must fit int32`);
      }
    }
    return t!.values;
  });
}

/** A --shape argument's name part, quoted for a shell when it needs to be. */
export function shapeArg(name: string): string {
  return /^[\w.:/-]+$/.test(name) ? name : `'${printable(name, 60).replace(/'/g, "'\\''")}'`;
}

/** Samples as float-graph feeds (Float32Array for float inputs, Int32Array for integer ones, the model's dims). */
export function samplesToFeeds(set: SampleSet, inputs: readonly InputSlot[], fix = FIX): Feeds[] {
  return set.samples.map((s, i) => {
    const values = resolveSample(s, inputs, set.samples.length > 1 ? `${set.where}: sample ${i}` : set.where, fix);
    const feeds: Record<string, Tensor> = {};
    inputs.forEach((slot, k) => {
      feeds[slot.name] = slot.integer ? { dims: [...slot.dims], data: Int32Array.from(values[k]) } : { dims: [...slot.dims], data: Float32Array.from(values[k]) };
    });
    return feeds;
  });
}

/** Labels for a dataset: a JSON array of whole numbers, or a .npy of integers (one per sample). */
export function readLabels(file: string, flag = '--labels'): number[] {
  const shown = `${flag} ${printable(file, 120)}`;
  const fix = 'give a JSON array of class indices, or a .npy of integers, one per sample';
  const bytes = readFile(file, flag, fix);
  let values: ArrayLike<number>;
  if (isNpy(file)) {
    const a = readNpy(bytes, shown);
    if (a.dims.length > 2 || (a.dims.length === 2 && a.dims[1] !== 1)) throw new InputFormatError(shown, `has shape (${a.dims.join(', ')}); labels are one per sample: (N,) or (N, 1)`, fix);
    values = a.values;
  } else {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new InputFormatError(shown, 'is not valid JSON', fix);
    }
    if (!Array.isArray(json)) throw new InputFormatError(shown, 'is not an array', fix);
    values = json as number[];
  }
  const out = Array.from(values as ArrayLike<unknown>, (v) => v as number);
  const i = out.findIndex((v) => typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0);
  if (i >= 0) throw new InputFormatError(shown, `label ${i} (${printable(JSON.stringify(out[i]) ?? String(out[i]), 30)}) is not a class index (a whole number, 0 or more)`, fix);
  return out;
}
