/**
 * Which tensors of a graph are provably int8 (every word in [-128, 127]): the condition under which the
 * packed kernels (models/gpu/gemm.ts, dot4I8Packed) equal the reference sums. A sound interval analysis over
 * the CPU reference semantics (models/int/kernels), never over observed values:
 *
 * - a weight: the min and max of its words (known at graph creation);
 * - a graph input: unknown until a run; `{ input: t }` says "the range of input t's words", which the
 *   executor checks on the words of each run (models/gpu/executor.ts) before it takes a packed dispatch;
 * - an op whose reference ends in clamp32(v, lo, hi) = min(max(v, lo), hi) (conv2d, matmul, channelAffine,
 *   binary, sqrt, avgpool2d, reducemean, layernorm, rmsnorm, concat): [min(lo, hi), hi] whatever v is; clamp itself:
 *   its input interval pushed through the (monotone) clamp;
 * - maxpool2d, min(max(lo, max of the valid taps), hi): monotone in the taps, so the input interval pushed
 *   through, joined with min(lo, hi) for a window with no valid tap;
 * - copy, transpose, gather: a subset of their data input's words, so its range (gather's indices only pick);
 *   lut: a subset of the table's words;
 * - softmax: unknown (its division is not bounded by its attributes);
 * - argmax: an index into the last axis, [0, V − 1].
 */
import { elementCount, type IntGraph } from '../int/graph.ts';
import { validTaps, windowGeometry } from '../int/kernels/window2d.ts';

/** A closed interval of int32 values, the range of a graph input's words (checked per run), or unknown. */
export type WordRange = { lo: number; hi: number } | { input: number } | undefined;

export const INT8_MIN = -128;
export const INT8_MAX = 127;

const ANY = { lo: -(2 ** 31), hi: 2 ** 31 - 1 };

/** The min and max of `words` ([0, 0] when empty: an empty tensor feeds no product). */
export function wordsRange(words: Int32Array): { lo: number; hi: number } {
  let lo = 0;
  let hi = 0;
  if (words.length > 0) lo = hi = words[0];
  for (let i = 1; i < words.length; i++) {
    const v = words[i];
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  return { lo, hi };
}

/** Every word of `words` is in [-128, 127]. */
export function allInt8(words: Int32Array): boolean {
  for (let i = 0; i < words.length; i++) if (words[i] < INT8_MIN || words[i] > INT8_MAX) return false;
  return true;
}

const clampTo = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/** Whether every output position of a window op has at least one valid tap. */
function noEmptyWindow(geo: ReturnType<typeof windowGeometry>): boolean {
  for (let o = 0; o < geo.oh; o++) {
    const [k0, k1] = validTaps(o, geo.h, geo.kh, geo.sh, geo.pt, geo.dh);
    if (k1 <= k0) return false;
  }
  for (let o = 0; o < geo.ow; o++) {
    const [k0, k1] = validTaps(o, geo.w, geo.kw, geo.sw, geo.pl, geo.dw);
    if (k1 <= k0) return false;
  }
  return true;
}

/** The range of every tensor of `graph` (weights, inputs, node outputs) by the rules above. */
export function tensorRanges(graph: IntGraph): Map<number, WordRange> {
  const ranges = new Map<number, WordRange>();
  for (const [t, w] of graph.weights) ranges.set(t, wordsRange(w));
  for (const t of graph.inputs) ranges.set(t, { input: t });
  const known = (t: number): { lo: number; hi: number } => {
    const r = ranges.get(t);
    return r && 'lo' in r ? r : ANY;
  };
  for (const node of graph.nodes) {
    let out: WordRange;
    switch (node.op) {
      case 'copy':
      case 'transpose':
      case 'gather':
        out = ranges.get(node.inputs[0]);
        break;
      case 'lut':
        out = ranges.get(node.inputs[1]);
        break;
      case 'softmax':
        out = undefined;
        break;
      case 'argmax': {
        const x = graph.tensors[node.inputs[0]].dims;
        out = { lo: 0, hi: Math.max(0, x[x.length - 1] - 1) };
        break;
      }
      case 'clamp': {
        const { lo, hi } = node.attrs;
        const x = known(node.inputs[0]);
        out = { lo: clampTo(x.lo, lo, hi), hi: clampTo(x.hi, lo, hi) };
        break;
      }
      case 'maxpool2d': {
        const { lo, hi } = node.attrs;
        const x = known(node.inputs[0]);
        const taps = { lo: Math.min(Math.max(lo, x.lo), hi), hi: Math.min(Math.max(lo, x.hi), hi) };
        const dims = graph.tensors[node.inputs[0]].dims;
        const full = elementCount(dims) === 0 || noEmptyWindow(windowGeometry('maxpool2d', node.attrs, dims));
        out = full ? taps : { lo: Math.min(taps.lo, Math.min(lo, hi)), hi: Math.max(taps.hi, Math.min(lo, hi)) };
        break;
      }
      default: {
        // conv2d, matmul, channelAffine, binary, sqrt, avgpool2d, reducemean, layernorm, rmsnorm, concat
        const { lo, hi } = node.attrs;
        out = { lo: Math.min(lo, hi), hi };
      }
    }
    ranges.set(node.output, out);
  }
  return ranges;
}

/**
 * How operand tensor t is known to be int8: 'proven' (a weight's words or a node output's clamp), 'input'
 * (a graph input, or a copy of one: the run's words decide — `input` names it), or 'unknown'.
 */
export type Int8Proof = { kind: 'proven' } | { kind: 'input'; input: number } | { kind: 'unknown' };

export function int8Proof(ranges: Map<number, WordRange>, t: number): Int8Proof {
  const r = ranges.get(t);
  if (r === undefined) return { kind: 'unknown' };
  if ('input' in r) return { kind: 'input', input: r.input };
  return r.lo >= INT8_MIN && r.hi <= INT8_MAX ? { kind: 'proven' } : { kind: 'unknown' };
}
