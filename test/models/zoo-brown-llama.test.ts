/**
 * brown-llama: the zoo's trained LLaMA (scripts/zoo/llama/train.ts: a character-level model of the Brown
 * corpus; RMSNorm, RoPE, grouped-query causal attention, SwiGLU), exported by scripts/zoo/llama/onnx.ts as a
 * prefill graph, `tokens` int64 [1, 32] → `logits` [1, 32, 96].
 *
 * The samples are token ids committed in models/zoo/brown-llama.samples.json (the corpus package is not needed
 * here): calibration windows from training files, held-out windows and prompts from held-out files. Both sides
 * are exact functions of the committed files, so the numbers below are deterministic; MEASURED is what they
 * were when the model was built (scripts/zoo/llama/fidelity.ts), the bounds leave a margin for quantizer changes
 * that cost nothing real.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadOnnx } from '../../models/onnx/load.ts';
import { prepareModel } from '../../models/prepare.ts';
import type { CalibrationMethod } from '../../models/quantize/calibrate.ts';
import { repoPath } from '../../models/repoRoot.ts';
import { llamaWeightShapes, type LlamaWeights } from '../../scripts/zoo/llama/config.ts';
import { brownFidelity, calibrationFeeds, intRunner, ortRunner, type BrownSamples } from '../../scripts/zoo/llama/fidelity.ts';
import { llamaForward } from '../../scripts/zoo/llama/forward.ts';
import { BROWN_LLAMA } from '../../scripts/zoo/llama/train.ts';
import { EXPORT_SEQ } from '../../scripts/zoo/llama/train-export.ts';

const file = repoPath('models', 'zoo', 'brown-llama.onnx');
const bytes = () => new Uint8Array(readFileSync(file));
const samples = JSON.parse(readFileSync(repoPath('models', 'zoo', 'brown-llama.samples.json'), 'utf8')) as BrownSamples;

/** Calibration method of the measurement (`opml quantize --calibration-method`). */
const METHOD: CalibrationMethod = 'max';
/**
 * Measured on the committed samples (48 held-out windows of 32 positions, 8 prompts × 32 greedy steps): top-1
 * agreement 1465/1536 = 95.38 %, float next-character accuracy 48.37 % (integer 48.24 %), identical greedy
 * continuations 32, 15, 8, 13, 15, 11, 32, 32 characters (mean 19.75). On 256 held-out windows (8,192 positions)
 * the agreement is 95.20 % (max calibration), 95.35 % (percentile), 95.36 % (mse, auto).
 */
const MEASURED = { top1Agreement: 1465 / 1536, floatAccuracy: 0.4837, greedyIdenticalMean: 19.75 };

describe('brown-llama', () => {
  it('is the prefill graph of the brown-llama config, under 2 MB, and its samples fit it', () => {
    expect(bytes().length).toBeLessThan(2 * 1024 * 1024);
    const graph = loadOnnx(bytes());
    expect(graph.inputs).toEqual([{ name: 'tokens', dims: [1, EXPORT_SEQ], dtype: 'int64' }]);
    expect(graph.outputs).toEqual(['logits']);
    expect(graph.values.get('logits')?.dims).toEqual([1, EXPORT_SEQ, BROWN_LLAMA.vocab]);
    for (const [name, dims] of llamaWeightShapes(BROWN_LLAMA)) expect(graph.initializers.get(name)?.dims, name).toEqual(dims);
    expect(BROWN_LLAMA.heads).toBeGreaterThan(BROWN_LLAMA.kvHeads); // grouped-query attention
    expect(samples.seq).toBe(EXPORT_SEQ);
    const all = [...samples.calibration, ...samples.heldOut, ...samples.prompts].flat();
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all)).toBeLessThan(BROWN_LLAMA.vocab);
  });

  it('onnxruntime on the file computes llamaForward of its weights (same top-1 everywhere)', async () => {
    const graph = loadOnnx(bytes());
    const w: LlamaWeights = new Map([...llamaWeightShapes(BROWN_LLAMA).keys()].map((n) => [n, graph.initializers.get(n)!.data]));
    const ort = await ortRunner(bytes(), EXPORT_SEQ);
    const V = BROWN_LLAMA.vocab;
    try {
      for (const win of samples.heldOut.slice(0, 6)) {
        const tokens = Int32Array.from(win.slice(0, EXPORT_SEQ));
        const f = await ort.run(tokens);
        const ref = llamaForward(BROWN_LLAMA, w, tokens);
        for (let p = 0; p < EXPORT_SEQ; p++) {
          let top = 0;
          for (let i = 0; i < V; i++) {
            expect(Math.abs(f[p * V + i] - ref[p][i])).toBeLessThan(1e-4);
            if (ref[p][i] > ref[p][top]) top = i;
          }
          expect(f.subarray(p * V, (p + 1) * V).indexOf(Math.max(...f.subarray(p * V, (p + 1) * V)))).toBe(top);
        }
      }
    } finally {
      await ort.release();
    }
  });

  it('integer vs onnxruntime on held-out text: top-1 agreement and greedy continuations within bounds', async () => {
    // The CLI's path: `opml quantize models/zoo/brown-llama.onnx --calibration <the samples' training windows>`.
    const { int } = prepareModel(file, calibrationFeeds(samples), { quantize: { calibration: METHOD } });
    const ort = await ortRunner(bytes(), EXPORT_SEQ);
    try {
      const r = await brownFidelity(intRunner(int), ort.run, samples, BROWN_LLAMA.vocab);
      const greedyMean = r.greedyIdentical.reduce((s, n) => s + n, 0) / r.greedyIdentical.length;
      const summary = `agreement ${r.top1Agreement} over ${r.positions}, float accuracy ${r.floatAccuracy}, integer ${r.intAccuracy}, greedy identical ${r.greedyIdentical}`;
      expect(r.positions).toBe(samples.heldOut.length * EXPORT_SEQ);
      expect(r.top1Agreement, summary).toBeGreaterThanOrEqual(MEASURED.top1Agreement - 0.02);
      expect(r.floatAccuracy, summary).toBeGreaterThanOrEqual(MEASURED.floatAccuracy - 0.01);
      expect(r.floatAccuracy - r.intAccuracy, summary).toBeLessThanOrEqual(0.02);
      // Greedy decoding is chaotic (one flipped character changes the rest): a loose bound.
      expect(greedyMean, summary).toBeGreaterThanOrEqual(MEASURED.greedyIdenticalMean - 8);
    } finally {
      await ort.release();
    }
  }, 180_000);
});
