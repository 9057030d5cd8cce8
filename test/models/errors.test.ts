// Every malformed-input path of the loader and evaluator: the error class and the exact one-line message.

import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, StringStringEntryProtoSchema } from 'onnx-buf';
import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  EvaluationError, GraphCycleError, InputShapeError, MissingValueError, ModelError, OnnxLoadError, ShapeError,
  UnsupportedOpError,
} from '../../models/errors.ts';
import { evaluate } from '../../models/float/evaluate.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';

function expectError(fn: () => unknown, cls: new (...args: never[]) => ModelError, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'an error is thrown').toBeInstanceOf(cls);
  const error = caught as Error;
  expect(error.message).toBe(message);
  expect(error.message).not.toContain('\n');
  expect(error.name).toBe(cls.name);
}

/** x [1, 4] → Gemm(w [3, 4], transB) → Relu → y. */
function small(): WriterModel {
  return {
    inputs: [{ name: 'x', dims: [1, 4] }],
    outputs: [{ name: 'y' }],
    initializers: [{ name: 'w', dims: [3, 4], data: new Float32Array(12).fill(0.5) }],
    nodes: [
      { op: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['h'], attrs: { transB: { int: 1 } } },
      { op: 'Relu', name: 'act', inputs: ['h'], outputs: ['y'] },
    ],
  };
}

const load = (m: WriterModel) => () => loadOnnx(writeOnnx(m));

describe('malformed files', () => {
  it('empty file', () => {
    expectError(() => loadOnnx(new Uint8Array(0)), OnnxLoadError, 'ONNX model (0 bytes): the file is empty; pass the bytes of a .onnx file');
  });

  it('truncated file', () => {
    const bytes = writeOnnx(small());
    expect(bytes.length).toBe(175);
    expectError(
      () => loadOnnx(bytes.subarray(0, 100)),
      OnnxLoadError,
      'ONNX model (100 bytes): cannot decode the protobuf (premature EOF); the file is truncated or is not an ONNX model; re-export or re-download it',
    );
  });

  it('bytes that are not protobuf', () => {
    expectError(
      () => loadOnnx(new TextEncoder().encode('this is not an onnx file')),
      OnnxLoadError,
      'ONNX model (24 bytes): cannot decode the protobuf (illegal tag: field no 13 wire type 6); the file is truncated or is not an ONNX model; re-export or re-download it',
    );
  });

  it('a model without a graph', () => {
    const bytes = toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 10n }));
    expectError(() => loadOnnx(bytes), OnnxLoadError, 'ONNX model (2 bytes): it has no graph; the file is truncated or is not an ONNX model');
  });

  it('an opset outside the supported range', () => {
    const old = writeOnnx({ ...small(), opset: 6 });
    expectError(
      () => loadOnnx(old),
      OnnxLoadError,
      `ONNX model (${old.length} bytes): opset 6 is older than the supported range 7..25; convert it with onnx.version_converter to opset 7 or later`,
    );
    const bytes = writeOnnx({ ...small(), opset: 26 });
    expectError(
      () => loadOnnx(bytes),
      OnnxLoadError,
      `ONNX model (${bytes.length} bytes): opset 26 is newer than the supported range 7..25; re-export with an opset in that range (e.g. torch.onnx.export(..., opset_version=17))`,
    );
  });

  it('raw_data shorter than the dims need', () => {
    const model = fromBinary(ModelProtoSchema, writeOnnx(small()));
    model.graph!.initializer[0].rawData = model.graph!.initializer[0].rawData.slice(0, 40);
    expectError(
      () => loadOnnx(toBinary(ModelProtoSchema, model)),
      OnnxLoadError,
      'initializer "w": raw_data holds 40 bytes but dims [3, 4] need 48; the file is truncated or corrupt; re-export it',
    );
  });

  it('weights in an external file', () => {
    const model = fromBinary(ModelProtoSchema, writeOnnx(small()));
    model.graph!.initializer[0].externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: 'w.bin' })];
    expectError(
      () => loadOnnx(toBinary(ModelProtoSchema, model)),
      OnnxLoadError,
      'initializer "w": its data is stored in an external file; save the model with all tensors embedded (onnx.save(model, path, save_as_external_data=False))',
    );
  });

  it('an initializer of an unsupported data type', () => {
    const model = fromBinary(ModelProtoSchema, writeOnnx(small()));
    model.graph!.initializer[0].dataType = 8; // STRING
    expectError(
      () => loadOnnx(toBinary(ModelProtoSchema, model)),
      OnnxLoadError,
      'initializer "w": data type STRING is not supported (only float, integer and bool tensors); convert the model to float32 before loading it',
    );
  });
});

describe('graph structure', () => {
  it('a cycle', () => {
    const m: WriterModel = {
      inputs: [{ name: 'x', dims: [2] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Relu', name: 'out', inputs: ['c'], outputs: ['y'] },
        { op: 'Add', name: 'a', inputs: ['x', 'c'], outputs: ['a_out'] },
        { op: 'Relu', name: 'b', inputs: ['a_out'], outputs: ['b_out'] },
        { op: 'Sigmoid', name: 'c', inputs: ['b_out'], outputs: ['c'] },
      ],
    };
    expectError(
      load(m),
      GraphCycleError,
      'node "a" (Add): the graph has a cycle "a" -> "b" -> "c" -> "a"; ONNX graphs must be acyclic; make sure no node consumes its own output, directly or indirectly',
    );
  });

  it('a missing initializer', () => {
    const m = small();
    m.initializers = [];
    expectError(
      load(m),
      MissingValueError,
      'node "fc" (Gemm): input "w" is not a graph input, an initializer or the output of any node; add the missing initializer or graph input, or fix the name',
    );
  });

  it('a graph output nothing produces', () => {
    const m = small();
    m.outputs = [{ name: 'logits' }];
    expectError(load(m), MissingValueError, 'graph output "logits": no node, input or initializer produces it; fix the output name');
  });

  it('a value produced twice', () => {
    const m = small();
    m.nodes.push({ op: 'Relu', name: 'again', inputs: ['x'], outputs: ['h'] });
    expectError(load(m), OnnxLoadError, 'node "again" (Relu): output "h" is already defined by another node, input or initializer; every value must have one producer');
  });
});

describe('unsupported content', () => {
  it('an unsupported op', () => {
    const m = small();
    m.nodes[1] = { op: 'NoSuchOp', name: 'act', inputs: ['h'], outputs: ['y'] };
    expectError(
      load(m),
      UnsupportedOpError,
      'node "act" (NoSuchOp): op NoSuchOp is not supported; see docs/MODELS.md "Op × opset coverage" for the ops opml loads, or re-export without it',
    );
  });

  it('an op from a custom domain', () => {
    const m = small();
    m.nodes[1] = { op: 'FusedGelu', name: 'act', inputs: ['h'], outputs: ['y'], domain: 'com.microsoft' };
    expectError(load(m), UnsupportedOpError, 'node "act" (FusedGelu): custom domain "com.microsoft" is not supported; export with standard ONNX ops only');
  });

  it('an attribute the op does not understand', () => {
    const m = small();
    m.nodes[1].attrs = { slope: { float: 0.1 } };
    expectError(load(m), UnsupportedOpError, 'node "act" (Relu): attribute "slope" is not supported; remove it or re-export without it');
  });

  it('an unsupported attribute value', () => {
    const m: WriterModel = {
      inputs: [{ name: 'x', dims: [1, 1, 5, 5] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'AveragePool', name: 'pool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 }, count_include_pad: { int: 1 } } }],
    };
    expectError(load(m), UnsupportedOpError, 'node "pool" (AveragePool): ceil_mode=1 with count_include_pad=1 is not supported; export with ceil_mode=False or count_include_pad=0');
  });

  it('auto_pad SAME with a dilated window (onnxruntime sizes pool pads from the undilated kernel, refuses the conv)', () => {
    const m: WriterModel = {
      opset: 19,
      inputs: [{ name: 'x', dims: [1, 1, 7, 8] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'MaxPool', name: 'pool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, dilations: { ints: [2, 1] }, auto_pad: { string: 'SAME_UPPER' } } }],
    };
    expectError(load(m), UnsupportedOpError, 'node "pool" (MaxPool): auto_pad SAME_UPPER with dilations [2, 1] is not supported; give explicit pads (auto_pad NOTSET) for a dilated window');
  });

  it('an unsupported extra output', () => {
    const m: WriterModel = {
      inputs: [{ name: 'x', dims: [1, 1, 4, 4] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'MaxPool', name: 'pool', inputs: ['x'], outputs: ['y', 'indices'], attrs: { kernel_shape: { ints: [2, 2] } } }],
    };
    expectError(load(m), UnsupportedOpError, 'node "pool" (MaxPool): output 1 ("indices") is not supported; export without that output');
  });

  it('a run-time Reshape shape', () => {
    const m: WriterModel = {
      inputs: [{ name: 'x', dims: [2, 3] }, { name: 's', dims: [1], dtype: 'int64' }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Reshape', name: 'r', inputs: ['x', 's'], outputs: ['y'] }],
    };
    expectError(
      load(m),
      UnsupportedOpError,
      'node "r" (Reshape): input 1 (shape) "s" is not a constant int64 tensor; opml needs static shapes; export with constant shapes/axes (e.g. disable dynamic axes) or constant-fold the model',
    );
  });

  it('Gelu before opset 20', () => {
    const m: WriterModel = {
      inputs: [{ name: 'x', dims: [2] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Gelu', name: 'g', inputs: ['x'], outputs: ['y'] }],
    };
    expectError(load(m), UnsupportedOpError, 'node "g" (Gelu): Gelu exists from opset 20 on, the model imports opset 17; export with opset 20 or later');
  });
});

describe('shapes', () => {
  it('absurd initializer dims', () => {
    const m = small();
    m.initializers = [{ name: 'w', dims: [65536, 65536], data: new Float32Array(0) }];
    expectError(
      load(m),
      ShapeError,
      'initializer "w": dims [65536, 65536] hold 4294967296 elements, more than the limit of 2^28 (268435456); the model is corrupt or too large for opml; check the exported shapes',
    );
  });

  it('absurd input dims', () => {
    const m = small();
    m.inputs = [{ name: 'x', dims: [1, 1 << 30] }];
    expectError(
      load(m),
      ShapeError,
      'graph input "x": dims [1, 1073741824] hold 1073741824 elements, more than the limit of 2^28 (268435456); the model is corrupt or too large for opml; check the exported shapes',
    );
  });

  it('an absurd inferred output', () => {
    const m: WriterModel = {
      inputs: [{ name: 'a', dims: [32768, 1] }, { name: 'b', dims: [1, 16384] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'MatMul', name: 'outer', inputs: ['a', 'b'], outputs: ['y'] }],
    };
    expectError(
      load(m),
      ShapeError,
      'node "outer" (MatMul) output "y": dims [32768, 16384] hold 536870912 elements, more than the limit of 2^28 (268435456); the model is corrupt or too large for opml; check the exported shapes',
    );
  });

  it('shapes that do not fit the op', () => {
    const m: WriterModel = {
      inputs: [{ name: 'a', dims: [3, 4] }, { name: 'b', dims: [5, 6] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'MatMul', name: 'mm', inputs: ['a', 'b'], outputs: ['y'] }],
    };
    expectError(load(m), ShapeError, 'node "mm" (MatMul): cannot multiply [3, 4] by [5, 6]: inner dimensions differ (4 vs 5)');
  });

  it('a symbolic input dim without inputDims', () => {
    const m = small();
    m.inputs = [{ name: 'x', dims: ['N', 4] }];
    expectError(
      load(m),
      OnnxLoadError,
      'graph input "x": dim 0 is symbolic ("N"); opml needs static shapes; pass { inputDims: { "x": [1, 4] } } to loadOnnx',
    );
    const graph = loadOnnx(writeOnnx(m), { inputDims: { x: [2, 4] } });
    expect(graph.values.get('y')!.dims).toEqual([2, 3]);
    expectError(
      () => loadOnnx(writeOnnx(m), { inputDims: { x: [2, 5] } }),
      InputShapeError,
      'graph input "x": inputDims gives 5 for axis 1, the model fixes it to 4; use 4',
    );
    expectError(
      () => loadOnnx(writeOnnx(m), { inputDims: { image: [2, 4] } }),
      InputShapeError,
      'inputDims "image": the graph has no such input; the inputs are "x"',
    );
  });
});

describe('run-time inputs', () => {
  const graph = loadOnnx(writeOnnx(small()));

  it('wrong input shape', () => {
    expectError(
      () => evaluate(graph, { x: { dims: [4], data: new Float32Array(4) } }),
      InputShapeError,
      'graph input "x": got float32 [4], expected float32 [1, 4]; feed a float32 [1, 4] tensor',
    );
  });

  it('wrong input type', () => {
    expectError(
      () => evaluate(graph, { x: { dims: [1, 4], data: new Int32Array(4) } }),
      InputShapeError,
      'graph input "x": got int64 [1, 4], expected float32 [1, 4]; feed a float32 [1, 4] tensor',
    );
  });

  it('data length that disagrees with dims', () => {
    expectError(
      () => evaluate(graph, { x: { dims: [1, 4], data: new Float32Array(3) } }),
      InputShapeError,
      'graph input "x": data holds 3 values but dims [1, 4] need 4; fix the data length',
    );
  });

  it('missing and unknown inputs', () => {
    expectError(() => evaluate(graph, {}), InputShapeError, 'graph input "x": no value was given; feed a float32 [1, 4] tensor');
    expectError(
      () => evaluate(graph, { x: { dims: [1, 4], data: new Float32Array(4) }, z: { dims: [1], data: new Float32Array(1) } }),
      InputShapeError,
      'input "z": the graph has no such input; the inputs are "x"',
    );
  });

  it('a token id outside the embedding table', () => {
    const g = loadOnnx(writeOnnx({
      inputs: [{ name: 'ids', dims: [3], dtype: 'int64' }],
      outputs: [{ name: 'y' }],
      initializers: [{ name: 'table', dims: [10, 2], data: new Float32Array(20) }],
      nodes: [{ op: 'Gather', name: 'embed', inputs: ['table', 'ids'], outputs: ['y'] }],
    }));
    expectError(
      () => evaluate(g, { ids: { dims: [3], data: Int32Array.of(1, 10, 2) } }),
      EvaluationError,
      'node "embed" (Gather): index 10 at position 1 is out of range [-10, 9]; indices must address axis 0 of length 10 (e.g. token ids below the vocabulary size)',
    );
  });
});
