// The MNIST zoo models as ONNX graphs (opset 17, batch 1, input pixels scaled to [0, 1]).

import type { WriterModel } from '../../models/onnx/writer.ts';
import type { CnnWeights } from './train-cnn.ts';
import { BN_EPSILON, C1, C2 } from './train-cnn.ts';
import type { MlpWeights } from './train-mlp.ts';

/** image [1, 784] → Gemm (transB) → Relu → MatMul → Add → logits [1, 10]. */
export function mlpModel(w: MlpWeights): WriterModel {
  const H = w.hidden;
  return {
    opset: 17,
    graphName: 'mnist-mlp',
    inputs: [{ name: 'image', dims: [1, 784] }],
    outputs: [{ name: 'logits', dims: [1, 10] }],
    initializers: [
      { name: 'fc1.weight', dims: [H, 784], data: w.w1 },
      { name: 'fc1.bias', dims: [H], data: w.b1 },
      { name: 'fc2.weight', dims: [H, 10], data: w.w2 },
      { name: 'fc2.bias', dims: [10], data: w.b2 },
    ],
    nodes: [
      { op: 'Gemm', name: 'fc1', inputs: ['image', 'fc1.weight', 'fc1.bias'], outputs: ['fc1.out'], attrs: { transB: { int: 1 } } },
      { op: 'Relu', name: 'relu1', inputs: ['fc1.out'], outputs: ['relu1.out'] },
      { op: 'MatMul', name: 'fc2', inputs: ['relu1.out', 'fc2.weight'], outputs: ['fc2.out'] },
      { op: 'Add', name: 'fc2.add', inputs: ['fc2.out', 'fc2.bias'], outputs: ['logits'] },
    ],
  };
}

/** image [1, 1, 28, 28] → Conv → BatchNorm → Relu → MaxPool → Conv → Relu → MaxPool → Flatten → Gemm. */
export function cnnModel(w: CnnWeights): WriterModel {
  const pool = { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } };
  return {
    opset: 17,
    graphName: 'mnist-cnn',
    inputs: [{ name: 'image', dims: [1, 1, 28, 28] }],
    outputs: [{ name: 'logits', dims: [1, 10] }],
    initializers: [
      { name: 'conv1.weight', dims: [C1, 1, 3, 3], data: w.w1 },
      { name: 'bn1.scale', dims: [C1], data: w.gamma },
      { name: 'bn1.bias', dims: [C1], data: w.beta },
      { name: 'bn1.mean', dims: [C1], data: w.mean },
      { name: 'bn1.var', dims: [C1], data: w.variance },
      { name: 'conv2.weight', dims: [C2, C1, 3, 3], data: w.w2 },
      { name: 'conv2.bias', dims: [C2], data: w.b2 },
      { name: 'fc.weight', dims: [10, C2 * 49], data: w.wf },
      { name: 'fc.bias', dims: [10], data: w.bf },
    ],
    nodes: [
      { op: 'Conv', name: 'conv1', inputs: ['image', 'conv1.weight'], outputs: ['conv1.out'], attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
      { op: 'BatchNormalization', name: 'bn1', inputs: ['conv1.out', 'bn1.scale', 'bn1.bias', 'bn1.mean', 'bn1.var'], outputs: ['bn1.out'], attrs: { epsilon: { float: BN_EPSILON } } },
      { op: 'Relu', name: 'relu1', inputs: ['bn1.out'], outputs: ['relu1.out'] },
      { op: 'MaxPool', name: 'pool1', inputs: ['relu1.out'], outputs: ['pool1.out'], attrs: pool },
      { op: 'Conv', name: 'conv2', inputs: ['pool1.out', 'conv2.weight', 'conv2.bias'], outputs: ['conv2.out'], attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
      { op: 'Relu', name: 'relu2', inputs: ['conv2.out'], outputs: ['relu2.out'] },
      { op: 'MaxPool', name: 'pool2', inputs: ['relu2.out'], outputs: ['pool2.out'], attrs: pool },
      { op: 'Flatten', name: 'flatten', inputs: ['pool2.out'], outputs: ['flatten.out'], attrs: { axis: { int: 1 } } },
      { op: 'Gemm', name: 'fc', inputs: ['flatten.out', 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { transB: { int: 1 } } },
    ],
  };
}
