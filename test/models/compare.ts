// Test helper: run a model through opml's loader + float evaluator and through onnxruntime-node, and
// compare every value both produce (ORT is asked for every intermediate output).

import { expect } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import { isFloatTensor, type Tensor } from '../../models/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { exposeAllValues, OrtModel } from '../../models/onnx/ort.ts';

export const ATOL = 1e-5;
export const RTOL = 1e-4;

export interface Comparison {
  /** Values compared (every node output). */
  compared: number;
  /** Worst |ours - ort| / (ATOL + RTOL * max|ort|) over all values; <= 1 passes. */
  worst: number;
  worstValue: string;
}

export function maxAbs(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * `sharedOnly`: compare just the values onnxruntime also has (a model whose ops the loader expands has
 * intermediate values of its own); the graph outputs are always among them.
 */
export async function compareWithOrt(
  bytes: Uint8Array,
  feeds: Record<string, Tensor>,
  options: { inputDims?: Record<string, number[]>; sharedOnly?: boolean } = {},
): Promise<Comparison> {
  const graph = loadOnnx(bytes, { inputDims: options.inputDims });
  const ours = evaluate(graph, feeds).values;
  const session = await OrtModel.create(exposeAllValues(bytes));
  const theirs = await session.run(feeds, options.sharedOnly);
  await session.release();
  let worst = 0;
  let worstValue = '';
  let compared = 0;
  for (const node of graph.nodes) {
    const name = node.outputs[0];
    const ref = theirs.get(name);
    const got = ours.get(name);
    if (options.sharedOnly && !ref && !graph.outputs.includes(name)) continue;
    expect(ref, `onnxruntime output for ${name}`).toBeDefined();
    expect(got && isFloatTensor(got), `opml output for ${name}`).toBe(true);
    expect(got!.dims, `dims of ${name} (${node.op})`).toEqual(ref!.dims);
    const diff = maxAbsDiff(got!.data, ref!.data);
    const ratio = Number.isNaN(diff) ? Infinity : diff / (ATOL + RTOL * maxAbs(ref!.data));
    if (ratio >= worst) {
      worst = ratio;
      worstValue = `${name} (${node.op})`;
    }
    compared++;
  }
  return { compared, worst, worstValue };
}
