/**
 * Model inputs from the command line: `mnist:<i>` (MNIST test image i), `text:<prompt>` (the tiny
 * transformer's characters), `tokens:<id,id,...>`, or a JSON file (`{"<input>": [...]}` or a bare array for a
 * one-input model). Float values are quantized at each input's scale; integer inputs are taken as they are.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Feeds } from '../models/float/evaluate.ts';
import type { Tensor } from '../models/graph.ts';
import { elementCount, type IntGraph } from '../models/int/graph.ts';
import { quantizeInput } from '../models/quantize/quantize.ts';
import { loadMnist, mnistImage } from '../models/zoo/mnist.ts';
import { encode } from '../models/zoo/tokens.ts';
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

const USAGE = 'use mnist:<index>, text:<16 characters>, tokens:<id,id,...> or a JSON file';

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

export function parseInput(spec: string, graph: IntGraph): ModelInput {
  const [kind, ...rest] = spec.split(':');
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
      ids = encode(arg);
    } catch (err) {
      fail(printable((err as Error).message, 200));
    }
    return fromValues(graph, [Array.from(ids)], `text "${printable(arg)}"`);
  }
  if (kind === 'tokens' && rest.length > 0) return fromValues(graph, [parseTokens(arg)], `tokens ${printable(arg)}`);
  const shown = printable(spec, 120);
  if (!existsSync(spec)) fail(`"${shown}" is neither a known input form nor a file`);
  if (!statSync(spec).isFile()) fail(`${shown} is a directory, not a JSON file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (err) {
    fail(`${shown} is ${err instanceof RangeError ? 'nested too deeply' : 'not valid JSON'}`);
  }
  const flat = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v)) fail(`${shown}: ${what} is ${v === null ? 'null' : typeof v}, expected an array of numbers`);
    try {
      return v.flat(Infinity as 1) as number[];
    } catch {
      fail(`${shown}: ${what} is nested too deeply`);
    }
  };
  if (Array.isArray(json)) return fromValues(graph, [flat(json, 'the array')], shown);
  if (json === null || typeof json !== 'object') fail(`${shown}: expected an object keyed by input name, or an array`);
  const obj = json as Record<string, unknown>;
  const names = graph.inputs.map((t) => graph.tensors[t].name);
  const extra = Object.keys(obj).find((k) => !names.includes(k));
  if (extra !== undefined) fail(`${shown} has a value for "${printable(extra, 40)}", which is not an input of the model (its inputs: ${names.map((n) => `"${printable(n)}"`).join(', ')})`);
  const values = names.map((name) => {
    if (!Object.hasOwn(obj, name)) fail(`${shown} has no value for input "${printable(name)}"`);
    return flat(obj[name], `input "${printable(name)}"`);
  });
  return fromValues(graph, values, shown);
}
