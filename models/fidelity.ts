/**
 * Fidelity of the integer graphs against onnxruntime-node float inference of the same ONNX model:
 * MNIST accuracy (float, integer) and top-1 agreement; for the transformer, logit error and top-1 agreement; for
 * any model on a user's dataset, per-output agreement and error (and accuracy with labels).
 */
import { executeGraph } from './int/execute.ts';
import type { Feeds } from './float/evaluate.ts';
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

/** How one output of the integer graph compares with onnxruntime's float output over a dataset. */
export interface OutputFidelity {
  name: string;
  dims: number[];
  /** Rows compared by argmax over the last axis (absent when the last axis has one value). */
  rows?: number;
  top1Agreement?: number;
  /** max |int − float|, that over the float output's range (max |float|), and the mean |int − float|. */
  maxAbsError: number;
  relativeError: number;
  meanAbsError: number;
}

export interface DatasetFidelity {
  kind: 'dataset';
  samples: number;
  outputs: OutputFidelity[];
  /** With labels: the class of the first output's argmax (one label per row of it) against the labels. */
  labels?: number;
  floatAccuracy?: number;
  intAccuracy?: number;
  millis: { float: number; int: number };
}

/**
 * Any model on any dataset: each sample through onnxruntime float (the .onnx bytes) and through the integer
 * graph; per output, top-1 agreement (argmax over the last axis, for classifier-like outputs) and the error of
 * the dequantized integer output against float. `labels`: one per row of the first output. `outputNames` are
 * the float graph's output names, in the integer graph's output order.
 */
export async function datasetFidelity(
  graph: IntGraph,
  bytes: Uint8Array,
  outputNames: readonly string[],
  samples: readonly Feeds[],
  labels?: readonly number[],
  onProgress?: (done: number) => void,
): Promise<DatasetFidelity> {
  const session = await OrtModel.create(bytes);
  const ins = graph.inputs.map((t) => graph.tensors[t]);
  const outs = graph.outputs.map((t, k) => ({ name: outputNames[k], info: graph.tensors[t] }));
  const acc = outs.map(() => ({ rows: 0, agree: 0, maxAbs: 0, range: 0, sumAbs: 0, count: 0 }));
  let floatRight = 0;
  let intRight = 0;
  let labelled = 0;
  let tFloat = 0;
  let tInt = 0;
  try {
    for (const [s, sample] of samples.entries()) {
      const feeds = sample instanceof Map ? Object.fromEntries(sample) : sample;
      let t = performance.now();
      const f = await session.run(feeds);
      tFloat += performance.now() - t;
      t = performance.now();
      const words = ins.map((info) => quantizeInput(feeds[info.name].data, info.scale, info.integer === true));
      const y = executeGraph(graph, words).outputs;
      tInt += performance.now() - t;
      outs.forEach((o, k) => {
        const fv = f.get(o.name)?.data;
        if (!fv) throw new Error(`onnxruntime gave no output "${o.name}"`);
        const iv = dequantize(y[k], o.info.scale);
        const a = acc[k];
        const last = o.info.dims.at(-1) ?? 1;
        if (last > 1 && fv.length === iv.length) {
          for (let r = 0; r < fv.length / last; r++) {
            const fc = argmax(fv, r * last, last);
            const ic = argmax(iv, r * last, last);
            a.rows++;
            if (fc === ic) a.agree++;
            if (k === 0 && labels) {
              const label = labels[s * (fv.length / last) + r];
              labelled++;
              if (fc === label) floatRight++;
              if (ic === label) intRight++;
            }
          }
        }
        for (let i = 0; i < Math.min(fv.length, iv.length); i++) {
          const e = Math.abs(iv[i] - fv[i]);
          a.maxAbs = Math.max(a.maxAbs, e);
          a.range = Math.max(a.range, Math.abs(fv[i]));
          a.sumAbs += e;
          a.count++;
        }
      });
      onProgress?.(s + 1);
    }
  } finally {
    await session.release();
  }
  return {
    kind: 'dataset',
    samples: samples.length,
    outputs: outs.map((o, k) => {
      const a = acc[k];
      return {
        name: o.name,
        dims: o.info.dims,
        ...(a.rows > 0 ? { rows: a.rows, top1Agreement: a.agree / a.rows } : {}),
        maxAbsError: a.maxAbs,
        relativeError: a.range > 0 ? a.maxAbs / a.range : 0,
        meanAbsError: a.count > 0 ? a.sumAbs / a.count : 0,
      };
    }),
    ...(labels ? { labels: labelled, floatAccuracy: labelled > 0 ? floatRight / labelled : 0, intAccuracy: labelled > 0 ? intRight / labelled : 0 } : {}),
    millis: { float: tFloat, int: tInt },
  };
}
