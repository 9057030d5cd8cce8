/**
 * Model inputs from the command line: `mnist:<i>` (MNIST test image i), `text:<prompt>` (a text model's
 * characters: the zoo model's TextCodec, else the tiny transformer's), `tokens:<id,id,...>`, or files in the one input format of models/inputs/samples.ts
 * (docs/INPUTS.md): JSON (`{"<input>": {"dims", "data"}}`, `{"<input>": [...]}` or a bare array for a one-input
 * model) or .npy (`x.npy`, or `name=x.npy` per input). Float values are quantized at each input's scale; integer inputs are taken as they are.
 */
import { existsSync } from 'node:fs';
import { InputFormatError, readSamples, resolveSample } from '../models/inputs/samples.ts';
import type { Feeds } from '../models/float/evaluate.ts';
import type { Tensor } from '../models/graph.ts';
import { elementCount, type IntGraph } from '../models/int/graph.ts';
import { quantizeInput } from '../models/quantize/quantize.ts';
import { loadMnist, mnistImage } from '../models/zoo/mnist.ts';
import { TINY_TEXT, type TextCodec } from '../models/zoo/index.ts';
import { ExitCode, OpmlError, printable } from './errors.ts';

export interface ModelInput {
  /** The int32 words of each graph input, in order (what is committed). */
  words: Int32Array[];
  /** The same input for the float reference. */
  feeds: Feeds;
  /** What it is, for people. */
  description: string;
  /** The true class, when known (MNIST). */
  label?: number;
}

const USAGE = 'use mnist:<index>, text:<characters>, tokens:<id,id,...>, a JSON file or x.npy (name=x.npy for each input of a several-input model)';

function fail(why: string): never {
  throw new OpmlError(`input: ${why}`, ExitCode.INPUT, USAGE);
}

/** The valid token ids of an integer input: [0, len) for every Gather that indexes a table with it. */
function tokenRange(graph: IntGraph, t: number): { len: number; node: string } | undefined {
  let best: { len: number; node: string } | undefined;
  for (const n of graph.nodes) {
    if (n.op !== 'gather' || n.inputs[1] !== t) continue;
    const len = graph.tensors[n.inputs[0]].dims[n.attrs.axis];
    if (best === undefined || len < best.len) best = { len, node: n.name };
  }
  return best;
}

/** int8 words of a float input: what quantizeInput keeps, and how many values it had to clamp. */
function saturation(values: number[], scale: number): { count: number; lo: number; hi: number } {
  let count = 0;
  for (const v of values) {
    const q = Math.round(v / scale);
    if (q < -128 || q > 127) count++;
  }
  return { count, lo: -128 * scale, hi: 127 * scale };
}

function fromValues(graph: IntGraph, values: number[][], description: string, label?: number): ModelInput {
  if (values.length !== graph.inputs.length) fail(`the model takes ${graph.inputs.length} input(s), got ${values.length}`);
  const feeds: Record<string, Tensor> = {};
  const words = graph.inputs.map((t, i) => {
    const info = graph.tensors[t];
    const name = printable(info.name);
    const want = elementCount(info.dims);
    if (values[i].length !== want) fail(`"${name}" needs ${want} values (dims [${info.dims}]), got ${values[i].length}`);
    const bad = values[i].findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) fail(`"${name}": value ${bad} (${printable(JSON.stringify(values[i][bad]) ?? String(values[i][bad]), 30)}) is not a finite number`);
    if (info.integer) {
      const frac = values[i].findIndex((v) => !Number.isInteger(v));
      if (frac >= 0) fail(`"${name}" takes integers (token ids); value ${frac} is ${values[i][frac]}`);
      const range = tokenRange(graph, t);
      if (range) {
        const out = values[i].findIndex((v) => v < 0 || v >= range.len);
        if (out >= 0) fail(`"${name}": token ${values[i][out]} (position ${out}) is outside the vocabulary: valid ids are 0..${range.len - 1} (the table of node "${printable(range.node)}")`);
      } else {
        const out = values[i].findIndex((v) => v < -(2 ** 31) || v >= 2 ** 31);
        if (out >= 0) fail(`"${name}": value ${values[i][out]} (position ${out}) does not fit an int32 word`);
      }
    } else {
      const s = saturation(values[i], info.scale);
      if (s.count > 0) {
        process.stderr.write(
          `opml: warning: input "${name}": ${s.count} of ${want} values lie outside its fixed-point range [${s.lo.toPrecision(4)}, ${s.hi.toPrecision(4)}] and are clamped to it (see docs/NUMERICS.md)\n`,
        );
      }
    }
    const tensor: Tensor = info.integer ? { dims: info.dims, data: Int32Array.from(values[i]) } : { dims: info.dims, data: Float32Array.from(values[i]) };
    feeds[info.name] = tensor;
    return quantizeInput(tensor.data, info.scale, info.integer === true);
  });
  return { words, feeds, description, label };
}

/** `tokens:<id,id,...>`: whole numbers only (an empty item or "abc" is refused, not read as 0 or NaN). */
function parseTokens(arg: string): number[] {
  return arg.split(',').map((item, i) => {
    const s = item.trim();
    if (!/^-?\d{1,12}$/.test(s)) fail(`tokens: item ${i} ("${printable(item, 20)}") is not a whole number`);
    return Number(s);
  });
}

/** The graph's inputs as the sample resolver sees them. */
function slots(graph: IntGraph) {
  return graph.inputs.map((t) => ({ name: graph.tensors[t].name, dims: graph.tensors[t].dims, integer: graph.tensors[t].integer === true }));
}

/**
 * A model input from `--input` (repeatable: name=x.npy for each input of a several-input model). `text` reads
 * `text:` inputs: pass the zoo model's (`prepared.zoo?.text`); the default is the tiny transformer's.
 */
export function parseInput(spec: string | readonly string[], graph: IntGraph, text: TextCodec = TINY_TEXT): ModelInput {
  const all = typeof spec === 'string' ? [spec] : [...spec];
  if (all.length === 0) fail('no --input given');
  if (all.length === 1) {
    const one = all[0];
    const [kind, ...rest] = one.split(':');
    const arg = rest.join(':');
    if (kind === 'mnist' && rest.length > 0) {
      const i = /^\d+$/.test(arg) ? Number(arg) : NaN;
      const test = loadMnist('test', Number.isInteger(i) && i >= 0 ? i + 1 : 1);
      if (!Number.isInteger(i) || i < 0 || i >= test.total) fail(`MNIST test images are numbered 0..${test.total - 1}, got "${printable(arg, 20)}"`);
      const image = mnistImage(test, i, [784]);
      return fromValues(graph, [Array.from(image.data)], `MNIST test image ${i} (label ${test.labels[i]})`, test.labels[i]);
    }
    if (kind === 'text' && rest.length > 0) {
      let ids: Int32Array;
      try {
        const info = graph.inputs.length === 1 ? graph.tensors[graph.inputs[0]] : undefined;
        ids = text.encode(arg, info ? elementCount(info.dims) : 0);
      } catch (err) {
        throw new OpmlError(`input: ${printable((err as Error).message, 200)}`, ExitCode.INPUT, `text: takes ${text.takes}`);
      }
      return fromValues(graph, [Array.from(ids)], `text "${printable(arg)}"`);
    }
    if (kind === 'tokens' && rest.length > 0) return fromValues(graph, [parseTokens(arg)], `tokens ${printable(arg)}`);
    if (!existsSync(one) && !/\.(json|npy)$/i.test(one) && !/=/.test(one)) fail(`"${printable(one, 120)}" is neither a known input form nor a file`);
  }
  const fix = `${USAGE}; see docs/INPUTS.md`;
  const set = wrapInput(() => readSamples(all, { flag: '--input', many: false, fix }));
  const values = wrapInput(() => resolveSample(set.samples[0], slots(graph), set.where, fix));
  return fromValues(graph, values.map((v) => Array.from(v)), all.map((s) => printable(s, 120)).join(' '));
}

/** The first sample of a calibration set as the input (replay and demo of a model outside the zoo). */
export function inputFromCalibration(calibration: readonly string[], graph: IntGraph): ModelInput {
  const set = wrapInput(() => readSamples(calibration, { flag: '--calibration', many: true }));
  const values = wrapInput(() => resolveSample(set.samples[0], slots(graph), `${set.where}: sample 0`));
  return fromValues(graph, values.map((v) => Array.from(v)), `sample 0 of ${set.where}`);
}

function wrapInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputFormatError) throw new OpmlError(err.cause_, ExitCode.INPUT, err.fix ?? USAGE);
    throw err;
  }
}
