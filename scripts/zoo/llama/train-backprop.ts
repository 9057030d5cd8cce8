// Hand-written forward and backward passes of every piece of the LLaMA math of scripts/zoo/llama/config.ts,
// in double precision, for training (scripts/zoo/llama/train.ts) and gradient checks
// (test/models/llama-train.test.ts). Activations are row-major [rows × width] Float64Arrays; a batch is `seqs`
// sequences of `seq` positions stacked as seqs·seq rows, position p of a sequence being row s·seq + p.
// Backward functions *add* into parameter gradients and write (or add, where named) input gradients.

import { headDim, llamaWeightShapes, type LlamaConfig } from './config.ts';

export type Params = Map<string, Float64Array>;

// ---------------------------------------------------------------------------------------------------------
// Linear: y = x · W, W [n × m]

/** y[r, j] = Σ_i x[r, i] W[i, j]; y is overwritten. */
export function linearForward(x: Float64Array, w: Float64Array, rows: number, n: number, m: number, y: Float64Array): void {
  y.fill(0, 0, rows * m);
  for (let r = 0; r < rows; r++) {
    const xo = r * n;
    const yo = r * m;
    for (let i = 0; i < n; i++) {
      const xv = x[xo + i];
      if (xv === 0) continue;
      const wo = i * m;
      for (let j = 0; j < m; j++) y[yo + j] += xv * w[wo + j];
    }
  }
}

/** dW += xᵀ · dy; dx = dy · Wᵀ (overwritten; skipped when dx is null). */
export function linearBackward(x: Float64Array, w: Float64Array, dy: Float64Array, rows: number, n: number, m: number, dw: Float64Array, dx: Float64Array | null): void {
  for (let r = 0; r < rows; r++) {
    const xo = r * n;
    const yo = r * m;
    for (let i = 0; i < n; i++) {
      const wo = i * m;
      const xv = x[xo + i];
      let s = 0;
      for (let j = 0; j < m; j++) {
        const d = dy[yo + j];
        dw[wo + j] += xv * d;
        s += w[wo + j] * d;
      }
      if (dx) dx[xo + i] = s;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// RMSNorm: y = x / sqrt(mean(x²) + eps) · g

/** Writes y and each row's 1/sqrt(mean(x²) + eps) into rinv. */
export function rmsnormForward(x: Float64Array, g: Float64Array, rows: number, d: number, eps: number, y: Float64Array, rinv: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[o + i] * x[o + i];
    const ri = 1 / Math.sqrt(ss / d + eps);
    rinv[r] = ri;
    for (let i = 0; i < d; i++) y[o + i] = x[o + i] * ri * g[i];
  }
}

/** dg += Σ_rows dy ⊙ x · rinv; dx (overwritten) = rinv g ⊙ dy − x rinv³ / d · Σ dy ⊙ g ⊙ x. */
export function rmsnormBackward(x: Float64Array, g: Float64Array, rinv: Float64Array, dy: Float64Array, rows: number, d: number, dg: Float64Array, dx: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const ri = rinv[r];
    let dot = 0;
    for (let i = 0; i < d; i++) {
      dot += dy[o + i] * g[i] * x[o + i];
      dg[i] += dy[o + i] * x[o + i] * ri;
    }
    const c = (dot * ri * ri * ri) / d;
    for (let i = 0; i < d; i++) dx[o + i] = ri * g[i] * dy[o + i] - x[o + i] * c;
  }
}

// ---------------------------------------------------------------------------------------------------------
// RoPE (rotate-half), applied in place to `heads` heads of width hd per row

/** cos/sin tables [maxSeq × hd/2] (the second half of a head repeats the first half's). */
export function ropeTables(c: LlamaConfig): { cos: Float64Array; sin: Float64Array } {
  const hd = headDim(c);
  const half = hd / 2;
  const cos = new Float64Array(c.maxSeq * half);
  const sin = new Float64Array(c.maxSeq * half);
  for (let p = 0; p < c.maxSeq; p++) {
    for (let i = 0; i < half; i++) {
      // The frequency rounded to float32 (forward.ts keeps the double; the tables differ by < 1e-7 relative).
      const freq = Math.fround(c.ropeTheta ** ((-2 * i) / hd));
      cos[p * half + i] = Math.cos(p * freq);
      sin[p * half + i] = Math.sin(p * freq);
    }
  }
  return { cos, sin };
}

/**
 * In place: x1' = x1 cos − x2 sin, x2' = x2 cos + x1 sin (x1, x2 the halves of each head), position of row r
 * = r mod seq. `inverse` applies the transpose (cos, −sin): the backward pass.
 */
export function rope(x: Float64Array, rows: number, seq: number, heads: number, hd: number, cos: Float64Array, sin: Float64Array, inverse = false): void {
  const half = hd / 2;
  const width = heads * hd;
  for (let r = 0; r < rows; r++) {
    const p = r % seq;
    for (let h = 0; h < heads; h++) {
      const o = r * width + h * hd;
      for (let i = 0; i < half; i++) {
        const cs = cos[p * half + i];
        const sn = inverse ? -sin[p * half + i] : sin[p * half + i];
        const a = x[o + i];
        const b = x[o + half + i];
        x[o + i] = a * cs - b * sn;
        x[o + half + i] = b * cs + a * sn;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Grouped-query causal attention

export interface AttnShape {
  seqs: number;
  seq: number;
  heads: number;
  kvHeads: number;
  hd: number;
}

/** Fake int8 quantization inside attention (quantization-aware training; see Qat). */
export interface AttnQuant {
  /** Step of the raw scores q·k (before 1/sqrt(hd)); 0: none. */
  scoreStep: number;
  /** Round the probabilities to multiples of 1/127. */
  probs: boolean;
}

/**
 * q [rows × heads·hd], k, v [rows × kvHeads·hd] → o [rows × heads·hd] (overwritten); probs [seqs × heads × seq
 * × seq] keeps the softmax (zero above the diagonal) for the backward pass. Returns the largest |q·k| seen.
 */
export function attentionForward(q: Float64Array, k: Float64Array, v: Float64Array, s: AttnShape, o: Float64Array, probs: Float64Array, quant?: AttnQuant): number {
  const { seqs, seq, heads, kvHeads, hd } = s;
  const qw = heads * hd;
  const kw = kvHeads * hd;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(hd);
  o.fill(0, 0, seqs * seq * qw);
  probs.fill(0, 0, seqs * heads * seq * seq);
  const step = quant?.scoreStep ?? 0;
  let maxDot = 0;
  for (let b = 0; b < seqs; b++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      for (let p = 0; p < seq; p++) {
        const qo = (b * seq + p) * qw + h * hd;
        const po = ((b * heads + h) * seq + p) * seq;
        let max = -Infinity;
        for (let i = 0; i <= p; i++) {
          const ko = (b * seq + i) * kw + g * hd;
          let dot = 0;
          for (let e = 0; e < hd; e++) dot += q[qo + e] * k[ko + e];
          if (Math.abs(dot) > maxDot) maxDot = Math.abs(dot);
          if (step > 0) dot = Math.max(-127, Math.min(127, Math.round(dot / step))) * step;
          const sc = dot * scale;
          probs[po + i] = sc;
          if (sc > max) max = sc;
        }
        let sum = 0;
        for (let i = 0; i <= p; i++) sum += probs[po + i] = Math.exp(probs[po + i] - max);
        for (let i = 0; i <= p; i++) {
          probs[po + i] /= sum;
          if (quant?.probs) probs[po + i] = Math.round(probs[po + i] * 127) / 127;
          const pr = probs[po + i];
          const vo = (b * seq + i) * kw + g * hd;
          for (let e = 0; e < hd; e++) o[qo + e] += pr * v[vo + e];
        }
      }
    }
  }
  return maxDot;
}

/** dq, dk, dv overwritten. */
export function attentionBackward(q: Float64Array, k: Float64Array, v: Float64Array, probs: Float64Array, dout: Float64Array, s: AttnShape, dq: Float64Array, dk: Float64Array, dv: Float64Array): void {
  const { seqs, seq, heads, kvHeads, hd } = s;
  const qw = heads * hd;
  const kw = kvHeads * hd;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(hd);
  dq.fill(0, 0, seqs * seq * qw);
  dk.fill(0, 0, seqs * seq * kw);
  dv.fill(0, 0, seqs * seq * kw);
  const dp = new Float64Array(seq);
  for (let b = 0; b < seqs; b++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      for (let p = 0; p < seq; p++) {
        const qo = (b * seq + p) * qw + h * hd;
        const po = ((b * heads + h) * seq + p) * seq;
        let dot = 0;
        for (let i = 0; i <= p; i++) {
          const vo = (b * seq + i) * kw + g * hd;
          const pr = probs[po + i];
          let d = 0;
          for (let e = 0; e < hd; e++) {
            d += dout[qo + e] * v[vo + e];
            dv[vo + e] += pr * dout[qo + e];
          }
          dp[i] = d;
          dot += pr * d;
        }
        for (let i = 0; i <= p; i++) {
          const ds = probs[po + i] * (dp[i] - dot) * scale;
          if (ds === 0) continue;
          const ko = (b * seq + i) * kw + g * hd;
          for (let e = 0; e < hd; e++) {
            dq[qo + e] += ds * k[ko + e];
            dk[ko + e] += ds * q[qo + e];
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// SwiGLU gate: u = silu(a) ⊙ b

export function swigluForward(a: Float64Array, b: Float64Array, n: number, u: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const sg = 1 / (1 + Math.exp(-a[i]));
    u[i] = a[i] * sg * b[i];
  }
}

/** da, db overwritten. */
export function swigluBackward(a: Float64Array, b: Float64Array, du: Float64Array, n: number, da: Float64Array, db: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const sg = 1 / (1 + Math.exp(-a[i]));
    const silu = a[i] * sg;
    db[i] = du[i] * silu;
    da[i] = du[i] * b[i] * sg * (1 + a[i] * (1 - sg));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Embedding and the loss

export function embeddingForward(table: Float64Array, tokens: ArrayLike<number>, d: number, h: Float64Array): void {
  for (let r = 0; r < tokens.length; r++) {
    const t = tokens[r] * d;
    for (let i = 0; i < d; i++) h[r * d + i] = table[t + i];
  }
}

export function embeddingBackward(tokens: ArrayLike<number>, dh: Float64Array, d: number, dtable: Float64Array): void {
  for (let r = 0; r < tokens.length; r++) {
    const t = tokens[r] * d;
    for (let i = 0; i < d; i++) dtable[t + i] += dh[r * d + i];
  }
}

/**
 * Mean softmax cross-entropy (nats) of `rows` logit rows against `targets`; writes d(mean loss)/d(logits)
 * into dlogits. Targets < 0 are ignored (no loss, no gradient) and not counted in the mean. With
 * `smoothing` ε > 0 the target distribution is (1 − ε)·onehot + ε/vocab (label smoothing).
 */
export function crossEntropy(logits: Float64Array, targets: ArrayLike<number>, rows: number, vocab: number, dlogits: Float64Array | null, smoothing = 0): number {
  if (smoothing > 0) return smoothedCrossEntropy(logits, targets, rows, vocab, dlogits, smoothing);
  let loss = 0;
  let counted = 0;
  for (let r = 0; r < rows; r++) if (targets[r] >= 0) counted++;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    const t = targets[r];
    if (t < 0) {
      if (dlogits) dlogits.fill(0, o, o + vocab);
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < vocab; c++) if (logits[o + c] > max) max = logits[o + c];
    let sum = 0;
    for (let c = 0; c < vocab; c++) sum += Math.exp(logits[o + c] - max);
    loss += Math.log(sum) + max - logits[o + t];
    if (dlogits) {
      for (let c = 0; c < vocab; c++) dlogits[o + c] = (Math.exp(logits[o + c] - max) / sum - (c === t ? 1 : 0)) / counted;
    }
  }
  return loss / Math.max(1, counted);
}

function smoothedCrossEntropy(logits: Float64Array, targets: ArrayLike<number>, rows: number, vocab: number, dlogits: Float64Array | null, eps: number): number {
  let loss = 0;
  let counted = 0;
  for (let r = 0; r < rows; r++) if (targets[r] >= 0) counted++;
  const off = eps / vocab;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    const t = targets[r];
    if (t < 0) {
      if (dlogits) dlogits.fill(0, o, o + vocab);
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < vocab; c++) if (logits[o + c] > max) max = logits[o + c];
    let sum = 0;
    let mean = 0;
    for (let c = 0; c < vocab; c++) {
      sum += Math.exp(logits[o + c] - max);
      mean += logits[o + c];
    }
    const lse = Math.log(sum) + max;
    loss += lse - (1 - eps) * logits[o + t] - off * mean;
    if (dlogits) {
      for (let c = 0; c < vocab; c++) dlogits[o + c] = (Math.exp(logits[o + c] - lse) - off - (c === t ? 1 - eps : 0)) / counted;
    }
  }
  return loss / Math.max(1, counted);
}

// ---------------------------------------------------------------------------------------------------------
// The whole model

/** Zeroed buffers of every weight's shape. */
export function zerosLike(c: LlamaConfig): Params {
  const out: Params = new Map();
  for (const [name, dims] of llamaWeightShapes(c)) out.set(name, new Float64Array(dims.reduce((p, d) => p * d, 1)));
  return out;
}

interface LayerTape {
  hIn: Float64Array;
  a: Float64Array;
  rA: Float64Array;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  o: Float64Array;
  probs: Float64Array;
  hMid: Float64Array;
  f: Float64Array;
  rF: Float64Array;
  g1: Float64Array;
  g3: Float64Array;
  u: Float64Array;
}

/** Everything the backward pass needs from one forward pass of `seqs` sequences of `seq` tokens. */
export interface Tape {
  seqs: number;
  seq: number;
  tokens: Int32Array;
  layers: LayerTape[];
  hOut: Float64Array;
  y: Float64Array;
  rN: Float64Array;
  logits: Float64Array;
}

/**
 * Quantization-aware training: the forward pass rounds the tensors the integer graph holds as int8 (norm outputs,
 * projections, RoPE outputs, attention scores and probabilities, the SwiGLU terms, the block outputs, the
 * logits) to 255 levels of a per-tensor scale, max/127 with max a running average (decay) of each batch's
 * largest |value|; the backward pass goes straight through the rounding (straight-through estimator).
 */
export interface Qat {
  /** Running max |value| per tensor name (e.g. `0.u`, `logits`). */
  ranges: Map<string, number>;
  /** Update the running maxima from this batch. */
  update: boolean;
  decay: number;
  /** Keep the largest value seen, decaying by `decay` per batch (max(batch max, decay · range)), instead of a
   * running average of the batch maxima (with decay 1: the max over every batch, as max calibration takes). */
  hold?: boolean;
}

/** In place: round x[0..n) to the tensor's int8 grid (none until its range is known); update the range. */
function fakeQuant(qat: Qat | undefined, name: string, x: Float64Array, n = x.length): void {
  if (!qat) return;
  const range = qat.ranges.get(name);
  // The batch's own max, before rounding (after it, the max could never exceed the range).
  if (qat.update) observe(qat, name, maxAbs(x, n));
  if (range !== undefined && range > 0) {
    const step = range / 127;
    for (let i = 0; i < n; i++) x[i] = Math.max(-127, Math.min(127, Math.round(x[i] / step))) * step;
  }
}

function maxAbs(x: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (Math.abs(x[i]) > m) m = Math.abs(x[i]);
  return m;
}

function observe(qat: Qat, name: string, m: number): void {
  const r = qat.ranges.get(name);
  qat.ranges.set(name, r === undefined ? m : qat.hold ? Math.max(m, qat.decay * r) : qat.decay * r + (1 - qat.decay) * m);
}

/**
 * Forward pass of the config.ts math over `seqs` sequences (tokens: seqs·seq ids; each sequence starts at
 * position 0) → logits [seqs·seq × vocab] in the returned tape. With `qat`, int8 rounding as Qat says.
 */
export function modelForward(c: LlamaConfig, w: Params, tokens: Int32Array, seqs: number, seq: number, rope_ = ropeTables(c), qat?: Qat): Tape {
  if (seq > c.maxSeq) throw new RangeError(`sequence of ${seq} is longer than maxSeq ${c.maxSeq}`);
  const d = c.dModel;
  const hd = headDim(c);
  const rows = seqs * seq;
  const qw = c.heads * hd;
  const kw = c.kvHeads * hd;
  const shape: AttnShape = { seqs, seq, heads: c.heads, kvHeads: c.kvHeads, hd };
  let h = new Float64Array(rows * d);
  embeddingForward(w.get('tok_embeddings')!, tokens, d, h);
  fakeQuant(qat, 'embed', h);
  const layers: LayerTape[] = [];
  for (let l = 0; l < c.layers; l++) {
    const p = (n: string) => w.get(`layers.${l}.${n}`)!;
    const t: LayerTape = {
      hIn: h,
      a: new Float64Array(rows * d),
      rA: new Float64Array(rows),
      q: new Float64Array(rows * qw),
      k: new Float64Array(rows * kw),
      v: new Float64Array(rows * kw),
      o: new Float64Array(rows * qw),
      probs: new Float64Array(seqs * c.heads * seq * seq),
      hMid: new Float64Array(rows * d),
      f: new Float64Array(rows * d),
      rF: new Float64Array(rows),
      g1: new Float64Array(rows * c.ffn),
      g3: new Float64Array(rows * c.ffn),
      u: new Float64Array(rows * c.ffn),
    };
    const fq = (what: string, x: Float64Array) => fakeQuant(qat, `${l}.${what}`, x);
    rmsnormForward(h, p('attn_norm'), rows, d, c.rmsEps, t.a, t.rA);
    fq('a', t.a);
    linearForward(t.a, p('wq'), rows, d, qw, t.q);
    linearForward(t.a, p('wk'), rows, d, kw, t.k);
    linearForward(t.a, p('wv'), rows, d, kw, t.v);
    fq('q', t.q);
    fq('k', t.k);
    fq('v', t.v);
    rope(t.q, rows, seq, c.heads, hd, rope_.cos, rope_.sin);
    rope(t.k, rows, seq, c.kvHeads, hd, rope_.cos, rope_.sin);
    fq('q_rope', t.q);
    fq('k_rope', t.k);
    const scoreRange = qat?.ranges.get(`${l}.scores`);
    const quant = qat ? { scoreStep: scoreRange ? scoreRange / 127 : 0, probs: true } : undefined;
    const maxDot = attentionForward(t.q, t.k, t.v, shape, t.o, t.probs, quant);
    if (qat?.update) observe(qat, `${l}.scores`, maxDot);
    fq('o', t.o);
    linearForward(t.o, p('wo'), rows, qw, d, t.hMid);
    fq('attn_out', t.hMid);
    for (let i = 0; i < rows * d; i++) t.hMid[i] += h[i];
    rmsnormForward(t.hMid, p('ffn_norm'), rows, d, c.rmsEps, t.f, t.rF);
    fq('f', t.f);
    linearForward(t.f, p('w1'), rows, d, c.ffn, t.g1);
    linearForward(t.f, p('w3'), rows, d, c.ffn, t.g3);
    fq('g1', t.g1);
    fq('g3', t.g3);
    swigluForward(t.g1, t.g3, rows * c.ffn, t.u);
    fq('u', t.u);
    const next = new Float64Array(rows * d);
    linearForward(t.u, p('w2'), rows, c.ffn, d, next);
    fq('ffn_out', next);
    for (let i = 0; i < rows * d; i++) next[i] += t.hMid[i];
    layers.push(t);
    h = next;
  }
  const y = new Float64Array(rows * d);
  const rN = new Float64Array(rows);
  rmsnormForward(h, w.get('norm')!, rows, d, c.rmsEps, y, rN);
  fakeQuant(qat, 'y', y);
  const logits = new Float64Array(rows * c.vocab);
  linearForward(y, w.get('output')!, rows, d, c.vocab, logits);
  fakeQuant(qat, 'logits', logits);
  return { seqs, seq, tokens, layers, hOut: h, y, rN, logits };
}

/** Backward pass from d(loss)/d(logits): adds every weight's gradient into `grads`. */
export function modelBackward(c: LlamaConfig, w: Params, tape: Tape, dlogits: Float64Array, grads: Params, rope_ = ropeTables(c)): void {
  const d = c.dModel;
  const hd = headDim(c);
  const { seqs, seq } = tape;
  const rows = seqs * seq;
  const qw = c.heads * hd;
  const kw = c.kvHeads * hd;
  const shape: AttnShape = { seqs, seq, heads: c.heads, kvHeads: c.kvHeads, hd };
  const dy = new Float64Array(rows * d);
  linearBackward(tape.y, w.get('output')!, dlogits, rows, d, c.vocab, grads.get('output')!, dy);
  let dh = new Float64Array(rows * d);
  rmsnormBackward(tape.hOut, w.get('norm')!, tape.rN, dy, rows, d, grads.get('norm')!, dh);
  const df = new Float64Array(rows * d);
  const du = new Float64Array(rows * c.ffn);
  const dg1 = new Float64Array(rows * c.ffn);
  const dg3 = new Float64Array(rows * c.ffn);
  const tmp = new Float64Array(rows * d);
  const dO = new Float64Array(rows * qw);
  const dq = new Float64Array(rows * qw);
  const dk = new Float64Array(rows * kw);
  const dv = new Float64Array(rows * kw);
  const da = new Float64Array(rows * d);
  for (let l = c.layers - 1; l >= 0; l--) {
    const t = tape.layers[l];
    const p = (n: string) => w.get(`layers.${l}.${n}`)!;
    const gp = (n: string) => grads.get(`layers.${l}.${n}`)!;
    // h_out = hMid + swiglu(f) · w2
    linearBackward(t.u, p('w2'), dh, rows, c.ffn, d, gp('w2'), du);
    swigluBackward(t.g1, t.g3, du, rows * c.ffn, dg1, dg3);
    linearBackward(t.f, p('w1'), dg1, rows, d, c.ffn, gp('w1'), df);
    linearBackward(t.f, p('w3'), dg3, rows, d, c.ffn, gp('w3'), tmp);
    for (let i = 0; i < rows * d; i++) df[i] += tmp[i];
    const dMid = new Float64Array(rows * d);
    rmsnormBackward(t.hMid, p('ffn_norm'), t.rF, df, rows, d, gp('ffn_norm'), dMid);
    for (let i = 0; i < rows * d; i++) dMid[i] += dh[i];
    // hMid = hIn + attention(a) · wo
    linearBackward(t.o, p('wo'), dMid, rows, qw, d, gp('wo'), dO);
    attentionBackward(t.q, t.k, t.v, t.probs, dO, shape, dq, dk, dv);
    rope(dq, rows, seq, c.heads, hd, rope_.cos, rope_.sin, true);
    rope(dk, rows, seq, c.kvHeads, hd, rope_.cos, rope_.sin, true);
    linearBackward(t.a, p('wq'), dq, rows, d, qw, gp('wq'), da);
    linearBackward(t.a, p('wk'), dk, rows, d, kw, gp('wk'), tmp);
    for (let i = 0; i < rows * d; i++) da[i] += tmp[i];
    linearBackward(t.a, p('wv'), dv, rows, d, kw, gp('wv'), tmp);
    for (let i = 0; i < rows * d; i++) da[i] += tmp[i];
    const dIn = new Float64Array(rows * d);
    rmsnormBackward(t.hIn, p('attn_norm'), t.rA, da, rows, d, gp('attn_norm'), dIn);
    for (let i = 0; i < rows * d; i++) dIn[i] += dMid[i];
    dh = dIn;
  }
  embeddingBackward(tape.tokens, dh, d, grads.get('tok_embeddings')!);
}
