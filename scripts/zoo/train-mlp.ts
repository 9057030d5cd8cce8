// Trains the 784-64-10 ReLU MLP on MNIST with minibatch SGD + momentum, in plain TypeScript.
// Input pixels are scaled to [0, 1]; the forward pass skips zero pixels (most of an MNIST image).

import { MNIST_PIXELS, type MnistSet } from '../../models/zoo/mnist.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { crossEntropyGrad, heNormal, learningRate, momentumStep } from './sgd.ts';

export interface MlpWeights {
  hidden: number;
  /** [hidden × 784], row per hidden unit (ONNX Gemm with transB = 1). */
  w1: Float32Array;
  b1: Float32Array;
  /** [hidden × 10] (ONNX MatMul right operand). */
  w2: Float32Array;
  b2: Float32Array;
}

export interface MlpOptions {
  seed: number;
  hidden: number;
  epochs: number;
  batch: number;
  lr: number;
  log?: (line: string) => void;
}

export function trainMlp(train: MnistSet, o: MlpOptions): MlpWeights {
  const rng = new Prng(o.seed);
  const H = o.hidden;
  const P = MNIST_PIXELS;
  // Training layout: w1t is [784 × H] so a pixel's weights are contiguous (sparse forward/backward).
  const w1t = heNormal(rng, P * H, P);
  const b1 = new Float32Array(H);
  const w2 = heNormal(rng, H * 10, H);
  const b2 = new Float32Array(10);
  const params = [w1t, b1, w2, b2];
  const grads = params.map((p) => new Float32Array(p.length));
  const velocity = params.map((p) => new Float32Array(p.length));
  const [gw1t, gb1, gw2, gb2] = grads;

  const x = new Float32Array(P);
  const nz = new Int32Array(P);
  const h = new Float64Array(H);
  const logits = new Float64Array(10);
  const dlogits = new Float64Array(10);
  const dh = new Float64Array(H);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const steps = o.epochs * Math.floor(train.count / o.batch);
  let step = 0;

  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    let loss = 0;
    for (let start = 0; start + o.batch <= train.count; start += o.batch) {
      grads.forEach((g) => g.fill(0));
      for (let s = start; s < start + o.batch; s++) {
        const idx = order[s];
        let nnz = 0;
        for (let p = 0; p < P; p++) {
          const v = train.images[idx * P + p];
          if (v !== 0) {
            x[p] = v / 255;
            nz[nnz++] = p;
          }
        }
        for (let j = 0; j < H; j++) h[j] = b1[j];
        for (let t = 0; t < nnz; t++) {
          const p = nz[t];
          const xv = x[p];
          const row = p * H;
          for (let j = 0; j < H; j++) h[j] += xv * w1t[row + j];
        }
        for (let j = 0; j < H; j++) if (h[j] < 0) h[j] = 0;
        for (let c = 0; c < 10; c++) logits[c] = b2[c];
        for (let j = 0; j < H; j++) {
          const hv = h[j];
          if (hv === 0) continue;
          for (let c = 0; c < 10; c++) logits[c] += hv * w2[j * 10 + c];
        }
        loss += crossEntropyGrad(logits, train.labels[idx], dlogits, o.batch);
        for (let c = 0; c < 10; c++) gb2[c] += dlogits[c];
        for (let j = 0; j < H; j++) {
          let d = 0;
          const hv = h[j];
          for (let c = 0; c < 10; c++) {
            gw2[j * 10 + c] += hv * dlogits[c];
            d += w2[j * 10 + c] * dlogits[c];
          }
          dh[j] = hv > 0 ? d : 0;
        }
        for (let j = 0; j < H; j++) gb1[j] += dh[j];
        for (let t = 0; t < nnz; t++) {
          const p = nz[t];
          const xv = x[p];
          const row = p * H;
          for (let j = 0; j < H; j++) gw1t[row + j] += xv * dh[j];
        }
      }
      const lr = learningRate(o.lr, step++, steps);
      params.forEach((p, i) => momentumStep(p, grads[i], velocity[i], lr));
    }
    o.log?.(`mlp epoch ${epoch + 1}/${o.epochs}: mean loss ${(loss / train.count).toFixed(4)}`);
  }

  const w1 = new Float32Array(H * P);
  for (let p = 0; p < P; p++) for (let j = 0; j < H; j++) w1[j * P + p] = w1t[p * H + j];
  return { hidden: H, w1, b1, w2, b2 };
}
