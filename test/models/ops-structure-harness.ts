// Test helper for the structure expanders: compares opml's float outputs (loadOnnx expands the structure ops
// into canonical ops) with onnxruntime-node's graph outputs; expanded graphs have no per-node ORT counterpart.

import { expect } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import { isFloatTensor, type FloatGraph, type Tensor } from '../../models/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';
import { maxAbs, maxAbsDiff } from './compare.ts';

/** The model as loadOnnx reads it (the structure ops expanded into canonical ops). */
export function loadStructured(m: WriterModel): FloatGraph {
  return loadOnnx(writeOnnx(m));
}

export interface OutputComparison {
  /** Worst |ours − ort| / (1e-5 + 1e-4·max|ort|) over the graph outputs; ≤ 1 passes. */
  worst: number;
  /** Worst absolute difference. */
  absolute: number;
}

/** Graph outputs of opml's float evaluator vs onnxruntime-node on the original model. */
export async function compareOutputs(m: WriterModel, feeds: Record<string, Tensor>, oracle = m): Promise<OutputComparison> {
  const graph = loadStructured(m);
  const ours = evaluate(graph, feeds).values;
  const session = await OrtModel.create(writeOnnx(oracle));
  const theirs = await session.run(feeds);
  await session.release();
  let worst = 0;
  let absolute = 0;
  for (const o of m.outputs) {
    const ref = theirs.get(o.name);
    const got = ours.get(o.name);
    expect(ref, `onnxruntime output ${o.name}`).toBeDefined();
    expect(got && isFloatTensor(got), `opml output ${o.name}`).toBe(true);
    expect(got!.dims, `dims of ${o.name}`).toEqual(ref!.dims);
    const diff = maxAbsDiff(got!.data, ref!.data);
    absolute = Math.max(absolute, diff);
    worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff / (1e-5 + 1e-4 * maxAbs(ref!.data)));
  }
  return { worst, absolute };
}
