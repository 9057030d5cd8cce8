// brown-llama's fidelity: opml's integer graph against onnxruntime-node float inference of the same prefill
// graph (models/zoo/brown-llama.onnx, `tokens` int64 [1, seq] → `logits` [1, seq, vocab]) on held-out Brown text:
//   - top-1 next-token agreement over every position of held-out windows (and each side's next-character
//     accuracy against the text itself),
//   - greedy continuations: from each prompt, both sides decode `steps` characters greedily, each step re-running
//     the prefill graph on the last `seq` tokens (a shorter context is padded after its end with spaces, which the
//     causal mask hides from the position read); the length of the identical prefix of the two continuations.
//
// The samples (token ids only) live in models/zoo/brown-llama.samples.json, so the test needs no corpus:
// calibration windows from the training files, held-out windows and prompts from the held-out files.
//
//   npx tsx scripts/zoo/llama/fidelity.ts [--method max|percentile|mse|auto] [--windows N] [--write-samples] [--cli-files DIR]
// quantizes models/zoo/brown-llama.onnx (calibrated on the samples' training windows), measures on N held-out
// windows (default 256, from the corpus) and the samples' prompts, and prints the result as JSON.
// --budget prints int8Budget instead (which int8 tensors cost the agreement, simulated in float).
// --write-samples first rewrites models/zoo/brown-llama.samples.json from the corpus; --cli-files writes the
// samples' calibration and held-out windows in the CLI's format (`opml quantize --calibration`, `opml eval --dataset`).

import type { Feeds } from '../../../models/float/evaluate.ts';
import type { IntGraph } from '../../../models/int/graph.ts';
import { executeGraph } from '../../../models/int/execute.ts';
import { OrtModel } from '../../../models/onnx/ort.ts';
import { dequantize } from '../../../models/quantize/quantize.ts';
import type { BrownSamples } from '../../../models/zoo/index.ts';
import type { LlamaConfig, LlamaWeights } from './config.ts';
import { modelForward, type Params } from './train-backprop.ts';

/** Token ids only: what the test reads instead of the corpus (the type lives with the zoo, which reads the file too). */
export type { BrownSamples };

export const SAMPLES_SEQ = 32;
export const CALIBRATION_WINDOWS = 64;
export const SAMPLE_HELD_OUT_WINDOWS = 48;
export const PROMPTS = 8;
export const PROMPT_LENGTH = 8;
export const GREEDY_STEPS = 32;
/** The space character's token (models/zoo/asciiTokens.ts): the padding after a short context. */
const PAD = 1;

/** Calibration feeds: each training window as `tokens` [1, seq]. */
export function calibrationFeeds(s: BrownSamples): Feeds[] {
  return s.calibration.map((w) => ({ tokens: { dims: [1, s.seq], data: Int32Array.from(w) } }));
}

/** A prefill run: tokens [seq] → logits [seq × vocab]. */
export type PrefillRun = (tokens: Int32Array) => Promise<Float32Array> | Float32Array;

/** The integer graph as a PrefillRun (token ids are integer inputs: no input scale), logits dequantized. */
export function intRunner(graph: IntGraph): PrefillRun {
  const outScale = graph.tensors[graph.outputs[0]].scale;
  return (tokens) => dequantize(executeGraph(graph, [tokens]).outputs[0], outScale);
}

/** onnxruntime on the .onnx bytes as a PrefillRun, and its release. */
export async function ortRunner(bytes: Uint8Array, seq: number): Promise<{ run: PrefillRun; release: () => Promise<void> }> {
  const session = await OrtModel.create(bytes);
  return {
    run: async (tokens) => (await session.run({ tokens: { dims: [1, seq], data: tokens } })).get('logits')!.data,
    release: () => session.release(),
  };
}

const argmax = (v: ArrayLike<number>, from: number, n: number): number => {
  let best = from;
  for (let i = from + 1; i < from + n; i++) if (v[i] > v[best]) best = i;
  return best - from;
};

/** Greedy decoding of `steps` tokens after `prompt` with a fixed-length prefill graph (see the file comment). */
export async function greedyDecode(run: PrefillRun, prompt: readonly number[], steps: number, seq: number, vocab: number): Promise<number[]> {
  const text = [...prompt];
  for (let s = 0; s < steps; s++) {
    const ctx = text.slice(-seq);
    const tokens = new Int32Array(seq).fill(PAD);
    tokens.set(ctx);
    const logits = await run(tokens);
    text.push(argmax(logits, (ctx.length - 1) * vocab, vocab));
  }
  return text.slice(prompt.length);
}

export interface BrownFidelity {
  windows: number;
  positions: number;
  /** Positions where the integer graph's argmax equals onnxruntime's. */
  top1Agreement: number;
  /** Each side's argmax against the held-out text's next character. */
  floatAccuracy: number;
  intAccuracy: number;
  /** Mean cross-entropy (nats/char) of each side's logits against the next character. */
  floatLoss: number;
  intLoss: number;
  /** max and mean |int − float| over all logits; the float logits' largest magnitude. */
  maxAbsError: number;
  meanAbsError: number;
  floatRange: number;
  /** Per prompt: how many greedy tokens agree before the first difference (GREEDY_STEPS when all do). */
  greedyIdentical: number[];
  greedySteps: number;
  /** The decoded continuations (float, integer), for the report. */
  continuations?: { float: number[]; int: number[] }[];
}

function lossAt(logits: ArrayLike<number>, from: number, n: number, target: number): number {
  let max = -Infinity;
  for (let i = from; i < from + n; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = from; i < from + n; i++) sum += Math.exp(logits[i] - max);
  return Math.log(sum) + max - logits[from + target];
}

/** Integer graph vs float run on held-out windows (each seq + 1 tokens) and greedy continuations of the prompts. */
export async function brownFidelity(
  int: PrefillRun,
  float: PrefillRun,
  s: Pick<BrownSamples, 'seq' | 'heldOut' | 'prompts'>,
  vocab: number,
  greedySteps = GREEDY_STEPS,
): Promise<BrownFidelity> {
  const { seq } = s;
  let positions = 0;
  let agree = 0;
  let floatRight = 0;
  let intRight = 0;
  let floatLoss = 0;
  let intLoss = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  let range = 0;
  for (const win of s.heldOut) {
    if (win.length !== seq + 1) throw new RangeError(`held-out windows must have ${seq + 1} tokens, got ${win.length}`);
    const tokens = Int32Array.from(win.slice(0, seq));
    const f = await float(tokens);
    const y = await int(tokens);
    for (let p = 0; p < seq; p++) {
      const fc = argmax(f, p * vocab, vocab);
      const ic = argmax(y, p * vocab, vocab);
      positions++;
      if (fc === ic) agree++;
      if (fc === win[p + 1]) floatRight++;
      if (ic === win[p + 1]) intRight++;
      floatLoss += lossAt(f, p * vocab, vocab, win[p + 1]);
      intLoss += lossAt(y, p * vocab, vocab, win[p + 1]);
    }
    for (let i = 0; i < f.length; i++) {
      const e = Math.abs(y[i] - f[i]);
      maxAbs = Math.max(maxAbs, e);
      sumAbs += e;
      range = Math.max(range, Math.abs(f[i]));
    }
  }
  const greedyIdentical: number[] = [];
  const continuations: { float: number[]; int: number[] }[] = [];
  for (const prompt of s.prompts) {
    const fc = await greedyDecode(float, prompt, greedySteps, seq, vocab);
    const ic = await greedyDecode(int, prompt, greedySteps, seq, vocab);
    let same = 0;
    while (same < greedySteps && fc[same] === ic[same]) same++;
    greedyIdentical.push(same);
    continuations.push({ float: fc, int: ic });
  }
  return {
    windows: s.heldOut.length,
    positions,
    top1Agreement: agree / positions,
    floatAccuracy: floatRight / positions,
    intAccuracy: intRight / positions,
    floatLoss: floatLoss / positions,
    intLoss: intLoss / positions,
    maxAbsError: maxAbs,
    meanAbsError: sumAbs / (positions * vocab),
    floatRange: range,
    greedyIdentical,
    greedySteps,
    continuations,
  };
}

/** The tensors fake-quantized by train-backprop.ts Qat, by group (layer prefixes dropped). */
export const INT8_GROUPS = ['embed', 'a', 'q', 'k', 'v', 'q_rope', 'k_rope', 'scores', 'o', 'attn_out', 'f', 'g1', 'g3', 'u', 'ffn_out', 'y', 'logits'] as const;

/**
 * Where int8 costs agreement, simulated in float: each tensor the integer graph holds as int8 is rounded to 255
 * levels of its max over the calibration windows (train-backprop.ts Qat, max calibration), one group at a time
 * (the attention probabilities, at 1/127, always) and all together; top-1 agreement with the exact float forward
 * over the held-out windows. Only an estimate of the integer graph (its kernels round their own way), but it
 * ranks the tensors that limit it.
 */
export function int8Budget(c: LlamaConfig, w: LlamaWeights, calibration: readonly Int32Array[], heldOut: readonly Int32Array[]): { all: number; probsOnly: number; groups: Record<string, { agreement: number; range: number }> } {
  const w64: Params = new Map([...w].map(([k, v]) => [k, Float64Array.from(v)]));
  const ranges = new Map<string, number>();
  for (const win of calibration) modelForward(c, w64, win, 1, win.length, undefined, { ranges, update: true, decay: 1, hold: true });
  const V = c.vocab;
  const top = (x: Float64Array, o: number) => argmax(x, o, V);
  const floats = heldOut.map((win) => modelForward(c, w64, win, 1, win.length).logits);
  const measure = (keep: (name: string) => boolean) => {
    const only = new Map([...ranges].filter(([k]) => keep(k)));
    let agree = 0;
    let n = 0;
    heldOut.forEach((win, i) => {
      const q = modelForward(c, w64, win, 1, win.length, undefined, { ranges: only, update: false, decay: 0 }).logits;
      for (let p = 0; p < win.length; p++, n++) if (top(floats[i], p * V) === top(q, p * V)) agree++;
    });
    return agree / n;
  };
  const inGroup = (g: string) => (k: string) => k === g || k.endsWith(`.${g}`);
  const groups: Record<string, { agreement: number; range: number }> = {};
  for (const g of INT8_GROUPS) {
    groups[g] = { agreement: measure(inGroup(g)), range: Math.max(...[...ranges].filter(([k]) => inGroup(g)(k)).map(([, v]) => v)) };
  }
  return { all: measure(() => true), probsOnly: measure(() => false), groups };
}

/** The samples file's content from the corpus (scripts/zoo/llama/corpus.ts split, models/zoo/asciiTokens.ts ids). */
export async function buildSamples(heldOutWindows = SAMPLE_HELD_OUT_WINDOWS): Promise<BrownSamples> {
  const { brownTokens, evenWindows } = await import('./train.ts');
  const { train, heldOut } = await brownTokens();
  const seq = SAMPLES_SEQ;
  // Prompts start at a word: the 8 characters after the first space past evenly spread offsets.
  const prompts = evenWindows(heldOut, PROMPTS, 4 * PROMPT_LENGTH).map((w) => {
    const start = w.indexOf(PAD) + 1;
    return Array.from(w.subarray(start, start + PROMPT_LENGTH));
  });
  return {
    seq,
    calibration: evenWindows(train, CALIBRATION_WINDOWS, seq).map((w) => Array.from(w)),
    heldOut: evenWindows(heldOut, heldOutWindows, seq + 1).map((w) => Array.from(w)),
    prompts,
  };
}

/** One line per array: small and diffable. */
export function samplesJson(s: BrownSamples): string {
  const rows = (name: string, a: number[][]) => `  "${name}": [\n${a.map((r) => `    ${JSON.stringify(r)}`).join(',\n')}\n  ]`;
  return `{\n  "seq": ${s.seq},\n${rows('calibration', s.calibration)},\n${rows('heldOut', s.heldOut)},\n${rows('prompts', s.prompts)}\n}\n`;
}

async function main(): Promise<void> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { repoPath } = await import('../../../models/repoRoot.ts');
  const { loadOnnx } = await import('../../../models/onnx/load.ts');
  const { quantize } = await import('../../../models/quantize/quantize.ts');
  const { decodeText } = await import('../../../models/zoo/asciiTokens.ts');
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const onnxFile = opt('onnx') ?? repoPath('models', 'zoo', 'brown-llama.onnx');
  const samplesFile = opt('samples') ?? repoPath('models', 'zoo', 'brown-llama.samples.json');
  const method = (opt('method') ?? 'max') as 'max' | 'percentile' | 'mse' | 'auto';
  if (args.includes('--budget')) {
    const { BROWN_LLAMA, brownTokens, evenWindows } = await import('./train.ts');
    const { llamaWeightShapes } = await import('./config.ts');
    const init = loadOnnx(new Uint8Array(readFileSync(onnxFile))).initializers;
    const w: LlamaWeights = new Map([...llamaWeightShapes(BROWN_LLAMA).keys()].map((n) => [n, init.get(n)!.data]));
    const { train, heldOut } = await brownTokens();
    const budget = int8Budget(BROWN_LLAMA, w, evenWindows(train, CALIBRATION_WINDOWS, SAMPLES_SEQ), evenWindows(heldOut, Number(opt('windows') ?? 256), SAMPLES_SEQ));
    console.log(JSON.stringify(budget, null, 1));
    return;
  }
  if (args.includes('--write-samples')) {
    writeFileSync(samplesFile, samplesJson(await buildSamples()));
    console.error(`wrote ${samplesFile}`);
  }
  const samples = JSON.parse(readFileSync(samplesFile, 'utf8')) as BrownSamples;
  const cliDir = opt('cli-files');
  if (cliDir) {
    // The same samples in the CLI's --calibration / --dataset format (docs/INPUTS.md).
    const feeds = (rows: number[][]) => JSON.stringify(rows.map((r) => ({ tokens: { dims: [1, samples.seq], data: r.slice(0, samples.seq), dtype: 'int64' } })));
    writeFileSync(`${cliDir}/brown-llama.calibration.json`, feeds(samples.calibration));
    writeFileSync(`${cliDir}/brown-llama.heldout.json`, feeds(samples.heldOut));
    console.error(`wrote ${cliDir}/brown-llama.calibration.json and brown-llama.heldout.json`);
  }
  const windows = Number(opt('windows') ?? 256);
  const measured = windows === samples.heldOut.length ? samples : await buildSamples(windows);
  const bytes = new Uint8Array(readFileSync(onnxFile));
  const floatGraph = loadOnnx(bytes);
  const vocab = floatGraph.values.get('logits')!.dims.at(-1)!;
  let t = performance.now();
  const int = quantize(floatGraph, calibrationFeeds(samples), { calibration: method });
  const quantizeSecs = (performance.now() - t) / 1000;
  const ort = await ortRunner(bytes, samples.seq);
  t = performance.now();
  try {
    const r = await brownFidelity(intRunner(int), ort.run, { seq: samples.seq, heldOut: measured.heldOut, prompts: samples.prompts }, vocab);
    const { continuations, ...summary } = r;
    console.log(JSON.stringify({ onnx: onnxFile, method, quantizeSecs, measureSecs: (performance.now() - t) / 1000, ...summary }, null, 1));
    continuations!.forEach((c, i) => {
      console.log(`prompt ${JSON.stringify(decodeText(samples.prompts[i]))}: float ${JSON.stringify(decodeText(c.float))}`);
      console.log(`${' '.repeat(10 + PROMPT_LENGTH)}   int ${JSON.stringify(decodeText(c.int))}`);
    });
  } finally {
    await ort.release();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
