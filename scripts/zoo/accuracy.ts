// Float accuracy of an MNIST zoo model on the 10k test set, through onnxruntime-node.

import { OrtModel } from '../../models/onnx/ort.ts';
import { loadMnist, mnistImage } from '../../models/zoo/mnist.ts';

export async function mnistAccuracy(bytes: Uint8Array, inputDims: number[], count = 10000): Promise<number> {
  const test = loadMnist('test');
  const model = await OrtModel.create(bytes);
  const n = Math.min(count, test.count);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const out = await model.run({ image: mnistImage(test, i, inputDims) });
    const logits = out.get('logits')!.data;
    let best = 0;
    for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
    if (best === test.labels[i]) correct++;
  }
  await model.release();
  return correct / n;
}
