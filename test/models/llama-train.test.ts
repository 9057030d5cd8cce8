/**
 * brown-llama's hand-written backprop (scripts/zoo/llama/train-backprop.ts) against central finite differences,
 * piece by piece (linear, RMSNorm, RoPE, grouped-query causal attention, SwiGLU, embedding, cross-entropy) and
 * for the whole model (every weight tensor of config.ts, a few sampled elements each), on small shapes in
 * double precision. Each check takes a random linear functional L = Σ y ⊙ R of the piece's output and
 * compares the backward pass's dL/d(input or weight) with (L(x + ε) − L(x − ε)) / 2ε.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../models/zoo/prng.ts';
import { checkLlamaConfig, headDim, llamaWeightShapes, type LlamaConfig } from '../../scripts/zoo/llama/config.ts';
import {
  attentionBackward,
  attentionForward,
  crossEntropy,
  embeddingBackward,
  embeddingForward,
  linearBackward,
  linearForward,
  modelBackward,
  modelForward,
  rmsnormBackward,
  rmsnormForward,
  rope,
  ropeTables,
  swigluBackward,
  swigluForward,
  zerosLike,
  type AttnShape,
  type Params,
} from '../../scripts/zoo/llama/train-backprop.ts';
import { BROWN_VOCAB, decodeText, encodeText, UNK } from '../../models/zoo/asciiTokens.ts';
import { initParams, trainBatch } from '../../scripts/zoo/llama/train.ts';

const EPS = 1e-5;

function randoms(rng: Prng, n: number, std = 1): Float64Array {
  return Float64Array.from(rng.normals(n, std));
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/**
 * For every element of `x` (or `sample` random ones), the central difference of `loss()` against the
 * analytic gradient `grad`: max relative error (|num − ana| / max(1e-4, |num| + |ana|)).
 */
function maxRelError(rng: Prng, x: Float64Array, grad: Float64Array, loss: () => number, sample = Infinity): number {
  let worst = 0;
  const idx = x.length <= sample ? Array.from(x.keys()) : Array.from({ length: sample }, () => rng.int(x.length));
  for (const i of idx) {
    const keep = x[i];
    x[i] = keep + EPS;
    const up = loss();
    x[i] = keep - EPS;
    const down = loss();
    x[i] = keep;
    const num = (up - down) / (2 * EPS);
    const err = Math.abs(num - grad[i]) / Math.max(1e-4, Math.abs(num) + Math.abs(grad[i]));
    worst = Math.max(worst, err);
  }
  return worst;
}

const SMALL: LlamaConfig = { vocab: 11, dModel: 16, layers: 2, heads: 4, kvHeads: 2, ffn: 12, ropeTheta: 10000, rmsEps: 1e-5, maxSeq: 8 };

describe('brown-llama backprop: each piece against finite differences', () => {
  const rng = new Prng(101);

  it('linear: dx and dW', () => {
    const [rows, n, m] = [5, 7, 6];
    const x = randoms(rng, rows * n);
    const w = randoms(rng, n * m);
    const R = randoms(rng, rows * m);
    const y = new Float64Array(rows * m);
    const loss = () => (linearForward(x, w, rows, n, m, y), dot(y, R));
    const dw = new Float64Array(n * m);
    const dx = new Float64Array(rows * n);
    linearBackward(x, w, R, rows, n, m, dw, dx);
    expect(maxRelError(rng, x, dx, loss)).toBeLessThan(1e-6);
    expect(maxRelError(rng, w, dw, loss)).toBeLessThan(1e-6);
  });

  it('RMSNorm: dx and dg', () => {
    const [rows, d] = [4, 8];
    const x = randoms(rng, rows * d);
    const g = randoms(rng, d);
    const R = randoms(rng, rows * d);
    const y = new Float64Array(rows * d);
    const rinv = new Float64Array(rows);
    const loss = () => (rmsnormForward(x, g, rows, d, 1e-5, y, rinv), dot(y, R));
    loss();
    const dg = new Float64Array(d);
    const dx = new Float64Array(rows * d);
    rmsnormBackward(x, g, rinv, R, rows, d, dg, dx);
    expect(maxRelError(rng, x, dx, loss)).toBeLessThan(1e-6);
    expect(maxRelError(rng, g, dg, loss)).toBeLessThan(1e-6);
  });

  it('RoPE: the config.ts rotate-half formula, and its backward (the transpose)', () => {
    const c = { ...SMALL, maxSeq: 6 };
    const hd = headDim(c);
    const { cos, sin } = ropeTables(c);
    const [seqs, seq, heads] = [2, 6, 3];
    const rows = seqs * seq;
    const x0 = randoms(rng, rows * heads * hd);
    // The formula written out: x ⊙ cos[p] + rotateHalf(x) ⊙ sin[p], freq_i = θ^(−2i/hd), j mod hd/2.
    const y = Float64Array.from(x0);
    rope(y, rows, seq, heads, hd, cos, sin);
    for (let r = 0; r < rows; r++) {
      const p = r % seq;
      for (let h = 0; h < heads; h++) {
        const o = r * heads * hd + h * hd;
        for (let j = 0; j < hd; j++) {
          const f = Math.fround(c.ropeTheta ** ((-2 * (j % (hd / 2))) / hd));
          const rot = j < hd / 2 ? -x0[o + j + hd / 2] : x0[o + j - hd / 2];
          expect(y[o + j]).toBeCloseTo(x0[o + j] * Math.cos(p * f) + rot * Math.sin(p * f), 12);
        }
      }
    }
    const R = randoms(rng, rows * heads * hd);
    const x = Float64Array.from(x0);
    const loss = () => {
      const t = Float64Array.from(x);
      rope(t, rows, seq, heads, hd, cos, sin);
      return dot(t, R);
    };
    const dx = Float64Array.from(R);
    rope(dx, rows, seq, heads, hd, cos, sin, true);
    expect(maxRelError(rng, x, dx, loss)).toBeLessThan(1e-6);
  });

  it('grouped-query causal attention (4 heads on 2 kv heads): dq, dk, dv; causal and grouped as config.ts says', () => {
    const s: AttnShape = { seqs: 2, seq: 5, heads: 4, kvHeads: 2, hd: 4 };
    const rows = s.seqs * s.seq;
    const q = randoms(rng, rows * s.heads * s.hd);
    const k = randoms(rng, rows * s.kvHeads * s.hd);
    const v = randoms(rng, rows * s.kvHeads * s.hd);
    const R = randoms(rng, rows * s.heads * s.hd);
    const o = new Float64Array(rows * s.heads * s.hd);
    const probs = new Float64Array(s.seqs * s.heads * s.seq * s.seq);
    const loss = () => (attentionForward(q, k, v, s, o, probs), dot(o, R));
    loss();
    // Reference: head j reads kv head floor(j / 2), positions i ≤ p, scores / sqrt(hd).
    for (let b = 0; b < s.seqs; b++) {
      for (let h = 0; h < s.heads; h++) {
        const g = Math.floor(h / 2);
        for (let p = 0; p < s.seq; p++) {
          const sc = Array.from({ length: p + 1 }, (_, i) => {
            let t = 0;
            for (let e = 0; e < s.hd; e++) t += q[(b * s.seq + p) * 16 + h * 4 + e] * k[(b * s.seq + i) * 8 + g * 4 + e];
            return t / 2;
          });
          const mx = Math.max(...sc);
          const ex = sc.map((t) => Math.exp(t - mx));
          const z = ex.reduce((a, t) => a + t, 0);
          for (let e = 0; e < s.hd; e++) {
            const want = ex.reduce((a, t, i) => a + (t / z) * v[(b * s.seq + i) * 8 + g * 4 + e], 0);
            expect(o[(b * s.seq + p) * 16 + h * 4 + e]).toBeCloseTo(want, 12);
          }
        }
      }
    }
    const dq = new Float64Array(q.length);
    const dk = new Float64Array(k.length);
    const dv = new Float64Array(v.length);
    attentionBackward(q, k, v, probs, R, s, dq, dk, dv);
    expect(maxRelError(rng, q, dq, loss)).toBeLessThan(1e-6);
    expect(maxRelError(rng, k, dk, loss)).toBeLessThan(1e-6);
    expect(maxRelError(rng, v, dv, loss)).toBeLessThan(1e-6);
  });

  it('SwiGLU gate silu(a) ⊙ b: da, db', () => {
    const n = 20;
    const a = randoms(rng, n, 2);
    const b = randoms(rng, n);
    const R = randoms(rng, n);
    const u = new Float64Array(n);
    const loss = () => (swigluForward(a, b, n, u), dot(u, R));
    const da = new Float64Array(n);
    const db = new Float64Array(n);
    swigluBackward(a, b, R, n, da, db);
    expect(maxRelError(rng, a, da, loss)).toBeLessThan(1e-6);
    expect(maxRelError(rng, b, db, loss)).toBeLessThan(1e-6);
  });

  it('embedding (repeated tokens accumulate) and cross-entropy (ignored targets)', () => {
    const [vocab, d] = [6, 4];
    const table = randoms(rng, vocab * d);
    const tokens = Int32Array.of(2, 5, 2, 0);
    const R = randoms(rng, tokens.length * d);
    const h = new Float64Array(tokens.length * d);
    const loss = () => (embeddingForward(table, tokens, d, h), dot(h, R));
    const dt = new Float64Array(vocab * d);
    embeddingBackward(tokens, R, d, dt);
    expect(maxRelError(rng, table, dt, loss)).toBeLessThan(1e-6);

    const logits = randoms(rng, 4 * vocab, 3);
    const targets = Int32Array.of(1, -1, 5, 0);
    const dl = new Float64Array(logits.length);
    const l0 = crossEntropy(logits, targets, 4, vocab, dl);
    const manual = [0, 2, 3].reduce((s, r) => {
      const row = Array.from(logits.subarray(r * vocab, (r + 1) * vocab));
      return s + Math.log(row.reduce((a, t) => a + Math.exp(t), 0)) - row[targets[r]];
    }, 0) / 3;
    expect(l0).toBeCloseTo(manual, 12);
    expect(Array.from(dl.subarray(vocab, 2 * vocab))).toEqual(new Array(vocab).fill(0));
    expect(maxRelError(rng, logits, dl, () => crossEntropy(logits, targets, 4, vocab, null))).toBeLessThan(1e-6);

    // Label smoothing ε: the loss against (1 − ε)·onehot + ε/vocab, and its gradient.
    const eps = 0.1;
    const ls = crossEntropy(logits, targets, 4, vocab, dl, eps);
    const smoothed = [0, 2, 3].reduce((s, r) => {
      const row = Array.from(logits.subarray(r * vocab, (r + 1) * vocab));
      const lse = Math.log(row.reduce((a, t) => a + Math.exp(t), 0));
      return s + row.reduce((a, t, c) => a + ((c === targets[r] ? 1 - eps : 0) + eps / vocab) * (lse - t), 0);
    }, 0) / 3;
    expect(ls).toBeCloseTo(smoothed, 12);
    expect(maxRelError(rng, logits, dl, () => crossEntropy(logits, targets, 4, vocab, null, eps))).toBeLessThan(1e-6);
  });
});

describe('brown-llama backprop: the whole model', () => {
  it('every weight of config.ts gets the finite-difference gradient of the mean cross-entropy', () => {
    checkLlamaConfig(SMALL);
    const rng = new Prng(7);
    const w: Params = new Map();
    for (const [name, dims] of llamaWeightShapes(SMALL)) {
      const n = dims.reduce((p, d) => p * d, 1);
      w.set(name, name.endsWith('norm') ? Float64Array.from(rng.normals(n, 0.3), (v) => 1 + v) : randoms(rng, n, 0.5));
    }
    const [seqs, seq] = [2, 6];
    const tokens = Int32Array.from({ length: seqs * seq }, () => rng.int(SMALL.vocab));
    const targets = Int32Array.from({ length: seqs * seq }, () => rng.int(SMALL.vocab));
    const loss = () => crossEntropy(modelForward(SMALL, w, tokens, seqs, seq).logits, targets, seqs * seq, SMALL.vocab, null);
    const tape = modelForward(SMALL, w, tokens, seqs, seq);
    const dl = new Float64Array(tape.logits.length);
    crossEntropy(tape.logits, targets, seqs * seq, SMALL.vocab, dl);
    const grads = zerosLike(SMALL);
    modelBackward(SMALL, w, tape, dl, grads);
    expect([...grads.keys()]).toEqual([...llamaWeightShapes(SMALL).keys()]);
    for (const [name, x] of w) {
      expect(maxRelError(rng, x, grads.get(name)!, loss, 12), name).toBeLessThan(1e-5);
    }
  });

  it('position p of a sequence depends only on tokens ≤ p (causal)', () => {
    const rng = new Prng(8);
    const w = initParams(SMALL, 3);
    const tokens = Int32Array.from({ length: 8 }, () => rng.int(SMALL.vocab));
    const a = modelForward(SMALL, w, tokens, 1, 8).logits;
    tokens[5] = (tokens[5] + 1) % SMALL.vocab;
    const b = modelForward(SMALL, w, tokens, 1, 8).logits;
    expect(Array.from(b.subarray(0, 5 * SMALL.vocab))).toEqual(Array.from(a.subarray(0, 5 * SMALL.vocab)));
    expect(Array.from(b.subarray(5 * SMALL.vocab))).not.toEqual(Array.from(a.subarray(5 * SMALL.vocab)));
  });

  it('a few seeded training steps lower the loss and are reproducible bit for bit', () => {
    const c: LlamaConfig = { ...SMALL, vocab: BROWN_VOCAB, maxSeq: 16 };
    const text = encodeText('the cat sat on the mat. the dog sat on the log. '.repeat(8));
    const run = () => {
      const w = initParams(c, 5);
      const losses: number[] = [];
      const state = { m: zerosLike(c), v: zerosLike(c) };
      for (let step = 1; step <= 30; step++) losses.push(trainBatch(c, w, state, [text], step, { seed: 5, seqs: 4, seq: 16, lr: 0.01, steps: 30, warmup: 3, clip: 1, weightDecay: 0 }));
      return { w, losses };
    };
    const a = run();
    const b = run();
    expect(a.losses).toEqual(b.losses);
    for (const [name, x] of a.w) expect(Buffer.from(x.buffer).equals(Buffer.from(b.w.get(name)!.buffer)), name).toBe(true);
    const head = a.losses.slice(0, 3).reduce((s, v) => s + v, 0) / 3;
    const tail = a.losses.slice(-3).reduce((s, v) => s + v, 0) / 3;
    expect(tail).toBeLessThan(head - 0.5);
  });
});

describe('brown-llama quantization-aware training', () => {
  it('rounds the int8 tensors to 255 levels of their running range, leaves the float pass alone, and is reproducible', () => {
    const c: LlamaConfig = { ...SMALL, vocab: BROWN_VOCAB, maxSeq: 16 };
    const w = initParams(c, 4);
    const tokens = encodeText('the cat sat on the mat. the dog ');
    const plain = modelForward(c, w, tokens, 2, 16).logits;
    const qat = { ranges: new Map<string, number>(), update: true, decay: 0.5 };
    // The first pass learns the ranges; only the attention probabilities (range 1 by definition) are rounded.
    const first = modelForward(c, w, tokens, 2, 16, undefined, qat).logits;
    expect(first.some((v, i) => v !== plain[i])).toBe(true);
    expect(first.every((v, i) => Math.abs(v - plain[i]) < 0.5)).toBe(true);
    const names = ['embed', 'y', 'logits', ...[0, 1].flatMap((l) => ['a', 'q', 'k', 'v', 'q_rope', 'k_rope', 'scores', 'o', 'attn_out', 'f', 'g1', 'g3', 'u', 'ffn_out'].map((n) => `${l}.${n}`))];
    expect([...qat.ranges.keys()].sort()).toEqual(names.sort());
    const range = qat.ranges.get('logits')!;
    const fake = modelForward(c, w, tokens, 2, 16, undefined, { ...qat, update: false }).logits;
    for (const v of fake) expect(Math.abs(v / (range / 127) - Math.round(v / (range / 127)))).toBeLessThan(1e-9);
    expect(Math.max(...fake.map(Math.abs))).toBeLessThanOrEqual(range + 1e-9);
    let diff = 0;
    for (let i = 0; i < fake.length; i++) diff = Math.max(diff, Math.abs(fake[i] - plain[i]));
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.1 * range);

    const run = () => {
      const wt = initParams(c, 5);
      const state = { m: zerosLike(c), v: zerosLike(c) } as { m: Params; v: Params; ranges?: Map<string, number> };
      const text = encodeText('the cat sat on the mat. the dog sat on the log. '.repeat(8));
      const losses = Array.from({ length: 6 }, (_, i) => trainBatch(c, wt, state, [text], i + 1, { seed: 5, seqs: 2, seq: 16, lr: 0.01, steps: 6, warmup: 2, clip: 1, weightDecay: 0, qatDecay: 0.9 }));
      return { losses, ranges: [...state.ranges!] };
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.ranges.length).toBe(names.length);
  });
});

describe('brown-llama tokenizer', () => {
  it('printable ASCII round-trips; anything else is the unknown token', () => {
    const s = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~';
    const ids = encodeText(s);
    expect(Math.min(...ids)).toBeGreaterThan(UNK);
    expect(Math.max(...ids)).toBeLessThan(BROWN_VOCAB);
    expect(decodeText(ids)).toBe(s);
    expect(Array.from(encodeText('a\né'))).toEqual([66, UNK, UNK]);
    expect(encodeText(' ')[0]).toBe(1);
    expect(encodeText('~')[0]).toBe(BROWN_VOCAB - 1);
  });
});
