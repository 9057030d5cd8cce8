// Opset adapters (models/onnx/opsets/): for every op whose signature changed between opsets 7 and 25, models
// written at the opsets just before and after the change load, and opml's float evaluator matches
// onnxruntime-node on them. Adapted nodes map onto latest-opset ops (some run through expanders).

import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../models/errors.ts';
import type { Tensor } from '../../models/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterAttr, type WriterModel, type WriterTensor } from '../../models/onnx/writer.ts';
import { checkAgainstOrt, float, int64, opsOf, random } from './fold-helpers.ts';

interface Single {
  op: string;
  opset: number;
  /** Run-time float inputs and their dims. */
  inputs: Record<string, number[]>;
  initializers?: WriterTensor[];
  nodeInputs?: string[];
  attrs?: Record<string, WriterAttr>;
  outputs?: string[];
}

function single(s: Single): { model: WriterModel; feeds: Record<string, Tensor> } {
  const outputs = s.outputs ?? ['y'];
  const feeds: Record<string, Tensor> = {};
  for (const [n, dims] of Object.entries(s.inputs)) feeds[n] = random(dims);
  const initializers = s.initializers ?? [];
  return {
    feeds,
    model: {
      opset: s.opset,
      inputs: Object.entries(s.inputs).map(([name, dims]) => ({ name, dims })),
      outputs: outputs.filter((o) => o !== '' && !o.startsWith('_')).map((name) => ({ name })),
      initializers,
      nodes: [{ op: s.op, name: 'n0', inputs: s.nodeInputs ?? [...Object.keys(s.inputs), ...initializers.map((t) => t.name)], outputs: outputs.map((o) => (o.startsWith('_') ? o.slice(1) : o)), attrs: s.attrs }],
    },
  };
}

/** Checks one single-node model against onnxruntime; returns the loaded graph. */
async function check(s: Single) {
  const { model, feeds } = single(s);
  return (await checkAgainstOrt(model, feeds)).graph;
}

function caseName(s: Single, what = ''): string {
  return `${s.op} opset ${s.opset}${what ? ` ${what}` : ''}`;
}

function cases(list: [string, Single][]): void {
  for (const [what, s] of list) it(caseName(s, what), async () => void (await check(s)));
}

describe('Softmax, LogSoftmax: 2-D coercion before opset 13', () => {
  const x = { x: [2, 3, 4] };
  for (const op of ['Softmax', 'LogSoftmax']) {
    cases([
      ['axis 1 (coerced over dims 1..)', { op, opset: 12, inputs: x, attrs: { axis: { int: 1 } } }],
      ['default axis (1) at opset 7', { op, opset: 7, inputs: x }],
      ['axis 0', { op, opset: 11, inputs: x, attrs: { axis: { int: 0 } } }],
      ['last axis', { op, opset: 11, inputs: x, attrs: { axis: { int: -1 } } }],
      ['axis 1 (one axis)', { op, opset: 13, inputs: x, attrs: { axis: { int: 1 } } }],
    ]);
  }
  it('Softmax opset 12 axis 1 becomes Flatten → Softmax → Reshape', async () => {
    expect(opsOf(await check({ op: 'Softmax', opset: 12, inputs: x, attrs: { axis: { int: 1 } } }))).toEqual(['Flatten', 'Softmax', 'Reshape']);
    expect(opsOf(await check({ op: 'Softmax', opset: 12, inputs: x, attrs: { axis: { int: 2 } } }))).toEqual(['Softmax']);
  });
});

describe('Dropout: an alias at every opset', () => {
  for (const opset of [7, 10, 11, 12, 13, 22]) {
    it(`Dropout opset ${opset} with an unused mask`, async () => {
      const ratio = opset >= 12 ? { initializers: [float('ratio', [0.3], [])] } : { attrs: { ratio: { float: 0.3 } } };
      const s: Single = { op: 'Relu', opset, inputs: { x: [2, 3] } };
      const { model, feeds } = single(s);
      model.initializers = ratio.initializers ?? [];
      model.nodes = [
        { op: 'Dropout', name: 'drop', inputs: opset >= 12 ? ['x', 'ratio'] : ['x'], outputs: ['d', 'mask'], attrs: ratio.attrs },
        { op: 'Relu', name: 'relu', inputs: ['d'], outputs: ['y'] },
      ];
      const { graph } = await checkAgainstOrt(model, feeds);
      expect(opsOf(graph)).toEqual(['Relu']);
    });
  }
});

describe('Dropout mask in inference: constant (all true from 12; before, onnxruntime fills false)', () => {
  for (const opset of [7, 10, 11, 12, 13]) {
    it(`Dropout opset ${opset} with its mask read`, async () => {
      const model: WriterModel = {
        opset,
        inputs: [{ name: 'x', dims: [2, 3] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Dropout', name: 'drop', inputs: ['x'], outputs: ['d', 'mask'] },
          { op: 'Cast', name: 'cast', inputs: ['mask'], outputs: ['m'], attrs: { to: { int: 1 } } },
          { op: 'Mul', name: 'mul', inputs: ['d', 'm'], outputs: ['y'] },
        ],
      };
      const { graph } = await checkAgainstOrt(model, { x: random([2, 3]) });
      expect(opsOf(graph)).toEqual(['Mul']);
    });
  }
});

describe('BatchNormalization: spatial (7–8), training outputs (before 14)', () => {
  const params = () => [float('s', [1, 2, 0.5]), float('b', [0, 0.1, -0.1]), float('m', [0.2, -0.3, 0]), float('v', [1, 0.5, 2])];
  for (const opset of [7, 8, 9, 13, 14, 15]) {
    const attrs: Record<string, WriterAttr> = { epsilon: { float: 1e-3 } };
    if (opset <= 8) attrs.spatial = { int: 1 };
    cases([['', { op: 'BatchNormalization', opset, inputs: { x: [2, 3, 4, 4] }, initializers: params(), attrs }]]);
  }
  it('spatial=0 is refused by name', () => {
    const { model } = single({ op: 'BatchNormalization', opset: 7, inputs: { x: [2, 3, 4, 4] }, initializers: params(), attrs: { spatial: { int: 0 } } });
    expect(() => loadOnnx(writeOnnx(model))).toThrow(new UnsupportedOpError(
      'node "n0" (BatchNormalization)', 'spatial=0 (per-element statistics) is not supported', 'export with spatial=1 (per-channel statistics)',
    ));
  });
});

describe('ops unchanged since opset 7 load at opset 7', () => {
  it('Reshape, Gemm, Flatten, Concat, Conv, MaxPool, AveragePool, Relu, Add at opset 7', async () => {
    const model: WriterModel = {
      opset: 7,
      inputs: [{ name: 'x', dims: [1, 2, 6, 6] }],
      outputs: [{ name: 'y' }],
      initializers: [
        { name: 'k', dims: [3, 2, 3, 3], data: random([54], -1, 1).data as Float32Array },
        int64('shape', [1, 27]),
        { name: 'w', dims: [54, 4], data: random([216], -0.3, 0.3).data as Float32Array },
        float('c', [0.1, 0.2, 0.3, 0.4]),
      ],
      nodes: [
        { op: 'Conv', inputs: ['x', 'k'], outputs: ['c1'], attrs: { pads: { ints: [1, 1, 1, 1] } } },
        { op: 'Relu', inputs: ['c1'], outputs: ['r'] },
        { op: 'MaxPool', inputs: ['r'], outputs: ['p1'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } },
        { op: 'AveragePool', inputs: ['r'], outputs: ['p2'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, count_include_pad: { int: 1 } } },
        { op: 'Reshape', inputs: ['p1', 'shape'], outputs: ['f1'] },
        { op: 'Flatten', inputs: ['p2'], outputs: ['f2'] },
        { op: 'Concat', inputs: ['f1', 'f2'], outputs: ['f'], attrs: { axis: { int: 1 } } },
        { op: 'Gemm', inputs: ['f', 'w', 'c'], outputs: ['g'] },
        { op: 'Add', inputs: ['g', 'c'], outputs: ['y'] },
      ],
    };
    const { graph } = await checkAgainstOrt(model, { x: random([1, 2, 6, 6]) });
    expect(graph.opset).toBe(7);
  });
});

describe('ops whose later attributes default to the old behaviour', () => {
  const x = { x: [1, 2, 7, 7] };
  const k = { kernel_shape: { ints: [3, 3] } };
  cases([
    ['', { op: 'MaxPool', opset: 8, inputs: x, attrs: { ...k, storage_order: { int: 0 } } }],
    ['ceil_mode 0', { op: 'MaxPool', opset: 10, inputs: x, attrs: { ...k, ceil_mode: { int: 0 }, strides: { ints: [2, 2] } } }],
    ['dilations', { op: 'MaxPool', opset: 12, inputs: x, attrs: { ...k, dilations: { ints: [2, 1] } } }],
    ['count_include_pad', { op: 'AveragePool', opset: 7, inputs: x, attrs: { ...k, pads: { ints: [1, 1, 1, 1] }, count_include_pad: { int: 1 } } }],
    ['', { op: 'AveragePool', opset: 11, inputs: x, attrs: { ...k, pads: { ints: [1, 0, 1, 0] } } }],
    ['dilations', { op: 'AveragePool', opset: 19, inputs: x, attrs: { ...k, dilations: { ints: [1, 2] } } }],
    ['without C', { op: 'Gemm', opset: 11, inputs: { a: [2, 3], b: [3, 4] } }],
    ['with C', { op: 'Gemm', opset: 9, inputs: { a: [2, 3], b: [3, 4], c: [4] }, attrs: { beta: { float: 0.5 } } }],
    ['float to float', { op: 'Cast', opset: 7, inputs: { x: [2, 3] }, attrs: { to: { int: 1 } } }],
    ['float to float', { op: 'Cast', opset: 19, inputs: { x: [2, 3] }, attrs: { to: { int: 1 }, saturate: { int: 1 } } }],
  ]);
});

describe('Clip: min/max attributes before 11', () => {
  const x = { x: [2, 5] };
  cases([
    ['min and max attributes', { op: 'Clip', opset: 7, inputs: x, attrs: { min: { float: -0.5 }, max: { float: 1 } } }],
    ['max attribute only', { op: 'Clip', opset: 10, inputs: x, attrs: { max: { float: 0.25 } } }],
    ['min and max inputs', { op: 'Clip', opset: 11, inputs: x, initializers: [float('lo', [-0.5], []), float('hi', [1], [])] }],
    ['max input only', { op: 'Clip', opset: 13, inputs: x, initializers: [float('hi', [0.25], [])], nodeInputs: ['x', '', 'hi'] }],
  ]);
});

describe('Slice: starts/ends/axes attributes before 10', () => {
  const x = { x: [3, 6] };
  cases([
    ['attributes', { op: 'Slice', opset: 9, inputs: x, attrs: { starts: { ints: [1] }, ends: { ints: [1000] }, axes: { ints: [1] } } }],
    ['attributes without axes', { op: 'Slice', opset: 7, inputs: x, attrs: { starts: { ints: [0, -4] }, ends: { ints: [2, -1] } } }],
    ['INT64_MAX / INT64_MIN attributes', {
      op: 'Slice', opset: 9, inputs: x, attrs: { starts: { ints: [1, Number.MIN_SAFE_INTEGER] }, ends: { ints: [Number.MAX_SAFE_INTEGER, 4] } },
    }],
    ['inputs', { op: 'Slice', opset: 10, inputs: x, initializers: [int64('st', [1]), int64('en', [(1n << 63n) - 1n]), int64('ax', [1])] }],
    ['inputs with steps', { op: 'Slice', opset: 13, inputs: x, initializers: [int64('st', [-1]), int64('en', [-(1n << 63n)]), int64('ax', [1]), int64('sp', [-2])] }],
  ]);
});

describe('Squeeze / Unsqueeze: axes attribute before 13', () => {
  cases([
    ['attribute', { op: 'Squeeze', opset: 11, inputs: { x: [2, 1, 3, 1] }, attrs: { axes: { ints: [1, -1] } } }],
    ['no axes', { op: 'Squeeze', opset: 7, inputs: { x: [2, 1, 3, 1] } }],
    ['input', { op: 'Squeeze', opset: 13, inputs: { x: [2, 1, 3, 1] }, initializers: [int64('ax', [1])] }],
    ['attribute', { op: 'Unsqueeze', opset: 12, inputs: { x: [2, 3] }, attrs: { axes: { ints: [0, 3] } } }],
    ['input', { op: 'Unsqueeze', opset: 13, inputs: { x: [2, 3] }, initializers: [int64('ax', [1])] }],
  ]);
});

describe('Reductions: axes attribute before 13 (ReduceSum) / 18 (the others)', () => {
  const x = { x: [2, 3, 4] };
  cases([
    ['attribute', { op: 'ReduceSum', opset: 12, inputs: x, attrs: { axes: { ints: [1] }, keepdims: { int: 0 } } }],
    ['no axes', { op: 'ReduceSum', opset: 7, inputs: x }],
    ['input', { op: 'ReduceSum', opset: 13, inputs: x, initializers: [int64('ax', [-1])] }],
    ['attribute', { op: 'ReduceMean', opset: 17, inputs: x, attrs: { axes: { ints: [0, 2] } } }],
    ['attribute', { op: 'ReduceMean', opset: 7, inputs: x, attrs: { axes: { ints: [2] }, keepdims: { int: 0 } } }],
    ['input', { op: 'ReduceMean', opset: 18, inputs: x, initializers: [int64('ax', [1])] }],
    ['attribute', { op: 'ReduceMax', opset: 17, inputs: x, attrs: { axes: { ints: [1] } } }],
    ['input', { op: 'ReduceMax', opset: 18, inputs: x, initializers: [int64('ax', [1])] }],
    ['attribute', { op: 'ReduceMin', opset: 11, inputs: x, attrs: { axes: { ints: [2] }, keepdims: { int: 0 } } }],
  ]);
});

describe('Split: split attribute before 13, num_outputs from 18', () => {
  const x = { x: [2, 6] };
  const two = ['y', 'z'];
  cases([
    ['split attribute', { op: 'Split', opset: 11, inputs: x, attrs: { axis: { int: 1 }, split: { ints: [2, 4] } }, outputs: two }],
    ['equal parts', { op: 'Split', opset: 7, inputs: x, attrs: { axis: { int: 1 } }, outputs: ['y', 'z', 'w'] }],
    ['split input', { op: 'Split', opset: 13, inputs: x, initializers: [int64('sp', [5, 1])], attrs: { axis: { int: -1 } }, outputs: two }],
    ['equal parts', { op: 'Split', opset: 17, inputs: x, outputs: two }],
    ['num_outputs', { op: 'Split', opset: 18, inputs: x, attrs: { axis: { int: 1 }, num_outputs: { int: 3 } }, outputs: ['y', 'z', 'w'] }],
  ]);
});

describe('Pad: pads/value attributes before 11', () => {
  const x = { x: [1, 2, 3, 3] };
  cases([
    ['constant value', { op: 'Pad', opset: 10, inputs: x, attrs: { pads: { ints: [0, 0, 1, 2, 0, 0, 2, 1] }, value: { float: 1.5 } } }],
    ['reflect', { op: 'Pad', opset: 7, inputs: x, attrs: { mode: { string: 'reflect' }, pads: { ints: [0, 0, 1, 1, 0, 0, 1, 1] } } }],
    ['inputs', { op: 'Pad', opset: 11, inputs: x, initializers: [int64('p', [0, 0, 1, 2, 0, 0, 2, 1]), float('v', [1.5], [])] }],
    ['edge', { op: 'Pad', opset: 18, inputs: x, initializers: [int64('p', [0, 0, 1, 1, 0, 0, 1, 1])], attrs: { mode: { string: 'edge' } } }],
  ]);
});

describe('Upsample (7–9) and Resize 10–12 as the latest Resize', () => {
  it('Resize opset 10 nearest scaling up one axis and down another is refused by name', () => {
    const { model } = single({ op: 'Resize', opset: 10, inputs: { x: [1, 1, 7, 9] }, initializers: [float('sc', [1, 1, 0.6, 1.5])] });
    expect(() => loadOnnx(writeOnnx(model))).toThrow('node "n0" (Resize): nearest with scales [1, 1, 0.6000000238418579, 1.5] (up on one axis, down on another) is not supported');
  });

  const x = { x: [1, 2, 3, 4] };
  cases([
    ['nearest, scales attribute', { op: 'Upsample', opset: 7, inputs: x, attrs: { scales: { floats: [1, 1, 2, 3] } } }],
    ['linear, scales attribute', { op: 'Upsample', opset: 8, inputs: x, attrs: { mode: { string: 'linear' }, scales: { floats: [1, 1, 2, 2] } } }],
    ['nearest, scales input', { op: 'Upsample', opset: 9, inputs: x, initializers: [float('sc', [1, 1, 1.5, 2.5])] }],
    ['linear, scales input', { op: 'Upsample', opset: 9, inputs: x, initializers: [float('sc', [1, 1, 2, 1.5])], attrs: { mode: { string: 'linear' } } }],
    ['nearest', { op: 'Resize', opset: 10, inputs: x, initializers: [float('sc', [1, 1, 2, 3])] }],
    ['linear', { op: 'Resize', opset: 10, inputs: x, initializers: [float('sc', [1, 1, 2, 2])], attrs: { mode: { string: 'linear' } } }],
    ['nearest, scaled down', { op: 'Resize', opset: 10, inputs: { x: [1, 1, 7, 9] }, initializers: [float('sc', [1, 1, 0.6, 0.5])] }],
    ['linear, scaled down', { op: 'Resize', opset: 10, inputs: { x: [1, 1, 7, 9] }, initializers: [float('sc', [1, 1, 0.6, 0.4])], attrs: { mode: { string: 'linear' } } }],
    ['empty roi and scales, sizes', {
      op: 'Resize', opset: 11, inputs: x, initializers: [float('roi', [], [0]), float('sc', [], [0]), int64('sz', [1, 2, 6, 8])],
    }],
    ['nearest, half_pixel (default)', { op: 'Resize', opset: 12, inputs: x, initializers: [float('roi', [], [0]), float('sc', [1, 1, 2, 1.5])] }],
    ['linear, scales', { op: 'Resize', opset: 13, inputs: x, initializers: [float('sc', [1, 1, 2, 2])], nodeInputs: ['x', '', 'sc'], attrs: { mode: { string: 'linear' } } }],
  ]);
});

/** A Constant node (how PyTorch writes int64 operands). */
function constant(out: string, values: number[], dims = [values.length]) {
  return { op: 'Constant', inputs: [], outputs: [out], attrs: { value: { tensor: { dims, data: BigInt64Array.from(values, BigInt) } } } };
}

describe("exporters' graphs", () => {
  it('a PyTorch-style opset-9 CNN: Constant operands, BatchNormalization, view(size(0), -1), Gemm, LogSoftmax(dim=1)', async () => {
    const w = (name: string, dims: number[]) => ({ name, dims, data: random(dims, -0.5, 0.5).data as Float32Array });
    const model: WriterModel = {
      opset: 9,
      inputs: [{ name: 'input.1', dims: [1, 1, 8, 8] }],
      outputs: [{ name: 'out' }],
      initializers: [
        w('conv.weight', [4, 1, 3, 3]), w('conv.bias', [4]), float('bn.weight', [1, 0.5, 2, 1]), float('bn.bias', [0, 0.1, 0.2, -0.1]),
        float('bn.running_mean', [0.1, 0, -0.1, 0.2]), float('bn.running_var', [1, 2, 0.5, 1]), w('fc.weight', [3, 64]), w('fc.bias', [3]),
      ],
      nodes: [
        { op: 'Conv', name: 'Conv_0', inputs: ['input.1', 'conv.weight', 'conv.bias'], outputs: ['7'], attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
        { op: 'BatchNormalization', name: 'BatchNormalization_1', inputs: ['7', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], outputs: ['8'], attrs: { epsilon: { float: 1e-5 }, momentum: { float: 0.9 } } },
        { op: 'Relu', name: 'Relu_2', inputs: ['8'], outputs: ['9'] },
        { op: 'MaxPool', name: 'MaxPool_3', inputs: ['9'], outputs: ['10'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, pads: { ints: [0, 0, 0, 0] } } },
        { op: 'Dropout', name: 'Dropout_4', inputs: ['10'], outputs: ['11'], attrs: { ratio: { float: 0.25 } } },
        { op: 'Shape', name: 'Shape_5', inputs: ['11'], outputs: ['12'] },
        { ...constant('13', [0], []), name: 'Constant_6' },
        { op: 'Gather', name: 'Gather_7', inputs: ['12', '13'], outputs: ['14'], attrs: { axis: { int: 0 } } },
        { ...constant('15', [-1], []), name: 'Constant_8' },
        { op: 'Unsqueeze', name: 'Unsqueeze_9', inputs: ['14'], outputs: ['16'], attrs: { axes: { ints: [0] } } },
        { op: 'Unsqueeze', name: 'Unsqueeze_10', inputs: ['15'], outputs: ['17'], attrs: { axes: { ints: [0] } } },
        { op: 'Concat', name: 'Concat_11', inputs: ['16', '17'], outputs: ['18'], attrs: { axis: { int: 0 } } },
        { op: 'Reshape', name: 'Reshape_12', inputs: ['11', '18'], outputs: ['19'] },
        { op: 'Gemm', name: 'Gemm_13', inputs: ['19', 'fc.weight', 'fc.bias'], outputs: ['20'], attrs: { alpha: { float: 1 }, beta: { float: 1 }, transB: { int: 1 } } },
        { op: 'LogSoftmax', name: 'LogSoftmax_14', inputs: ['20'], outputs: ['out'], attrs: { axis: { int: 1 } } },
      ],
    };
    const { graph } = await checkAgainstOrt(model, { 'input.1': random([1, 1, 8, 8]) });
    expect(opsOf(graph).slice(0, 6)).toEqual(['Conv', 'BatchNormalization', 'Relu', 'MaxPool', 'Reshape', 'Gemm']);
    expect(graph.intInitializers.size).toBe(0);
  });

  it('an opset-7 upsampling decoder: Upsample, Pad and Clip attributes, BatchNormalization spatial, Softmax over channels', async () => {
    const model: WriterModel = {
      opset: 7,
      inputs: [{ name: 'x', dims: [1, 2, 3, 3] }],
      outputs: [{ name: 'y' }],
      initializers: [float('s', [1, 2]), float('b', [0, 0.5]), float('m', [0.1, -0.1]), float('v', [1, 0.25])],
      nodes: [
        { op: 'Upsample', inputs: ['x'], outputs: ['u'], attrs: { mode: { string: 'nearest' }, scales: { floats: [1, 1, 2, 2] } } },
        { op: 'Pad', inputs: ['u'], outputs: ['p'], attrs: { mode: { string: 'edge' }, pads: { ints: [0, 0, 1, 1, 0, 0, 1, 1] } } },
        { op: 'BatchNormalization', inputs: ['p', 's', 'b', 'm', 'v'], outputs: ['n'], attrs: { spatial: { int: 1 } } },
        { op: 'Clip', inputs: ['n'], outputs: ['c'], attrs: { min: { float: -1 }, max: { float: 1.5 } } },
        { op: 'Softmax', inputs: ['c'], outputs: ['y'], attrs: { axis: { int: 1 } } },
      ],
    };
    await checkAgainstOrt(model, { x: random([1, 2, 3, 3]) });
  });
});
