/**
 * The structure of an integer graph read from a file, checked before anything runs on it: a `.opml` file whose
 * content hash is right can still have been written by something else, and a wrong type or a dangling tensor
 * id must be refused with a line that names it, never run into a kernel (where it would give wrong words
 * silently or a crash).
 */
import { printable } from '../errors.ts';
import { elementCount, type IntOp } from './graph.ts';
import { INT_KERNELS } from './kernels/index.ts';

type Field = 'int' | 'bool' | 'ints' | 'pair' | 'quad' | 'binop';
const WINDOW: Record<string, Field> = { kernel: 'pair', strides: 'pair', pads: 'quad', dilations: 'pair' };
const REQUANT: Record<string, Field> = { shift: 'int', lo: 'int', hi: 'int' };

/** Every attribute of every op, with its type (models/int/graph.ts IntAttrs). */
export const ATTR_SCHEMA: { [K in IntOp]: Record<string, Field> } = {
  conv2d: { ...WINDOW, group: 'int', ...REQUANT },
  maxpool2d: { ...WINDOW, lo: 'int', hi: 'int' },
  avgpool2d: { ...WINDOW, countIncludePad: 'bool', mults: 'ints', ...REQUANT },
  channelAffine: { ...REQUANT },
  matmul: { ...REQUANT },
  binary: { op: 'binop', multA: 'int', shiftA: 'int', multB: 'int', shiftB: 'int', multOut: 'int', shiftOut: 'int', lo: 'int', hi: 'int' },
  lut: {},
  clamp: { lo: 'int', hi: 'int' },
  copy: { dims: 'ints' },
  softmax: { axis: 'int', mult: 'int', shift: 'int', one: 'int' },
  layernorm: { axis: 'int', xmax: 'int', sqShift: 'int', divShift: 'int', eps: 'int', ...REQUANT },
  rmsnorm: { axis: 'int', xmax: 'int', eps: 'int', ...REQUANT },
  reducemean: { axes: 'ints', keepdims: 'bool', mult: 'int', ...REQUANT },
  sqrt: { mult: 'int', frac: 'int', ...REQUANT },
  transpose: { perm: 'ints' },
  concat: { axis: 'int', mults: 'ints', shifts: 'ints', lo: 'int', hi: 'int' },
  gather: { axis: 'int' },
  argmax: {},
};

/** How many inputs each op reads (models/int/graph.ts IntAttrs): [min, max]. */
const ARITY: { [K in IntOp]: [number, number] } = {
  conv2d: [4, 4], maxpool2d: [1, 1], avgpool2d: [1, 1], channelAffine: [4, 4], matmul: [4, 4], binary: [2, 2], lut: [2, 2], clamp: [1, 1],
  copy: [1, 1], softmax: [2, 2], layernorm: [3, 3], reducemean: [1, 1], sqrt: [1, 1], transpose: [1, 1], concat: [1, 64], gather: [2, 2],
  rmsnorm: [2, 2], argmax: [1, 1],
};

/** The most words one tensor of a file may have (1 GiB of int32). */
export const MAX_TENSOR_WORDS = 2 ** 28;

const isInt32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;

function fieldOk(kind: Field, v: unknown): boolean {
  switch (kind) {
    case 'int':
      return isInt32(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'ints':
      return Array.isArray(v) && v.length <= 4096 && v.every(isInt32);
    case 'pair':
      return Array.isArray(v) && v.length === 2 && v.every(isInt32);
    case 'quad':
      return Array.isArray(v) && v.length === 4 && v.every(isInt32);
    case 'binop':
      return v === 'add' || v === 'sub' || v === 'mul' || v === 'div';
  }
}

const kindOf = (v: unknown): string => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : printable(JSON.stringify(v) ?? String(v), 40));

/**
 * Check the header of a graph (everything but the weights): returns the first problem as a phrase naming the
 * field, or undefined when the graph is well formed (types, ids, topological order, shapes every kernel accepts).
 */
export function intGraphProblem(h: unknown): string | undefined {
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return 'the header is not a JSON object';
  const g = h as Record<string, unknown>;
  for (const key of ['tensors', 'inputs', 'outputs', 'nodes']) if (!Array.isArray(g[key])) return `"${key}" is ${g[key] === undefined ? 'missing' : kindOf(g[key])}, expected an array`;
  const tensors = g.tensors as unknown[];
  const ids = (key: string, list: unknown[]) => list.findIndex((t) => !(Number.isInteger(t) && (t as number) >= 0 && (t as number) < tensors.length));
  for (const [i, t] of tensors.entries()) {
    const at = `tensor ${i}`;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return `${at} is ${kindOf(t)}, expected an object`;
    const r = t as Record<string, unknown>;
    if (typeof r.name !== 'string') return `${at}: "name" is ${r.name === undefined ? 'missing' : kindOf(r.name)}, expected a string`;
    const sub = `tensor ${i} ("${printable(r.name)}")`;
    if (!Array.isArray(r.dims) || r.dims.length > 8 || !r.dims.every((d) => Number.isSafeInteger(d) && d >= 0 && d < 2 ** 31)) return `${sub}: "dims" is ${kindOf(r.dims)}, expected up to 8 whole numbers`;
    if (elementCount(r.dims) > MAX_TENSOR_WORDS) return `${sub}: dims [${r.dims}] hold more than ${MAX_TENSOR_WORDS} words`;
    if (r.kind !== 'input' && r.kind !== 'weight' && r.kind !== 'activation') return `${sub}: "kind" is ${kindOf(r.kind)}, expected "input", "weight" or "activation"`;
    if (typeof r.scale !== 'number' || !Number.isFinite(r.scale) || r.scale < 0) return `${sub}: "scale" is ${kindOf(r.scale)}, expected a finite number ≥ 0`;
    if (r.integer !== undefined && typeof r.integer !== 'boolean') return `${sub}: "integer" is ${kindOf(r.integer)}, expected true or false`;
  }
  for (const key of ['inputs', 'outputs']) {
    const bad = ids(key, g[key] as unknown[]);
    if (bad >= 0) return `"${key}"[${bad}] is ${kindOf((g[key] as unknown[])[bad])}, expected a tensor id 0..${tensors.length - 1}`;
  }
  const tinfo = tensors as { name: string; dims: number[]; kind: string }[];
  if ((g.outputs as unknown[]).length === 0) return '"outputs" is empty';
  const defined = new Set<number>();
  for (const t of g.inputs as number[]) {
    if (tinfo[t].kind !== 'input') return `"inputs" names tensor ${t} ("${printable(tinfo[t].name)}") of kind "${tinfo[t].kind}"`;
    if (defined.has(t)) return `"inputs" names tensor ${t} twice`;
    defined.add(t);
  }
  tinfo.forEach((t, i) => t.kind === 'weight' && defined.add(i));
  for (const [i, n] of (g.nodes as unknown[]).entries()) {
    if (typeof n !== 'object' || n === null || Array.isArray(n)) return `node ${i} is ${kindOf(n)}, expected an object`;
    const r = n as Record<string, unknown>;
    if (typeof r.name !== 'string') return `node ${i}: "name" is ${r.name === undefined ? 'missing' : kindOf(r.name)}, expected a string`;
    const sub = `node ${i} ("${printable(r.name)}")`;
    if (typeof r.op !== 'string' || !Object.hasOwn(ATTR_SCHEMA, r.op)) return `${sub}: "op" is ${kindOf(r.op)}, expected one of ${Object.keys(ATTR_SCHEMA).join(', ')}`;
    const op = r.op as IntOp;
    if (!Array.isArray(r.inputs) || r.inputs.length === 0 || r.inputs.length > 64) return `${sub}: "inputs" is ${kindOf(r.inputs)}, expected an array of tensor ids`;
    const [lo, hi] = ARITY[op];
    if (r.inputs.length < lo || r.inputs.length > hi) return `${sub}: ${op} reads ${lo === hi ? lo : `${lo}..${hi}`} tensors, "inputs" has ${r.inputs.length}`;
    const badIn = ids('inputs', r.inputs);
    if (badIn >= 0) return `${sub}: input ${badIn} is ${kindOf(r.inputs[badIn])}, expected a tensor id 0..${tensors.length - 1}`;
    const undef = (r.inputs as number[]).find((t) => !defined.has(t));
    if (undef !== undefined) return `${sub}: it reads tensor ${undef} ("${printable(tinfo[undef].name)}") before any node writes it`;
    if (!Number.isInteger(r.output) || (r.output as number) < 0 || (r.output as number) >= tensors.length) return `${sub}: "output" is ${kindOf(r.output)}, expected a tensor id 0..${tensors.length - 1}`;
    const out = r.output as number;
    if (tinfo[out].kind !== 'activation') return `${sub}: it writes tensor ${out} ("${printable(tinfo[out].name)}") of kind "${tinfo[out].kind}"`;
    if (defined.has(out)) return `${sub}: tensor ${out} ("${printable(tinfo[out].name)}") is written twice`;
    if (typeof r.attrs !== 'object' || r.attrs === null || Array.isArray(r.attrs)) return `${sub}: "attrs" is ${kindOf(r.attrs)}, expected an object`;
    const attrs = r.attrs as Record<string, unknown>;
    const schema = ATTR_SCHEMA[op];
    for (const [k, kind] of Object.entries(schema)) {
      if (!fieldOk(kind, attrs[k])) return `${sub}: attribute "${k}" is ${attrs[k] === undefined ? 'missing' : kindOf(attrs[k])}, expected ${kind === 'int' ? 'an int32' : kind === 'bool' ? 'true or false' : kind === 'binop' ? 'add, sub, mul or div' : 'an array of int32'}`;
    }
    const extra = Object.keys(attrs).find((k) => !Object.hasOwn(schema, k));
    if (extra !== undefined) return `${sub}: unknown attribute "${printable(extra, 40)}"`;
    const inputDims = (r.inputs as number[]).map((t) => tinfo[t].dims);
    let want: number[];
    try {
      want = (INT_KERNELS[op].outputDims as (a: unknown, d: number[][]) => number[])(attrs, inputDims);
    } catch (err) {
      return `${sub}: ${printable(err instanceof Error ? err.message : String(err), 200)}`;
    }
    const have = tinfo[out].dims;
    if (!Array.isArray(want) || elementCount(want) !== elementCount(have)) return `${sub}: its output tensor has dims [${have}], but ${op} of inputs ${inputDims.map((d) => `[${d}]`).join(', ')} gives [${want}]`;
    if (op === 'argmax') {
      // Its words are indices (token ids), not quantized values: exactly the kernel's dims, an integer tensor at scale 1.
      const o = tensors[out] as { integer?: unknown; scale: number };
      const outName = `tensor ${out} ("${printable(tinfo[out].name)}")`;
      if (want.length !== have.length || want.some((d, k) => d !== have[k])) return `${sub}: its output ${outName} has dims [${have}], but argmax of [${inputDims[0]}] gives exactly [${want}]`;
      if (o.integer !== true || o.scale !== 1) {
        return `${sub}: its output ${outName} holds token ids, so it must be "integer": true with "scale": 1, but it has "integer": ${o.integer === undefined ? 'missing' : kindOf(o.integer)}, "scale": ${o.scale}`;
      }
    }
    defined.add(out);
  }
  const undefOut = (g.outputs as number[]).find((t) => !defined.has(t));
  if (undefOut !== undefined) return `output tensor ${undefOut} ("${printable(tinfo[undefOut].name)}") is never written`;
  return undefined;
}
