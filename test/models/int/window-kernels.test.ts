/**
 * The window kernels (conv2d, maxpool2d, avgpool2d) on named geometries, so every lowering path is covered
 * whatever the random cases draw: stride 2, asymmetric padding, dilation 2, groups 2, depthwise, windows
 * wholly in padding, channel blocks (C/group·kh·kw > MAX_UNROLL_TAPS) and kernel-row loops (more than
 * MAX_UNROLL_TAPS taps in a window). VM output and root equal the reference; steps do not depend on data.
 * And the cost of MNIST-size layers: about 2 VM steps per multiply-accumulate.
 */
import { describe, expect, it } from 'vitest';
import type { IntAttrs, IntWindow2d } from '../../../models/int/graph.ts';
import { elementCount } from '../../../models/int/graph.ts';
import { kernelOf } from '../../../models/int/kernels/index.ts';
import { KernelShapeError } from '../../../models/int/kernels/kernel.ts';
import { MAX_UNROLL_TAPS } from '../../../models/int/kernels/window2d.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import { lowerCall, runLowered } from '../../../models/int/vmNode.ts';
import { Rng } from '../../support/rng.ts';

type WindowOp = 'conv2d' | 'maxpool2d' | 'avgpool2d';

const win = (kernel: [number, number], strides: [number, number] = [1, 1], pads: [number, number, number, number] = [0, 0, 0, 0], dilations: [number, number] = [1, 1]): IntWindow2d => ({
  kernel,
  strides,
  pads,
  dilations,
});

function check<K extends WindowOp>(op: K, attrs: IntAttrs[K], inputDims: number[][], seed = 1): { steps: number; code: number } {
  const rng = new Rng(seed);
  const kernel = kernelOf(op);
  const outDims = kernel.outputDims(attrs, inputDims);
  const call = { attrs, inputDims, outDims };
  const data = (r: Rng) =>
    inputDims.map((d, i) =>
      Int32Array.from({ length: elementCount(d) }, () => (i === 2 ? r.int(-5000, 5000) : i === 3 ? r.int(2 ** 30, 2 ** 31 - 1) : r.int(-128, 127))),
    );
  const inputs = data(rng);
  const expected = kernel.execute(call, inputs);
  const lowered = lowerCall(op, call);
  const run = runLowered(lowered, inputs);
  expect(Array.from(run.output)).toEqual(Array.from(expected));
  expect(run.outputRoot).toBe(tensorRoot(expected));
  expect(runLowered(lowered, data(new Rng(seed + 100))).steps).toBe(run.steps);
  return { steps: run.steps, code: lowered.program.length };
}

const conv = (w: IntWindow2d, group = 1, lo = -128): IntAttrs['conv2d'] => ({ ...w, group, shift: 38, lo, hi: 127 });
const convDims = (n: number, c: number, h: number, wd: number, m: number, group: number, w: IntWindow2d) => [[n, c, h, wd], [m, c / group, ...w.kernel], [m], [m]];

describe('conv2d geometries', () => {
  const cases: [string, IntWindow2d, number, number[][]][] = [
    ['stride 2, pads 1', win([3, 3], [2, 2], [1, 1, 1, 1]), 1, []],
    ['asymmetric pads, stride [2, 1]', win([3, 2], [2, 1], [2, 0, 1, 2]), 1, []],
    ['dilation 2 with pads', win([3, 3], [1, 1], [2, 2, 2, 2], [2, 2]), 1, []],
    ['groups 2', win([3, 3], [1, 2], [1, 1, 1, 1]), 2, []],
    ['depthwise', win([3, 3], [2, 2], [1, 1, 1, 1]), 4, []],
    ['windows wholly in padding', win([1, 1], [1, 1], [2, 2, 2, 2]), 1, []],
    ['1x1 stride 2', win([1, 1], [2, 2]), 1, []],
  ];
  for (const [name, w, group] of cases) {
    it(name, () => {
      check('conv2d', conv(w, group), convDims(2, 4, 7, 6, group === 4 ? 8 : 4, group, w));
    });
  }

  it('channel blocks: C/group·kh·kw > MAX_UNROLL_TAPS', () => {
    const w = win([3, 3], [1, 1], [1, 1, 1, 1]);
    expect(64 * 9).toBeGreaterThan(MAX_UNROLL_TAPS);
    check('conv2d', conv(w, 2), convDims(1, 128, 4, 3, 4, 2, w));
  });

  it('kernel-row loops: a window of more than MAX_UNROLL_TAPS taps, strided and padded', () => {
    const w = win([17, 17], [2, 3], [1, 2, 1, 0]);
    check('conv2d', conv(w, 1, 0), convDims(1, 2, 19, 20, 3, 1, w));
  });

  it('rejects geometries that do not fit', () => {
    const w = win([3, 3]);
    expect(() => kernelOf('conv2d').outputDims(conv(w, 3), convDims(1, 4, 5, 5, 3, 1, w))).toThrow(KernelShapeError);
    expect(() => kernelOf('conv2d').outputDims(conv(win([7, 7]), 1), convDims(1, 1, 5, 5, 1, 1, win([7, 7])))).toThrow(/exceeds the padded input/);
  });
});

describe('pool geometries', () => {
  const windows: [string, IntWindow2d][] = [
    ['3x3 stride 2 pads 1', win([3, 3], [2, 2], [1, 1, 1, 1])],
    ['dilation 2, asymmetric pads', win([2, 3], [1, 2], [0, 2, 1, 1], [2, 2])],
    ['windows wholly in padding', win([1, 2], [1, 1], [2, 0, 2, 3])],
    ['more than MAX_UNROLL_TAPS taps (kernel-row loop)', win([20, 18], [1, 1], [0, 1, 0, 1])],
  ];
  for (const [name, w] of windows) {
    it(`maxpool2d ${name}`, () => check('maxpool2d', { ...w, lo: -128, hi: 127 }, [[2, 3, 20, 18]]));
    for (const countIncludePad of [false, true]) {
      it(`avgpool2d ${name}, countIncludePad ${countIncludePad}`, () => {
        const rng = new Rng(9);
        const kk = w.kernel[0] * w.kernel[1];
        const mults = Array.from({ length: kk + 1 }, () => rng.int(2 ** 30, 2 ** 31 - 1));
        check('avgpool2d', { ...w, countIncludePad, mults, shift: 33, lo: -128, hi: 127 }, [[2, 3, 20, 18]]);
      });
    }
  }

  it('a window with no valid tap gives lo (max) and clamp(0) (average)', () => {
    const w = win([1, 1], [1, 1], [1, 0, 0, 0]);
    const x = Int32Array.from([5, 6]);
    const call = <K extends WindowOp>(attrs: IntAttrs[K]) => ({ attrs, inputDims: [[1, 1, 1, 2]], outDims: [1, 1, 2, 2] });
    expect(Array.from(kernelOf('maxpool2d').execute(call<'maxpool2d'>({ ...w, lo: -100, hi: 127 }), [x]))).toEqual([-100, -100, 5, 6]);
    const avg = kernelOf('avgpool2d').execute(call<'avgpool2d'>({ ...w, countIncludePad: false, mults: [2 ** 30, 2 ** 30], shift: 30, lo: 3, hi: 127 }), [x]);
    expect(Array.from(avg)).toEqual([3, 3, 5, 6]);
  });
});

describe('cost of MNIST-size layers', () => {
  const same3x3 = win([3, 3], [1, 1], [1, 1, 1, 1]);
  it('conv 8→8 channels, 3×3, 28×28: about 2 steps per multiply-accumulate', () => {
    const { steps, code } = check('conv2d', conv(same3x3, 1, 0), convDims(1, 8, 28, 28, 8, 1, same3x3));
    const macs = 8 * 8 * 9 * 28 * 28; // an upper bound: border taps are skipped
    expect(steps).toBeLessThan(2.05 * macs); // 910,889 steps for 451,584 products
    expect(code).toBeLessThan(2000);
  });
  it('maxpool 2×2 / 2 over 8×28×28', () => {
    const { steps } = check('maxpool2d', { ...win([2, 2], [2, 2]), lo: -128, hi: 127 }, [[1, 8, 28, 28]]);
    expect(steps).toBeLessThan(15 * 8 * 14 * 14); // LI + 4·(LOAD, MAX) + MIN, STORE, pointers, loop
  });
});
