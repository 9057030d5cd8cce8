// The loader's IR: initializer encodings, Constant folding, topological order, normalized attributes,
// pruning of folded constants, names.

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType, TensorProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { OnnxLoadError } from '../../models/errors.ts';
import { evaluate } from '../../models/float/evaluate.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';

describe('initializers', () => {
  it('reads raw_data and the typed fields (float_data, int64_data, int32_data) to the same values', () => {
    const model: WriterModel = {
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y' }],
      initializers: [
        { name: 'w', dims: [3], data: Float32Array.of(0.5, -1.25, 3) },
        { name: 'shape', dims: [2], data: Int32Array.of(3, -1) },
      ],
      nodes: [
        { op: 'Mul', name: 'm', inputs: ['x', 'w'], outputs: ['xw'] },
        { op: 'Reshape', name: 'r', inputs: ['xw', 'shape'], outputs: ['y'] },
      ],
    };
    const raw = loadOnnx(writeOnnx(model));
    const typed = loadOnnx(writeOnnx({ ...model, encoding: 'typed' }));
    expect(raw.initializers.get('w')).toEqual({ dims: [3], data: Float32Array.of(0.5, -1.25, 3) });
    expect(typed.initializers.get('w')).toEqual(raw.initializers.get('w'));
    expect(raw.nodes[1]).toMatchObject({ op: 'Reshape', inputs: ['xw'], attrs: { shape: [3, 2] } });
    expect(typed.nodes[1]).toEqual(raw.nodes[1]);

    // An INT32 initializer (int32_data) as Gather indices.
    const proto = fromBinary(ModelProtoSchema, writeOnnx({
      inputs: [{ name: 'x', dims: [4, 2] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Gather', name: 'g', inputs: ['x', 'idx'], outputs: ['y'] }],
    }));
    proto.graph!.initializer.push(create(TensorProtoSchema, { name: 'idx', dims: [2n], dataType: TensorProto_DataType.INT32, int32Data: [3, 0] }));
    const graph = loadOnnx(toBinary(ModelProtoSchema, proto));
    expect(graph.intInitializers.get('idx')).toEqual({ dims: [2], data: Int32Array.of(3, 0) });
    const out = evaluate(graph, { x: { dims: [4, 2], data: Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7) } }).outputs[0];
    expect(out).toEqual({ dims: [2, 2], data: Float32Array.of(6, 7, 0, 1) });
  });

  it('saturates int64 values outside the int32 range (INT64_MAX means "to the end")', () => {
    const proto = fromBinary(ModelProtoSchema, writeOnnx({
      inputs: [{ name: 'x', dims: [4, 2] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Gather', name: 'g', inputs: ['x', 'idx'], outputs: ['y'] }],
    }));
    proto.graph!.initializer.push(create(TensorProtoSchema, { name: 'idx', dims: [2n], dataType: TensorProto_DataType.INT64, int64Data: [1n << 40n, -(1n << 63n)] }));
    expect(loadOnnx(toBinary(ModelProtoSchema, proto)).intInitializers.get('idx')!.data).toEqual(Int32Array.of(2 ** 31 - 1, -(2 ** 31)));
  });

  it('treats graph inputs that have an initializer as constants', () => {
    const proto = fromBinary(ModelProtoSchema, writeOnnx({
      inputs: [{ name: 'x', dims: [3] }],
      outputs: [{ name: 'y' }],
      initializers: [{ name: 'b', dims: [3], data: Float32Array.of(1, 2, 3) }],
      nodes: [{ op: 'Add', name: 'a', inputs: ['x', 'b'], outputs: ['y'] }],
    }));
    proto.graph!.input.push(create(ValueInfoProtoSchema, { name: 'b' })); // old exporters list weights as inputs
    const graph = loadOnnx(toBinary(ModelProtoSchema, proto));
    expect(graph.inputs.map((v) => v.name)).toEqual(['x']);
    expect(graph.initializers.has('b')).toBe(true);
  });
});

describe('graph', () => {
  it('sorts nodes topologically, keeping file order among independent nodes, and names unnamed nodes', () => {
    const graph = loadOnnx(writeOnnx({
      inputs: [{ name: 'x', dims: [2] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Add', name: 'sum', inputs: ['r', 's'], outputs: ['y'] },
        { op: 'Sigmoid', name: 'sig', inputs: ['x'], outputs: ['s'] },
        { op: 'Relu', name: 'relu', inputs: ['x'], outputs: ['r'] },
      ],
    }));
    expect(graph.nodes.map((n) => n.name)).toEqual(['sig', 'relu', 'sum']);

    const proto = fromBinary(ModelProtoSchema, writeOnnx({
      inputs: [{ name: 'x', dims: [2] }],
      outputs: [{ name: 'z' }],
      nodes: [
        { op: 'Relu', name: 'same', inputs: ['x'], outputs: ['y'] },
        { op: 'Relu', name: 'same', inputs: ['y'], outputs: ['z'] },
      ],
    }));
    proto.graph!.node[0].name = '';
    expect(loadOnnx(toBinary(ModelProtoSchema, proto)).nodes.map((n) => n.name)).toEqual(['Relu_0', 'same']);
    proto.graph!.node[0].name = 'same';
    expect(loadOnnx(toBinary(ModelProtoSchema, proto)).nodes.map((n) => n.name)).toEqual(['same', 'same_1']);
  });

  it('folds Constant nodes into initializers and prunes constants consumed as attributes', () => {
    const graph = loadOnnx(writeOnnx({
      opset: 18,
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y' }],
      initializers: [{ name: 'unused', dims: [1], data: Float32Array.of(7) }],
      nodes: [
        { op: 'Constant', name: 'k', inputs: [], outputs: ['k'], attrs: { value_floats: { floats: [1, 2, 3] } } },
        { op: 'Constant', name: 'axes', inputs: [], outputs: ['axes'], attrs: { value_int: { int: -1 } } },
        { op: 'Mul', name: 'm', inputs: ['x', 'k'], outputs: ['xk'] },
        { op: 'ReduceMean', name: 'mean', inputs: ['xk', 'axes'], outputs: ['y'], attrs: { keepdims: { int: 0 } } },
      ],
    }));
    expect([...graph.initializers.keys()]).toEqual(['k']);
    expect(graph.initializers.get('k')).toEqual({ dims: [3], data: Float32Array.of(1, 2, 3) });
    expect(graph.intInitializers.size).toBe(0);
    expect(graph.nodes.map((n) => n.op)).toEqual(['Mul', 'ReduceMean']);
    expect(graph.nodes[1]).toEqual({ name: 'mean', op: 'ReduceMean', inputs: ['xk'], outputs: ['y'], attrs: { axes: [1], keepdims: false } });
    expect([...graph.values.keys()].sort()).toEqual(['k', 'x', 'xk', 'y']);
    expect(graph.values.get('y')).toEqual({ name: 'y', dims: [2], dtype: 'float32' });
    expect(graph.opset).toBe(18);
  });
});

describe('normalized attributes', () => {
  function single(op: string, dims: number[], attrs: WriterModel['nodes'][number]['attrs'], extra: WriterModel['initializers'] = [], opset?: number) {
    const graph = loadOnnx(writeOnnx({
      opset,
      inputs: [{ name: 'x', dims }],
      outputs: [{ name: 'y' }],
      initializers: extra,
      nodes: [{ op, name: 'n', inputs: ['x', ...extra.map((t) => t.name)], outputs: ['y'], attrs }],
    }));
    return { node: graph.nodes[0], dims: graph.values.get('y')!.dims };
  }

  it('Conv: defaults filled, auto_pad resolved into pads, kernel from the weight', () => {
    const w = { name: 'w', dims: [4, 2, 3, 3], data: new Float32Array(72) };
    expect(single('Conv', [1, 2, 7, 7], { auto_pad: { string: 'SAME_UPPER' }, strides: { ints: [2, 2] } }, [w])).toEqual({
      node: { name: 'n', op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 } },
      dims: [1, 4, 4, 4],
    });
    const even = { name: 'w', dims: [1, 2, 2, 2], data: new Float32Array(8) };
    expect(single('Conv', [1, 2, 5, 5], { auto_pad: { string: 'SAME_LOWER' } }, [even]).node.attrs).toMatchObject({ pads: [1, 1, 0, 0] });
  });

  it('Gemm, HardSigmoid, LayerNormalization, Softmax, Flatten, Transpose defaults and axes', () => {
    const b = { name: 'b', dims: [3, 4], data: new Float32Array(12) };
    expect(single('Gemm', [2, 3], undefined, [b]).node.attrs).toEqual({ alpha: 1, beta: 1, transA: false, transB: false });
    expect(single('HardSigmoid', [2], undefined).node.attrs).toEqual({ alpha: expect.closeTo(0.2, 7), beta: 0.5 });
    const s = { name: 's', dims: [4], data: new Float32Array(4) };
    expect(single('LayerNormalization', [2, 3, 4], undefined, [s]).node.attrs).toEqual({ axis: 2, epsilon: expect.closeTo(1e-5, 9) });
    expect(single('Softmax', [2, 3, 4], { axis: { int: -2 } }).node.attrs).toEqual({ axis: 1 });
    expect(single('Flatten', [2, 3, 4], { axis: { int: -1 } })).toMatchObject({ node: { attrs: { axis: 2 } }, dims: [6, 4] });
    expect(single('Transpose', [2, 3, 4], undefined)).toMatchObject({ node: { attrs: { perm: [2, 1, 0] } }, dims: [4, 3, 2] });
    expect(single('ReduceMean', [2, 3, 4], { axes: { ints: [2, -3, 0] } }, [], 13)).toMatchObject({ node: { attrs: { axes: [0, 2], keepdims: true } }, dims: [1, 3, 1] });
  });
});
