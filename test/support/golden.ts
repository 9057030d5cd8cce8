/**
 * Golden runs of the zoo models (test/golden/*.json): for fixed inputs, every graph input's and every node's
 * output words, every tensor root, every graph state S_0..S_n, and (separately) the model id. Written by
 * `npx tsx scripts/gen-golden.ts`; test/golden/golden.test.ts recomputes them and compares word for word.
 *
 * The files are pinned in the repository, so a change that moves any word (a rounding rule, a quantizer, a
 * kernel, the input parsing) fails even when it is applied consistently to the CPU executor, the VM and the
 * GPU. Regenerate them only for an intended change.
 */
import { readFileSync } from 'node:fs';
import { parseInput } from '../../cli/inputs.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { runGraph } from '../../models/int/execute.ts';
import { prepareModel, type PreparedModel } from '../../models/prepare.ts';
import type { ZooName } from '../../models/zoo/index.ts';

/** The model + input pairs pinned (inputs in `opml run --input` syntax). */
export const GOLDEN_RUNS: readonly { model: ZooName; inputs: readonly string[] }[] = [
  { model: 'mnist-mlp', inputs: ['mnist:0', 'mnist:1', 'mnist:2'] },
  { model: 'mnist-cnn', inputs: ['mnist:0', 'mnist:1', 'mnist:2'] },
  { model: 'tiny-transformer', inputs: ['text:bisect then step', 'text:aaaaaaaaaaaaaaaa', 'text:0123456789 01234'] },
];

export const GOLDEN_DIR = new URL('../golden/', import.meta.url);
export const REGENERATE = 'npx tsx scripts/gen-golden.ts';

export interface GoldenTensor {
  /** Tensor id in the integer graph. */
  tensor: number;
  name: string;
  dims: number[];
  /** Tensor root (docs/VM.md Merkle scheme). */
  root: string;
  /** The words: base64 of the little-endian int32 array. */
  words: string;
}

export interface GoldenNode extends GoldenTensor {
  index: number;
  op: string;
}

export interface GoldenFile {
  about: string;
  model: ZooName;
  input: string;
  /**
   * The model id of the model commitment. Kept apart from the run data on purpose: a change to the commitment
   * scheme (e.g. binding tensor shapes) changes only this field.
   */
  modelId: string;
  numInputs: number;
  numNodes: number;
  inputs: GoldenTensor[];
  nodes: GoldenNode[];
  /** S_0 .. S_n. */
  states: string[];
  /** The graph output words' tensor id (the last slot need not be the output). */
  output: number;
}

export function fileName(model: string, input: string): string {
  return `${model}__${input.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}.json`;
}

export function encodeWords(words: Int32Array): string {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setInt32(4 * i, w, true));
  return Buffer.from(bytes).toString('base64');
}

export function decodeWords(b64: string): Int32Array {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`golden words: ${bytes.length} bytes is not a whole number of int32 words`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Int32Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(4 * i, true));
}

/** The golden record of one run of a prepared zoo model (the model id from `modelId`, computed once per model). */
export function goldenRun(prepared: PreparedModel, model: ZooName, input: string, modelId: string): GoldenFile {
  const graph = prepared.int;
  const words = parseInput(input, graph).words;
  const run = runGraph(graph, words);
  const tensor = (t: number, w: Int32Array): GoldenTensor => ({
    tensor: t,
    name: graph.tensors[t].name,
    dims: graph.tensors[t].dims,
    root: run.roots.get(t)!,
    words: encodeWords(w),
  });
  return {
    about: `golden run, written by \`${REGENERATE}\`; rerun it only for an intended change of the committed numbers`,
    model,
    input,
    modelId,
    numInputs: graph.inputs.length,
    numNodes: graph.nodes.length,
    inputs: graph.inputs.map((t) => tensor(t, run.values.get(t)!)),
    nodes: graph.nodes.map((n, i) => ({ index: i, op: n.op, ...tensor(n.output, run.values.get(n.output)!) })),
    states: run.states,
    output: graph.outputs[0],
  };
}

/** Every golden record of one model: the model is prepared and committed once. */
export function goldenModel(model: ZooName, inputs: readonly string[]): GoldenFile[] {
  const prepared = prepareModel(model);
  const modelId = modelCommitment(prepared.int).modelId;
  return inputs.map((input) => goldenRun(prepared, model, input, modelId));
}

export function readGolden(model: string, input: string): GoldenFile {
  return JSON.parse(readFileSync(new URL(fileName(model, input), GOLDEN_DIR), 'utf8')) as GoldenFile;
}
