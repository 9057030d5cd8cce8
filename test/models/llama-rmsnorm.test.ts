/**
 * The integer `rmsnorm` op (models/int/kernels/rmsnorm.ts) and its way in from ONNX:
 * - the CPU reference, the fast kernel and the VM lowering equal the independent BigInt oracle (test/support/oracle.ts
 *   rmsnormRef) word for word on exhaustive small rows (every int8 value for N = 1, a grid of pairs for N = 2) and
 *   on edge rows (all zeros, one element, ±xmax, beyond xmax, int32 extremes, eps = 0, eps = 2^30);
 * - the quantized RMSNormalization vs the float op on the dequantized input (the kernel's error, output steps) for
 *   int8 and 16-bit inputs, N = 1 … 2048, ε = 0 … 0.1, gains of both signs and zero, and rows whose rms is far
 *   below the calibrated range (the kernel's precision does not depend on it); end to end within the first-order
 *   effect of the input's rounding;
 * - the decomposed RMSNorm (Pow/Mul, ReduceMean, Add, Sqrt, Reciprocal/Div, Mul) fuses into one RMSNormalization
 *   node (models/onnx/fuse/rmsnorm.ts) that quantizes to the same words as the op form; patterns it must not
 *   fuse stay op by op; the RMSNormalization importer's refusals.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import type { FloatGraph } from '../../models/graph.ts';
import { runGraph } from '../../models/int/execute.ts';
import type { IntAttrs, IntGraph } from '../../models/int/graph.ts';
import { runFast } from '../../models/int/kernels/fast.ts';
import { kernelOf } from '../../models/int/kernels/index.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { lowerCall, runLowered } from '../../models/int/vmNode.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterModel, type WriterNode, type WriterTensor } from '../../models/onnx/writer.ts';
import { RMSNORM_MAX_ROW, rmsnormEps } from '../../models/quantize/ops/rmsnorm.ts';
import { quantize, quantizeInput } from '../../models/quantize/quantize.ts';
import { quantizeMultipliers } from '../../models/quantize/multiplier.ts';
import { rmsnormRef } from '../support/oracle.ts';
import { Rng } from '../support/rng.ts';

type Attrs = IntAttrs['rmsnorm'];

/** Reference execute, fast kernel and VM lowering against the oracle, one call. */
function check(a: Attrs, dims: number[], x: Int32Array, mult: Int32Array, label: string): Int32Array {
  const n = dims.slice(a.axis).reduce((p, d) => p * d, 1);
  const call = { attrs: a, inputDims: [dims, [n]], outDims: dims };
  const want = rmsnormRef(a, dims, x, mult);
  const ref = kernelOf('rmsnorm').execute(call, [x, mult]);
  expect(Array.from(ref), `${label}: reference`).toEqual(want);
  expect(Array.from(runFast('rmsnorm', call, [x, mult])!), `${label}: fast`).toEqual(want);
  const vm = runLowered(lowerCall('rmsnorm', call), [x, mult]);
  expect(Array.from(vm.output), `${label}: VM`).toEqual(want);
  expect(vm.outputRoot).toBe(tensorRoot(ref));
  return ref;
}

/** The quantizer's attrs for N elements of `bits`-bit words at scale sx, gains g and output scale sy. */
function quantizerAttrs(n: number, bits: 8 | 16, sx: number, eps: number, g: number[], sy: number, outBits: 8 | 16 = 8): { attrs: Attrs; mult: Int32Array } {
  const xmax = bits === 8 ? 128 : 32768;
  const { eps: e, wUnit } = rmsnormEps(n, sx, eps);
  const { mults, shift } = quantizeMultipliers(g.map((v) => Math.abs(v) / (wUnit * sy)));
  g.forEach((v, i) => {
    if (v < 0) mults[i] = -mults[i];
  });
  const [lo, hi] = outBits === 8 ? [-128, 127] : [-32768, 32767];
  return { attrs: { axis: 1, xmax, eps: e, shift, lo, hi }, mult: mults };
}

describe('rmsnorm kernel = BigInt oracle (reference, fast kernel, VM lowering)', () => {
  it('N = 1: every int8 word, eps 0 and > 0, both gain signs', () => {
    const x = Int32Array.from({ length: 256 }, (_, i) => i - 128);
    for (const eps of [0, 1e-5, 0.5]) {
      for (const g of [1, -0.7]) {
        const { attrs, mult } = quantizerAttrs(1, 8, 0.02, eps, [g], 1 / 127);
        const y = check(attrs, [256, 1], x, mult, `N=1 eps ${eps} g ${g}`);
        // ε = 0: x / |x| · g exactly (a nonzero row normalizes to ±1), 0 for x = 0 (σ = 0 gives w = 0)
        if (eps === 0) x.forEach((v, i) => expect(y[i], `x ${v}`).toBe(v === 0 ? 0 : Math.round((Math.sign(v) * g) * 127)));
      }
    }
  });

  it('N = 2: a grid of word pairs over the int8 range, and 16-bit words', () => {
    const grid = [-128, -127, -100, -64, -17, -3, -2, -1, 0, 1, 2, 3, 16, 63, 64, 101, 126, 127];
    const pairs = grid.flatMap((a) => grid.flatMap((b) => [a, b]));
    for (const eps of [0, 1e-5]) {
      const { attrs, mult } = quantizerAttrs(2, 8, 0.05, eps, [1.3, -0.4], 0.02);
      check(attrs, [pairs.length / 2, 2], Int32Array.from(pairs), mult, `N=2 int8 eps ${eps}`);
      const wide = Int32Array.from(pairs, (v) => v * 256 + (v & 7));
      const w = quantizerAttrs(2, 16, 0.05 / 256, eps, [0.9, 2.5], 0.02, 16);
      check(w.attrs, [pairs.length / 2, 2], wide, w.mult, `N=2 16-bit eps ${eps}`);
    }
  });

  it('edge rows: all zeros, one element, ±xmax, beyond xmax, int32 extremes, eps 0 / 2^30, shifts', () => {
    const rng = new Rng(5);
    for (const n of [1, 3, 8, 17, 64]) {
      for (const bits of [8, 16] as const) {
        const xmax = bits === 8 ? 128 : 32768;
        const rows: number[][] = [
          new Array(n).fill(0),
          Array.from({ length: n }, (_, i) => (i === 0 ? xmax - 1 : 0)),
          Array.from({ length: n }, (_, i) => (i === n - 1 ? -xmax : 0)),
          new Array(n).fill(xmax),
          new Array(n).fill(-xmax),
          Array.from({ length: n }, (_, i) => (i % 2 ? xmax : -xmax)),
          Array.from({ length: n }, (_, i) => (i % 2 ? 4 * xmax : -2147483648)), // beyond xmax: clamped
          Array.from({ length: n }, () => rng.pick([2147483647, -2147483648, 0, 1, -1])),
          Array.from({ length: n }, () => rng.int(-xmax, xmax - 1)),
          Array.from({ length: n }, () => rng.int(-3, 3)), // tiny rms: σ has few levels
        ];
        const g = Array.from({ length: n }, (_, i) => [1, -1, 0.5, 0, 2.7][i % 5]);
        for (const eps of [0, 1e-6, 1e-2, 1e6]) {
          const { attrs, mult } = quantizerAttrs(n, bits, bits === 8 ? 0.03 : 0.03 / 256, eps, g, 0.02, rng.pick([8, 16]));
          check(attrs, [rows.length, n], Int32Array.from(rows.flat()), mult, `N=${n} ${bits}-bit eps ${eps}`);
          check({ ...attrs, eps: 2 ** 30 }, [rows.length, n], Int32Array.from(rows.flat()), mult, `N=${n} ${bits}-bit eps 2^30`);
        }
        // arbitrary (non-quantizer) attrs: wrapping squares and sums, every output shift
        for (let k = 0; k < 6; k++) {
          const attrs: Attrs = { axis: 1, xmax: rng.pick([0, 1, xmax, 2 ** 20, 2147483647, -7]), eps: rng.pick([0, 1, 2 ** 31 - 1, -5, -(2 ** 31)]), shift: rng.int(0, 63), lo: -(2 ** 31), hi: 2 ** 31 - 1 };
          const mult = Int32Array.from({ length: n }, () => rng.int32());
          check(attrs, [rows.length, n], Int32Array.from(rows.flat()), mult, `N=${n} arbitrary ${JSON.stringify(attrs)}`);
        }
      }
    }
  });

  it('the longest row at full scale: the sums stay exact (N = 16383 of ±32768, eps = 2^31 − 1) and the norm is right', () => {
    const n = RMSNORM_MAX_ROW;
    const x = Int32Array.from({ length: 2 * n }, (_, i) => (i < n ? (i % 3 ? 32768 : -32768) : i % 5 === 0 ? 1 : 0));
    const attrs: Attrs = { axis: 1, xmax: 32768, eps: 2 ** 31 - 1, shift: 30, lo: -(2 ** 31), hi: 2 ** 31 - 1 };
    const y = check(attrs, [2, n], x, new Int32Array(n).fill(2 ** 30), 'N=16383 full scale');
    // row 0: P = N·2^30 + eps, x/√P·2^30 = ±2^30·2^15/√P ≈ ±8388 (within 2^-13)
    const want = (2 ** 30 * 32768) / Math.sqrt(n * 2 ** 30 + 2 ** 31 - 1);
    expect(Math.abs(Math.abs(y[0]) - want) / want).toBeLessThan(2 ** -13);
    expect(y[1]).toBe(-y[0]);
  });
});

// ------------------------------------------------------------------------------------------------ quantized

const f32 = (dims: number[], values: ArrayLike<number>, name: string): WriterTensor => ({ name, dims, data: Float32Array.from(values) });

/** x → [Add(x, c) →] RMSNormalization(·, g) → y: the Add makes the norm's input 16-bit words. */
function rmsModel(n: number, g: number[], eps: number, wide: boolean, rows: number): WriterModel {
  const nodes: WriterNode[] = [];
  const inits = [f32([n], g, 'g')];
  let x = 'x';
  if (wide) {
    inits.push(f32([n], Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i)), 'c'));
    nodes.push({ op: 'Add', name: 'shift', inputs: ['x', 'c'], outputs: ['xc'] });
    x = 'xc';
  }
  nodes.push({ op: 'RMSNormalization', name: 'rms', inputs: [x, 'g'], outputs: ['y'], attrs: { axis: { int: -1 }, epsilon: { float: eps } } });
  return { opset: 23, inputs: [{ name: 'x', dims: [rows, n] }], outputs: [{ name: 'y' }], initializers: inits, nodes };
}

/** Rows of N values: normal with a per-row scale (so row rms varies over a decade), some heavy elements. */
function sampleRows(rng: Rng, rows: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const s = 0.3 + 2.7 * (rng.u32() / 2 ** 32);
    for (let i = 0; i < n; i++) {
      const u = (rng.u32() + 1) / 2 ** 32;
      const v = rng.u32() / 2 ** 32;
      out[r * n + i] = s * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * (rng.int(0, 40) === 0 ? 3 : 1);
    }
  }
  return out;
}

/**
 * The kernel's error in output steps: the integer output vs the float RMSNorm of the dequantized input words (the
 * integer op's input exactly), float clamped to the output's word range; its max and mean. And end to end (vs the
 * float graph on the original input), the worst ratio of the error to its first-order bound
 * 0.51 + d / rms · (|γ_i| + |y_i|) / s_y, d = the rounding of x before the norm (s_in/2 of the int8 graph input,
 * plus s_x/2 of the Add before a 16-bit norm): it moves x/rms by d/rms directly and through the rms.
 */
function errors(float: FloatGraph, int: IntGraph, x: Float32Array, n: number, g: number[], eps: number): { kernel: number; mean: number; endToEnd: number } {
  const inScale = int.tensors[int.inputs[0]].scale;
  const run = runGraph(int, [quantizeInput(x, inScale, false)]);
  const node = int.nodes[int.nodes.length - 1];
  expect(node.op).toBe('rmsnorm');
  const words = run.values.get(node.inputs[0])!;
  const sx = int.tensors[node.inputs[0]].scale;
  const out = run.values.get(int.outputs[0])!;
  const sy = int.tensors[int.outputs[0]].scale;
  const { lo, hi } = node.attrs as Attrs;
  const ref = evaluate(float, { x: { dims: float.inputs[0].dims, data: x } }).outputs[0].data as Float32Array;
  const d = int.nodes.length > 1 ? (inScale + sx) / 2 : sx / 2;
  let kernel = 0;
  let sum = 0;
  let endToEnd = 0;
  for (let r = 0; r < x.length / n; r++) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (words[r * n + i] * sx) ** 2;
    const rms = Math.sqrt(ss / n + eps);
    for (let i = 0; i < n; i++) {
      const k = r * n + i;
      const want = Math.min(hi, Math.max(lo, (words[k] * sx * g[i]) / rms / sy));
      const e = Math.abs(out[k] - want);
      kernel = Math.max(kernel, e);
      sum += e;
      const bound = 0.51 + ((d / rms) * (Math.abs(g[i]) + Math.abs(ref[k]))) / sy;
      endToEnd = Math.max(endToEnd, Math.abs(out[k] - Math.min(hi, Math.max(lo, ref[k] / sy))) / bound);
    }
  }
  return { kernel, mean: sum / x.length, endToEnd };
}

describe('quantized RMSNormalization vs float', () => {
  const cases: { n: number; eps: number; wide: boolean }[] = [
    { n: 1, eps: 1e-5, wide: false },
    { n: 8, eps: 0, wide: false },
    { n: 32, eps: 1e-5, wide: false },
    { n: 32, eps: 1e-5, wide: true },
    { n: 64, eps: 0.1, wide: false },
    { n: 512, eps: 1e-6, wide: true },
    { n: 2048, eps: 1e-5, wide: false },
    { n: 2048, eps: 1e-5, wide: true },
  ];
  for (const c of cases) {
    it(`N = ${c.n}, ε = ${c.eps}, ${c.wide ? '16-bit' : 'int8'} input: kernel ≤ 0.51 output steps, mean < 0.3`, () => {
      const rng = new Rng(100 + c.n);
      const rows = c.n >= 512 ? 6 : 40;
      const g = Array.from({ length: c.n }, (_, i) => (i % 7 === 3 ? -1 : 1) * (0.5 + (i % 11) / 10) * (i % 13 === 5 ? 0 : 1));
      const model = writeOnnx(rmsModel(c.n, g, c.eps, c.wide, rows));
      const float = loadOnnx(model);
      const samples = Array.from({ length: 4 }, () => ({ x: { dims: [rows, c.n], data: sampleRows(rng, rows, c.n) } }));
      const int = quantize(float, samples);
      expect(int.nodes.map((nd) => nd.op)).toEqual(c.wide ? ['binary', 'rmsnorm'] : ['rmsnorm']);
      const xmax = (int.nodes[int.nodes.length - 1].attrs as Attrs).xmax;
      expect(xmax).toBe(c.wide ? 32768 : 128);
      for (const s of samples) {
        const e = errors(float, int, s.x.data, c.n, g, c.eps);
        if (process.env.OPML_PRINT) console.log(`N=${c.n} eps ${c.eps} ${c.wide ? 16 : 8}-bit: kernel ${e.kernel.toFixed(4)} mean ${e.mean.toFixed(4)} end-to-end/bound ${e.endToEnd.toFixed(3)}`);
        expect(e.kernel).toBeLessThanOrEqual(0.51);
        expect(e.mean).toBeLessThan(0.3);
        expect(e.endToEnd).toBeLessThanOrEqual(1.1); // measured ≤ 0.97
      }
    });
  }

  it('rows whose rms is far below the calibrated range (words ±1..±3 of 128, and of 32768): still ≤ 0.51 steps', () => {
    const n = 32;
    const g = new Array(n).fill(1);
    for (const wide of [false, true]) {
      const float = loadOnnx(writeOnnx(rmsModel(n, g, 0, wide, 2)));
      const rng = new Rng(9);
      const int = quantize(float, [{ x: { dims: [2, n], data: sampleRows(rng, 2, n).map((v) => v * 3) } }]);
      const node = int.nodes[int.nodes.length - 1];
      const sx = int.tensors[node.inputs[0]].scale;
      const sIn = int.tensors[int.inputs[0]].scale;
      // input words ±1..±3 at the norm's input (through the Add's rescale when wide)
      const x = Float32Array.from({ length: 2 * n }, (_, i) => (((i % 5) - 2 || 1) * (wide ? sx : sIn)) - (wide ? 0.3 * Math.sin(i % n) : 0));
      const e = errors(float, int, x, n, g, 0);
      expect(e.kernel).toBeLessThanOrEqual(0.51);
    }
  });
});

// ------------------------------------------------------------------------------------------------ fusion

type Form = 'pow-reciprocal' | 'mul-div1' | 'pow-div' | 'no-gain' | 'gain-first' | 'gain-3d' | 'eps-first' | 'reciprocal-first';

/** x [2, 3, 8] → a decomposed RMSNorm over the last axis written in `form` → y. */
function decomposed(form: Form, opts: { eps?: number; axes?: number[]; leak?: boolean; gain?: number[] } = {}): WriterModel {
  const n = 8;
  const g = opts.gain ?? Array.from({ length: n }, (_, i) => 0.5 + i / 8 - (i === 3 ? 2 : 0));
  const inits: WriterTensor[] = [
    f32([], [2], 'two'), f32([], [opts.eps ?? 1e-5], 'eps'), f32([], [1], 'one'),
    form === 'gain-3d' ? f32([1, 1, n], g, 'g') : f32([n], g, 'g'),
    { name: 'axes', dims: [(opts.axes ?? [-1]).length], data: Int32Array.from(opts.axes ?? [-1]) },
  ];
  const nodes: WriterNode[] = [];
  const node = (op: string, name: string, inputs: string[], attrs?: WriterNode['attrs']) => {
    nodes.push({ op, name: `norm/${name}`, inputs, outputs: [name], attrs });
    return name;
  };
  const sq = form === 'mul-div1' ? node('Mul', 'sq', ['x', 'x']) : node('Pow', 'sq', ['x', 'two']);
  const m = node('ReduceMean', 'mean', [sq, 'axes'], { keepdims: { int: 1 } });
  const a = node('Add', 'add', form === 'eps-first' ? ['eps', m] : [m, 'eps']);
  const s = node('Sqrt', 'sqrt', [a]);
  let normed: string;
  if (form === 'pow-div') normed = node('Div', 'div', ['x', s]);
  else {
    const r = form === 'mul-div1' ? node('Div', 'inv', ['one', s]) : node('Reciprocal', 'inv', [s]);
    normed = node('Mul', 'normed', form === 'reciprocal-first' ? [r, 'x'] : ['x', r]);
  }
  const y = form === 'no-gain' ? normed : node('Mul', 'scaled', form === 'gain-first' ? ['g', normed] : [normed, 'g']);
  const outputs = [{ name: y }, ...(opts.leak ? [{ name: s }] : [])];
  return { opset: 18, inputs: [{ name: 'x', dims: [2, 3, n] }], outputs, initializers: inits, nodes };
}

const sampleX = (rng: Rng) => ({ x: { dims: [2, 3, 8], data: sampleRows(rng, 6, 8) } });

describe('decomposed RMSNorm → RMSNormalization (models/onnx/fuse/rmsnorm.ts)', () => {
  const forms: Form[] = ['pow-reciprocal', 'mul-div1', 'pow-div', 'no-gain', 'gain-first', 'gain-3d', 'eps-first', 'reciprocal-first'];
  for (const form of forms) {
    it(`${form}: one RMSNormalization node named after the pattern, the float value of the unfused graph, the op form's integer graph`, () => {
      const bytes = writeOnnx(decomposed(form));
      const fused = loadOnnx(bytes);
      expect(fused.nodes.map((nd) => nd.op)).toEqual(['RMSNormalization']);
      expect(fused.nodes[0].name).toBe('norm');
      expect(fused.nodes[0].attrs).toEqual({ axis: 2, epsilon: expect.closeTo(1e-5, 9) });
      expect([...fused.initializers.keys()].length).toBe(1); // the gain (or a unit gain): 2, eps, 1 pruned
      const unfused = loadOnnx(bytes, { fuseRmsNorm: false });
      expect(unfused.nodes.length).toBeGreaterThan(4);
      const rng = new Rng(form.length);
      const feeds = sampleX(rng);
      const a = evaluate(fused, feeds).outputs[0].data;
      const b = evaluate(unfused, feeds).outputs[0].data;
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5 * (1 + Math.abs(b[i]))));
      // the op form quantizes to the same integer graph (same kernels, attrs and weights)
      const g = fused.initializers.get(fused.nodes[0].inputs[1])!;
      const op = loadOnnx(writeOnnx({
        opset: 23, inputs: [{ name: 'x', dims: [2, 3, 8] }], outputs: [{ name: fused.outputs[0] }], initializers: [f32([8], g.data, 'g')],
        nodes: [{ op: 'RMSNormalization', name: 'norm', inputs: ['x', 'g'], outputs: [fused.outputs[0]], attrs: { epsilon: { float: 1e-5 } } }],
      }));
      const samples = [sampleX(rng), sampleX(rng)];
      const qa = quantize(fused, samples);
      const qb = quantize(op, samples);
      expect(qa.nodes).toEqual(qb.nodes);
      expect([...qa.weights.values()].map((w) => Array.from(w))).toEqual([...qb.weights.values()].map((w) => Array.from(w)));
    });
  }

  it('left op by op: an intermediate that is a graph output, axes that are not trailing, a negative ε, a gain that broadcasts x up', () => {
    const ops = (m: WriterModel) => loadOnnx(writeOnnx(m)).nodes.map((nd) => nd.op);
    expect(ops(decomposed('pow-reciprocal', { leak: true }))).not.toContain('RMSNormalization');
    expect(ops(decomposed('pow-reciprocal', { axes: [1] }))).not.toContain('RMSNormalization');
    expect(ops(decomposed('pow-reciprocal', { eps: -1e-3 }))).not.toContain('RMSNormalization');
    // a gain [2, 1, 1, 8] would give y rank 4: not a norm of x
    const m = decomposed('pow-reciprocal');
    m.initializers = m.initializers!.map((t) => (t.name === 'g' ? f32([2, 1, 1, 8], new Float32Array(16).fill(1), 'g') : t));
    expect(ops(m)).toEqual(['RMSNormalization', 'Mul']); // fused without the gain, the broadcasting Mul kept
  });

  it('a decomposed LayerNorm (x − mean first) is left as it was: its second half is not taken for an RMSNorm', () => {
    const m = decomposed('pow-div');
    m.initializers!.push({ name: 'axes2', dims: [1], data: Int32Array.of(-1) });
    m.nodes = [
      { op: 'ReduceMean', name: 'ln/mean', inputs: ['x', 'axes2'], outputs: ['mu'], attrs: { keepdims: { int: 1 } } },
      { op: 'Sub', name: 'ln/center', inputs: ['x', 'mu'], outputs: ['d'] },
      ...m.nodes.map((nd) => ({ ...nd, inputs: nd.inputs.map((v) => (v === 'x' ? 'd' : v)) })),
    ];
    expect(loadOnnx(writeOnnx(m)).nodes.map((nd) => nd.op)).toEqual(['ReduceMean', 'Sub', 'Pow', 'ReduceMean', 'Add', 'Sqrt', 'Div', 'Mul']);
  });

  it('two norms sharing an input, one after the other: both fused, order kept', () => {
    const a = decomposed('pow-reciprocal');
    const b = decomposed('mul-div1');
    const rename = (m: WriterModel, p: string) => m.nodes.map((nd) => ({
      ...nd, name: nd.name!.replace('norm/', `${p}/`), inputs: nd.inputs.map((i) => (i === 'x' || i === 'axes' || i === 'two' || i === 'eps' || i === 'one' || i === 'g' ? i : `${p}.${i}`)), outputs: nd.outputs.map((o) => `${p}.${o}`),
    }));
    const nodes = [...rename(a, 'n1'), ...rename(b, 'n2')];
    const graph = loadOnnx(writeOnnx({ opset: 18, inputs: a.inputs, outputs: [{ name: 'n1.scaled' }, { name: 'n2.scaled' }], initializers: a.initializers, nodes }));
    expect(graph.nodes.map((nd) => `${nd.op} ${nd.name}`)).toEqual(['RMSNormalization n1', 'RMSNormalization n2']);
  });
});

describe('RMSNormalization importer', () => {
  const model = (opset: number, sDims: number[]): Uint8Array => writeOnnx({
    opset, inputs: [{ name: 'x', dims: [2, 8] }], outputs: [{ name: 'y' }], initializers: [f32(sDims, new Float32Array(sDims.reduce((p, d) => p * d, 1)).fill(1), 's')],
    nodes: [{ op: 'RMSNormalization', name: 'r', inputs: ['x', 's'], outputs: ['y'], attrs: { stash_type: { int: 1 } } }],
  });
  it('loads at opset 23 with defaults axis -1, epsilon 1e-5; refuses opset 22 and a scale that does not broadcast', () => {
    expect(loadOnnx(model(23, [8])).nodes[0].attrs).toEqual({ axis: 1, epsilon: expect.closeTo(1e-5, 9) });
    expect(() => loadOnnx(model(22, [8]))).toThrow(/RMSNormalization exists from opset 23 on/);
    expect(() => loadOnnx(model(23, [3]))).toThrow(/scale \[3\] does not broadcast to the normalized shape \[8\]/);
  });
});
