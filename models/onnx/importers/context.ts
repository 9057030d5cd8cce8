// What an op importer sees of one ONNX node, and what it returns: normalized attributes, the inputs that
// stay run-time/initializer operands, and the shape of each output (shape inference).

import { ShapeError, UnsupportedOpError, nodeSubject } from '../../errors.ts';
import { formatDims, type DType, type FloatTensor, type IntTensor, type ValueInfo } from '../../graph.ts';
import type { NodeAttrs, OpType } from '../../ops.ts';
import type { AttrReader } from '../attributes.ts';

export interface OutputSpec {
  dims: number[];
  dtype: DType;
}

export interface Imported<K extends OpType> {
  attrs: NodeAttrs[K];
  /** Inputs kept as operands; defaults to every present input. */
  inputs?: string[];
  outputs: OutputSpec[];
}

export type Importer<K extends OpType> = (ctx: ImportContext) => Imported<K>;

export class ImportContext {
  readonly subject: string;
  /** Present inputs; trailing absent ('') inputs are dropped, inner ones stay ''. */
  readonly inputNames: string[];

  constructor(
    readonly name: string,
    readonly op: string,
    readonly opset: number,
    inputNames: readonly string[],
    readonly attrs: AttrReader,
    private readonly values: Map<string, ValueInfo>,
    private readonly intConstants: Map<string, IntTensor>,
    private readonly floatConstants: ReadonlyMap<string, FloatTensor> = new Map(),
  ) {
    this.subject = nodeSubject(name, op);
    const names = [...inputNames];
    while (names.length > 0 && names[names.length - 1] === '') names.pop();
    this.inputNames = names;
  }

  /** Throws ShapeError: shapes or attribute values do not fit the op. */
  fail(why: string, fix?: string): never {
    throw new ShapeError(this.subject, why, fix);
  }

  /** Throws UnsupportedOpError: valid ONNX, but a variant opml does not implement. */
  unsupported(why: string, fix?: string): never {
    throw new UnsupportedOpError(this.subject, why, fix);
  }

  /** Requires between min and max present inputs. */
  arity(min: number, max = min): void {
    const n = this.inputNames.length;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      this.fail(`it has ${n} inputs, expected ${want}`, 'the file is corrupt or uses a different opset');
    }
  }

  private info(i: number, role: string): ValueInfo | undefined {
    const name = this.inputNames[i];
    if (name === undefined || name === '') return undefined;
    const info = this.values.get(name);
    if (!info) this.fail(`input ${i} (${role}) "${name}" has no known shape`);
    return info;
  }

  /** A required float32 input. */
  float(i: number, role: string): ValueInfo {
    const info = this.optionalFloat(i, role);
    if (!info) this.fail(`input ${i} (${role}) is missing`, 'the file is corrupt');
    return info;
  }

  optionalFloat(i: number, role: string): ValueInfo | undefined {
    const info = this.info(i, role);
    if (info && info.dtype !== 'float32') {
      this.unsupported(`input ${i} (${role}) "${info.name}" is ${info.dtype}, only float32 is supported here`, 'cast it to float32 in the model');
    }
    return info;
  }

  /** A required integer input (indices). */
  int(i: number, role: string): ValueInfo {
    const info = this.info(i, role);
    if (!info) this.fail(`input ${i} (${role}) is missing`, 'the file is corrupt');
    if (info.dtype !== 'int64') this.fail(`input ${i} (${role}) "${info.name}" is ${info.dtype}, expected int64`);
    return info;
  }

  /** The values of an optional input that must be a constant integer tensor (an initializer or Constant). */
  constInts(i: number, role: string): number[] | undefined {
    const name = this.inputNames[i];
    if (name === undefined || name === '') return undefined;
    const t = this.intConstants.get(name);
    if (!t) {
      this.unsupported(
        `input ${i} (${role}) "${name}" is not a constant int64 tensor; opml needs static shapes`,
        'export with constant shapes/axes (e.g. disable dynamic axes) or constant-fold the model',
      );
    }
    return [...t.data];
  }

  /**
   * The values of an optional input that must be a constant float tensor (an initializer, Constant or folded
   * value); undefined when absent. A run-time value is refused by name.
   */
  constFloats(i: number, role: string): Float32Array | undefined {
    const name = this.inputNames[i];
    if (name === undefined || name === '') return undefined;
    const t = this.floatConstants.get(name);
    if (!t) {
      this.unsupported(
        `input ${i} (${role}) "${name}" is computed at run time; opml needs it to be a constant`,
        'export it as a constant (an initializer) or constant-fold the model',
      );
    }
    return t.data;
  }

  /** Names of the present inputs in [from, to). */
  names(from = 0, to = this.inputNames.length): string[] {
    return this.inputNames.slice(from, to);
  }

  dims(dims: readonly number[]): string {
    return formatDims(dims);
  }

  /** Normalizes an axis attribute, failing with a clear message when out of range. */
  axis(attr: string, axis: number, rank: number, inclusive = false): number {
    // inclusive: the range is [-rank, rank] (Flatten), and -1 still means rank - 1.
    const hi = inclusive ? rank : rank - 1;
    const a = axis < 0 ? axis + rank : axis;
    if (!Number.isInteger(a) || a < 0 || a > hi) {
      this.fail(`${attr} ${axis} is out of range for a rank-${rank} input`, `use a value in [${-rank}, ${hi}]`);
    }
    return a;
  }
}

export function floatOut(dims: number[]): OutputSpec {
  return { dims, dtype: 'float32' };
}
