// Exports brown-llama's trained weights (scripts/zoo/llama/train.ts) as the prefill graph of
// scripts/zoo/llama/onnx.ts (`tokens` int64 [1, 32] → `logits` [1, 32, 96]) to models/zoo/brown-llama.onnx.
//
// Before export, two reparametrizations that leave the model's next-character probabilities unchanged (up to
// float rounding) and make its int8 tensors easier to hold, both fitted on 128 windows of training text:
// equalizeFfn (each SwiGLU hidden unit's scale moved between w3 and w2, alpha 0.5) and centerLogitRange (the
// per-position logit shift softmax ignores, chosen to centre the logits on 0).
//
// Then checks, on held-out windows: the exported weights' log-probabilities against the trained weights'
// (llamaForward, max |difference|), and three float implementations of the exported weights against each other:
// the trainer's forward (train-backprop.ts, double precision), scripts/zoo/llama/forward.ts's llamaForward, and
// onnxruntime-node on the exported file (max |logit difference| and top-1 agreement).
//
//   npx tsx scripts/zoo/llama/train-export.ts [--weights /tmp/brown-llama-weights.bin | --checkpoint FILE] [--out FILE]
//     [--ffn-alpha A (0: no equalization)] [--no-center] [--windows N]

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { repoPath } from '../../../models/repoRoot.ts';
import type { LlamaConfig, LlamaWeights } from './config.ts';
import { SAMPLES_SEQ, ortRunner } from './fidelity.ts';
import { llamaForward } from './forward.ts';
import { buildLlamaOnnx } from './onnx.ts';
import { modelForward } from './train-backprop.ts';
import { brownTokens, evenWindows, readCheckpoint, readWeights, toWeights } from './train.ts';

/** The exported prefill graph's sequence length. */
export const EXPORT_SEQ = SAMPLES_SEQ;
/** equalizeFfn's migration strength (SmoothQuant's default). */
export const FFN_ALPHA = 0.5;

/**
 * Softmax ignores a shift of all of a position's logits, and the head can shift them by any linear function of
 * its input: output'[i, v] = output[i, v] − b[i] gives logits' = logits − y · b at every position, the same
 * probabilities. The integer graph's logits are int8 at one scale for all positions, so the export chooses b to
 * centre each position's logit range on 0: least squares of y · b against the midrange (max + min) / 2 of the
 * logits over the `windows` (training text). Returns new weights (only `output` changes).
 */
export function centerLogitRange(c: LlamaConfig, w: LlamaWeights, windows: readonly Int32Array[]): LlamaWeights {
  const d = c.dModel;
  const V = c.vocab;
  const w64 = new Map([...w].map(([k, v]) => [k, Float64Array.from(v)]));
  const ata = new Float64Array(d * d);
  const atb = new Float64Array(d);
  for (const win of windows) {
    const { y, logits } = modelForward(c, w64, win, 1, win.length);
    for (let p = 0; p < win.length; p++) {
      let max = -Infinity;
      let min = Infinity;
      for (let v = 0; v < V; v++) {
        max = Math.max(max, logits[p * V + v]);
        min = Math.min(min, logits[p * V + v]);
      }
      const mid = (max + min) / 2;
      for (let i = 0; i < d; i++) {
        atb[i] += y[p * d + i] * mid;
        for (let j = 0; j < d; j++) ata[i * d + j] += y[p * d + i] * y[p * d + j];
      }
    }
  }
  const b = solve(ata, atb, d);
  const out = new Float32Array(w.get('output')!);
  for (let i = 0; i < d; i++) for (let v = 0; v < V; v++) out[i * V + v] -= b[i];
  return new Map([...w].map(([k, v]) => [k, k === 'output' ? out : v]));
}

/**
 * The SwiGLU product u = silu(f·w1) ⊙ (f·w3) is heavy-tailed, a few hidden units far larger than the rest, and the
 * integer graph holds it (and f·w3) at one int8 scale per tensor. Scaling hidden unit j of w3 by 1/s_j and row j
 * of w2 by s_j leaves the model's function unchanged (u_j / s_j · s_j w2[j]) while shrinking the big units:
 * s_j = (max |u_j| / m)^alpha over the `windows`, m the median of the units' maxima (cross-layer equalization,
 * as in SmoothQuant). Returns new weights (only w2 and w3 change).
 */
export function equalizeFfn(c: LlamaConfig, w: LlamaWeights, windows: readonly Int32Array[], alpha: number): LlamaWeights {
  const F = c.ffn;
  const d = c.dModel;
  const w64 = new Map([...w].map(([k, v]) => [k, Float64Array.from(v)]));
  const maxU = Array.from({ length: c.layers }, () => new Float64Array(F));
  for (const win of windows) {
    const tape = modelForward(c, w64, win, 1, win.length);
    tape.layers.forEach((t, l) => {
      for (let r = 0; r < win.length; r++) for (let j = 0; j < F; j++) maxU[l][j] = Math.max(maxU[l][j], Math.abs(t.u[r * F + j]));
    });
  }
  const out = new Map(w);
  for (let l = 0; l < c.layers; l++) {
    const sorted = Float64Array.from(maxU[l]).sort();
    const m = sorted[F >> 1];
    const w3 = new Float32Array(w.get(`layers.${l}.w3`)!);
    const w2 = new Float32Array(w.get(`layers.${l}.w2`)!);
    for (let j = 0; j < F; j++) {
      const s = maxU[l][j] > 0 ? (maxU[l][j] / m) ** alpha : 1;
      for (let i = 0; i < d; i++) w3[i * F + j] /= s;
      for (let i = 0; i < d; i++) w2[j * d + i] *= s;
    }
    out.set(`layers.${l}.w3`, w3);
    out.set(`layers.${l}.w2`, w2);
  }
  return out;
}

/** A x = r for a symmetric positive definite A [n × n] (Gaussian elimination with partial pivoting). */
function solve(a: Float64Array, r: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(r);
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[piv * n + k])) piv = i;
    if (piv !== k) {
      for (let j = 0; j < n; j++) [m[k * n + j], m[piv * n + j]] = [m[piv * n + j], m[k * n + j]];
      [x[k], x[piv]] = [x[piv], x[k]];
    }
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / m[k * n + k];
      if (f === 0) continue;
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
      x[i] -= f * x[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = x[k];
    for (let j = k + 1; j < n; j++) s -= m[k * n + j] * x[j];
    x[k] = s / m[k * n + k];
  }
  return x;
}

export function brownLlamaOnnx(c: LlamaConfig, w: LlamaWeights): Uint8Array {
  return buildLlamaOnnx(c, w, { kind: 'prefill', seq: EXPORT_SEQ }, { graphName: 'brown-llama' });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const ck = opt('checkpoint');
  const { config: c, weights: trained } = ck
    ? (() => {
        const k = readCheckpoint(ck);
        return { config: k.config, weights: toWeights(k.w) };
      })()
    : readWeights(new Uint8Array(readFileSync(opt('weights') ?? '/tmp/brown-llama-weights.bin')));
  const out = opt('out') ?? repoPath('models', 'zoo', 'brown-llama.onnx');
  const { train, heldOut } = await brownTokens();
  const calib = evenWindows(train, 128, EXPORT_SEQ);
  const alpha = Number(opt('ffn-alpha') ?? FFN_ALPHA);
  const eq = alpha > 0 ? equalizeFfn(c, trained, calib, alpha) : trained;
  const w = args.includes('--no-center') ? eq : centerLogitRange(c, eq, calib);
  const bytes = brownLlamaOnnx(c, w);
  writeFileSync(out, bytes);
  console.log(`${out}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);

  const windows = evenWindows(heldOut, Number(opt('windows') ?? 64), EXPORT_SEQ);
  const ort = await ortRunner(bytes, EXPORT_SEQ);
  const w64 = new Map([...w].map(([k, v]) => [k, Float64Array.from(v)]));
  const V = c.vocab;
  const argmax = (v: ArrayLike<number>, o: number) => {
    let b = 0;
    for (let i = 1; i < V; i++) if (v[o + i] > v[o + b]) b = i;
    return b;
  };
  const logSoftmax = (v: ArrayLike<number>) => {
    let m = -Infinity;
    for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]);
    let z = 0;
    for (let i = 0; i < v.length; i++) z += Math.exp(v[i] - m);
    return Array.from(v, (x) => x - m - Math.log(z));
  };
  let maxReparam = 0;
  let maxTrainVsForward = 0;
  let maxOrtVsForward = 0;
  let agreeTrain = 0;
  let agreeOrt = 0;
  let n = 0;
  try {
    for (const win of windows) {
      const ref = llamaForward(c, w, win);
      const before = llamaForward(c, trained, win);
      for (let p = 0; p < EXPORT_SEQ; p++) {
        const a = logSoftmax(ref[p]);
        const b = logSoftmax(before[p]);
        for (let i = 0; i < V; i++) maxReparam = Math.max(maxReparam, Math.abs(a[i] - b[i]));
      }
      const mine = modelForward(c, w64, win, 1, EXPORT_SEQ).logits;
      const onnx = await ort.run(win);
      for (let p = 0; p < EXPORT_SEQ; p++) {
        for (let i = 0; i < V; i++) {
          maxTrainVsForward = Math.max(maxTrainVsForward, Math.abs(mine[p * V + i] - ref[p][i]));
          maxOrtVsForward = Math.max(maxOrtVsForward, Math.abs(onnx[p * V + i] - ref[p][i]));
        }
        const top = argmax(ref[p], 0);
        if (argmax(mine, p * V) === top) agreeTrain++;
        if (argmax(onnx, p * V) === top) agreeOrt++;
        n++;
      }
    }
  } finally {
    await ort.release();
  }
  console.log(`${windows.length} held-out windows, ${n} positions: exported vs trained weights max |log-probability diff| ${maxReparam.toExponential(2)}`);
  console.log(`exported weights: trainer vs llamaForward max |logit diff| ${maxTrainVsForward.toExponential(2)}, top-1 ${agreeTrain}/${n}; onnxruntime vs llamaForward max |logit diff| ${maxOrtVsForward.toExponential(2)}, top-1 ${agreeOrt}/${n}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
