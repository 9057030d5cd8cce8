// Trains and exports the zoo's MobileNetV2-style MNIST model (scripts/zoo/mobilenet/), then checks the .onnx
// against the training code with onnxruntime-node:
//   npx tsx scripts/zoo/train-mobilenet.ts [out.onnx] [--quick] [--from stage1.onnx]
// The same run (fixed seeds) as `npx tsx scripts/zoo/build.ts mnist-mobilenet`: stage 1, 1 epoch of Adam over the
// 60k training images (lr 0.004, cosine); stage 2, 30k more images from stage 1's weights (fresh Adam, lr 0.001).
// --from runs stage 2 only, from stage 1's export: the same bytes as the whole run. --quick: 320 images a stage.

import { readFileSync, writeFileSync } from 'node:fs';
import { OrtModel } from '../../models/onnx/ort.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { loadMnist, mnistImage } from '../../models/zoo/mnist.ts';
import { repoPath } from '../../models/repoRoot.ts';
import { mobilenetModel } from './mobilenet/export.ts';
import { evalLogits, fineTune, trainMobileNet, type MobileNetOptions } from './mobilenet/train.ts';
import { loadWeights } from './mobilenet/weights.ts';
import { MobileNet } from './mobilenet/net.ts';
import { Prng } from '../../models/zoo/prng.ts';

export const MOBILENET_OPTIONS: MobileNetOptions = { seed: 4, epochs: 1, samples: 60000, batch: 32, lr: 0.004, statsImages: 2048 };

/** Stage 2 (null: none): more training from stage 1's weights, fresh Adam state, a lower learning rate. */
export const FINETUNE_OPTIONS: MobileNetOptions | null = { seed: 5, epochs: 1, samples: 30000, batch: 32, lr: 0.001, statsImages: 2048 };

/** Stage 1 then stage 2; `options` override both stages' (a --quick run). */
export function buildMobileNet(log?: (line: string) => void, options: Partial<MobileNetOptions> = {}): MobileNet {
  const net = trainMobileNet(loadMnist('train'), { ...MOBILENET_OPTIONS, ...options, log });
  return FINETUNE_OPTIONS ? fineTune(net, loadMnist('train'), { ...FINETUNE_OPTIONS, ...options, log }) : net;
}

/** Max |ORT − training code| over the logits of the first `count` test images, and both accuracies. */
export async function checkAgainstOrt(net: MobileNet, bytes: Uint8Array, count: number): Promise<{ maxDiff: number; ortAccuracy: number; netAccuracy: number }> {
  const test = loadMnist('test', count);
  const model = await OrtModel.create(bytes);
  let maxDiff = 0;
  let ortCorrect = 0;
  let netCorrect = 0;
  const argmax = (a: ArrayLike<number>, off = 0) => {
    let best = 0;
    for (let k = 1; k < 10; k++) if (a[off + k] > a[off + best]) best = k;
    return best;
  };
  for (let from = 0; from < count; from += 50) {
    const n = Math.min(50, count - from);
    const ours = evalLogits(net, test, from, n);
    for (let i = 0; i < n; i++) {
      const out = (await model.run({ image: mnistImage(test, from + i, [1, 1, 28, 28]) })).get('logits')!.data;
      for (let k = 0; k < 10; k++) maxDiff = Math.max(maxDiff, Math.abs(out[k] - ours[i * 10 + k]));
      if (argmax(out) === test.labels[from + i]) ortCorrect++;
      if (argmax(ours, i * 10) === test.labels[from + i]) netCorrect++;
    }
  }
  await model.release();
  return { maxDiff, ortAccuracy: ortCorrect / count, netAccuracy: netCorrect / count };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const out = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--from') ?? repoPath('models', 'zoo', 'mnist-mobilenet.onnx');
  const start = performance.now();
  // --from stage1.onnx: only stage 2, from stage 1's exported weights (the same bytes as the whole build).
  const fromIdx = args.indexOf('--from');
  const log = (l: string) => console.log(l);
  const net =
    fromIdx >= 0 && FINETUNE_OPTIONS
      ? fineTune(loadWeights(new MobileNet(new Prng(0)), new Uint8Array(readFileSync(args[fromIdx + 1]))), loadMnist('train'), { ...FINETUNE_OPTIONS, log })
      : buildMobileNet(log, quick ? { samples: 320, statsImages: 64 } : {});
  console.log(`trained in ${((performance.now() - start) / 1000).toFixed(0)} s`);
  const bytes = writeOnnx(mobilenetModel(net));
  writeFileSync(out, bytes);
  console.log(`${out}: ${bytes.length} bytes`);
  const check = await checkAgainstOrt(net, bytes, quick ? 100 : 1000);
  console.log(`max |ort - training code| logit difference ${check.maxDiff.toExponential(2)}; accuracy ORT ${(check.ortAccuracy * 100).toFixed(2)}%, training code ${(check.netAccuracy * 100).toFixed(2)}% (first ${quick ? 100 : 1000} test images)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
