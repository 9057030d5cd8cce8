// The model zoo: small ONNX models committed with the repo (rebuild: npx tsx scripts/zoo/build.ts).

import { readFileSync } from 'node:fs';
import type { DType, Tensor } from '../graph.ts';
import { repoPath } from '../repoRoot.ts';
import { loadMnist, mnistImage } from './mnist.ts';
import { encode, PROMPTS, SEQ_LEN, VOCAB_SIZE } from './tokens.ts';

export type ZooName = 'mnist-mlp' | 'mnist-cnn' | 'tiny-transformer' | 'mnist-gru' | 'mnist-mobilenet';

export interface ZooSample {
  /** Feeds for the model's single input. */
  feeds: Record<string, Tensor>;
  /** The true class for MNIST samples. */
  label?: number;
  /** The prompt text for transformer samples. */
  prompt?: string;
}

export interface ZooModel {
  name: ZooName;
  /** Absolute path of the .onnx file. */
  file: string;
  description: string;
  inputName: string;
  inputDims: number[];
  inputType: DType;
  outputName: string;
  outputDims: number[];
  /** `count` deterministic sample inputs: the first MNIST test images, or the fixed prompts (cycled). */
  samples(count: number): ZooSample[];
}

const here = (file: string) => repoPath('models', 'zoo', file);

function mnistSamples(dims: number[]) {
  return (count: number): ZooSample[] => {
    const test = loadMnist('test', count);
    return Array.from({ length: Math.min(count, test.count) }, (_, i) => ({
      feeds: { image: mnistImage(test, i, dims) },
      label: test.labels[i],
    }));
  };
}

export const ZOO: readonly ZooModel[] = [
  {
    name: 'mnist-mlp',
    file: here('./mnist-mlp.onnx'),
    description: '784-64-10 ReLU MLP (Gemm, Relu, MatMul, Add), trained on MNIST',
    inputName: 'image',
    inputDims: [1, 784],
    inputType: 'float32',
    outputName: 'logits',
    outputDims: [1, 10],
    samples: mnistSamples([1, 784]),
  },
  {
    name: 'mnist-cnn',
    file: here('./mnist-cnn.onnx'),
    description: 'Conv-BatchNorm-Relu-MaxPool, Conv-Relu-MaxPool, Flatten, Gemm; trained on MNIST',
    inputName: 'image',
    inputDims: [1, 1, 28, 28],
    inputType: 'float32',
    outputName: 'logits',
    outputDims: [1, 10],
    samples: mnistSamples([1, 1, 28, 28]),
  },
  {
    name: 'mnist-gru',
    file: here('./mnist-gru.onnx'),
    description: 'MNIST as 14 steps of 2 rows: Transpose, GRU (hidden 48, linear_before_reset), Squeeze, Gemm; opset 11, trained on MNIST',
    inputName: 'image',
    inputDims: [1, 14, 56],
    inputType: 'float32',
    outputName: 'logits',
    outputDims: [1, 10],
    samples: mnistSamples([1, 14, 56]),
  },
  {
    name: 'mnist-mobilenet',
    file: here('./mnist-mobilenet.onnx'),
    description: 'MobileNetV2-style CNN: Pad to 32×32, 44 Conv-BN (14 inverted residual blocks: 1×1 expand, 3×3 depthwise, 1×1 project), ReLU6, HardSwish, GlobalAveragePool, Gemm; opset 9, symbolic batch, trained on MNIST',
    inputName: 'image',
    inputDims: [1, 1, 28, 28],
    inputType: 'float32',
    outputName: 'logits',
    outputDims: [1, 10],
    samples: mnistSamples([1, 1, 28, 28]),
  },
  {
    name: 'tiny-transformer',
    file: here('./tiny-transformer.onnx'),
    description: `2-block decoder-only transformer, vocab ${VOCAB_SIZE}, d_model 32, 2 heads, ${SEQ_LEN} tokens; seeded random weights`,
    inputName: 'tokens',
    inputDims: [1, SEQ_LEN],
    inputType: 'int64',
    outputName: 'logits',
    outputDims: [1, SEQ_LEN, VOCAB_SIZE],
    samples: (count) =>
      Array.from({ length: count }, (_, i) => {
        const prompt = PROMPTS[i % PROMPTS.length];
        return { feeds: { tokens: { dims: [1, SEQ_LEN], data: encode(prompt) } }, prompt };
      }),
  },
];

export function zooModel(name: ZooName): ZooModel {
  const m = ZOO.find((z) => z.name === name);
  if (!m) throw new Error(`no zoo model named "${name}"; the zoo has ${ZOO.map((z) => z.name).join(', ')}`);
  return m;
}

export function readZooModel(name: ZooName): Uint8Array {
  return new Uint8Array(readFileSync(zooModel(name).file));
}
