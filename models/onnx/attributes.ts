// ONNX AttributeProto → plain values, and a typed reader that op importers use to pull attributes with
// defaults. The reader remembers what was read so the loader can reject attributes nobody understood.

import { AttributeProto_AttributeType as AttrType, type AttributeProto, type GraphProto } from 'onnx-buf';
import { OnnxLoadError, UnsupportedOpError } from '../errors.ts';
import type { Tensor } from '../graph.ts';
import { tensorFromProto } from './tensors.ts';

interface AttrValues {
  int: number;
  float: number;
  string: string;
  ints: number[];
  floats: number[];
  strings: string[];
  tensor: Tensor;
  /** A subgraph (If branches, Loop/Scan bodies). */
  graph: GraphProto;
}

type Kind = keyof AttrValues;

/** One decoded attribute: its ONNX kind and its plain value. */
export type RawAttr = { [K in Kind]: { type: K; value: AttrValues[K] } }[Kind];

const utf8 = new TextDecoder();

/** int64 → number; values beyond 2^53 (INT64_MAX is used as "infinity" by some ops) are clamped. */
function safeInt(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

export function decodeAttribute(subject: string, a: AttributeProto): RawAttr {
  switch (a.type) {
    case AttrType.INT: return { type: 'int', value: safeInt(a.i) };
    case AttrType.FLOAT: return { type: 'float', value: a.f };
    case AttrType.STRING: return { type: 'string', value: utf8.decode(a.s) };
    case AttrType.INTS: return { type: 'ints', value: a.ints.map(safeInt) };
    case AttrType.FLOATS: return { type: 'floats', value: [...a.floats] };
    case AttrType.STRINGS: return { type: 'strings', value: a.strings.map((s) => utf8.decode(s)) };
    case AttrType.TENSOR:
      if (!a.t) throw new OnnxLoadError(subject, `attribute "${a.name}" is a TENSOR without a value`, 'the file is corrupt');
      return { type: 'tensor', value: tensorFromProto(a.t, `${subject} attribute "${a.name}"`) };
    case AttrType.GRAPH:
      if (!a.g) throw new OnnxLoadError(subject, `attribute "${a.name}" is a GRAPH without a value`, 'the file is corrupt');
      return { type: 'graph', value: a.g };
    default: {
      const typeName = AttrType[a.type] ?? String(a.type);
      throw new UnsupportedOpError(subject, `attribute "${a.name}" has type ${typeName}, which is not supported`, 'remove it');
    }
  }
}


export class AttrReader {
  private readonly read = new Set<string>();

  constructor(
    private readonly subject: string,
    private readonly attrs: Map<string, RawAttr>,
  ) {}

  static fromProto(subject: string, list: readonly AttributeProto[]): AttrReader {
    const attrs = new Map<string, RawAttr>();
    for (const a of list) {
      if (attrs.has(a.name)) throw new OnnxLoadError(subject, `attribute "${a.name}" appears twice`, 'the file is corrupt');
      if (a.refAttrName) {
        throw new UnsupportedOpError(subject, `attribute "${a.name}" refers to a function attribute`, 'inline the function');
      }
      attrs.set(a.name, decodeAttribute(subject, a));
    }
    return new AttrReader(subject, attrs);
  }

  has(name: string): boolean {
    return this.attrs.has(name);
  }

  private get<K extends Kind>(name: string, kind: K): AttrValues[K] | undefined {
    const a = this.attrs.get(name);
    this.read.add(name);
    if (a === undefined) return undefined;
    if (a.type !== kind) {
      throw new OnnxLoadError(this.subject, `attribute "${name}" has type ${a.type}, expected ${kind}`, 'the file is corrupt');
    }
    return a.value as AttrValues[K];
  }

  int(name: string, fallback: number): number {
    return this.get(name, 'int') ?? fallback;
  }

  float(name: string, fallback: number): number {
    return this.get(name, 'float') ?? fallback;
  }

  string(name: string, fallback: string): string {
    return this.get(name, 'string') ?? fallback;
  }

  ints(name: string): number[] | undefined {
    return this.get(name, 'ints');
  }

  floats(name: string): number[] | undefined {
    return this.get(name, 'floats');
  }

  strings(name: string): string[] | undefined {
    return this.get(name, 'strings');
  }

  tensor(name: string): Tensor | undefined {
    return this.get(name, 'tensor');
  }

  graph(name: string): GraphProto | undefined {
    return this.get(name, 'graph');
  }

  /** The decoded attribute as it is (marks it read); for rewrites that pass attributes on. */
  raw(name: string): RawAttr | undefined {
    this.read.add(name);
    return this.attrs.get(name);
  }

  /** Names of every attribute present. */
  names(): string[] {
    return [...this.attrs.keys()];
  }

  /** Marks attributes as understood without using them (e.g. BatchNormalization's momentum). */
  ignore(...names: string[]): void {
    for (const n of names) this.read.add(n);
  }

  /** Names of attributes no importer read. */
  unread(): string[] {
    return [...this.attrs.keys()].filter((n) => !this.read.has(n));
  }
}
