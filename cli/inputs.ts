/**
 * Model inputs from the command line: `mnist:<i>` (MNIST test image i), `text:<prompt>` (the tiny
 * transformer's characters), `tokens:<id,id,...>`, or a JSON file (`{"<input>": [...]}` or a bare array for a
 * one-input model). Float values are quantized at each input's scale; integer inputs are taken as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Feeds } from '../models/float/evaluate.ts';
import type { Tensor } from '../models/graph.ts';
import { elementCount, type IntGraph } from '../models/int/graph.ts';
import { quantizeInput } from '../models/quantize/quantize.ts';
import { loadMnist, mnistImage } from '../models/zoo/mnist.ts';
import { encode } from '../models/zoo/tokens.ts';
import { ExitCode, OpmlError } from './errors.ts';

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

function fromValues(graph: IntGraph, values: number[][], description: string, label?: number): ModelInput {
  if (values.length !== graph.inputs.length) fail(`the model takes ${graph.inputs.length} input(s), got ${values.length}`);
  const feeds: Record<string, Tensor> = {};
  const words = graph.inputs.map((t, i) => {
    const info = graph.tensors[t];
    const want = elementCount(info.dims);
    if (values[i].length !== want) fail(`"${info.name}" needs ${want} values (dims [${info.dims}]), got ${values[i].length}`);
    if (values[i].some((v) => typeof v !== 'number' || !Number.isFinite(v))) fail(`"${info.name}" holds a value that is not a finite number`);
    if (info.integer && values[i].some((v) => !Number.isInteger(v))) fail(`"${info.name}" takes integers (token ids)`);
    const tensor: Tensor = info.integer ? { dims: info.dims, data: Int32Array.from(values[i]) } : { dims: info.dims, data: Float32Array.from(values[i]) };
    feeds[info.name] = tensor;
    return quantizeInput(tensor.data, info.scale, info.integer === true);
  });
  return { words, feeds, description, label };
}

export function parseInput(spec: string, graph: IntGraph): ModelInput {
  const [kind, ...rest] = spec.split(':');
  const arg = rest.join(':');
  if (kind === 'mnist' && rest.length > 0) {
    const i = Number(arg);
    const test = loadMnist('test');
    if (!Number.isInteger(i) || i < 0 || i >= test.count) fail(`MNIST test images are numbered 0..${test.count - 1}, got "${arg}"`);
    const image = mnistImage(test, i, [784]);
    return fromValues(graph, [Array.from(image.data)], `MNIST test image ${i} (label ${test.labels[i]})`, test.labels[i]);
  }
  if (kind === 'text' && rest.length > 0) {
    let ids: Int32Array;
    try {
      ids = encode(arg);
    } catch (err) {
      fail((err as Error).message);
    }
    return fromValues(graph, [Array.from(ids)], `text "${arg}"`);
  }
  if (kind === 'tokens' && rest.length > 0) return fromValues(graph, [arg.split(',').map(Number)], `tokens ${arg}`);
  if (!existsSync(spec)) fail(`"${spec}" is neither a known input form nor a file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(spec, 'utf8'));
  } catch {
    fail(`${spec} is not valid JSON`);
  }
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flat(Infinity as 1) : fail(`${spec}: expected an array of numbers`)) as number[];
  if (Array.isArray(json)) return fromValues(graph, [flat(json)], spec);
  if (json === null || typeof json !== 'object') fail(`${spec}: expected an object keyed by input name, or an array`);
  const obj = json as Record<string, unknown>;
  const values = graph.inputs.map((t) => {
    const name = graph.tensors[t].name;
    if (!(name in obj)) fail(`${spec} has no value for input "${name}"`);
    return flat(obj[name]);
  });
  return fromValues(graph, values, spec);
}
