// Trains the MobileNetV2-style MNIST network (net.ts): minibatch Adam, cosine-decayed learning rate, batch-
// statistics BatchNorm (the running statistics for export are re-estimated after training), random 28×28
// placement inside the 32×32 canvas (±1 pixel) as augmentation.

import type { MnistSet } from '../../../models/zoo/mnist.ts';
import { MNIST_PIXELS } from '../../../models/zoo/mnist.ts';
import { Prng } from '../../../models/zoo/prng.ts';
import { crossEntropyGrad, learningRate } from '../sgd.ts';
import { MobileNet, PAD } from './net.ts';

export interface MobileNetOptions {
  seed: number;
  epochs: number;
  /** Train on the first `samples` images of each shuffled epoch. */
  samples: number;
  batch: number;
  lr: number;
  /** Training images (batches of `batch`) used to re-estimate BatchNorm's statistics for export. */
  statsImages: number;
  log?: (line: string) => void;
}

function batchImages(set: MnistSet, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * MNIST_PIXELS);
  for (let b = 0; b < idx.length; b++) {
    const off = idx[b] * MNIST_PIXELS;
    for (let p = 0; p < MNIST_PIXELS; p++) out[b * MNIST_PIXELS + p] = set.images[off + p] / 255;
  }
  return out;
}

export function trainMobileNet(train: MnistSet, o: MobileNetOptions): MobileNet {
  const rng = new Prng(o.seed);
  const net = new MobileNet(rng);
  runTraining(net, rng, train, o);
  return net;
}

/** More training of a trained net (fresh Adam state, its own seed), then BatchNorm statistics again. */
export function fineTune(net: MobileNet, train: MnistSet, o: MobileNetOptions): MobileNet {
  for (const l of net.convBns()) l.bn.momentum = 0.1;
  runTraining(net, new Prng(o.seed), train, o);
  return net;
}

function runTraining(net: MobileNet, rng: Prng, train: MnistSet, o: MobileNetOptions): void {
  const params = net.params();
  const m1 = params.map((p) => new Float32Array(p.value.length));
  const m2 = params.map((p) => new Float32Array(p.value.length));
  const B = o.batch;
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const batches = Math.floor(Math.min(o.samples, train.count) / B);
  const steps = o.epochs * batches;
  const dlogits = new Float64Array(B * 10);
  const row = new Float64Array(10);
  const grow = new Float64Array(10);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const start = performance.now();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    let loss = 0;
    let correct = 0;
    for (let bi = 0; bi < batches; bi++) {
      const idx = order.subarray(bi * B, (bi + 1) * B);
      const offsets = Int32Array.from({ length: 2 * B }, () => PAD - 1 + rng.int(3));
      const x = MobileNet.padded(batchImages(train, idx), B, offsets);
      for (const p of params) p.grad.fill(0);
      const logits = net.forward(x, true, rng);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < 10; k++) row[k] = logits[b * 10 + k];
        const label = train.labels[idx[b]];
        loss += crossEntropyGrad(row, label, grow, B);
        let best = 0;
        for (let k = 1; k < 10; k++) if (row[k] > row[best]) best = k;
        if (best === label) correct++;
        for (let k = 0; k < 10; k++) dlogits[b * 10 + k] = grow[k];
      }
      net.backward(dlogits);
      const lr = learningRate(o.lr, step++, steps);
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      params.forEach((p, i) => {
        const a = m1[i];
        const v = m2[i];
        for (let j = 0; j < p.value.length; j++) {
          const g = p.grad[j];
          a[j] = beta1 * a[j] + (1 - beta1) * g;
          v[j] = beta2 * v[j] + (1 - beta2) * g * g;
          p.value[j] -= (lr * (a[j] / c1)) / (Math.sqrt(v[j] / c2) + 1e-8);
        }
      });
      if ((bi + 1) % 100 === 0) {
        const seen = (bi + 1) * B;
        const secs = (performance.now() - start) / 1000;
        o.log?.(`mobilenet epoch ${epoch + 1} batch ${bi + 1}/${batches}: loss ${(loss / seen).toFixed(4)}, train acc ${((100 * correct) / seen).toFixed(2)}%, ${secs.toFixed(0)} s`);
      }
    }
    o.log?.(`mobilenet epoch ${epoch + 1}/${o.epochs}: mean loss ${(loss / (batches * B)).toFixed(4)}, train acc ${((100 * correct) / (batches * B)).toFixed(2)}%`);
  }
  // Population statistics for export: a cumulative average of batch statistics over the first training images.
  const layers = net.convBns();
  for (const l of layers) {
    l.bn.resetStats();
    l.bn.momentum = null;
  }
  const statBatches = Math.floor(Math.min(o.statsImages, train.count) / B);
  for (let bi = 0; bi < statBatches; bi++) {
    const idx = Int32Array.from({ length: B }, (_, b) => bi * B + b);
    net.forward(MobileNet.padded(batchImages(train, idx), B), true, rng);
  }
}

/** Eval-mode logits of test images [from, from + n) (BatchNorm with the exported statistics, no dropout). */
export function evalLogits(net: MobileNet, set: MnistSet, from: number, n: number): Float64Array {
  const idx = Int32Array.from({ length: n }, (_, i) => from + i);
  return net.forward(MobileNet.padded(batchImages(set, idx), n), false);
}
