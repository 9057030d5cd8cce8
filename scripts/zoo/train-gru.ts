// Trains the MNIST-as-a-sequence GRU in plain TypeScript (hand-written backprop through time, Adam, global
// gradient-norm clipping) and exports it as PyTorch would (batch_first GRU, opset 11).
//
// Each image is 14 time steps of 56 features (two 28-pixel rows per step), pixels / 255. One GRU layer with
// ONNX semantics, linear_before_reset = 1 (PyTorch's form), gate order z, r, h:
//   z = σ(Wz x + Wbz + Rz h + Rbz)        r = σ(Wr x + Wbr + Rr h + Rbr)
//   n = tanh(Wh x + Wbh + r ⊙ (Rh h + Rbh))
//   h' = (1 − z) ⊙ n + z ⊙ h
// then logits = Wfc h_14 + bfc. The input is the 784 pixels in row-major order, so mnistImage(set, i, [1, 14, 56])
// is already step-major. PyTorch's init (uniform ±1/√H); GRU_TRAINING: 6 epochs over all 60k training images,
// batch 32, Adam from 0.005 cosine-decayed, clip 5: ~7 minutes on one lightly loaded core (~1 ms per image).
//
//   npx tsx scripts/zoo/train-gru.ts [epochs] [samples] [hidden] [out.onnx] [lr]
// trains (defaults: GRU_TRAINING), writes models/zoo/mnist-gru.onnx (or out.onnx) and checks it against
// onnxruntime on 1,000 test images. The zoo build (scripts/zoo/build.ts mnist-gru) uses GRU_TRAINING.

import type { WriterModel } from '../../models/onnx/writer.ts';
import { MNIST_PIXELS, type MnistSet } from '../../models/zoo/mnist.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { crossEntropyGrad, learningRate } from './sgd.ts';

/** Time steps and features per step: two image rows per step. */
export const GRU_STEPS = 14;
export const GRU_FEATURES = 56;
export const GRU_OPSET = 11;

export interface GruWeights {
  hidden: number;
  /** ONNX layouts (one direction): W [3H × 56], R [3H × H], B [6H] = Wb then Rb; gates z, r, h. */
  w: Float32Array;
  r: Float32Array;
  b: Float32Array;
  /** [10 × H] (Gemm with transB = 1) and [10]. */
  fcW: Float32Array;
  fcB: Float32Array;
}

export interface GruOptions {
  seed: number;
  hidden: number;
  epochs: number;
  /** Train on the first `samples` training images (shuffled every epoch). */
  samples: number;
  batch: number;
  /** Adam's base learning rate, cosine-decayed to a twentieth. */
  lr: number;
  /** Global gradient-norm clip. */
  clip: number;
  log?: (line: string) => void;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Adam (β1 0.9, β2 0.999, ε 1e-8) with bias correction; `t` counts from 1. */
function adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, t: number): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < p.length; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
  }
}

export function trainGru(train: MnistSet, o: GruOptions): GruWeights {
  const rng = new Prng(o.seed);
  const H = o.hidden;
  const G = 3 * H;
  const F = GRU_FEATURES;
  const T = GRU_STEPS;
  const k = 1 / Math.sqrt(H);
  // Training layouts are transposed so inner loops run over contiguous gate rows: wt [F × 3H], rt [H × 3H].
  const wt = rng.uniforms(F * G, -k, k);
  const rt = rng.uniforms(H * G, -k, k);
  const wb = rng.uniforms(G, -k, k);
  const rb = rng.uniforms(G, -k, k);
  const fcW = rng.uniforms(10 * H, -k, k);
  const fcB = rng.uniforms(10, -k, k);
  const params = [wt, rt, wb, rb, fcW, fcB];
  const grads = params.map((p) => new Float32Array(p.length));
  const m1 = params.map((p) => new Float32Array(p.length));
  const m2 = params.map((p) => new Float32Array(p.length));
  const [gwt, grt, gwb, grb, gfcW, gfcB] = grads;

  // Per-step activations kept for backprop through time.
  const xs = new Float64Array(T * F);
  const nzCount = new Int32Array(T);
  const nzIdx = new Int32Array(T * F);
  const hs = new Float64Array((T + 1) * H); // hs[t] is the state before step t
  const zs = new Float64Array(T * H);
  const rs = new Float64Array(T * H);
  const ns = new Float64Array(T * H);
  const ghn = new Float64Array(T * H); // Rh h + Rbh
  const gx = new Float64Array(G);
  const gh = new Float64Array(G);
  const logits = new Float64Array(10);
  const dlogits = new Float64Array(10);
  const dh = new Float64Array(H);
  const dhPrev = new Float64Array(H);
  const da = new Float64Array(G); // d pre-activation of the input part (x side)
  const dgh = new Float64Array(G); // d of R h + Rb

  const n = Math.min(o.samples, train.count);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const steps = o.epochs * Math.floor(n / o.batch);
  let step = 0;

  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    let loss = 0;
    let correct = 0;
    const started = performance.now();
    for (let start = 0; start + o.batch <= n; start += o.batch) {
      grads.forEach((g) => g.fill(0));
      for (let s = start; s < start + o.batch; s++) {
        const idx = order[s];
        const img = idx * MNIST_PIXELS;
        hs.fill(0, 0, H);
        for (let t = 0; t < T; t++) {
          let nnz = 0;
          for (let f = 0; f < F; f++) {
            const v = train.images[img + t * F + f] / 255;
            xs[t * F + f] = v;
            if (v !== 0) nzIdx[t * F + nnz++] = f;
          }
          nzCount[t] = nnz;
          for (let j = 0; j < G; j++) {
            gx[j] = wb[j];
            gh[j] = rb[j];
          }
          for (let q = 0; q < nnz; q++) {
            const f = nzIdx[t * F + q];
            const xv = xs[t * F + f];
            const row = f * G;
            for (let j = 0; j < G; j++) gx[j] += xv * wt[row + j];
          }
          const hp = t * H;
          for (let i = 0; i < H; i++) {
            const hv = hs[hp + i];
            if (hv === 0) continue;
            const row = i * G;
            for (let j = 0; j < G; j++) gh[j] += hv * rt[row + j];
          }
          for (let i = 0; i < H; i++) {
            const z = sigmoid(gx[i] + gh[i]);
            const r = sigmoid(gx[H + i] + gh[H + i]);
            const c = Math.tanh(gx[2 * H + i] + r * gh[2 * H + i]);
            zs[hp + i] = z;
            rs[hp + i] = r;
            ns[hp + i] = c;
            ghn[hp + i] = gh[2 * H + i];
            hs[hp + H + i] = (1 - z) * c + z * hs[hp + i];
          }
        }
        const hT = T * H;
        for (let c = 0; c < 10; c++) {
          let acc = fcB[c];
          for (let i = 0; i < H; i++) acc += fcW[c * H + i] * hs[hT + i];
          logits[c] = acc;
        }
        let best = 0;
        for (let c = 1; c < 10; c++) if (logits[c] > logits[best]) best = c;
        if (best === train.labels[idx]) correct++;
        loss += crossEntropyGrad(logits, train.labels[idx], dlogits, o.batch);

        dh.fill(0);
        for (let c = 0; c < 10; c++) {
          const d = dlogits[c];
          gfcB[c] += d;
          for (let i = 0; i < H; i++) {
            gfcW[c * H + i] += d * hs[hT + i];
            dh[i] += d * fcW[c * H + i];
          }
        }
        for (let t = T - 1; t >= 0; t--) {
          const hp = t * H;
          for (let i = 0; i < H; i++) {
            const z = zs[hp + i];
            const r = rs[hp + i];
            const c = ns[hp + i];
            const hPrev = hs[hp + i];
            const d = dh[i];
            const dc = d * (1 - z) * (1 - c * c);
            const dz = d * (hPrev - c) * z * (1 - z);
            const dr = dc * ghn[hp + i] * r * (1 - r);
            da[i] = dz;
            da[H + i] = dr;
            da[2 * H + i] = dc;
            dgh[i] = dz;
            dgh[H + i] = dr;
            dgh[2 * H + i] = dc * r;
            dhPrev[i] = d * z;
          }
          for (let j = 0; j < G; j++) {
            gwb[j] += da[j];
            grb[j] += dgh[j];
          }
          const nnz = nzCount[t];
          for (let q = 0; q < nnz; q++) {
            const f = nzIdx[t * F + q];
            const xv = xs[t * F + f];
            const row = f * G;
            for (let j = 0; j < G; j++) gwt[row + j] += xv * da[j];
          }
          for (let i = 0; i < H; i++) {
            const hv = hs[hp + i];
            const row = i * G;
            let back = 0;
            for (let j = 0; j < G; j++) {
              grt[row + j] += hv * dgh[j];
              back += rt[row + j] * dgh[j];
            }
            dh[i] = dhPrev[i] + back;
          }
        }
      }
      let norm = 0;
      for (const g of grads) for (let i = 0; i < g.length; i++) norm += g[i] * g[i];
      norm = Math.sqrt(norm);
      if (norm > o.clip) {
        const scale = o.clip / norm;
        for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
      }
      const lr = learningRate(o.lr, step++, steps);
      params.forEach((p, i) => adamStep(p, grads[i], m1[i], m2[i], lr, step));
    }
    const used = Math.floor(n / o.batch) * o.batch;
    const secs = ((performance.now() - started) / 1000).toFixed(0);
    o.log?.(`gru epoch ${epoch + 1}/${o.epochs}: mean loss ${(loss / used).toFixed(4)}, train accuracy ${((100 * correct) / used).toFixed(2)}%, ${secs} s`);
  }

  const w = new Float32Array(G * F);
  for (let f = 0; f < F; f++) for (let j = 0; j < G; j++) w[j * F + f] = wt[f * G + j];
  const r = new Float32Array(G * H);
  for (let i = 0; i < H; i++) for (let j = 0; j < G; j++) r[j * H + i] = rt[i * G + j];
  const b = new Float32Array(2 * G);
  b.set(wb, 0);
  b.set(rb, G);
  return { hidden: H, w, r, b, fcW: Float32Array.from(fcW), fcB: Float32Array.from(fcB) };
}

/** The float forward pass of the exported model (ONNX layouts), in double precision: logits [10]. */
export function gruForward(wts: GruWeights, image: Float32Array): Float64Array {
  const H = wts.hidden;
  const F = GRU_FEATURES;
  let h = new Float64Array(H);
  for (let t = 0; t < GRU_STEPS; t++) {
    const next = new Float64Array(H);
    const pre = (gate: number, i: number, withR: boolean): [number, number] => {
      const row = gate * H + i;
      let x = wts.b[row];
      for (let f = 0; f < F; f++) x += wts.w[row * F + f] * image[t * F + f];
      let r = wts.b[3 * H + row];
      if (withR) for (let q = 0; q < H; q++) r += wts.r[row * H + q] * h[q];
      return [x, r];
    };
    for (let i = 0; i < H; i++) {
      const [zx, zh] = pre(0, i, true);
      const [rx, rh] = pre(1, i, true);
      const [nx, nh] = pre(2, i, true);
      const z = sigmoid(zx + zh);
      const r = sigmoid(rx + rh);
      const c = Math.tanh(nx + r * nh);
      next[i] = (1 - z) * c + z * h[i];
    }
    h = next;
  }
  const logits = new Float64Array(10);
  for (let c = 0; c < 10; c++) {
    let acc = wts.fcB[c];
    for (let i = 0; i < H; i++) acc += wts.fcW[c * H + i] * h[i];
    logits[c] = acc;
  }
  return logits;
}

/**
 * image [1, 14, 56] → Transpose [14, 1, 56] → GRU (forward, linear_before_reset 1, with B) → Y_h [1, 1, H]
 * → Squeeze (axes attribute, opset 11) [1, H] → Gemm (transB) → logits [1, 10]. Y is produced but unused,
 * as in a PyTorch export of `_, h = gru(x)`.
 */
export function gruModel(wts: GruWeights): WriterModel {
  const H = wts.hidden;
  return {
    opset: GRU_OPSET,
    graphName: 'mnist-gru',
    inputs: [{ name: 'image', dims: [1, GRU_STEPS, GRU_FEATURES] }],
    outputs: [{ name: 'logits', dims: [1, 10] }],
    initializers: [
      { name: 'gru.W', dims: [1, 3 * H, GRU_FEATURES], data: wts.w },
      { name: 'gru.R', dims: [1, 3 * H, H], data: wts.r },
      { name: 'gru.B', dims: [1, 6 * H], data: wts.b },
      { name: 'fc.weight', dims: [10, H], data: wts.fcW },
      { name: 'fc.bias', dims: [10], data: wts.fcB },
    ],
    nodes: [
      { op: 'Transpose', name: 'to_time_major', inputs: ['image'], outputs: ['x.tbf'], attrs: { perm: { ints: [1, 0, 2] } } },
      {
        op: 'GRU',
        name: 'gru',
        inputs: ['x.tbf', 'gru.W', 'gru.R', 'gru.B'],
        outputs: ['gru.Y', 'gru.Y_h'],
        attrs: { hidden_size: { int: H }, linear_before_reset: { int: 1 } },
      },
      { op: 'Squeeze', name: 'squeeze', inputs: ['gru.Y_h'], outputs: ['h'], attrs: { axes: { ints: [0] } } },
      { op: 'Gemm', name: 'fc', inputs: ['h', 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { transB: { int: 1 } } },
    ],
  };
}

/** The zoo's training run (scripts/zoo/build.ts uses the same options): 98.58 % on the 10k test set (onnxruntime). */
export const GRU_TRAINING: Omit<GruOptions, 'log'> = { seed: 4, hidden: 48, epochs: 6, samples: 60000, batch: 32, lr: 0.005, clip: 5 };

async function main(): Promise<void> {
  const { writeFileSync } = await import('node:fs');
  const { createHash } = await import('node:crypto');
  const { writeOnnx } = await import('../../models/onnx/writer.ts');
  const { OrtModel } = await import('../../models/onnx/ort.ts');
  const { loadMnist, mnistImage } = await import('../../models/zoo/mnist.ts');
  const { repoPath } = await import('../../models/repoRoot.ts');
  const [epochs, samples, hidden, out, lr] = process.argv.slice(2);
  const opts = { ...GRU_TRAINING };
  if (epochs) opts.epochs = Number(epochs);
  if (samples) opts.samples = Number(samples);
  if (hidden) opts.hidden = Number(hidden);
  if (lr) opts.lr = Number(lr);
  const started = performance.now();
  const wts = trainGru(loadMnist('train'), { ...opts, log: (l) => console.log(l) });
  console.log(`trained in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const bytes = writeOnnx(gruModel(wts));
  const file = out ?? repoPath('models', 'zoo', 'mnist-gru.onnx');
  writeFileSync(file, bytes);
  console.log(`${file}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
  const test = loadMnist('test', 1000);
  const ort = await OrtModel.create(bytes);
  let maxDiff = 0;
  let right = 0;
  for (let i = 0; i < test.count; i++) {
    const img = mnistImage(test, i, [1, GRU_STEPS, GRU_FEATURES]);
    const f = (await ort.run({ image: img })).get('logits')!.data;
    const ref = gruForward(wts, img.data);
    let best = 0;
    for (let c = 0; c < 10; c++) {
      maxDiff = Math.max(maxDiff, Math.abs(f[c] - ref[c]));
      if (f[c] > f[best]) best = c;
    }
    if (best === test.labels[i]) right++;
  }
  await ort.release();
  console.log(`onnxruntime vs training forward pass on ${test.count} test images: max |logit diff| ${maxDiff.toExponential(2)}; ORT accuracy ${((100 * right) / test.count).toFixed(1)}%`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
