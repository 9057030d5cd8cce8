/**
 * Calibration: run the float reference over sample inputs and record each value's largest magnitude (`Ranges`),
 * from which activation scales are chosen (symmetric int8: scale = range / 127).
 *
 * `calibrateRanges` can also choose, per tensor, a clipping range below the largest magnitude (values beyond it
 * saturate at ±127 words): a second pass builds a histogram of |value| per tensor, and each candidate range
 * (the max; the 99.9/99.99/99.999th percentiles of |value|; a grid of clipping thresholds searched for the least
 * error) is scored by the expected squared error of int8 quantization at that range over the histogram. Method
 * 'auto' takes the candidate with the least error, 'mse' the best of the grid, but either keeps the max unless
 * the clipped range's error is at most CLIP_GAIN (90%) of the max's; 'percentile' takes the 99.99th percentile,
 * 'max' the max. Graph outputs are never clipped: they get OUTPUT_HEADROOM (1.5) × their max. Only scales change: the integer kernels are the same.
 */
import type { Feeds } from '../float/evaluate.ts';
import { evaluate } from '../float/evaluate.ts';
import type { FloatGraph } from '../graph.ts';

/** Largest |value| of every value of the graph over the calibration samples. */
export type Ranges = Map<string, number>;

export const CALIBRATION_METHODS = ['max', 'percentile', 'mse', 'auto'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

export interface CalibrationOptions {
  /** How each activation's int8 range is chosen (default 'max'). */
  method?: CalibrationMethod;
  /** Histogram bins over [0, max |value|] (default 8192). */
  bins?: number;
}

/** The range chosen for one tensor, which candidate it was, and its expected squared error per element. */
export interface RangeChoice {
  range: number;
  candidate: string;
  mse: number;
  /** the same for the plain max (for reports) */
  maxMse: number;
}

export interface Calibration {
  /** max |value| per value (what `calibrate` returns) */
  ranges: Ranges;
  /** int8 range per float activation where it differs from the max (clipped; graph outputs: widened) */
  clips: Map<string, number>;
  /** per float activation: the choice and its error (only when method ≠ 'max') */
  choices: Map<string, RangeChoice>;
}

export function calibrate(graph: FloatGraph, samples: readonly Feeds[]): Ranges {
  if (samples.length === 0) throw new Error('calibration needs at least one sample input');
  const ranges: Ranges = new Map();
  for (const feeds of samples) {
    const { values } = evaluate(graph, feeds);
    for (const [name, t] of values) {
      let m = ranges.get(name) ?? 0;
      for (let i = 0; i < t.data.length; i++) {
        const a = Math.abs(t.data[i]);
        if (a > m) m = a;
      }
      ranges.set(name, m);
    }
  }
  return ranges;
}

/** A histogram of |value| over [0, max]: exact zeros apart, then `bins` equal bins with count, Σv and Σv². */
export interface Histogram {
  max: number;
  zeros: number;
  count: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}

export function emptyHistogram(max: number, bins = 8192): Histogram {
  return { max, zeros: 0, count: new Float64Array(bins), sum: new Float64Array(bins), sumSq: new Float64Array(bins) };
}

export function addToHistogram(h: Histogram, data: ArrayLike<number>): void {
  const bins = h.count.length;
  const k = h.max > 0 ? bins / h.max : 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (a === 0) {
      h.zeros++;
      continue;
    }
    const b = Math.min(bins - 1, Math.floor(a * k));
    h.count[b]++;
    h.sum[b] += a;
    h.sumSq[b] += a * a;
  }
}

export function histogramOf(data: ArrayLike<number>, bins = 8192): Histogram {
  let max = 0;
  for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(data[i]));
  const h = emptyHistogram(max, bins);
  addToHistogram(h, data);
  return h;
}

const INT8_MAX = 127;

/**
 * Expected squared error per element of symmetric int8 quantization with range T (step s = T/127) over the
 * histogram: values beyond T saturate (error (|v| − T)², exact per bin from Σv, Σv²); values inside round to the
 * nearest step (per bin at the step nearest its mean, exact when the bin lies within one rounding interval;
 * a bin wider than s/4 counts s²/12 per value). Exact zeros cost nothing.
 */
export function quantizationMse(h: Histogram, range: number): number {
  const bins = h.count.length;
  const w = h.max / bins;
  const s = range / INT8_MAX;
  let err = 0;
  let n = h.zeros;
  for (let b = 0; b < bins; b++) {
    const c = h.count[b];
    if (c === 0) continue;
    n += c;
    const mean = h.sum[b] / c;
    if (mean >= range) {
      err += h.sumSq[b] - 2 * range * h.sum[b] + c * range * range;
    } else if (w > s / 4) {
      err += (c * s * s) / 12;
    } else {
      const q = Math.min(INT8_MAX, Math.round(mean / s)) * s;
      err += Math.max(0, h.sumSq[b] - 2 * q * h.sum[b] + c * q * q);
    }
  }
  return n > 0 ? err / n : 0;
}

/** The smallest |value| with at least fraction `p` of all elements (zeros included) at or below it. */
export function percentileOf(h: Histogram, p: number): number {
  const bins = h.count.length;
  let total = h.zeros;
  for (let b = 0; b < bins; b++) total += h.count[b];
  const target = p * total;
  let acc = h.zeros;
  if (acc >= target) return 0;
  for (let b = 0; b < bins; b++) {
    acc += h.count[b];
    if (acc >= target) return Math.min(h.max, ((b + 1) * h.max) / bins);
  }
  return h.max;
}

export const PERCENTILES = [99.999, 99.99, 99.9] as const;
/** Grid thresholds max·k/GRID for k = GRID/32 … GRID − 1 (searched coarse to fine). */
const GRID = 512;
/** A clipped range replaces the max only when its expected error is at most this fraction of the max's. */
export const CLIP_GAIN = 0.9;
/** Graph outputs' int8 range is this multiple of their calibrated max (methods other than 'max'). */
export const OUTPUT_HEADROOM = 1.5;

/** Choose a tensor's int8 range from its |value| histogram (see the file comment). */
export function chooseRange(h: Histogram, method: CalibrationMethod): RangeChoice {
  const maxMse = quantizationMse(h, h.max);
  const keep = { range: h.max, candidate: 'max', mse: maxMse, maxMse };
  if (method === 'max' || h.max === 0) return keep;
  if (method === 'percentile') {
    const range = percentileOf(h, 0.9999);
    return range > 0 && range < h.max ? { range, candidate: 'p99.99', mse: quantizationMse(h, range), maxMse } : keep;
  }
  let best = { range: h.max, candidate: 'max', mse: Infinity, maxMse };
  const consider = (range: number, candidate: string) => {
    if (!(range > 0) || range >= h.max) return;
    const mse = quantizationMse(h, range);
    // Strictly better only: on ties the earlier (larger) range stays.
    if (mse < best.mse * (1 - 1e-9)) best = { range, candidate, mse, maxMse };
  };
  if (method === 'auto') for (const p of PERCENTILES) consider(percentileOf(h, p / 100), `p${p}`);
  // Coarse to fine: every 8th grid point, then every point within 8 of the best so far.
  for (let k = GRID - 1; k >= GRID / 32; k -= 8) consider((h.max * k) / GRID, 'mse');
  const centre = Math.round((best.range / h.max) * GRID);
  for (let k = Math.min(GRID - 1, centre + 7); k >= Math.max(GRID / 32, centre - 7); k--) consider((h.max * k) / GRID, 'mse');
  // Clip only where it clearly pays: values beyond the calibrated max are not saturated for a sliver of error
  // (a uniform tensor's optimum sits a hair below its max, ~1% better).
  return best.mse <= CLIP_GAIN * maxMse ? best : keep;
}

/**
 * Max ranges (as `calibrate`) and, for method ≠ 'max', a chosen int8 range per float activation (graph inputs
 * included; graph outputs get OUTPUT_HEADROOM × their max): a second pass over the samples fills the histograms.
 */
export function calibrateRanges(graph: FloatGraph, samples: readonly Feeds[], options: CalibrationOptions = {}): Calibration {
  const method = options.method ?? 'max';
  const ranges = calibrate(graph, samples);
  const clips = new Map<string, number>();
  const choices = new Map<string, RangeChoice>();
  if (method === 'max') return { ranges, clips, choices };
  const hists = new Map<string, Histogram>();
  for (const feeds of samples) {
    const { values } = evaluate(graph, feeds);
    for (const [name, t] of values) {
      if (!(t.data instanceof Float32Array) || graph.initializers.has(name)) continue;
      let h = hists.get(name);
      if (!h) hists.set(name, (h = emptyHistogram(ranges.get(name) ?? 0, options.bins)));
      addToHistogram(h, t.data);
    }
  }
  for (const [name, h] of hists) {
    // Graph outputs are never clipped (they are what people read, and a clipped logit could tie at +127); they
    // get headroom instead: 64 calibration samples rarely show the extremes (a digit's most negative logit).
    if (graph.outputs.includes(name)) {
      const range = h.max * OUTPUT_HEADROOM;
      choices.set(name, { range, candidate: `max×${OUTPUT_HEADROOM}`, mse: quantizationMse(h, range), maxMse: quantizationMse(h, h.max) });
      if (range > 0) clips.set(name, range);
      continue;
    }
    const choice = chooseRange(h, method);
    choices.set(name, choice);
    if (choice.range < h.max) clips.set(name, choice.range);
  }
  return { ranges, clips, choices };
}

/** Symmetric int8 scale for a calibrated magnitude (never 0). */
export function int8Scale(maxAbs: number): number {
  return Math.max(maxAbs, 1e-6) / 127;
}
