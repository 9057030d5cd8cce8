// The model zoo: small ONNX models committed with the repo (rebuild: npx tsx scripts/zoo/build.ts).

import { readFileSync } from 'node:fs';
import type { DType, Tensor } from '../graph.ts';
import { repoPath } from '../repoRoot.ts';
import { loadMnist, mnistImage } from './mnist.ts';
import { BROWN_VOCAB, decodeText, encodePadded } from './asciiTokens.ts';
import { decode, encode, PROMPTS, SEQ_LEN, VOCAB_SIZE } from './tokens.ts';

export type ZooName = 'mnist-mlp' | 'mnist-cnn' | 'tiny-transformer' | 'mnist-gru' | 'mnist-mobilenet' | 'brown-llama';

/** A text model's `text:` input: characters to token ids (throws an Error with a one-line message) and back. */
export interface TextCodec {
  /** What `text:` takes, for help and errors. */
  takes: string;
  /** `length` ids (the input's size); a codec that pads puts spaces at the end, or at the start (`pad`) for a generation's prompt. */
  encode(text: string, length: number, pad?: 'start' | 'end'): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

/** The tiny transformer's: exactly 16 characters of its 64. */
export const TINY_TEXT: TextCodec = { takes: `${SEQ_LEN} characters of a-z A-Z 0-9 space .`, encode: (t) => encode(t), decode };

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
  /** The `--input` a replay, demo or benchmark uses when none is given. */
  defaultInput: string;
  /** How `text:` inputs become tokens (text models only). */
  text?: TextCodec;
  /** `count` calibration feeds, where the model brings its own (default: MNIST training images, or prompts and random tokens). */
  calibration?(count: number): Record<string, Tensor>[];
  /** The model's decode-step graph (models/generate/decodeGraph.ts), for `--generate`: its file and the token windows it is calibrated on. */
  decode?: { file: string; windows(): number[][] };
}

const here = (file: string) => repoPath('models', 'zoo', file);

/** brown-llama's sequence length (scripts/zoo/llama/train-export.ts EXPORT_SEQ). */
const BROWN_SEQ = 32;

/** brown-llama's committed samples, models/zoo/brown-llama.samples.json (token ids; scripts/zoo/llama/fidelity.ts writes it). */
export interface BrownSamples {
  /** The prefill graph's sequence length. */
  seq: number;
  /** Windows of `seq` tokens from the training files (never held out): calibration. */
  calibration: number[][];
  /** Windows of seq + 1 tokens from the held-out files: positions 0…seq−1 are fed, 1…seq are the next characters. */
  heldOut: number[][];
  /** Prompts from the held-out files (greedy continuations). */
  prompts: number[][];
}
let brown: BrownSamples | undefined;
function brownSamples(): BrownSamples {
  return (brown ??= JSON.parse(readFileSync(here('./brown-llama.samples.json'), 'utf8')) as BrownSamples);
}

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
    defaultInput: 'mnist:0',
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
    defaultInput: 'mnist:0',
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
    defaultInput: 'mnist:0',
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
    defaultInput: 'mnist:0',
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
    defaultInput: 'text:hello world. opm',
    text: TINY_TEXT,
  },
  {
    name: 'brown-llama',
    file: here('./brown-llama.onnx'),
    description: `LLaMA-architecture character model of the Brown corpus (RMSNorm, RoPE, 4 query heads on 2 kv heads, SwiGLU; d 64, 2 layers, vocab ${BROWN_VOCAB}, ${BROWN_SEQ} tokens), trained`,
    inputName: 'tokens',
    inputDims: [1, BROWN_SEQ],
    inputType: 'int64',
    outputName: 'logits',
    outputDims: [1, BROWN_SEQ, BROWN_VOCAB],
    samples: (count) => {
      const held = brownSamples().heldOut;
      return Array.from({ length: count }, (_, i) => {
        const ids = held[i % held.length].slice(0, BROWN_SEQ); // a window is 33 ids: its 32 positions' next characters
        return { feeds: { tokens: { dims: [1, BROWN_SEQ], data: Int32Array.from(ids) } }, prompt: decodeText(ids) };
      });
    },
    defaultInput: 'text:The jury said it did find that',
    text: { takes: 'printable ASCII characters, up to the input\'s length (padded with spaces)', encode: encodePadded, decode: decodeText },
    decode: { file: here('./brown-llama-decode.onnx'), windows: () => brownSamples().calibration.slice(0, 16) },
    calibration: (count) => {
      const windows = brownSamples().calibration;
      return Array.from({ length: Math.min(count, windows.length) }, (_, i) => ({ tokens: { dims: [1, BROWN_SEQ], data: Int32Array.from(windows[i]) } }));
    },
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
