/**
 * Fidelity of the integer graphs against onnxruntime-node float inference of the same ONNX model:
 * MNIST accuracy (float, integer) and top-1 agreement; for the transformer, logit error and top-1 agreement.
 */
import { executeGraph } from './int/execute.ts';
import type { IntGraph } from './int/graph.ts';
import { OrtModel } from './onnx/ort.ts';
import { dequantize, quantizeInput } from './quantize/quantize.ts';
import { loadMnist, mnistImage } from './zoo/mnist.ts';
import type { ZooModel } from './zoo/index.ts';

export interface ClassifierFidelity {
  kind: 'classifier';
  images: number;
  floatAccuracy: number;
  intAccuracy: number;
  agreement: number;
  millis: { float: number; int: number };
}

export interface SequenceFidelity {
  kind: 'sequence';
  prompts: number;
  positions: number;
  top1Agreement: number;
  /** max |int − float| over all logits, and the same over the float logit range */
  maxAbsError: number;
  relativeError: number;
  meanAbsError: number;
  millis: { float: number; int: number };
}

const argmax = (v: ArrayLike<number>, from = 0, n = v.length): number => {
  let best = from;
  for (let i = from + 1; i < from + n; i++) if (v[i] > v[best]) best = i;
  return best - from;
};

/** Classify `limit` MNIST test images with both; progress every 1000 images. */
export async function mnistFidelity(zoo: ZooModel, graph: IntGraph, bytes: Uint8Array, limit = 10_000, onProgress?: (done: number) => void): Promise<ClassifierFidelity> {
  const test = loadMnist('test');
  const n = Math.min(limit, test.count);
  const session = await OrtModel.create(bytes);
  const inScale = graph.tensors[graph.inputs[0]].scale;
  let floatRight = 0;
  let intRight = 0;
  let agree = 0;
  let tFloat = 0;
  let tInt = 0;
  try {
    for (let i = 0; i < n; i++) {
      const image = mnistImage(test, i, zoo.inputDims);
      let t = performance.now();
      const f = (await session.run({ [zoo.inputName]: image })).get(zoo.outputName)!.data;
      tFloat += performance.now() - t;
      t = performance.now();
      const y = executeGraph(graph, [quantizeInput(image.data, inScale, false)]).outputs[0];
      tInt += performance.now() - t;
      const fc = argmax(f);
      const ic = argmax(y);
      if (fc === test.labels[i]) floatRight++;
      if (ic === test.labels[i]) intRight++;
      if (fc === ic) agree++;
      if ((i + 1) % 1000 === 0) onProgress?.(i + 1);
    }
  } finally {
    await session.release();
  }
  return { kind: 'classifier', images: n, floatAccuracy: floatRight / n, intAccuracy: intRight / n, agreement: agree / n, millis: { float: tFloat, int: tInt } };
}

/** Run every fixed prompt with both and compare the logits at every position. */
export async function sequenceFidelity(zoo: ZooModel, graph: IntGraph, bytes: Uint8Array, prompts = 8): Promise<SequenceFidelity> {
  const session = await OrtModel.create(bytes);
  const outScale = graph.tensors[graph.outputs[0]].scale;
  const vocab = zoo.outputDims.at(-1)!;
  let positions = 0;
  let agree = 0;
  let maxAbs = 0;
  let range = 0;
  let sumAbs = 0;
  let count = 0;
  let tFloat = 0;
  let tInt = 0;
  try {
    for (const sample of zoo.samples(prompts)) {
      const feed = sample.feeds[zoo.inputName];
      let t = performance.now();
      const f = (await session.run({ [zoo.inputName]: feed })).get(zoo.outputName)!.data;
      tFloat += performance.now() - t;
      t = performance.now();
      const y = dequantize(executeGraph(graph, [quantizeInput(feed.data, 1, true)]).outputs[0], outScale);
      tInt += performance.now() - t;
      for (let p = 0; p < f.length / vocab; p++) {
        positions++;
        if (argmax(f, p * vocab, vocab) === argmax(y, p * vocab, vocab)) agree++;
      }
      for (let i = 0; i < f.length; i++) {
        const e = Math.abs(y[i] - f[i]);
        maxAbs = Math.max(maxAbs, e);
        range = Math.max(range, Math.abs(f[i]));
        sumAbs += e;
        count++;
      }
    }
  } finally {
    await session.release();
  }
  return { kind: 'sequence', prompts, positions, top1Agreement: agree / positions, maxAbsError: maxAbs, relativeError: maxAbs / range, meanAbsError: sumAbs / count, millis: { float: tFloat, int: tInt } };
}
