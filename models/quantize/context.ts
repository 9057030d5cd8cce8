/**
 * What an op quantizer sees: the float node, calibrated ranges, the integer tensors already produced for
 * each float value, and the builder to emit integer nodes with.
 */
import { nodeSubject, UnsupportedOpError } from '../errors.ts';
import type { FloatGraph, FloatTensor, GraphNode } from '../graph.ts';
import type { IntGraphBuilder } from './builder.ts';
import { int8Scale, type Ranges } from './calibrate.ts';

export interface IntValue {
  id: number;
  scale: number;
}

export class QuantContext {
  /** float value name → the integer tensor that carries it */
  readonly values = new Map<string, IntValue>();
  /** nodes folded into an earlier one (their outputs are already mapped) */
  readonly fused = new Set<GraphNode>();

  constructor(
    readonly graph: FloatGraph,
    readonly ranges: Ranges,
    readonly b: IntGraphBuilder,
    /** int8 ranges chosen other than the max for some activations (calibrateRanges); the rest use `ranges` */
    readonly clips: ReadonlyMap<string, number> = new Map(),
  ) {}

  /** The integer tensor of a float activation (or graph input). */
  value(name: string): IntValue {
    const v = this.values.get(name);
    if (!v) throw new Error(`internal: value "${name}" has no integer tensor yet`);
    return v;
  }

  /** A float constant (initializer), or undefined when `name` is computed at run time. */
  constant(name: string): FloatTensor | undefined {
    return this.graph.initializers.get(name);
  }

  /**
   * Calibrated scale of a float value for `bits`-bit symmetric words: int8 by default; 16 for intermediates
   * that feed only elementwise or normalization kernels where int8 would lose the signal (never for inputs of
   * matmul, conv or lookup-table kernels, which assume int8). An int8 scale uses the range calibration
   * chose where it chose one (clipped: producers saturate beyond it); 16-bit scales always cover the max.
   */
  scaleOf(name: string, bits: 8 | 16 = 8): number {
    const r = this.ranges.get(name);
    if (r === undefined) throw new Error(`internal: value "${name}" was not calibrated`);
    return bits === 8 ? int8Scale(this.clips.get(name) ?? r) : Math.max(r, 1e-6) / 32767;
  }

  /** Nodes that read `value`. */
  consumers(value: string): GraphNode[] {
    return this.graph.nodes.filter((n) => n.inputs.includes(value));
  }

  /** The single consumer of `value` if there is exactly one and `value` is not a graph output. */
  soleConsumer(value: string): GraphNode | undefined {
    if (this.graph.outputs.includes(value)) return undefined;
    const c = this.consumers(value);
    return c.length === 1 ? c[0] : undefined;
  }

  unsupported(node: GraphNode, why: string, fix?: string): never {
    throw new UnsupportedOpError(nodeSubject(node.name, node.op), why, fix);
  }
}
