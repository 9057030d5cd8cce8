/**
 * Unit tests of the quantizer's building blocks (models/quantize): fixed-point multipliers against an exact
 * BigInt reference, per-channel / per-column weight quantization at its edges (all-zero channels, a single
 * huge weight, exact .5 ties, the bias limit of conv channels), calibration ranges and activation scales, and
 * the input quantization rule.
 */
import { describe, expect, it } from 'vitest';
import type { FloatTensor } from '../../models/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterNode, type WriterTensor } from '../../models/onnx/writer.ts';
import { calibrate, int8Scale } from '../../models/quantize/calibrate.ts';
import { quantizeMultiplier, quantizeMultipliers } from '../../models/quantize/multiplier.ts';
import { quantize, quantizeInput } from '../../models/quantize/quantize.ts';
import { quantizeColumns, roundInt32 } from '../../models/quantize/weights.ts';
import * as O from '../support/oracle.ts';
import { Rng } from '../support/rng.ts';

const B = BigInt;

/** A positive finite double as an exact fraction M / 2^k (M, k integers; every double is one). */
function exact(x: number): { m: bigint; k: number } {
  let k = 0;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2; // exact: a power-of-two scaling of a finite double
    k++;
  }
  return { m: B(v), k };
}

/** |mult − real·2^shift| as an exact fraction (num / 2^k), and real·2^shift's bounds as exact comparisons. */
function fixedError(real: number, mult: number, shift: number) {
  const { m, k } = exact(real);
  const scaled = m * (1n << B(shift)); // real·2^shift = scaled / 2^k
  const diff = B(mult) * (1n << B(k)) - scaled;
  const abs = diff < 0n ? -diff : diff;
  return {
    /** |error| ≤ 1/2 (in units of 2^-shift) */
    withinHalf: 2n * abs <= 1n << B(k),
    /** |error| < 1 */
    withinOne: abs < 1n << B(k),
    /** real·2^shift ∈ [2^30, 2^31) */
    natural: scaled >= 1n << B(30 + k) && scaled < 1n << B(31 + k),
  };
}

const logUniform = (rng: Rng, lo: number, hi: number) => 2 ** (lo + (rng.u32() / 2 ** 32) * (hi - lo));

describe('quantizeMultiplier: mult / 2^shift against the exact real factor (BigInt)', () => {
  const rng = new Rng(11);
  const reals = [
    1, 0.5, 0.25, 1 / 3, 2 / 3, Math.PI, Math.SQRT1_2, 1e-3, 1e-6, 1e-9, 2 ** -33, 2 ** -33 * (1 + 2 ** -52), 2 ** 30, 2 ** 31 - 1, 2 ** 31 - 0.75,
    1 - 2 ** -53, 1 + 2 ** -52, 2 ** -10 * (1 - 2 ** -53), 2 ** 20 * (1 + 2 ** -52),
    ...Array.from({ length: 3000 }, () => logUniform(rng, -33, 31)),
    ...Array.from({ length: 40 }, (_, i) => 2 ** (i - 33) * (1 - 2 ** -53)), // just below every power of two (log2 may round up)
  ].filter((r) => r >= 2 ** -33 && r < 2 ** 31);

  it(`normal range [2^-33, 2^31): mult in [2^30, 2^31), the natural shift, |error| ≤ 2^-(shift+1) (${reals.length} factors)`, () => {
    for (const real of reals) {
      const { mult, shift } = quantizeMultiplier(real);
      const e = fixedError(real, mult, shift);
      const label = `real ${real}: mult ${mult}, shift ${shift}`;
      expect(Number.isInteger(mult) && Number.isInteger(shift) && shift >= 0 && shift <= 63, label).toBe(true);
      expect(mult >= 2 ** 30 && mult < 2 ** 31, label).toBe(true);
      if (mult === 2 ** 31 - 1) {
        // real·2^shift rounded up to 2^31 is held at 2^31 - 1: still within one unit.
        expect(e.withinOne, label).toBe(true);
      } else {
        expect(e.natural || fixedError(real, mult, shift - 1).natural || fixedError(real, mult, shift + 1).natural, label).toBe(true);
        expect(e.withinHalf, label).toBe(true);
      }
    }
  });

  it('so the relative error of the effective factor is at most 2^-30 (documented: mult ∈ [2^30, 2^31))', () => {
    for (const real of reals.slice(0, 500)) {
      const { mult, shift } = quantizeMultiplier(real);
      expect(Math.abs(mult / 2 ** shift - real) / real).toBeLessThanOrEqual(2 ** -30);
    }
  });

  it('tiny factors (< 2^-33) use the largest shift, 63, still rounded to the nearest unit', () => {
    for (const real of [2 ** -34, 1e-11, 1e-15, 2 ** -63, 2 ** -64, 1e-30, 5e-324]) {
      const { mult, shift } = quantizeMultiplier(real);
      expect(shift, `${real}`).toBe(63);
      expect(fixedError(real, mult, shift).withinHalf, `${real}`).toBe(true);
    }
    expect(quantizeMultiplier(2 ** -65)).toEqual({ mult: 0, shift: 63 }); // 0.25 rounds to 0: the factor vanishes
  });

  it('factors ≥ 2^31 cannot be represented: shift 0 and the multiplier held at 2^31 - 1', () => {
    expect(quantizeMultiplier(2 ** 31)).toEqual({ mult: 2 ** 31 - 1, shift: 0 });
    expect(quantizeMultiplier(1e12)).toEqual({ mult: 2 ** 31 - 1, shift: 0 });
    expect(quantizeMultiplier(Infinity)).toEqual({ mult: 2 ** 31 - 1, shift: 0 });
  });

  it('non-positive or NaN factors give (0, 0): everything maps to 0', () => {
    for (const r of [0, -0, -1, -1e-9, NaN, -Infinity]) expect(quantizeMultiplier(r), `${r}`).toEqual({ mult: 0, shift: 0 });
  });

  it('requant with the pair approximates x·real within 0.5 + |x|·2^-31·real·2 for int8·int8 accumulators (oracle requant)', () => {
    const r = new Rng(12);
    for (let i = 0; i < 2000; i++) {
      const real = logUniform(r, -20, 0);
      const { mult, shift } = quantizeMultiplier(real);
      const x = r.int(-(2 ** 20), 2 ** 20);
      const y = O.requant(x, mult, shift);
      expect(Math.abs(y - x * real), `x ${x}, real ${real}`).toBeLessThanOrEqual(0.5 + Math.abs(x) * real * 2 ** -30 + 1e-9);
    }
  });
});

describe('quantizeMultipliers: per-channel multipliers sharing one shift', () => {
  it('the largest factor sets the natural shift; every channel is within half a unit (BigInt)', () => {
    const rng = new Rng(13);
    for (let t = 0; t < 200; t++) {
      const top = logUniform(rng, -30, 20);
      const reals = Array.from({ length: 16 }, () => top * logUniform(rng, -12, 0));
      reals[rng.int(0, 15)] = top;
      const { mults, shift } = quantizeMultipliers(reals);
      expect(shift).toBe(quantizeMultiplier(top).shift);
      reals.forEach((real, j) => {
        expect(fixedError(real, mults[j], shift).withinHalf || mults[j] === 2 ** 31 - 1, `channel ${j} real ${real}`).toBe(true);
        expect(mults[j]).toBeLessThan(2 ** 31);
      });
      const best = Math.max(...mults);
      expect(best >= 2 ** 30 && best < 2 ** 31).toBe(true);
    }
  });

  it('zero, negative and NaN factors get multiplier 0 and do not set the shift; all of them: shift 0', () => {
    const { mults, shift } = quantizeMultipliers([0, 0.25, -1, NaN, 1e-3]);
    expect(shift).toBe(quantizeMultiplier(0.25).shift);
    expect([mults[0], mults[2], mults[3]]).toEqual([0, 0, 0]);
    expect(mults[1]).toBe(2 ** 30);
    expect(quantizeMultipliers([0, -2, 0])).toEqual({ mults: new Int32Array(3), shift: 0 });
    expect(quantizeMultipliers([])).toEqual({ mults: new Int32Array(0), shift: 0 });
  });

  it('a channel 2^-40 times the largest loses all its precision (multiplier 0): the cost of one shared shift', () => {
    const { mults } = quantizeMultipliers([1, 2 ** -40]);
    expect(Array.from(mults)).toEqual([2 ** 30, 0]);
  });
});

describe('quantizeColumns: per-column symmetric int8 weights', () => {
  it('an all-zero column is all zero words; the others are unaffected by it', () => {
    // K = 3, N = 3, column 1 zero.
    const w = Float32Array.from([0.5, 0, -0.25, -1, 0, 0.125, 0.25, 0, 0.0625]);
    const { q, scales } = quantizeColumns(w, 3, 3);
    expect([q[1], q[4], q[7]]).toEqual([0, 0, 0]);
    expect(scales[0]).toBeCloseTo(1 / 127, 12);
    expect(scales[2]).toBeCloseTo(0.25 / 127, 12);
    expect(Array.from(q)).toEqual([64, 0, -127, -127, 0, 64, 32, 0, 32]);
    // The zero column's scale does not stand out: its factor never sets the shared requant shift.
    expect(scales[1]).toBeGreaterThan(0);
    expect(scales[1]).toBeLessThanOrEqual(Math.max(scales[0], scales[2]));
  });

  it('every column zero: scale 1 each, all words zero', () => {
    const { q, scales } = quantizeColumns(new Float32Array(6), 2, 3);
    expect(scales).toEqual([1, 1, 1]);
    expect(Array.from(q)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a single huge weight takes ±127 and flattens its own column only', () => {
    const k = 8;
    const w = new Float32Array(k * 2);
    for (let t = 0; t < k; t++) {
      w[t * 2] = (t - 4) / 10; // column 0: [-0.4, 0.3]
      w[t * 2 + 1] = (t - 4) / 10;
    }
    w[3 * 2 + 1] = -1e6; // column 1: one huge negative weight
    const { q, scales } = quantizeColumns(w, k, 2);
    expect(scales[1]).toBeCloseTo(1e6 / 127, 6);
    expect(q[3 * 2 + 1]).toBe(-127);
    for (let t = 0; t < k; t++) if (t !== 3) expect(q[t * 2 + 1]).toBe(0);
    // Column 0 is exactly what it is on its own.
    const alone = quantizeColumns(Float32Array.from({ length: k }, (_, t) => w[t * 2]), k, 1);
    expect(Array.from({ length: k }, (_, t) => q[t * 2])).toEqual(Array.from(alone.q));
    expect(scales[0]).toBe(alone.scales[0]);
  });

  it('the largest magnitude maps to exactly ±127 (never -128), the rest within half a step', () => {
    const rng = new Rng(14);
    for (let trial = 0; trial < 50; trial++) {
      const [k, n] = [rng.int(1, 20), rng.int(1, 8)];
      const w = Float32Array.from({ length: k * n }, () => (rng.u32() / 2 ** 32 - 0.5) * 10 ** rng.int(-6, 3));
      const { q, scales } = quantizeColumns(w, k, n);
      for (let j = 0; j < n; j++) {
        let maxAbs = 0;
        for (let t = 0; t < k; t++) maxAbs = Math.max(maxAbs, Math.abs(w[t * n + j]));
        if (maxAbs > 0) expect(scales[j]).toBe(maxAbs / 127);
        let peak = 0;
        for (let t = 0; t < k; t++) {
          const v = q[t * n + j];
          expect(v >= -127 && v <= 127).toBe(true);
          expect(Math.abs(v * scales[j] - w[t * n + j])).toBeLessThanOrEqual(scales[j] * (0.5 + 1e-9));
          peak = Math.max(peak, Math.abs(v));
        }
        if (maxAbs > 0) expect(peak).toBe(127);
      }
    }
  });

  it('exact .5 ties round up (toward +inf), the same rule as rshr', () => {
    // max 127 → scale 1 exactly.
    const { q } = quantizeColumns(Float32Array.from([127, 2.5, -2.5, 0.5, -0.5, -1.5]), 6, 1);
    expect(Array.from(q)).toEqual([127, 3, -2, 1, 0, -1]);
  });

  it('roundInt32 rounds ties up and saturates at the int32 bounds', () => {
    expect([roundInt32(2.5), roundInt32(-2.5), roundInt32(3e9), roundInt32(-3e9), roundInt32(-2147483648.4)]).toEqual([3, -2, O.MAX, O.MIN, O.MIN]);
  });
});

// ---- conv channels, through the whole quantizer (a one-node ONNX model) ----------------------------------------------

function convModel(w: Float32Array, bias: Float32Array, m: number) {
  const nodes: WriterNode[] = [{ op: 'Conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3] } } }];
  const initializers: WriterTensor[] = [
    { name: 'w', dims: [m, 1, 3, 3], data: w },
    { name: 'b', dims: [m], data: bias },
  ];
  const graph = loadOnnx(writeOnnx({ inputs: [{ name: 'x', dims: [1, 1, 6, 6] }], outputs: [{ name: 'y' }], nodes, initializers }));
  const rng = new Rng(15);
  const sample = (): FloatTensor => ({ dims: [1, 1, 6, 6], data: Float32Array.from({ length: 36 }, () => rng.u32() / 2 ** 31 - 1) });
  const int = quantize(graph, Array.from({ length: 8 }, () => ({ x: sample() })));
  const node = int.nodes[0];
  const word = (k: number) => int.weights.get(node.inputs[k])!;
  return { int, node, q: word(1), biasWords: word(2), mults: word(3), shift: (node.attrs as { shift: number }).shift, xScale: int.tensors[int.inputs[0]].scale };
}

describe('conv per-output-channel quantization', () => {
  const live = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 9 }, () => (rng.u32() / 2 ** 32 - 0.5) * 0.8);
  };

  it('an all-zero channel (weights and bias) is zero words and leaves the other channels full-precision multipliers', () => {
    const w = Float32Array.from([...new Array(9).fill(0), ...live(1), ...live(2)]);
    const c = convModel(w, Float32Array.from([0, 0.1, -0.1]), 3);
    expect(Array.from(c.q.subarray(0, 9))).toEqual(new Array(9).fill(0));
    expect(c.biasWords[0]).toBe(0);
    // The live channels keep a multiplier of full precision: the dead channel does not set the shared shift.
    expect(Math.max(c.mults[1], c.mults[2])).toBeGreaterThanOrEqual(2 ** 30);
  });

  it('a single huge weight: ±127 in its channel, whose other taps flatten to 0; other channels unaffected', () => {
    const a = live(3);
    const huge = [...live(4)];
    huge[4] = 500;
    const c = convModel(Float32Array.from([...a, ...huge]), Float32Array.from([0, 0]), 2);
    expect(c.q[9 + 4]).toBe(127);
    expect(Array.from(c.q.subarray(9)).filter((v, i) => i !== 4 && v !== 0)).toEqual([]);
    expect(Math.max(...Array.from(c.q.subarray(0, 9), Math.abs))).toBe(127);
  });

  it('a channel whose weights vanish next to its bias: the scale is raised so the bias word stays within 2^24', () => {
    const tiny = new Array(9).fill(1e-12);
    const c = convModel(Float32Array.from([...live(5), ...tiny]), Float32Array.from([0.05, 3]), 2);
    expect(Math.abs(c.biasWords[1])).toBeLessThanOrEqual(2 ** 24);
    expect(Math.abs(c.biasWords[1])).toBeGreaterThan(2 ** 23);
    // The bias still comes through: the channel's effective output is ≈ 3 / scale_y.
    const outScale = c.int.tensors[c.node.output].scale;
    const effective = (c.biasWords[1] * c.mults[1]) / 2 ** c.shift;
    expect(Math.min(127, effective)).toBeCloseTo(Math.min(127, 3 / outScale), 0);
  });
});

describe('BatchNormalization alone (channelAffine)', () => {
  it('a channel with γ = β = 0 is all zero and does not set the shared shift', () => {
    const bn = (name: string, v: number[]): WriterTensor => ({ name, dims: [3], data: Float32Array.from(v) });
    const graph = loadOnnx(
      writeOnnx({
        inputs: [{ name: 'x', dims: [1, 3, 2, 2] }],
        outputs: [{ name: 'y' }],
        nodes: [{ op: 'BatchNormalization', name: 'bn', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attrs: { epsilon: { float: 1e-5 } } }],
        initializers: [bn('s', [0, 0.8, -1.2]), bn('b', [0, 0.1, 0.3]), bn('m', [0.5, 0.2, -0.1]), bn('v', [1, 0.5, 2])],
      }),
    );
    const rng = new Rng(16);
    const sample = (): FloatTensor => ({ dims: [1, 3, 2, 2], data: Float32Array.from({ length: 12 }, () => rng.u32() / 2 ** 31 - 1) });
    const int = quantize(graph, Array.from({ length: 8 }, () => ({ x: sample() })));
    const node = int.nodes[0];
    expect(node.op).toBe('channelAffine');
    const [factor, offset, mults] = [1, 2, 3].map((k) => int.weights.get(node.inputs[k])!);
    expect([factor[0], offset[0]]).toEqual([0, 0]);
    expect(Math.max(mults[1], mults[2])).toBeGreaterThanOrEqual(2 ** 30);
  });
});

// ---- calibration and activation scales --------------------------------------------------------------------------------

describe('calibration', () => {
  const graph = loadOnnx(
    writeOnnx({
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Relu', name: 'relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Mul', name: 'mul', inputs: ['r', 'c'], outputs: ['y'] },
      ],
      initializers: [{ name: 'c', dims: [1], data: Float32Array.from([-2]) }],
    }),
  );
  const feed = (v: number[]) => ({ x: { dims: [1, 4], data: Float32Array.from(v) } });

  it('records the largest |value| of every value over all samples, negative extremes included', () => {
    const ranges = calibrate(graph, [feed([-3, 1, 0, 0.5]), feed([0.5, 2, -0.25, 0]), feed([0, 0, 0, 0])]);
    expect(ranges.get('x')).toBe(3);
    expect(ranges.get('r')).toBe(2);
    expect(ranges.get('y')).toBe(4); // -4 after the Mul by -2
  });

  it('a value that is zero on every sample has range 0; its scale is floored at 1e-6/127, never 0', () => {
    const ranges = calibrate(graph, [feed([-1, -2, -3, -4])]);
    expect(ranges.get('r')).toBe(0);
    expect(int8Scale(0)).toBe(1e-6 / 127);
    expect(int8Scale(127)).toBe(1);
    expect(int8Scale(2.54)).toBeCloseTo(0.02, 15);
  });

  it('needs at least one sample', () => {
    expect(() => calibrate(graph, [])).toThrow(/at least one sample/);
  });

  it('the quantized graph takes its input and output scales from those ranges', () => {
    const int = quantize(graph, [feed([-3, 1, 0, 0.5]), feed([0.5, 2, -0.25, 0])]);
    expect(int.tensors[int.inputs[0]].scale).toBe(3 / 127);
  });
});

describe('quantizeInput: float inputs to int8 words', () => {
  it('rounds exact ties up (toward +inf, like rshr) and clamps to [-128, 127]', () => {
    const words = quantizeInput(Float32Array.from([2.5, -2.5, 0.5, -0.5, -1.5, 1000, -1000, 127.49, -128.5]), 1, false);
    expect(Array.from(words)).toEqual([3, -2, 1, 0, -1, 127, -128, 127, -128]);
  });

  it('integer inputs (token ids) pass unchanged, int32 edges included', () => {
    expect(Array.from(quantizeInput(Int32Array.from([O.MIN, -1, 0, 63, O.MAX]), 1, true))).toEqual([O.MIN, -1, 0, 63, O.MAX]);
  });
});
