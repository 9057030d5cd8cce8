// Range selection beyond max |value| (models/quantize/calibrate.ts) on constructed distributions.
import { describe, expect, it } from 'vitest';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { calibrate, calibrateRanges, chooseRange, CLIP_GAIN, histogramOf, OUTPUT_HEADROOM, percentileOf, quantizationMse } from '../../models/quantize/calibrate.ts';
import { quantize, quantizeInput } from '../../models/quantize/quantize.ts';
import { Prng } from '../../models/zoo/prng.ts';

/** The true mean squared int8 quantization error of `data` at `range` (what quantizationMse estimates). */
function trueMse(data: Float32Array, range: number): number {
  const s = range / 127;
  let e = 0;
  for (const v of data) e += (v - Math.max(-128, Math.min(127, Math.round(v / s))) * s) ** 2;
  return e / data.length;
}

const rng = new Prng(11);
/** 100k standard normal values and one outlier at 50 (an activation with a rare spike). */
const gaussianWithOutlier = (): Float32Array => {
  const d = rng.normals(100_000, 1);
  d[5] = 50;
  return d;
};
/** Student-t with 3 degrees of freedom: a heavy tail. */
const studentT3 = (): Float32Array =>
  Float32Array.from({ length: 100_000 }, () => {
    const z = rng.normal();
    let c = 0;
    for (let i = 0; i < 3; i++) c += rng.normal() ** 2;
    return z / Math.sqrt(c / 3);
  });

describe('calibration range selection', () => {
  it('estimates the quantization error of a histogram within 5% of the exact error', () => {
    for (const d of [gaussianWithOutlier(), studentT3(), rng.uniforms(50_000, -3, 3)]) {
      const h = histogramOf(d);
      for (const f of [1, 0.7, 0.25, 0.1]) expect(Math.abs(quantizationMse(h, h.max * f) / trueMse(d, h.max * f) - 1)).toBeLessThan(0.05);
    }
  });

  it('clips an outlier-heavy tensor: the chosen range is well below the max and its real error is lower', () => {
    for (const d of [gaussianWithOutlier(), studentT3()]) {
      const h = histogramOf(d);
      for (const method of ['mse', 'auto'] as const) {
        const c = chooseRange(h, method);
        expect(c.candidate).not.toBe('max');
        expect(c.range).toBeLessThan(h.max * 0.8);
        expect(trueMse(d, c.range)).toBeLessThan(trueMse(d, h.max) * 0.75);
      }
    }
    // The single outlier: the 99.99th percentile clips it hard (about 3.9) and is worse than the max, so
    // 'auto' does not take it although it is a candidate.
    const h = histogramOf(gaussianWithOutlier());
    const p = chooseRange(h, 'percentile');
    expect(p.candidate).toBe('p99.99');
    expect(p.range).toBeCloseTo(percentileOf(h, 0.9999), 9);
    expect(p.range).toBeGreaterThan(3.5);
    expect(p.range).toBeLessThan(4.5);
    expect(p.mse).toBeGreaterThan(p.maxMse);
    const auto = chooseRange(h, 'auto');
    expect(auto.candidate).toBe('mse');
    expect(auto.range).toBeGreaterThan(25);
    expect(auto.range).toBeLessThan(40);
  });

  it('keeps the max for a uniform tensor (clipping gains less than the required margin)', () => {
    const d = rng.uniforms(100_000, -1, 1);
    const h = histogramOf(d);
    for (const method of ['mse', 'auto', 'max'] as const) {
      const c = chooseRange(h, method);
      expect(c.candidate).toBe('max');
      expect(c.range).toBe(h.max);
    }
    // and that margin is what keeps it: the grid optimum is within a few percent of the max's error
    expect(quantizationMse(h, h.max * 0.99)).toBeGreaterThan(CLIP_GAIN * quantizationMse(h, h.max));
  });

  it('keeps the max on ties: values already on the grid, a constant tensor, all zeros', () => {
    const twoValued = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 1 : -1));
    for (const d of [twoValued, new Float32Array(500).fill(3), new Float32Array(100)]) {
      const h = histogramOf(d);
      for (const method of ['mse', 'auto', 'percentile'] as const) {
        const c = chooseRange(h, method);
        expect(c.candidate).toBe('max');
        expect(c.range).toBe(h.max);
      }
    }
  });

  it('keeps a ReLU-like tensor saturating at its max (many exact zeros, a spike at 6)', () => {
    const d = Float32Array.from(rng.normals(50_000, 3), (v) => Math.min(6, Math.max(0, v)));
    const c = chooseRange(histogramOf(d), 'auto');
    expect(c.candidate).toBe('max');
  });
});

describe('calibrateRanges and quantize with a chosen range', () => {
  // x [1, 1024] (a normal activation with one rare spike) → Gemm 1024→4 → y
  const w = new Prng(5).normals(4 * 1024, 0.05);
  const graph = loadOnnx(
    writeOnnx({
      inputs: [{ name: 'x', dims: [1, 1024] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['y'], attrs: { transB: { int: 1 } } }],
      initializers: [{ name: 'w', dims: [4, 1024], data: w }],
    }),
  );
  const rng2 = new Prng(6);
  const samples = Array.from({ length: 64 }, (_, i) => {
    const data = rng2.normals(1024, 1);
    if (i === 3) data[17] = 60;
    return { x: { dims: [1, 1024], data } };
  });

  it("'max' chooses nothing; 'auto' clips the spiky input and widens the output by OUTPUT_HEADROOM", () => {
    expect(calibrateRanges(graph, samples).clips.size).toBe(0);
    const { ranges, clips, choices } = calibrateRanges(graph, samples, { method: 'auto' });
    expect(ranges.get('x')).toBeCloseTo(60, 5);
    expect(clips.get('x')).toBeLessThan(50);
    expect(choices.get('x')!.mse).toBeLessThan(CLIP_GAIN * choices.get('x')!.maxMse);
    expect(clips.get('y')).toBeCloseTo(OUTPUT_HEADROOM * ranges.get('y')!, 9);
  });

  it('the quantized graph takes the chosen scales; a clipped value saturates at 127 words', () => {
    const { clips } = calibrateRanges(graph, samples, { method: 'auto' });
    const int = quantize(graph, samples, { calibration: 'auto' });
    const xScale = int.tensors[int.inputs[0]].scale;
    expect(xScale).toBeCloseTo(clips.get('x')! / 127, 12);
    expect(int.tensors[int.outputs[0]].scale).toBeCloseTo(clips.get('y')! / 127, 12);
    expect(quantizeInput(Float32Array.of(60, -60, 1), xScale, false)).toEqual(Int32Array.of(127, -128, Math.round(1 / xScale)));
    // the default is unchanged: max ranges
    expect(quantize(graph, samples).tensors[0].scale).toBeCloseTo(calibrate(graph, samples).get('x')! / 127, 12);
  });
});
