// Builders the structure expanders share: canonical nodes (Gather with constant int64 indices, Reshape with a
// constant shape, Concat, Transpose, MatMul, ...) and readers for constant integer/float operands.

import { formatDims, isFloatTensor, isIntTensor, MAX_ELEMENTS, type FloatTensor } from '../../graph.ts';
import { saturateInt32 } from '../tensors.ts';
import type { RawNode, RewriteContext } from './types.ts';

/** A constant int64 operand's values, undefined when absent; refused by name when it is run-time data. */
export function constInts(ctx: RewriteContext, i: number, role: string): number[] | undefined {
  const name = ctx.inputs[i];
  if (name === undefined || name === '') return undefined;
  const t = ctx.constant(name);
  if (!t) {
    ctx.unsupported(`input ${i} (${role}) "${name}" is run-time data; opml needs it constant`, 'export with constant shapes/axes or constant-fold the model');
  }
  if (!isIntTensor(t)) ctx.fail(`input ${i} (${role}) "${name}" is float32, expected int64`, 'the file is corrupt');
  return Array.from(t.data, saturateInt32);
}

/** constInts for an operand the spec makes 1-D (onnxruntime rejects any other rank): refused by name otherwise. */
export function constVector(ctx: RewriteContext, i: number, role: string): number[] | undefined {
  const values = constInts(ctx, i, role);
  const dims = values && ctx.constant(ctx.inputs[i])!.dims;
  if (dims && dims.length !== 1) ctx.fail(`input ${i} (${role}) "${ctx.inputs[i]}" has dims ${formatDims(dims)}, expected a 1-D list`, `make ${role} a 1-D tensor`);
  return values;
}

/** A constant float32 operand, undefined when absent; refused by name when it is run-time data. */
export function constFloats(ctx: RewriteContext, i: number, role: string): FloatTensor | undefined {
  const name = ctx.inputs[i];
  if (name === undefined || name === '') return undefined;
  const t = ctx.constant(name);
  if (!t) ctx.unsupported(`input ${i} (${role}) "${name}" is run-time data; opml needs it constant`, 'make it an initializer');
  if (!isFloatTensor(t)) ctx.fail(`input ${i} (${role}) "${name}" is int64, expected float32`, 'the file is corrupt');
  return t;
}

/** The run-time (or constant) float data input 0 and its dims. */
export function dataDims(ctx: RewriteContext, i = 0, role = 'data'): number[] {
  const name = ctx.inputs[i];
  if (name === undefined || name === '') ctx.fail(`input ${i} (${role}) is missing`, 'the file is corrupt');
  const info = ctx.info(name);
  if (info.dtype !== 'float32') {
    ctx.unsupported(`input ${i} (${role}) "${name}" is ${info.dtype}, only float32 data is supported here`, 'cast it to float32 in the model');
  }
  return [...info.dims];
}

/** Emits canonical nodes with fresh names derived from the rewritten node's name. */
export class Emitter {
  readonly nodes: RawNode[] = [];
  constructor(readonly ctx: RewriteContext) {}

  /** A fresh value name, or `out` when given (a final output). */
  private value(hint: string, out?: string): string {
    return out ?? this.ctx.fresh(`${this.ctx.name}/${hint}`);
  }

  private push(op: string, inputs: string[], hint: string, out: string | undefined, attrs?: RawNode['attrs']): string {
    const y = this.value(hint, out);
    this.nodes.push({ op, name: this.ctx.fresh(`${this.ctx.name}/${hint}`), inputs, outputs: [y], attrs });
    return y;
  }

  ints(hint: string, values: number[], dims = [values.length]): string {
    return this.ctx.addConstant(`${this.ctx.name}/${hint}`, { dims, data: Int32Array.from(values) });
  }

  floats(hint: string, dims: number[], data: Float32Array): string {
    return this.ctx.addConstant(`${this.ctx.name}/${hint}`, { dims, data });
  }

  gather(x: string, axis: number, indices: number[], hint = 'gather', out?: string, scalar = false): string {
    const idx = this.ints(`${hint}_idx`, indices, scalar ? [] : [indices.length]);
    return this.push('Gather', [x, idx], hint, out, { axis: { int: axis } });
  }

  reshape(x: string, dims: number[], hint = 'reshape', out?: string): string {
    return this.push('Reshape', [x, this.ints(`${hint}_shape`, dims)], hint, out);
  }

  concat(xs: string[], axis: number, hint = 'concat', out?: string): string {
    return this.push('Concat', xs, hint, out, { axis: { int: axis } });
  }

  transpose(x: string, perm: number[], hint = 'transpose', out?: string): string {
    return this.push('Transpose', [x], hint, out, { perm: { ints: perm } });
  }

  op(op: string, inputs: string[], hint: string, out?: string, attrs?: RawNode['attrs']): string {
    return this.push(op, inputs, hint, out, attrs);
  }
}

/**
 * Refuses (naming the dims) a tensor opml cannot hold: a dim that is not a safe integer ≥ 1, or more than
 * 2^28 elements. Call it before building index lists or constants sized from `dims`.
 */
export function checkSize(ctx: RewriteContext, dims: readonly number[], what = 'the output'): void {
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    ctx.fail(`${what} ${formatDims(dims)} has a dim that is not a positive integer`, 'fix the sizes (opml does not run empty tensors)');
  }
  if (dims.reduce((p, d) => p * d, 1) > MAX_ELEMENTS) {
    ctx.fail(`${what} ${formatDims(dims)} has more than 2^28 elements`, 'opml tensors hold at most 2^28 elements; fix the sizes');
  }
}

/** [start, start + count) with step 1. */
export function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

export function isIdentity(indices: readonly number[], len: number): boolean {
  return indices.length === len && indices.every((v, i) => v === i);
}
