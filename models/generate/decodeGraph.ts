/**
 * The decode-step convention a generation unrolls (docs/GENERATION.md): a graph that takes one token at one
 * position with its KV caches and gives the next-token logits and the updated caches.
 *   inputs:  `token` int64 [1, 1], `pos` int64 [1], then the caches c_1 … c_k (any names and dims)
 *   outputs: the logits [1, 1, V] first, then `new_<c_1>` … `new_<c_k>`, each with its cache's dims
 * scripts/zoo/llama/onnx.ts writes LLaMA decode graphs this way (cache_k_<l>, cache_v_<l>).
 */
import type { FloatGraph } from '../graph.ts';
import { elementCount, type IntGraph } from '../int/graph.ts';
import { printable } from '../errors.ts';

export class DecodeGraphError extends Error {
  constructor(why: string) {
    super(`not a decode-step graph: ${why} (a decode step takes token int64 [1,1], pos int64 [1] and its caches, and gives the logits [1,1,V] then new_<cache> for each cache; docs/GENERATION.md)`);
    this.name = 'DecodeGraphError';
  }
}

/** Where a decode-step graph keeps what: positions in its inputs and outputs. */
export interface DecodeInterface {
  /** Names of the cache inputs, in input order (input i + 2); output i + 1 is new_<name>. */
  caches: string[];
  /** Vocabulary size: the logits' last dim. */
  vocab: number;
}

interface Port {
  name: string;
  dims: number[];
  integer: boolean;
}

function check(inputs: Port[], outputs: Port[], names = true): DecodeInterface {
  const [token, pos, ...caches] = inputs;
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!token || token.name !== 'token' || !token.integer || !same(token.dims, [1, 1])) throw new DecodeGraphError(`its first input must be token int64 [1,1]${token ? `, not ${printable(token.name)} [${token.dims}]` : ''}`);
  if (!pos || pos.name !== 'pos' || !pos.integer || !same(pos.dims, [1])) throw new DecodeGraphError(`its second input must be pos int64 [1]${pos ? `, not ${printable(pos.name)} [${pos.dims}]` : ''}`);
  if (caches.length === 0) throw new DecodeGraphError('it has no cache inputs');
  if (outputs.length !== caches.length + 1) throw new DecodeGraphError(`${caches.length} cache inputs need ${caches.length + 1} outputs (logits, then one new cache each), it has ${outputs.length}`);
  const logits = outputs[0];
  if (logits.dims.length !== 3 || logits.dims[0] !== 1 || logits.dims[1] !== 1) throw new DecodeGraphError(`its first output (the logits) must be [1,1,V], not [${logits.dims}]`);
  caches.forEach((c, i) => {
    if (c.integer) throw new DecodeGraphError(`cache input ${printable(c.name)} is integer-typed`);
    const out = outputs[i + 1];
    if (names && out.name !== `new_${c.name}`) throw new DecodeGraphError(`output ${i + 1} must be new_${printable(c.name)}, not ${printable(out.name)}`);
    if (!same(out.dims, c.dims)) throw new DecodeGraphError(`new_${printable(c.name)} has dims [${out.dims}] but ${printable(c.name)} has [${c.dims}]`);
  });
  return { caches: caches.map((c) => c.name), vocab: logits.dims[2] };
}

/** The decode interface of an ONNX graph, or DecodeGraphError. */
export function floatDecodeInterface(g: FloatGraph): DecodeInterface {
  const port = (name: string): Port => {
    const v = g.values.get(name);
    if (!v) throw new DecodeGraphError(`value ${printable(name)} has no shape`);
    return { name, dims: v.dims, integer: v.dtype !== 'float32' };
  };
  return check(g.inputs.map((i) => port(i.name)), g.outputs.map(port));
}

/** The same for its integer graph (outputs are named after their nodes there: checked by position), and every cache keeps its scale. */
export function intDecodeInterface(g: IntGraph): DecodeInterface {
  const port = (t: number): Port => ({ name: g.tensors[t].name, dims: g.tensors[t].dims, integer: g.tensors[t].integer === true });
  const face = check(g.inputs.map(port), g.outputs.map(port), false);
  g.inputs.slice(2).forEach((t, i) => {
    const out = g.outputs[i + 1];
    if (g.tensors[t].scale !== g.tensors[out].scale) {
      throw new DecodeGraphError(`cache ${printable(g.tensors[t].name)} is quantized at scale ${g.tensors[t].scale} but its update at ${g.tensors[out].scale}, so one step's words cannot feed the next (calibrate on positions that fill the caches)`);
    }
    if (elementCount(g.tensors[t].dims) !== elementCount(g.tensors[out].dims)) throw new DecodeGraphError(`cache ${printable(g.tensors[t].name)} changes size`);
  });
  return face;
}
