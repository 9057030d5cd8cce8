/**
 * Float graph → integer graph: calibrate activation ranges on sample inputs, then map each float node to
 * integer nodes (models/quantize/ops). Float graph inputs become int8 inputs at their calibrated scale;
 * integer inputs (token ids) stay as they are.
 */
import type { Feeds } from '../float/evaluate.ts';
import { ModelError, nodeSubject, printable } from '../errors.ts';
import type { FloatGraph, GraphNode } from '../graph.ts';
import type { IntGraph } from '../int/graph.ts';
import type { OpType } from '../ops.ts';
import { IntGraphBuilder } from './builder.ts';
import { correctBiases } from './biasCorrection.ts';
import { calibrateRanges, type CalibrationMethod } from './calibrate.ts';
import { QuantContext } from './context.ts';
import { QUANTIZERS, type OpQuantizer } from './ops/index.ts';

/**
 * Refuse a weight that is not a finite number (NaN, ±Inf): it has no int8 value, and quantizing it would
 * silently give a whole channel a scale of NaN or Infinity. The message names the initializer and its node.
 */
export function checkFiniteWeights(graph: FloatGraph): void {
  for (const [name, t] of graph.initializers) {
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i < 0) continue;
    const reader = graph.nodes.find((n) => n.inputs.includes(name));
    const subject = `initializer "${printable(name)}"${reader ? ` (read by ${nodeSubject(reader.name, reader.op)})` : ''}`;
    throw new ModelError(subject, `element ${i} of ${t.data.length} is ${t.data[i]}, not a finite number`, 'fix the weights (a diverged training run or a damaged file?) and export again');
  }
}

export interface QuantizeOptions {
  /** How activation ranges are chosen (models/quantize/calibrate.ts; default 'max'). */
  calibration?: CalibrationMethod;
  /** Subtract the mean output shift of int8 weight rounding from conv biases (models/quantize/biasCorrection.ts). */
  biasCorrection?: boolean;
  /**
   * Pairs of values quantized at one scale (each gets the larger of the two ranges): a decode step's cache input
   * and its update, so one step's words feed the next unchanged (models/generate/).
   */
  tiedRanges?: readonly (readonly [string, string])[];
}

export function quantize(original: FloatGraph, samples: readonly Feeds[], options: QuantizeOptions = {}): IntGraph {
  checkFiniteWeights(original);
  const graph = options.biasCorrection ? correctBiases(original, samples) : original;
  const { ranges, clips } = calibrateRanges(graph, samples, { method: options.calibration });
  for (const [a, c] of options.tiedRanges ?? []) {
    const range = Math.max(clips.get(a) ?? ranges.get(a) ?? 0, clips.get(c) ?? ranges.get(c) ?? 0);
    for (const name of [a, c]) {
      ranges.set(name, Math.max(ranges.get(name) ?? 0, range));
      if (clips.has(name) || clips.has(a === name ? c : a)) clips.set(name, range);
    }
  }
  const b = new IntGraphBuilder();
  const ctx: QuantContext = new QuantContext(graph, ranges, b, clips);
  for (const input of graph.inputs) {
    const scale = input.dtype === 'float32' ? ctx.scaleOf(input.name) : 1;
    ctx.values.set(input.name, { id: b.tensor(input.name, input.dims, 'input', scale, input.dtype !== 'float32'), scale });
  }
  for (const node of graph.nodes) {
    if (ctx.fused.has(node)) continue;
    const q = QUANTIZERS[node.op] as OpQuantizer<OpType> | undefined;
    if (!q) ctx.unsupported(node, 'has no integer implementation yet', 'see docs/MODELS.md for the supported ops');
    q(ctx, node as GraphNode & { op: OpType });
  }
  return b.build(graph.outputs.map((name) => ctx.value(name).id));
}

/** Float input → int words at the input tensor's scale (nearest, exact .5 ties toward +∞ as Math.round and rshr do; clamp to int8). */
export function quantizeInput(data: Float32Array | Int32Array, scale: number, integer: boolean): Int32Array {
  if (integer) return Int32Array.from(data);
  return Int32Array.from(data, (v) => Math.max(-128, Math.min(127, Math.round(v / scale))));
}

/** Int output words → real values. */
export function dequantize(words: Int32Array, scale: number): Float32Array {
  return Float32Array.from(words, (w) => w * scale);
}
