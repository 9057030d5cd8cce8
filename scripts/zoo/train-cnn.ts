// Trains the small MNIST CNN in plain TypeScript:
//   Conv 1→8 3×3 (pad 1, no bias) → BatchNorm → ReLU → MaxPool 2 → Conv 8→16 3×3 (pad 1) → ReLU → MaxPool 2
//   → Flatten (784) → Gemm 784→10.
// Minibatch SGD + momentum; BatchNorm uses batch statistics in training and population statistics
// (measured after training) in the exported model.

import type { MnistSet } from '../../models/zoo/mnist.ts';
import { MNIST_PIXELS } from '../../models/zoo/mnist.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { convForward, convGradInput, convGradWeights, im2col, maxPool2Relu } from './conv3x3.ts';
import { crossEntropyGrad, heNormal, learningRate, momentumStep } from './sgd.ts';

export const C1 = 8;
export const C2 = 16;
export const BN_EPSILON = 1e-5;

export interface CnnWeights {
  /** [C1, 1, 3, 3] */
  w1: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  /** [C2, C1, 3, 3] */
  w2: Float32Array;
  b2: Float32Array;
  /** [10, C2·7·7] (Gemm with transB = 1) */
  wf: Float32Array;
  bf: Float32Array;
}

export interface CnnOptions {
  seed: number;
  epochs: number;
  /** Train on the first `samples` images of each shuffled epoch. */
  samples: number;
  batch: number;
  lr: number;
  log?: (line: string) => void;
}

const S1 = 28 * 28;
const S2 = 14 * 14;
const S3 = 7 * 7;
const FLAT = C2 * S3;

export function trainCnn(train: MnistSet, o: CnnOptions): CnnWeights {
  const rng = new Prng(o.seed);
  const B = o.batch;
  const w1 = heNormal(rng, C1 * 9, 9);
  const gamma = new Float32Array(C1).fill(1);
  const beta = new Float32Array(C1);
  const w2 = heNormal(rng, C2 * C1 * 9, C1 * 9);
  const b2 = new Float32Array(C2);
  const wf = heNormal(rng, 10 * FLAT, FLAT);
  const bf = new Float32Array(10);
  const params = [w1, gamma, beta, w2, b2, wf, bf];
  const grads = params.map((p) => new Float32Array(p.length));
  const velocity = params.map((p) => new Float32Array(p.length));
  const [gw1, ggamma, gbeta, gw2, gb2, gwf, gbf] = grads;

  const x = new Float32Array(B * S1);
  const col1 = new Float32Array(B * 9 * S1);
  const col2 = new Float32Array(C1 * 9 * S2);
  const dcol2 = new Float32Array(C1 * 9 * S2);
  const c1 = new Float32Array(B * C1 * S1);
  const xhat = new Float32Array(B * C1 * S1);
  const y1 = new Float32Array(B * C1 * S1);
  const p1 = new Float32Array(C1 * S2);
  const arg1 = new Int32Array(C1 * S2);
  const c2 = new Float32Array(C2 * S2);
  const p2 = new Float32Array(FLAT);
  const arg2 = new Int32Array(FLAT);
  const dy1 = new Float32Array(B * C1 * S1);
  const dp1 = new Float32Array(C1 * S2);
  const dc2 = new Float32Array(C2 * S2);
  const logits = new Float64Array(10);
  const dlogits = new Float64Array(10);
  const invStd = new Float64Array(C1);

  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const batches = Math.floor(Math.min(o.samples, train.count) / B);
  const steps = o.epochs * batches;
  let step = 0;

  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    let loss = 0;
    for (let bi = 0; bi < batches; bi++) {
      grads.forEach((g) => g.fill(0));
      dy1.fill(0);
      // Conv 1 for the whole batch, then batch-norm statistics per channel.
      for (let s = 0; s < B; s++) {
        const idx = order[bi * B + s];
        for (let p = 0; p < S1; p++) x[s * S1 + p] = train.images[idx * MNIST_PIXELS + p] / 255;
        const col = col1.subarray(s * 9 * S1, (s + 1) * 9 * S1);
        im2col(x, s * S1, 1, 28, 28, col);
        convForward(col, 9, S1, w1, null, c1, s * C1 * S1, C1);
      }
      for (let c = 0; c < C1; c++) {
        let mean = 0;
        let sq = 0;
        for (let s = 0; s < B; s++) {
          const base = (s * C1 + c) * S1;
          for (let p = 0; p < S1; p++) mean += c1[base + p];
        }
        mean /= B * S1;
        for (let s = 0; s < B; s++) {
          const base = (s * C1 + c) * S1;
          for (let p = 0; p < S1; p++) sq += (c1[base + p] - mean) ** 2;
        }
        invStd[c] = 1 / Math.sqrt(sq / (B * S1) + BN_EPSILON);
        for (let s = 0; s < B; s++) {
          const base = (s * C1 + c) * S1;
          for (let p = 0; p < S1; p++) {
            const xh = (c1[base + p] - mean) * invStd[c];
            xhat[base + p] = xh;
            y1[base + p] = gamma[c] * xh + beta[c];
          }
        }
      }
      // The rest per sample, forward and backward down to dL/dy1.
      for (let s = 0; s < B; s++) {
        const idx = order[bi * B + s];
        const yOff = s * C1 * S1;
        maxPool2Relu(y1, yOff, C1, 28, 28, p1, arg1);
        im2col(p1, 0, C1, 14, 14, col2);
        convForward(col2, C1 * 9, S2, w2, b2, c2, 0, C2);
        maxPool2Relu(c2, 0, C2, 14, 14, p2, arg2);
        for (let k = 0; k < 10; k++) {
          let acc = bf[k];
          for (let j = 0; j < FLAT; j++) acc += wf[k * FLAT + j] * p2[j];
          logits[k] = acc;
        }
        loss += crossEntropyGrad(logits, train.labels[idx], dlogits, B);
        dc2.fill(0);
        for (let k = 0; k < 10; k++) {
          const d = dlogits[k];
          gbf[k] += d;
          for (let j = 0; j < FLAT; j++) gwf[k * FLAT + j] += d * p2[j];
        }
        for (let j = 0; j < FLAT; j++) {
          if (arg2[j] < 0) continue; // the pooled ReLU output was 0: no gradient
          let d = 0;
          for (let k = 0; k < 10; k++) d += wf[k * FLAT + j] * dlogits[k];
          dc2[arg2[j]] += d;
        }
        for (let m = 0; m < C2; m++) for (let p = 0; p < S2; p++) gb2[m] += dc2[m * S2 + p];
        convGradWeights(col2, C1 * 9, S2, dc2, 0, C2, gw2);
        dp1.fill(0);
        convGradInput(dc2, C2, C1, 14, 14, w2, dcol2, dp1);
        for (let j = 0; j < C1 * S2; j++) if (arg1[j] >= 0) dy1[yOff + arg1[j]] += dp1[j];
      }
      // Batch-norm backward, then conv 1 weight gradients.
      for (let c = 0; c < C1; c++) {
        let sumDy = 0;
        let sumDyXhat = 0;
        for (let s = 0; s < B; s++) {
          const base = (s * C1 + c) * S1;
          for (let p = 0; p < S1; p++) {
            sumDy += dy1[base + p];
            sumDyXhat += dy1[base + p] * xhat[base + p];
          }
        }
        gbeta[c] += sumDy;
        ggamma[c] += sumDyXhat;
        const n = B * S1;
        const k = (gamma[c] * invStd[c]) / n;
        for (let s = 0; s < B; s++) {
          const base = (s * C1 + c) * S1;
          for (let p = 0; p < S1; p++) {
            dy1[base + p] = k * (n * dy1[base + p] - sumDy - xhat[base + p] * sumDyXhat); // now dL/dc1
          }
        }
      }
      for (let s = 0; s < B; s++) convGradWeights(col1.subarray(s * 9 * S1), 9, S1, dy1, s * C1 * S1, C1, gw1);
      const lr = learningRate(o.lr, step++, steps);
      params.forEach((p, i) => momentumStep(p, grads[i], velocity[i], lr));
    }
    o.log?.(`cnn epoch ${epoch + 1}/${o.epochs}: mean loss ${(loss / (batches * B)).toFixed(4)}`);
  }
  const { mean, variance } = populationStats(train, w1, 2000);
  return { w1, gamma, beta, mean, variance, w2, b2, wf, bf };
}

/** Per-channel mean and (biased) variance of conv 1's output over the first `count` training images. */
function populationStats(train: MnistSet, w1: Float32Array, count: number): { mean: Float32Array; variance: Float32Array } {
  const n = Math.min(count, train.count);
  const x = new Float32Array(S1);
  const col = new Float32Array(9 * S1);
  const out = new Float32Array(C1 * S1);
  const sum = new Float64Array(C1);
  const sq = new Float64Array(C1);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < S1; p++) x[p] = train.images[i * MNIST_PIXELS + p] / 255;
    im2col(x, 0, 1, 28, 28, col);
    convForward(col, 9, S1, w1, null, out, 0, C1);
    for (let c = 0; c < C1; c++) {
      for (let p = 0; p < S1; p++) {
        const v = out[c * S1 + p];
        sum[c] += v;
        sq[c] += v * v;
      }
    }
  }
  const total = n * S1;
  const mean = Float32Array.from(sum, (s) => s / total);
  const variance = Float32Array.from(sq, (s, c) => s / total - (sum[c] / total) ** 2);
  return { mean, variance };
}
