// Test helper for the loader pipeline tests (fold*.test.ts, opsets*.test.ts): load a model with opml and
// evaluate it, run it in onnxruntime-node with every intermediate exposed, and compare every value both
// have (graph outputs always; rewritten intermediates that only opml has are skipped by name, never by
// tolerance). Integer and bool values are compared exactly, float ones within compare.ts's tolerance.

import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import type { FloatGraph, Tensor } from '../../models/graph.ts';
import { loadOnnx, type LoadOptions } from '../../models/onnx/load.ts';
import { exposeAllValues, toOrtTensor } from '../../models/onnx/ort.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { ATOL, RTOL, maxAbs, maxAbsDiff } from './compare.ts';

const rng = new Prng(4321);

export function random(dims: number[], lo = -2, hi = 2): Tensor {
  return { dims, data: rng.uniforms(dims.reduce((p, d) => p * d, 1), lo, hi) };
}

export interface Checked {
  graph: FloatGraph;
  /** Names of the values compared (graph outputs first). */
  compared: string[];
}

async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Map<string, { dims: number[]; data: number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(t);
  const result = await session.run(ortFeeds);
  await session.release();
  return new Map(Object.entries(result).map(([name, t]) => [name, { dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint | boolean>, Number) }]));
}

/** Loads, evaluates and compares against onnxruntime; every graph output must be compared. */
export async function checkAgainstOrt(model: WriterModel, feeds: Record<string, Tensor>, options?: LoadOptions): Promise<Checked> {
  const bytes = writeOnnx(model);
  const graph = loadOnnx(bytes, options);
  const ours = evaluate(graph, feeds);
  const theirs = await runOrt(exposeAllValues(bytes), feeds);
  const mine = new Map<string, Tensor>(ours.values);
  graph.outputs.forEach((o, i) => mine.set(o, ours.outputs[i]));
  const compared: string[] = [];
  for (const name of [...graph.outputs, ...[...ours.values.keys()].filter((n) => !graph.outputs.includes(n))]) {
    const ref = theirs.get(name);
    if (!ref) continue;
    const got = mine.get(name)!;
    expect(got.dims, `dims of ${name}`).toEqual(ref.dims);
    const diff = maxAbsDiff(got.data, ref.data);
    const tol = got.data instanceof Int32Array ? 0 : ATOL + RTOL * maxAbs(ref.data);
    expect(diff, `|opml - onnxruntime| on ${name}`).toBeLessThanOrEqual(tol);
    compared.push(name);
  }
  for (const o of graph.outputs) expect(compared, 'every graph output is compared').toContain(o);
  return { graph, compared };
}

/** The ops of a loaded graph's nodes, in order. */
export function opsOf(graph: FloatGraph): string[] {
  return graph.nodes.map((n) => n.op);
}

/** int64 constant initializer from numbers or bigints. */
export function int64(name: string, values: (number | bigint)[], dims = [values.length]) {
  return { name, dims, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

export function float(name: string, values: number[], dims = [values.length]) {
  return { name, dims, data: Float32Array.from(values) };
}
