/**
 * Calibration: run the float reference over sample inputs and record each value's largest magnitude, from
 * which activation scales are chosen (symmetric int8: scale = maxAbs / 127).
 */
import type { Feeds } from '../float/evaluate.ts';
import { evaluate } from '../float/evaluate.ts';
import type { FloatGraph } from '../graph.ts';

export type Ranges = Map<string, number>;

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

/** Symmetric int8 scale for a calibrated magnitude (never 0). */
export function int8Scale(maxAbs: number): number {
  return Math.max(maxAbs, 1e-6) / 127;
}
