/**
 * The issue-9 op families on the WebGPU executor: small quantized graphs (Clip alone and folded into Conv /
 * Gemm, the lookup-table activations, Max/Min/Sum/Mean, PRelu, ReduceMax/Min/Sum, GlobalMaxPool, ceil-mode
 * and 1-D windows) give the CPU executor's run word for word: every node's words and root, every graph state.
 */
import { describe, expect, it } from 'vitest';
import { runGraphGpu } from '../../models/gpu/executor.ts';
import { runGraph } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterAttr, type WriterNode, type WriterTensor } from '../../models/onnx/writer.ts';
import { quantize, quantizeInput } from '../../models/quantize/quantize.ts';
import { Rng } from '../support/rng.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const uniform = (rng: Rng, n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (rng.u32() / 2 ** 32) * (hi - lo));
const t = (name: string, dims: number[], values: number[]): WriterTensor => ({ name, dims, data: Float32Array.from(values) });
const rand = (rng: Rng, name: string, dims: number[]): WriterTensor => ({ name, dims, data: uniform(rng, count(dims), -1, 1) });
const n = (op: string, inputs: string[], output: string, attrs?: Record<string, WriterAttr>): WriterNode => ({ op, name: output, inputs, outputs: [output], attrs });
const f = (v: number): WriterAttr => ({ float: v });

interface Spec {
  label: string;
  dims: number[];
  nodes: WriterNode[];
  inits?: (rng: Rng) => WriterTensor[];
  opset?: number;
}

const SPECS: Spec[] = [
  {
    label: 'lookup tables in a chain',
    dims: [2, 3, 4, 5],
    opset: 24,
    nodes: [
      n('LeakyRelu', ['x'], 'a', { alpha: f(0.2) }), n('Elu', ['a'], 'b'), n('Selu', ['b'], 'c'), n('Celu', ['c'], 'd'),
      n('HardSwish', ['d'], 'e'), n('Softplus', ['e'], 'g'), n('Softsign', ['g'], 'h'), n('Exp', ['h'], 'i'), n('Log', ['i'], 'j'),
      n('Neg', ['j'], 'k'), n('Abs', ['k'], 'l'), n('Reciprocal', ['l'], 'm'), n('Mish', ['m'], 'o'), n('Swish', ['o'], 'p'),
      n('ThresholdedRelu', ['p'], 'y', { alpha: f(0.3) }),
    ],
  },
  {
    label: 'trigonometric, hyperbolic, sign and rounding tables in a chain',
    dims: [2, 3, 4, 5],
    nodes: [
      n('Sin', ['x'], 'a'), n('Cos', ['a'], 'b'), n('Tan', ['b'], 'c'), n('Atan', ['c'], 'd'), n('Asin', ['d'], 'e'), n('Acos', ['e'], 'g'),
      n('Sinh', ['g'], 'h'), n('Cosh', ['h'], 'i'), n('Acosh', ['i'], 'j'), n('Asinh', ['j'], 'k'), n('Tanh', ['k'], 'l'), n('Atanh', ['l'], 'm'),
      n('Round', ['m'], 'o'), n('Floor', ['o'], 'p'), n('Ceil', ['p'], 'q'), n('Sign', ['q'], 'y'),
    ],
  },
  {
    label: 'Conv → ReLU6 (folded) → Clip alone → Gemm → Clip (folded)',
    dims: [1, 3, 8, 8],
    nodes: [
      n('Conv', ['x', 'w', 'b'], 'c', { pads: { ints: [1, 1, 1, 1] }, strides: { ints: [2, 2] } }), n('Clip', ['c', 'zero', 'six'], 'r'),
      n('Clip', ['r', 'one', 'five'], 'q'), n('Flatten', ['q'], 'fl'), n('Gemm', ['fl', 'gw', 'gb'], 'g', { transB: { int: 1 } }), n('Clip', ['g', 'm1', 'one'], 'y'),
    ],
    inits: (rng) => [rand(rng, 'w', [4, 3, 3, 3]), rand(rng, 'b', [4]), t('zero', [], [0]), t('six', [], [6]), t('one', [], [1]), t('five', [], [5]), t('m1', [], [-1]), rand(rng, 'gw', [6, 64]), rand(rng, 'gb', [6])],
  },
  {
    label: 'Max / Min / Sum / Mean and ReLU6 as Min(Max(x, 0), 6)',
    dims: [2, 3, 4],
    nodes: [
      n('Mul', ['x', 'c'], 'xc'), n('Max', ['x', 'xc'], 'mx'), n('Min', ['mx', 'xc', 'x'], 'mn'), n('Sum', ['mn', 'x', 'c'], 's'),
      n('Mean', ['s', 'xc'], 'me'), n('Max', ['me', 'zero'], 'r'), n('Min', ['r', 'six'], 'y'),
    ],
    inits: () => [t('c', [4], [1, -1, 0.5, 2]), t('zero', [], [0]), t('six', [], [6])],
  },
  {
    label: 'Conv → PRelu (per channel, and one slope) → ReduceMax / ReduceMin / ReduceSum → GlobalMaxPool',
    dims: [1, 3, 6, 6],
    nodes: [
      n('Conv', ['x', 'w'], 'c'), n('PRelu', ['c', 'slope'], 'p'), n('PRelu', ['p', 'one'], 'p1'),
      n('ReduceMax', ['p1', 'ax1'], 'rmax'), n('ReduceMin', ['p1', 'ax23'], 'rmin', { keepdims: { int: 1 } }),
      n('ReduceSum', ['rmin', 'ax1'], 'rsum'), n('Add', ['rmax', 'rsum'], 'a'), n('GlobalMaxPool', ['a'], 'y'),
    ],
    inits: (rng) => [rand(rng, 'w', [4, 3, 3, 3]), t('slope', [4, 1, 1], [0.1, 0.2, -0.3, 0]), t('one', [1], [0.25]),
      { name: 'ax1', dims: [1], data: Int32Array.of(1) }, { name: 'ax23', dims: [2], data: Int32Array.of(2, 3) }],
  },
  {
    label: '1-D Conv → Relu → 1-D MaxPool (ceil) → 2-D pools with ceil_mode',
    dims: [1, 4, 16],
    nodes: [
      n('Conv', ['x', 'w'], 'c', { pads: { ints: [1, 1] } }), n('Relu', ['c'], 'r'),
      n('MaxPool', ['r'], 'm', { kernel_shape: { ints: [3] }, strides: { ints: [2] }, ceil_mode: { int: 1 } }),
      n('Reshape', ['m', 'shape'], 'sq'),
      n('MaxPool', ['sq'], 'm2', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 } }),
      n('AveragePool', ['m2'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 } }),
    ],
    inits: (rng) => [rand(rng, 'w', [8, 4, 3]), { name: 'shape', dims: [4], data: Int32Array.of(1, 1, 8, 8) }],
  },
];

SPECS.push({
  label: 'MobileNet-style block: Conv-BN-ReLU6, depthwise Conv-BN-ReLU6, 1×1 Conv, HardSwish, GlobalAveragePool, Gemm',
  dims: [1, 3, 16, 16],
  nodes: [
    n('Conv', ['x', 'w1'], 'c1', { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } }), n('BatchNormalization', ['c1', 'g', 'b', 'm', 'v'], 'n1'),
    n('Clip', ['n1', 'zero', 'six'], 'a1'), n('Conv', ['a1', 'w2'], 'c2', { group: { int: 8 }, pads: { ints: [1, 1, 1, 1] } }),
    n('BatchNormalization', ['c2', 'g', 'b', 'm', 'v'], 'n2'), n('Clip', ['n2', 'zero', 'six'], 'a2'), n('Conv', ['a2', 'w3'], 'c3'),
    n('HardSwish', ['c3'], 'h'), n('GlobalAveragePool', ['h'], 'gp'), n('Flatten', ['gp'], 'f'), n('Gemm', ['f', 'wf'], 'y', { transB: { int: 1 } }),
  ],
  inits: (rng) => [rand(rng, 'w1', [8, 3, 3, 3]), rand(rng, 'w2', [8, 1, 3, 3]), rand(rng, 'w3', [12, 8, 1, 1]), rand(rng, 'wf', [5, 12]),
    t('g', [8], [1, 1.2, 0.8, 1, 1.5, 0.5, 1, 1]), t('b', [8], [0, 0.1, -0.1, 0.2, 0, 0, -0.2, 0.1]), t('m', [8], [0, 0.1, 0, -0.1, 0, 0.2, 0, 0]),
    t('v', [8], [1, 0.5, 2, 1, 1, 1.5, 1, 0.8]), t('zero', [], [0]), t('six', [], [6])],
});

function quantized(spec: Spec, seed: number): { graph: IntGraph; inputs: Int32Array[][] } {
  const rng = new Rng(seed);
  const model = writeOnnx({ opset: spec.opset ?? 21, inputs: [{ name: 'x', dims: spec.dims }], outputs: [{ name: 'y' }], nodes: spec.nodes, initializers: spec.inits?.(rng) ?? [] });
  const float = loadOnnx(model);
  const sample = () => ({ x: { dims: spec.dims, data: uniform(rng, count(spec.dims), -3, 3) } });
  const graph = quantize(float, Array.from({ length: 8 }, sample));
  const scale = graph.tensors[graph.inputs[0]].scale;
  return { graph, inputs: Array.from({ length: 2 }, () => [quantizeInput(sample().x.data, scale, false)]) };
}

describe.skipIf(NO_GPU)(`issue-9 op families: GPU executor equals the CPU executor${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  it('the graphs exercise every kernel the families map onto', () => {
    const ops = new Set(SPECS.flatMap((spec, i) => quantized(spec, 70 + i).graph.nodes.map((node) => node.op)));
    for (const op of ['clamp', 'lut', 'binary', 'conv2d', 'matmul', 'maxpool2d', 'avgpool2d', 'reducemean', 'copy', 'transpose']) expect(ops, op).toContain(op);
  });

  SPECS.forEach((spec, i) => {
    it(spec.label, async () => {
      const { graph, inputs } = quantized(spec, 70 + i);
      for (const [s, words] of inputs.entries()) {
        const gpu = await runGraphGpu(device(), graph, words);
        const cpu = runGraph(graph, words);
        graph.nodes.forEach((node, k) => {
          expect(Array.from(gpu.values.get(node.output)!), `sample ${s}: node ${k} ${node.op} "${node.name}" words`).toEqual(Array.from(cpu.values.get(node.output)!));
          expect(gpu.roots.get(node.output), `sample ${s}: node ${k} root`).toBe(cpu.roots.get(node.output));
        });
        expect(gpu.states).toEqual(cpu.states);
      }
    });
  });
});
