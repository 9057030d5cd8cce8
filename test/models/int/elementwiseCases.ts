/** Random cases for the elementwise kernels `binary` (broadcasting add/sub/mul/div) and `lut`. */
import { elementCount } from '../../../models/int/graph.ts';
import type { Rng } from '../../support/rng.ts';
import type { KernelCase } from './cases.ts';

const words = (rng: Rng, dims: number[], lo: number, hi: number): Int32Array => Int32Array.from({ length: elementCount(dims) }, () => rng.int(lo, hi));

/** An operand shape broadcasting to `out`: some leading dims dropped, some dims set to 1. */
function operandDims(rng: Rng, out: number[]): number[] {
  const mode = rng.int(0, 3);
  if (mode === 0) return [...out];
  if (mode === 1 && rng.int(0, 1) === 0) return rng.pick([[], [1]]);
  const drop = rng.int(0, out.length);
  return out.slice(drop).map((d) => (rng.int(0, 2) === 0 ? 1 : d));
}

/** (mult, shift): the identity, or a real rescale (sometimes a negative multiplier). */
function rescale(rng: Rng, shifts: [number, number]): { mult: number; shift: number } {
  const r = rng.int(0, 5);
  if (r === 0) return { mult: 1, shift: 0 };
  const mult = rng.int(2 ** 30, 2 ** 31 - 1);
  return { mult: r === 1 ? -mult : mult, shift: rng.int(...shifts) };
}

export function binaryCase(rng: Rng): KernelCase<'binary'> {
  const rank = rng.int(0, 5);
  const out = Array.from({ length: rank }, () => rng.int(1, rank > 3 ? 3 : 6));
  const aDims = operandDims(rng, out);
  const bDims = operandDims(rng, out);
  const op = rng.pick(['add', 'sub', 'mul', 'div'] as const);
  const a = rescale(rng, op === 'div' ? [16, 24] : [24, 34]);
  const b = op === 'div' || op === 'mul' ? rescale(rng, [28, 34]) : rescale(rng, [24, 34]);
  const o = rescale(rng, op === 'mul' ? [36, 46] : [28, 38]);
  const [lo, hi] = rng.pick([[-128, 127], [-32768, 32767], [0, 127], [-(2 ** 31), 2 ** 31 - 1]]);
  const range = rng.pick([128, 32768]);
  // divisors: small values and zeros (div32 by 0 is 0)
  const bWords = op === 'div' ? Int32Array.from({ length: elementCount(bDims) }, () => rng.pick([0, rng.int(-4, 4), rng.int(-range, range - 1)])) : words(rng, bDims, -range, range - 1);
  return {
    attrs: { op, multA: a.mult, shiftA: a.shift, multB: b.mult, shiftB: b.shift, multOut: o.mult, shiftOut: o.shift, lo, hi },
    inputDims: [aDims, bDims],
    inputs: [words(rng, aDims, -range, range - 1), bWords],
  };
}

export function lutCase(rng: Rng): KernelCase<'lut'> {
  const dims = rng.pick([[rng.int(1, 40)], [rng.int(1, 4), rng.int(1, 9), rng.int(1, 5)], []]);
  // mostly int8, some words outside it (clamped to the table's ends)
  const x = Int32Array.from({ length: elementCount(dims) }, () => (rng.int(0, 5) === 0 ? rng.int32() : rng.int(-128, 127)));
  return { attrs: {}, inputDims: [dims, [256]], inputs: [x, Int32Array.from({ length: 256 }, () => rng.int32())] };
}
