// Trains brown-llama: a small LLaMA (scripts/zoo/llama/config.ts: RMSNorm, RoPE, grouped-query causal
// attention, SwiGLU, no biases) as a character-level language model of the Brown corpus, in plain TypeScript
// with the hand-written backprop of scripts/zoo/llama/train-backprop.ts (gradient-checked in
// test/models/llama-train.test.ts). AdamW (β 0.9/0.95, decoupled weight decay on the matrices only), linear
// warmup then cosine decay to a twentieth, global gradient-norm clip, optional label smoothing, and optionally
// quantization-aware: the forward pass rounds every tensor the integer graph holds as int8 to 255 levels of its
// running range and the backward pass goes straight through (train-backprop.ts Qat). The held-out loss printed
// is always the plain float model's, without label smoothing. Batches are `seqs` random windows of `seq + 1`
// characters of the training files (scripts/zoo/llama/corpus.ts: 450 files; every 10th file is held out), drawn
// by a Prng seeded from (seed, step), so a run resumed from a checkpoint is the run that never stopped, bit for
// bit (checked: resuming the zoo run at step 2900 wrote byte-identical weights).
//
//   nice -n 10 npx tsx scripts/zoo/llama/train.ts [--steps N] [--checkpoint FILE] [--weights FILE] [--eval-every N]
//     [--qat-decay D | --no-qat] [--weight-decay W] [--label-smoothing E]
// prints step, train loss (mean over the last steps) and held-out loss (nats/character), checkpoints to FILE
// (default /tmp/brown-llama.ckpt; rerun the same command to resume), and writes the trained float32 weights to
// --weights (default /tmp/brown-llama-weights.bin, the format of writeWeights) with the config beside it
// (.json). scripts/zoo/llama/train-export.ts turns them into models/zoo/brown-llama.onnx.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Prng } from '../../../models/zoo/prng.ts';
import { checkLlamaConfig, llamaWeightShapes, parameterCount, type LlamaConfig, type LlamaWeights } from './config.ts';
import { crossEntropy, modelBackward, modelForward, ropeTables, zerosLike, type Params, type Qat } from './train-backprop.ts';
import { BROWN_VOCAB } from '../../../models/zoo/asciiTokens.ts';

/** brown-llama's shape: 96 characters, d 64, 2 layers, 4 query heads on 2 kv heads (GQA), SwiGLU 172 (2.7 d). */
export const BROWN_LLAMA: LlamaConfig = { vocab: BROWN_VOCAB, dModel: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 172, ropeTheta: 10000, rmsEps: 1e-5, maxSeq: 64 };

export interface TrainOptions {
  seed: number;
  /** Sequences per batch and their length (≤ maxSeq). */
  seqs: number;
  seq: number;
  /** Peak learning rate, reached after `warmup` steps, cosine-decayed to lr/20 at `steps`. */
  lr: number;
  steps: number;
  warmup: number;
  /** Global gradient-norm clip. */
  clip: number;
  /** Decoupled (AdamW) weight decay of the matrices (not the norm gains). */
  weightDecay: number;
  /** Label smoothing ε of the training loss (absent: none). */
  labelSmoothing?: number;
  /** Quantization-aware training (train-backprop.ts Qat) with this running-max decay (absent: none). */
  qatDecay?: number;
}

/**
 * The zoo's run: quantization-aware (qatDecay) and label-smoothed (ε 0.01, which bounds how far below the top the
 * unlikely characters' logits go, so the int8 logits' one scale resolves the top ones ~2× finer); see
 * docs/MODELS.md, brown-llama, for what each costs and buys.
 */
export const BROWN_LLAMA_TRAINING: TrainOptions = { seed: 12, seqs: 16, seq: 64, lr: 0.005, steps: 3000, warmup: 100, clip: 1, weightDecay: 0.05, qatDecay: 0.95, labelSmoothing: 0.01 };

/** Seeded init: norm gains 1; embeddings N(0, 1); matrices N(0, 1/fanIn), wo and w2 further / sqrt(2 · layers). */
export function initParams(c: LlamaConfig, seed: number): Params {
  checkLlamaConfig(c);
  const rng = new Prng(seed);
  const w: Params = new Map();
  for (const [name, dims] of llamaWeightShapes(c)) {
    const n = dims.reduce((p, d) => p * d, 1);
    if (name.endsWith('norm')) w.set(name, new Float64Array(n).fill(1));
    else if (name === 'tok_embeddings') w.set(name, Float64Array.from(rng.normals(n, 1)));
    else {
      const residual = name.endsWith('.wo') || name.endsWith('.w2') ? Math.sqrt(2 * c.layers) : 1;
      w.set(name, Float64Array.from(rng.normals(n, 1 / Math.sqrt(dims[0]) / residual)));
    }
  }
  return w;
}

/** Warmup then cosine decay to lr/20. `step` counts from 1. */
export function learningRateAt(o: Pick<TrainOptions, 'lr' | 'steps' | 'warmup'>, step: number): number {
  if (step <= o.warmup) return (o.lr * step) / o.warmup;
  const t = Math.min(1, (step - o.warmup) / Math.max(1, o.steps - o.warmup));
  return o.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** `seqs` windows of seq + 1 tokens, uniform over every start in the texts, from a Prng of (seed, step). */
export function sampleBatch(texts: readonly Int32Array[], seqs: number, seq: number, seed: number, step: number): { tokens: Int32Array; targets: Int32Array } {
  const rng = new Prng((Math.imul(seed, 0x9e3779b1) + step) >>> 0);
  const starts = texts.map((t) => Math.max(0, t.length - seq));
  const total = starts.reduce((s, n) => s + n, 0);
  if (total === 0) throw new Error(`no text is longer than a window of ${seq + 1} tokens`);
  const tokens = new Int32Array(seqs * seq);
  const targets = new Int32Array(seqs * seq);
  for (let b = 0; b < seqs; b++) {
    let u = rng.int(total);
    let f = 0;
    while (u >= starts[f]) u -= starts[f++];
    tokens.set(texts[f].subarray(u, u + seq), b * seq);
    targets.set(texts[f].subarray(u + 1, u + seq + 1), b * seq);
  }
  return { tokens, targets };
}

/** Adam's moments, and the running int8 ranges of quantization-aware training. */
export interface AdamState {
  m: Params;
  v: Params;
  ranges?: Map<string, number>;
}

const BETA1 = 0.9;
const BETA2 = 0.95;
const ADAM_EPS = 1e-8;

/** One training step (`step` from 1): sample, forward, backward, clip, AdamW. Returns the batch's mean loss. */
export function trainBatch(c: LlamaConfig, w: Params, state: AdamState, texts: readonly Int32Array[], step: number, o: TrainOptions, rope_ = ropeTables(c)): number {
  const { tokens, targets } = sampleBatch(texts, o.seqs, o.seq, o.seed, step);
  const rows = o.seqs * o.seq;
  let qat: Qat | undefined;
  if (o.qatDecay !== undefined) qat = { ranges: (state.ranges ??= new Map()), update: true, decay: o.qatDecay };
  const tape = modelForward(c, w, tokens, o.seqs, o.seq, rope_, qat);
  const dlogits = new Float64Array(rows * c.vocab);
  const loss = crossEntropy(tape.logits, targets, rows, c.vocab, dlogits, o.labelSmoothing ?? 0);
  const grads = zerosLike(c);
  modelBackward(c, w, tape, dlogits, grads, rope_);
  let norm = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) norm += g[i] * g[i];
  norm = Math.sqrt(norm);
  const scale = norm > o.clip ? o.clip / norm : 1;
  const lr = learningRateAt(o, step);
  const c1 = 1 - BETA1 ** step;
  const c2 = 1 - BETA2 ** step;
  for (const [name, p] of w) {
    const g = grads.get(name)!;
    const m = state.m.get(name)!;
    const v = state.v.get(name)!;
    const decay = name.endsWith('norm') ? 1 : 1 - lr * o.weightDecay;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] * scale;
      m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
      v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
      p[i] = p[i] * decay - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + ADAM_EPS);
    }
  }
  return loss;
}

/** Mean next-token loss (nats) over fixed windows: each window of seq + 1 tokens predicts its last seq. */
export function evalLoss(c: LlamaConfig, w: Params, windows: readonly Int32Array[], seq: number, batch = 16, rope_ = ropeTables(c)): number {
  let sum = 0;
  let n = 0;
  for (let s = 0; s < windows.length; s += batch) {
    const part = windows.slice(s, s + batch);
    const tokens = new Int32Array(part.length * seq);
    const targets = new Int32Array(part.length * seq);
    part.forEach((win, b) => {
      tokens.set(win.subarray(0, seq), b * seq);
      targets.set(win.subarray(1, seq + 1), b * seq);
    });
    const { logits } = modelForward(c, w, tokens, part.length, seq, rope_);
    sum += crossEntropy(logits, targets, part.length * seq, c.vocab, null) * part.length * seq;
    n += part.length * seq;
  }
  return sum / n;
}

/** `count` windows of `len` tokens spread evenly over the texts (deterministic). */
export function evenWindows(texts: readonly Int32Array[], count: number, len: number): Int32Array[] {
  const all = texts.reduce((s, t) => s + Math.max(0, t.length - len + 1), 0);
  const out: Int32Array[] = [];
  for (let k = 0; k < count; k++) {
    let u = Math.floor(((k + 0.5) * all) / count);
    let f = 0;
    while (u >= Math.max(0, texts[f].length - len + 1)) u -= Math.max(0, texts[f++].length - len + 1);
    out.push(texts[f].slice(u, u + len));
  }
  return out;
}

/** Cross-entropy (nats/token) on `test` of the add-one-smoothed unigram distribution of `train`. */
export function unigramLoss(train: readonly Int32Array[], test: readonly Int32Array[], vocab: number): number {
  const counts = new Float64Array(vocab).fill(1);
  let total = vocab;
  for (const t of train) for (const id of t) (counts[id]++, total++);
  let sum = 0;
  let n = 0;
  for (const t of test) for (const id of t) (sum -= Math.log(counts[id] / total), n++);
  return sum / n;
}

/** Double-precision training parameters → the float32 weights of config.ts. */
export function toWeights(w: Params): LlamaWeights {
  return new Map([...w].map(([name, p]) => [name, Float32Array.from(p)]));
}

// ---------------------------------------------------------------------------------------------------------
// Files: weights (float32, config.ts order) and checkpoints (float64 parameters and moments).

/** `OPMLLW1\n`, then the config as one JSON line, then every weight in llamaWeightShapes order as float32 LE. */
export function writeWeights(c: LlamaConfig, w: LlamaWeights): Uint8Array {
  const head = Buffer.from(`OPMLLW1\n${JSON.stringify(c)}\n`);
  const parts: Buffer[] = [head];
  for (const [name, dims] of llamaWeightShapes(c)) {
    const t = w.get(name)!;
    if (t.length !== dims.reduce((p, d) => p * d, 1)) throw new Error(`weight ${name}: ${t.length} values for dims [${dims}]`);
    parts.push(Buffer.from(new Float32Array(t).buffer));
  }
  return new Uint8Array(Buffer.concat(parts));
}

export function readWeights(bytes: Uint8Array): { config: LlamaConfig; weights: LlamaWeights } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = buf.indexOf(10);
  const second = buf.indexOf(10, first + 1);
  if (buf.subarray(0, first).toString() !== 'OPMLLW1') throw new Error('not a brown-llama weights file (OPMLLW1)');
  const config = JSON.parse(buf.subarray(first + 1, second).toString()) as LlamaConfig;
  const weights: LlamaWeights = new Map();
  let off = second + 1;
  for (const [name, dims] of llamaWeightShapes(config)) {
    const n = dims.reduce((p, d) => p * d, 1);
    weights.set(name, new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + 4 * n)));
    off += 4 * n;
  }
  if (off !== buf.length) throw new Error(`weights file: ${buf.length - off} bytes left over`);
  return { config, weights };
}

interface Checkpoint {
  step: number;
  options: TrainOptions;
  config: LlamaConfig;
  w: Params;
  state: AdamState;
  log: string[];
}

function writeCheckpoint(file: string, ck: Checkpoint): void {
  const ranges = ck.state.ranges ? [...ck.state.ranges] : undefined;
  const meta = Buffer.from(JSON.stringify({ step: ck.step, options: ck.options, config: ck.config, log: ck.log, ranges }) + '\n');
  const parts: Buffer[] = [meta];
  for (const set of [ck.w, ck.state.m, ck.state.v]) for (const p of set.values()) parts.push(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  writeFileSync(`${file}.tmp`, Buffer.concat(parts));
  renameSync(`${file}.tmp`, file);
}

export function readCheckpoint(file: string): Checkpoint {
  const buf = readFileSync(file);
  const nl = buf.indexOf(10);
  const { ranges, ...meta } = JSON.parse(buf.subarray(0, nl).toString()) as Omit<Checkpoint, 'w' | 'state'> & { ranges?: [string, number][] };
  let off = nl + 1;
  const read = (): Params => {
    const out: Params = new Map();
    for (const [name, dims] of llamaWeightShapes(meta.config)) {
      const n = dims.reduce((p, d) => p * d, 1);
      out.set(name, new Float64Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + 8 * n)));
      off += 8 * n;
    }
    return out;
  };
  const w = read();
  const m = read();
  const v = read();
  return { ...meta, w, state: ranges ? { m, v, ranges: new Map(ranges) } : { m, v } };
}

/** The Brown corpus as token streams: the 450 training files and the 50 held-out files. */
export async function brownTokens(): Promise<{ train: Int32Array[]; heldOut: Int32Array[] }> {
  const { loadBrown, splitBrown } = await import('./corpus.ts');
  const { encodeText } = await import('../../../models/zoo/asciiTokens.ts');
  const { train, heldOut } = splitBrown(loadBrown());
  return { train: train.map((f) => encodeText(f.text)), heldOut: heldOut.map((f) => encodeText(f.text)) };
}

/** Held-out evaluation windows of the training run: 256 windows of 65 characters spread over the held-out files. */
export const EVAL_WINDOWS = 256;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const ckFile = opt('checkpoint') ?? '/tmp/brown-llama.ckpt';
  const weightsFile = opt('weights') ?? '/tmp/brown-llama-weights.bin';
  const evalEvery = Number(opt('eval-every') ?? 100);
  const options: TrainOptions = { ...BROWN_LLAMA_TRAINING };
  if (opt('steps')) options.steps = Number(opt('steps'));
  if (opt('weight-decay')) options.weightDecay = Number(opt('weight-decay'));
  if (opt('label-smoothing')) options.labelSmoothing = Number(opt('label-smoothing'));
  if (opt('qat-decay')) options.qatDecay = Number(opt('qat-decay'));
  if (args.includes('--no-qat')) delete options.qatDecay;
  const c = BROWN_LLAMA;
  const { train, heldOut } = await brownTokens();
  const evalSet = evenWindows(heldOut, EVAL_WINDOWS, options.seq + 1);
  const trainEval = evenWindows(train, EVAL_WINDOWS, options.seq + 1);
  const rope_ = ropeTables(c);
  let w: Params;
  let state: AdamState;
  let start = 1;
  let log: string[] = [];
  const say = (line: string) => {
    console.log(line);
    log.push(line);
  };
  if (existsSync(ckFile)) {
    const ck = readCheckpoint(ckFile);
    if (JSON.stringify(ck.options) !== JSON.stringify(options) || JSON.stringify(ck.config) !== JSON.stringify(c)) {
      throw new Error(`${ckFile} is a checkpoint of another run (${JSON.stringify(ck.options)}); remove it or give --checkpoint`);
    }
    ({ w, state, log } = ck);
    start = ck.step + 1;
    console.log(log.join('\n'));
    console.log(`resumed from ${ckFile} at step ${ck.step}`);
  } else {
    w = initParams(c, options.seed);
    state = { m: zerosLike(c), v: zerosLike(c) };
    const chars = train.reduce((s, t) => s + t.length, 0);
    say(`brown-llama: ${JSON.stringify(c)}, ${parameterCount(c)} parameters; ${train.length} training files (${chars} characters), ${heldOut.length} held out`);
    say(`options ${JSON.stringify(options)}`);
    say(`unigram baseline: held-out ${unigramLoss(train, heldOut, c.vocab).toFixed(4)} nats/char; initial held-out loss ${evalLoss(c, w, evalSet, options.seq, 16, rope_).toFixed(4)}`);
  }
  let recent = 0;
  let recentN = 0;
  let t0 = performance.now();
  for (let step = start; step <= options.steps; step++) {
    recent += trainBatch(c, w, state, train, step, options, rope_);
    recentN++;
    if (step % evalEvery === 0 || step === options.steps) {
      const held = evalLoss(c, w, evalSet, options.seq, 16, rope_);
      const secs = (performance.now() - t0) / 1000;
      say(`step ${step}/${options.steps}: train ${(recent / recentN).toFixed(4)} (mean of the last ${recentN}), held-out ${held.toFixed(4)} nats/char, lr ${learningRateAt(options, step).toExponential(2)}, ${(secs / recentN).toFixed(2)} s/step`);
      recent = 0;
      recentN = 0;
      writeCheckpoint(ckFile, { step, options, config: c, w, state, log });
      t0 = performance.now();
    }
  }
  const trainLoss = evalLoss(c, w, trainEval, options.seq, 16, rope_);
  const heldLoss = evalLoss(c, w, evalSet, options.seq, 16, rope_);
  say(`final: train windows ${trainLoss.toFixed(4)}, held-out ${heldLoss.toFixed(4)} nats/char (${EVAL_WINDOWS} windows of ${options.seq} each)`);
  writeFileSync(weightsFile, writeWeights(c, toWeights(w)));
  writeFileSync(weightsFile.replace(/\.bin$/, '') + '.json', JSON.stringify({ config: c, options, log }, null, 1));
  console.log(`wrote ${weightsFile}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
