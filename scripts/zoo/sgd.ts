// Shared pieces of the zoo's plain-TypeScript training: init, loss, schedule, update.

import type { Prng } from '../../models/zoo/prng.ts';

/** He-normal initialization: N(0, 2 / fanIn). */
export function heNormal(rng: Prng, n: number, fanIn: number): Float32Array {
  return rng.normals(n, Math.sqrt(2 / fanIn));
}

/**
 * Softmax cross-entropy for one sample: writes d(loss / batch)/d(logits) into `grad` and returns the loss.
 */
export function crossEntropyGrad(logits: Float64Array, label: number, grad: Float64Array, batch: number): number {
  let max = -Infinity;
  for (let c = 0; c < logits.length; c++) max = Math.max(max, logits[c]);
  let sum = 0;
  for (let c = 0; c < logits.length; c++) sum += grad[c] = Math.exp(logits[c] - max);
  for (let c = 0; c < logits.length; c++) grad[c] = (grad[c] / sum - (c === label ? 1 : 0)) / batch;
  return Math.log(sum) + max - logits[label];
}

/** Cosine decay from `base` to base/20 over `total` steps. */
export function learningRate(base: number, step: number, total: number): number {
  const t = Math.min(1, step / Math.max(1, total));
  return base * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** Heavy-ball momentum SGD: v = 0.9 v + g; p -= lr v. */
export function momentumStep(param: Float32Array, grad: Float32Array, velocity: Float32Array, lr: number, momentum = 0.9): void {
  for (let i = 0; i < param.length; i++) {
    velocity[i] = momentum * velocity[i] + grad[i];
    param[i] -= lr * velocity[i];
  }
}
