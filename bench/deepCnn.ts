/**
 * A synthetic deep CNN for the preparation bench: `convs` 3×3 convolutions (pad 1) with ReLU over a
 * [1, 3, size, size] input, `channels` wide, seeded weights; and calibration samples in `--calibration`'s
 * JSON format. Written to a temporary folder so `opml inspect` can be timed as a user runs it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeOnnx, type WriterNode, type WriterTensor } from '../models/onnx/writer.ts';
import { Prng } from '../models/zoo/prng.ts';

export interface DeepCnnFiles {
  model: string;
  calibration: string;
}

export function writeDeepCnn(convs = 50, channels = 16, size = 32, samples = 4): DeepCnnFiles {
  const rng = new Prng(50);
  const uniform = (scale: number) => rng.range(-scale / 2, scale / 2);
  const nodes: WriterNode[] = [];
  const initializers: WriterTensor[] = [];
  let x = 'x';
  for (let l = 0; l < convs; l++) {
    const cin = l === 0 ? 3 : channels;
    initializers.push({ name: `w${l}`, dims: [channels, cin, 3, 3], data: Float32Array.from({ length: channels * cin * 9 }, () => uniform(0.5)) });
    initializers.push({ name: `b${l}`, dims: [channels], data: Float32Array.from({ length: channels }, () => uniform(0.1)) });
    nodes.push({ op: 'Conv', inputs: [x, `w${l}`, `b${l}`], outputs: [`c${l}`], attrs: { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } } });
    nodes.push({ op: 'Relu', inputs: [`c${l}`], outputs: [`r${l}`] });
    x = `r${l}`;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'opml-deep-cnn-'));
  const model = path.join(dir, `cnn${convs}.onnx`);
  const calibration = path.join(dir, 'calibration.json');
  writeFileSync(model, writeOnnx({ inputs: [{ name: 'x', dims: [1, 3, size, size] }], outputs: [{ name: x }], nodes, initializers }));
  const dims = [1, 3, size, size];
  const feeds = Array.from({ length: samples }, () => ({ x: { dims, data: Array.from({ length: 3 * size * size }, () => uniform(2)) } }));
  writeFileSync(calibration, JSON.stringify(feeds));
  return { model, calibration };
}
