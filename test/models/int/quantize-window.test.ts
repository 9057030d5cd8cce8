/**
 * Conv, BatchNormalization, MaxPool, AveragePool and GlobalAveragePool through the whole integer pipeline:
 * small models built in memory → calibrate → quantize → CPU executor → dequantize, compared with the float
 * evaluator; and every node lowered to the VM, its output root equal to the executor's.
 *
 * Tolerances are in units of the output's quantization step (LSB = calibrated range / 127). Rounding the
 * output alone costs up to 0.5 LSB; input quantization (0.5 input LSB per value) and int8 per-channel
 * weights (0.5 weight LSB, ≤ 0.4 % of a channel's largest weight) add errors that mostly cancel in a sum of
 * many taps. So we require a mean error below 0.6 LSB and a worst error below 3 LSB (≈ 2.4 % of the range)
 * on inputs drawn like the calibration samples (measured: mean 0.13–0.28, max 0.5–1.2 LSB per op; logged
 * when VERBOSE is set). A fresh input can land outside the calibrated range, where int8 saturates by design,
 * so the float reference is clipped to [−128, 127] LSB before comparing.
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../../models/errors.ts';
import { evaluate } from '../../../models/float/evaluate.ts';
import type { FloatGraph, FloatTensor } from '../../../models/graph.ts';
import { runGraph } from '../../../models/int/execute.ts';
import type { IntGraph } from '../../../models/int/graph.ts';
import { lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { writeOnnx, type WriterModel, type WriterNode, type WriterTensor } from '../../../models/onnx/writer.ts';
import { dequantize, quantize, quantizeInput } from '../../../models/quantize/quantize.ts';
import { Rng } from '../../support/rng.ts';

const MEAN_LSB = 0.6;
const MAX_LSB = 3;
const CALIBRATION = 24;
const TRIALS = 6;

const uniform = (rng: Rng, lo: number, hi: number) => lo + (rng.u32() / 2 ** 32) * (hi - lo);
const floats = (rng: Rng, n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => uniform(rng, lo, hi));
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

interface Case {
  graph: FloatGraph;
  int: IntGraph;
  inDims: number[];
  sample: () => FloatTensor;
}

function build(seed: number, inDims: number[], nodes: WriterNode[], initializers: (rng: Rng) => WriterTensor[], extra: Partial<WriterModel> = {}): Case {
  const rng = new Rng(seed);
  const graph = loadOnnx(
    writeOnnx({ inputs: [{ name: 'x', dims: inDims }], outputs: [{ name: 'y' }], nodes, initializers: initializers(rng), ...extra }),
  );
  const sample = (): FloatTensor => ({ dims: inDims, data: floats(rng, count(inDims), -1, 1) });
  const int = quantize(graph, Array.from({ length: CALIBRATION }, () => ({ x: sample() })));
  return { graph, int, inDims, sample };
}

/** Mean and max |int − float| over TRIALS fresh inputs, in output LSBs; every node's VM root checked once. */
function measure(c: Case): { mean: number; max: number } {
  const inScale = c.int.tensors[c.int.inputs[0]].scale;
  const outScale = c.int.tensors[c.int.outputs[0]].scale;
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let t = 0; t < TRIALS; t++) {
    const x = c.sample();
    const float = evaluate(c.graph, { x }).outputs[0].data as Float32Array;
    const run = runGraph(c.int, [quantizeInput(x.data, inScale, false)]);
    const y = dequantize(run.outputs[0], outScale);
    for (let i = 0; i < y.length; i++) {
      // a fresh input may exceed the calibrated range, which int8 clips by design: compare within it
      const ref = Math.max(-128 * outScale, Math.min(127 * outScale, float[i]));
      const e = Math.abs(y[i] - ref) / outScale;
      sum += e;
      max = Math.max(max, e);
      n++;
    }
    if (t === 0) {
      c.int.nodes.forEach((node, i) => {
        const inputs = node.inputs.map((id) => run.values.get(id) ?? c.int.weights.get(id)!);
        expect(runLowered(lowerNode(c.int, i), inputs).outputRoot, `VM root of ${node.name}`).toBe(run.roots.get(node.output));
      });
    }
  }
  return { mean: sum / n, max };
}

function expectClose(name: string, c: Case): void {
  const { mean, max } = measure(c);
  if (process.env.VERBOSE) console.log(`${name}: mean ${mean.toFixed(3)} LSB, max ${max.toFixed(3)} LSB`);
  expect(mean, `${name}: mean error in LSB`).toBeLessThan(MEAN_LSB);
  expect(max, `${name}: max error in LSB`).toBeLessThan(MAX_LSB);
}

const bnParams = (rng: Rng, c: number, prefix: string): WriterTensor[] => [
  { name: `${prefix}.scale`, dims: [c], data: Float32Array.from({ length: c }, (_, i) => (i % 3 === 2 ? -1 : 1) * uniform(rng, 0.5, 1.5)) },
  { name: `${prefix}.bias`, dims: [c], data: floats(rng, c, -0.5, 0.5) },
  { name: `${prefix}.mean`, dims: [c], data: floats(rng, c, -0.3, 0.3) },
  { name: `${prefix}.var`, dims: [c], data: floats(rng, c, 0.2, 2) },
];
const bnInputs = (x: string, p: string) => [x, `${p}.scale`, `${p}.bias`, `${p}.mean`, `${p}.var`];

describe('Conv → conv2d', () => {
  it('Conv + BatchNormalization + Relu fold into one conv2d node and track the float model', () => {
    const c = build(
      1,
      [1, 3, 10, 10],
      [
        { op: 'Conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
        { op: 'BatchNormalization', name: 'bn', inputs: bnInputs('c', 'bn'), outputs: ['n'], attrs: { epsilon: { float: 1e-5 } } },
        { op: 'Relu', name: 'relu', inputs: ['n'], outputs: ['y'] },
      ],
      (rng) => [{ name: 'w', dims: [8, 3, 3, 3], data: floats(rng, 8 * 27, -0.5, 0.5) }, { name: 'b', dims: [8], data: floats(rng, 8, -0.2, 0.2) }, ...bnParams(rng, 8, 'bn')],
    );
    expect(c.int.nodes.map((n) => n.op)).toEqual(['conv2d']);
    expect(c.int.nodes[0].attrs).toMatchObject({ lo: 0, hi: 127, group: 1, kernel: [3, 3], pads: [1, 1, 1, 1] });
    expectClose('conv+bn+relu', c);
  });

  it('stride 2, asymmetric pads, dilation 2, groups 2, bias', () => {
    const c = build(
      2,
      [2, 4, 9, 11],
      [
        {
          op: 'Conv',
          name: 'conv',
          inputs: ['x', 'w', 'b'],
          outputs: ['y'],
          attrs: { kernel_shape: { ints: [3, 2] }, strides: { ints: [2, 1] }, pads: { ints: [1, 0, 2, 1] }, dilations: { ints: [2, 1] }, group: { int: 2 } },
        },
      ],
      (rng) => [{ name: 'w', dims: [6, 2, 3, 2], data: floats(rng, 6 * 12, -0.5, 0.5) }, { name: 'b', dims: [6], data: floats(rng, 6, -0.3, 0.3) }],
    );
    expect(c.int.nodes.map((n) => n.op)).toEqual(['conv2d']);
    expect(c.int.nodes[0].attrs).toMatchObject({ lo: -128, group: 2, strides: [2, 1], dilations: [2, 1], pads: [1, 0, 2, 1] });
    expectClose('conv grouped/strided/dilated', c);
  });

  it('depthwise (group = C, depth multiplier 2), stride 2, SAME padding, with Relu', () => {
    const c = build(
      3,
      [1, 4, 8, 8],
      [
        { op: 'Conv', name: 'dw', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, auto_pad: { string: 'SAME_UPPER' }, group: { int: 4 } } },
        { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['y'] },
      ],
      (rng) => [{ name: 'w', dims: [8, 1, 3, 3], data: floats(rng, 8 * 9, -1, 1) }],
    );
    expect(c.int.nodes.map((n) => n.op)).toEqual(['conv2d']);
    expect(c.int.nodes[0].attrs).toMatchObject({ lo: 0, group: 4 });
    expectClose('depthwise conv+relu', c);
  });

  it('a non-constant weight and a 3-D conv are rejected with one-line messages', () => {
    const dynamic = loadOnnx(
      writeOnnx({
        inputs: [{ name: 'x', dims: [1, 2, 5, 5] }, { name: 'w', dims: [3, 2, 3, 3] }],
        outputs: [{ name: 'y' }],
        nodes: [{ op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3] } } }],
      }),
    );
    const rng = new Rng(4);
    const feeds = { x: { dims: [1, 2, 5, 5], data: floats(rng, 50, -1, 1) }, w: { dims: [3, 2, 3, 3], data: floats(rng, 54, -1, 1) } };
    expect(() => quantize(dynamic, [feeds])).toThrow(UnsupportedOpError);
    expect(() => quantize(dynamic, [feeds])).toThrow(/^node "conv" \(Conv\): the weight "w" must be a constant \(initializer\), not a run-time value; [^\n]+$/);

    const conv3d = () =>
      loadOnnx(
        writeOnnx({
          inputs: [{ name: 'x', dims: [1, 2, 4, 4, 4] }],
          outputs: [{ name: 'y' }],
          nodes: [{ op: 'Conv', name: 'conv3d', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3, 3] } } }],
          initializers: [{ name: 'w', dims: [1, 2, 3, 3, 3], data: new Float32Array(54) }],
        }),
      );
    expect(conv3d).toThrow(UnsupportedOpError);
    expect(conv3d).toThrow(/^node "conv3d" \(Conv\): [^\n]*only 2-D[^\n]*$/);
  });
});

describe('BatchNormalization → channelAffine', () => {
  it('standalone (negative scales included), and with a folded Relu', () => {
    const plain = build(
      5,
      [2, 6, 4, 5],
      [{ op: 'BatchNormalization', name: 'bn', inputs: bnInputs('x', 'bn'), outputs: ['y'], attrs: { epsilon: { float: 1e-3 } } }],
      (rng) => bnParams(rng, 6, 'bn'),
    );
    expect(plain.int.nodes.map((n) => n.op)).toEqual(['channelAffine']);
    expectClose('batchnorm', plain);
    const relu = build(
      6,
      [1, 3, 7],
      [
        { op: 'BatchNormalization', name: 'bn', inputs: bnInputs('x', 'bn'), outputs: ['n'] },
        { op: 'Relu', name: 'relu', inputs: ['n'], outputs: ['y'] },
      ],
      (rng) => bnParams(rng, 3, 'bn'),
    );
    expect(relu.int.nodes.map((n) => n.op)).toEqual(['channelAffine']);
    expect(relu.int.nodes[0].attrs).toMatchObject({ lo: 0 });
    expectClose('batchnorm+relu (rank 3)', relu);
  });

  it('run-time statistics are rejected', () => {
    const g = loadOnnx(
      writeOnnx({
        inputs: [{ name: 'x', dims: [1, 2, 3, 3] }, { name: 'mean', dims: [2] }],
        outputs: [{ name: 'y' }],
        nodes: [{ op: 'BatchNormalization', name: 'bn', inputs: ['x', 'bn.scale', 'bn.bias', 'mean', 'bn.var'], outputs: ['y'] }],
        initializers: bnParams(new Rng(7), 2, 'bn').filter((t) => t.name !== 'bn.mean'),
      }),
    );
    const feeds = { x: { dims: [1, 2, 3, 3], data: new Float32Array(18).fill(0.5) }, mean: { dims: [2], data: new Float32Array(2) } };
    expect(() => quantize(g, [feeds])).toThrow(/^node "bn" \(BatchNormalization\): scale, B, mean and var must be constants/);
  });
});

describe('pools', () => {
  it('MaxPool: 3×3, stride 2, pads 1 (as −∞), dilation 2 → maxpool2d at the input scale', () => {
    const c = build(
      8,
      [1, 3, 9, 9],
      [{ op: 'MaxPool', name: 'pool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, dilations: { ints: [2, 1] } } }],
      () => [],
    );
    expect(c.int.nodes.map((n) => n.op)).toEqual(['maxpool2d']);
    expect(c.int.tensors[c.int.outputs[0]].scale).toBe(c.int.tensors[c.int.inputs[0]].scale);
    expectClose('maxpool', c);
  });

  for (const include of [0, 1]) {
    it(`AveragePool count_include_pad=${include}: border windows with their own counts`, () => {
      const c = build(
        9 + include,
        [2, 2, 7, 8],
        [
          {
            op: 'AveragePool',
            name: 'pool',
            inputs: ['x'],
            outputs: ['y'],
            attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 2, 1] }, count_include_pad: { int: include } },
          },
        ],
        () => [],
      );
      expect(c.int.nodes.map((n) => n.op)).toEqual(['avgpool2d']);
      const attrs = c.int.nodes[0].attrs as { mults: number[]; countIncludePad: boolean };
      expect(attrs.countIncludePad).toBe(include === 1);
      // with count_include_pad=0 the border windows use counts 4 and 6 besides 9
      expect(attrs.mults.map((m, n) => (m > 0 ? n : -1)).filter((n) => n >= 0)).toEqual(include ? [9] : [4, 6, 9]);
      expectClose(`averagepool include=${include}`, c);
    });
  }

  it('GlobalAveragePool → avgpool2d over the whole plane', () => {
    const c = build(11, [2, 5, 6, 7], [{ op: 'GlobalAveragePool', name: 'gap', inputs: ['x'], outputs: ['y'] }], () => []);
    expect(c.int.nodes.map((n) => n.op)).toEqual(['avgpool2d']);
    expect(c.int.tensors[c.int.outputs[0]].dims).toEqual([2, 5, 1, 1]);
    expectClose('globalaveragepool', c);
  });
});

describe('a small CNN', () => {
  it('Conv-BN-Relu-MaxPool-Conv-Relu-AveragePool-Flatten-Gemm: fused nodes, tracks the float model, VM roots', () => {
    const c = build(
      12,
      [1, 1, 12, 12],
      [
        { op: 'Conv', name: 'conv1', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
        { op: 'BatchNormalization', name: 'bn1', inputs: bnInputs('c1', 'bn1'), outputs: ['n1'] },
        { op: 'Relu', name: 'relu1', inputs: ['n1'], outputs: ['r1'] },
        { op: 'MaxPool', name: 'pool1', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } },
        { op: 'Conv', name: 'conv2', inputs: ['p1', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
        { op: 'Relu', name: 'relu2', inputs: ['c2'], outputs: ['r2'] },
        { op: 'AveragePool', name: 'pool2', inputs: ['r2'], outputs: ['p2'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } },
        { op: 'Flatten', name: 'flat', inputs: ['p2'], outputs: ['f'] },
        { op: 'Gemm', name: 'fc', inputs: ['f', 'wf', 'bf'], outputs: ['y'], attrs: { transB: { int: 1 } } },
      ],
      (rng) => [
        { name: 'w1', dims: [4, 1, 3, 3], data: floats(rng, 36, -1, 1) },
        ...bnParams(rng, 4, 'bn1'),
        { name: 'w2', dims: [6, 4, 3, 3], data: floats(rng, 216, -0.4, 0.4) },
        { name: 'b2', dims: [6], data: floats(rng, 6, -0.1, 0.1) },
        { name: 'wf', dims: [5, 54], data: floats(rng, 270, -0.3, 0.3) },
        { name: 'bf', dims: [5], data: floats(rng, 5, -0.1, 0.1) },
      ],
    );
    expect(c.int.nodes.map((n) => n.op)).toEqual(['conv2d', 'maxpool2d', 'conv2d', 'avgpool2d', 'copy', 'matmul']);
    // errors compound over four requantizations: allow twice the single-op budget
    const { mean, max } = measure(c);
    if (process.env.VERBOSE) console.log(`small cnn: mean ${mean.toFixed(3)} LSB, max ${max.toFixed(3)} LSB`);
    expect(mean).toBeLessThan(2 * MEAN_LSB);
    expect(max).toBeLessThan(2 * MAX_LSB);
  });
});
