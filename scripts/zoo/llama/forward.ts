/**
 * The plain float forward of the LLaMA architecture in scripts/zoo/llama/config.ts, term for term (the trainer checks
 * its forward against this one; the tests check this one against onnxruntime on the exported prefill graph).
 *
 * Arithmetic is float64 throughout (the weights are float32 values); the logits are rounded to float32 once at the
 * end. Against onnxruntime's float32 run of the exported graph the difference is float32 rounding only (~1e-6
 * relative): test/models/llama.test.ts.
 *
 *   llamaForward(c, w, tokens)          → logits per position (Float32Array[vocab] each), causal
 *   new LlamaDecoder(c, w).step(token)  → the logits of the next position from a KV cache (one token at a time;
 *                                          equals llamaForward's row at that position up to float64 rounding)
 *   ropeTables(c)                       → the cos/sin tables [maxSeq, headDim] (float64; the ONNX graph stores them
 *                                          as float32)
 */
import { checkLlamaConfig, headDim, llamaWeightShapes, type LlamaConfig, type LlamaWeights } from './config.ts';

/** cos[p·headDim + j] = cos(p · freq_{j mod headDim/2}), sin likewise, for p < maxSeq. */
export function ropeTables(c: LlamaConfig): { cos: Float64Array; sin: Float64Array } {
  const hd = headDim(c);
  const half = hd / 2;
  const cos = new Float64Array(c.maxSeq * hd);
  const sin = new Float64Array(c.maxSeq * hd);
  for (let p = 0; p < c.maxSeq; p++) {
    for (let j = 0; j < hd; j++) {
      const i = j % half;
      const freq = Math.pow(c.ropeTheta, (-2 * i) / hd);
      cos[p * hd + j] = Math.cos(p * freq);
      sin[p * hd + j] = Math.sin(p * freq);
    }
  }
  return { cos, sin };
}

/** Throws unless every weight of the config is present with the right number of elements. */
export function checkLlamaWeights(c: LlamaConfig, w: LlamaWeights): void {
  for (const [name, dims] of llamaWeightShapes(c)) {
    const t = w.get(name);
    const n = dims.reduce((p, d) => p * d, 1);
    if (!t) throw new RangeError(`llama weights: "${name}" is missing`);
    if (t.length !== n) throw new RangeError(`llama weights: "${name}" has ${t.length} elements, expected ${n} (dims [${dims.join(', ')}])`);
  }
}

/** rmsnorm(x, g) = x / sqrt(mean(x²) + eps) · g over one row. */
export function rmsnorm(x: Float64Array, g: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * inv * g[i];
  return y;
}

/** x [in] · W [in, out] → [out]. */
export function linear(x: Float64Array, w: Float32Array, outDim: number): Float64Array {
  const y = new Float64Array(outDim);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * outDim;
    for (let o = 0; o < outDim; o++) y[o] += xi * w[row + o];
  }
  return y;
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** In place: each head's [headDim] slice of v (heads × headDim) rotated to position p (rotate-half). */
export function applyRope(v: Float64Array, nHeads: number, hd: number, p: number, cos: Float64Array, sin: Float64Array): void {
  const half = hd / 2;
  const tmp = new Float64Array(hd);
  for (let h = 0; h < nHeads; h++) {
    const o = h * hd;
    for (let j = 0; j < hd; j++) {
      const rot = j < half ? -v[o + j + half] : v[o + j - half];
      tmp[j] = v[o + j] * cos[p * hd + j] + rot * sin[p * hd + j];
    }
    v.set(tmp, o);
  }
}

function weight(w: LlamaWeights, name: string): Float32Array {
  const t = w.get(name);
  if (!t) throw new RangeError(`llama weights: "${name}" is missing`);
  return t;
}

/**
 * One token at a time with a KV cache (keys after RoPE, values), as the ONNX decode variant computes it. `step`
 * takes the token at position `this.pos` and returns the logits there (float64 values in a Float32Array).
 */
export class LlamaDecoder {
  /** Per layer: keys and values, [maxSeq][kvHeads · headDim] flattened. */
  readonly keys: Float64Array[];
  readonly values: Float64Array[];
  pos = 0;
  private readonly rope: { cos: Float64Array; sin: Float64Array };

  constructor(readonly c: LlamaConfig, readonly w: LlamaWeights) {
    checkLlamaConfig(c);
    checkLlamaWeights(c, w);
    const kvw = c.kvHeads * headDim(c);
    this.keys = Array.from({ length: c.layers }, () => new Float64Array(c.maxSeq * kvw));
    this.values = Array.from({ length: c.layers }, () => new Float64Array(c.maxSeq * kvw));
    this.rope = ropeTables(c);
  }

  /**
   * `trace(l, h)`, if given, sees the residual stream after layer l (l = 0..layers−1) and, with l = -1, the
   * embedding.
   */
  step(token: number, trace?: (layer: number, h: Float64Array) => void): Float32Array {
    const { c, w } = this;
    const p = this.pos;
    if (p >= c.maxSeq) throw new RangeError(`llama: position ${p} is past maxSeq ${c.maxSeq}`);
    if (!Number.isInteger(token) || token < 0 || token >= c.vocab) throw new RangeError(`llama: token ${token} is outside 0..${c.vocab - 1}`);
    const d = c.dModel;
    const hd = headDim(c);
    const kvw = c.kvHeads * hd;
    const group = c.heads / c.kvHeads;
    const scale = 1 / Math.sqrt(hd);
    const h = Float64Array.from(weight(w, 'tok_embeddings').subarray(token * d, (token + 1) * d));
    trace?.(-1, h);
    for (let l = 0; l < c.layers; l++) {
      const pre = `layers.${l}.`;
      const a = rmsnorm(h, weight(w, pre + 'attn_norm'), c.rmsEps);
      const q = linear(a, weight(w, pre + 'wq'), c.heads * hd);
      const k = linear(a, weight(w, pre + 'wk'), kvw);
      const v = linear(a, weight(w, pre + 'wv'), kvw);
      applyRope(q, c.heads, hd, p, this.rope.cos, this.rope.sin);
      applyRope(k, c.kvHeads, hd, p, this.rope.cos, this.rope.sin);
      this.keys[l].set(k, p * kvw);
      this.values[l].set(v, p * kvw);
      const K = this.keys[l];
      const V = this.values[l];
      const o = new Float64Array(c.heads * hd);
      const s = new Float64Array(p + 1);
      for (let j = 0; j < c.heads; j++) {
        const kvh = Math.floor(j / group);
        let m = -Infinity;
        for (let i = 0; i <= p; i++) {
          let dot = 0;
          for (let e = 0; e < hd; e++) dot += q[j * hd + e] * K[i * kvw + kvh * hd + e];
          s[i] = dot * scale;
          if (s[i] > m) m = s[i];
        }
        let sum = 0;
        for (let i = 0; i <= p; i++) {
          s[i] = Math.exp(s[i] - m);
          sum += s[i];
        }
        for (let i = 0; i <= p; i++) {
          const pr = s[i] / sum;
          for (let e = 0; e < hd; e++) o[j * hd + e] += pr * V[i * kvw + kvh * hd + e];
        }
      }
      const attn = linear(o, weight(w, pre + 'wo'), d);
      for (let i = 0; i < d; i++) h[i] += attn[i];
      const f = rmsnorm(h, weight(w, pre + 'ffn_norm'), c.rmsEps);
      const g1 = linear(f, weight(w, pre + 'w1'), c.ffn);
      const g3 = linear(f, weight(w, pre + 'w3'), c.ffn);
      for (let i = 0; i < c.ffn; i++) g1[i] = silu(g1[i]) * g3[i];
      const ff = linear(g1, weight(w, pre + 'w2'), d);
      for (let i = 0; i < d; i++) h[i] += ff[i];
      trace?.(l, h);
    }
    const logits = linear(rmsnorm(h, weight(w, 'norm'), c.rmsEps), weight(w, 'output'), c.vocab);
    this.pos = p + 1;
    return Float32Array.from(logits);
  }
}

/** Logits at every position of `tokens` (causal: position p sees tokens 0..p). tokens.length ≤ maxSeq. */
export function llamaForward(c: LlamaConfig, w: LlamaWeights, tokens: ArrayLike<number>): Float32Array[] {
  if (tokens.length > c.maxSeq) throw new RangeError(`llama: ${tokens.length} tokens is more than maxSeq ${c.maxSeq}`);
  const dec = new LlamaDecoder(c, w);
  const out: Float32Array[] = [];
  for (let p = 0; p < tokens.length; p++) out.push(dec.step(tokens[p]));
  return out;
}
