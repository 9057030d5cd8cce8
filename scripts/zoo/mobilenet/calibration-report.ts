// Fidelity of an MNIST zoo model's integer graph per calibration method (float vs integer accuracy, agreement,
// max logit error), on the first N test images; calibrated on the zoo's 64 training images (or --calib N):
//   npx tsx scripts/zoo/mobilenet/calibration-report.ts mnist-cnn [images=1000] [--calib 64] [--methods max,auto]

import { readFileSync } from 'node:fs';
import { executeGraph } from '../../../models/int/execute.ts';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { OrtModel } from '../../../models/onnx/ort.ts';
import { zooCalibration } from '../../../models/prepare.ts';
import { calibrateRanges, CALIBRATION_METHODS, type CalibrationMethod } from '../../../models/quantize/calibrate.ts';
import { dequantize, quantize, quantizeInput } from '../../../models/quantize/quantize.ts';
import { zooModel, type ZooName } from '../../../models/zoo/index.ts';
import { loadMnist, mnistImage } from '../../../models/zoo/mnist.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const calibCount = Number(opt('--calib') ?? 64);
const methods = (opt('--methods')?.split(',') ?? [...CALIBRATION_METHODS, 'max+bc', 'auto+bc']) as string[];
const [name = 'mnist-cnn', imagesArg = '1000'] = args;
const zoo = zooModel(name as ZooName);
const bytes = new Uint8Array(readFileSync(zoo.file));
const dims = zoo.inputDims;
const float = loadOnnx(bytes, { inputDims: { [zoo.inputName]: dims } });
const samples = zooCalibration(zoo, calibCount);
const test = loadMnist('test');
const n = Math.min(Number(imagesArg), test.count);
const ort = await OrtModel.create(bytes);
const floatLogits: Float32Array[] = [];
for (let i = 0; i < n; i++) floatLogits.push((await ort.run({ [zoo.inputName]: mnistImage(test, i, dims) })).get(zoo.outputName)!.data);
const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
};
const floatRight = floatLogits.filter((f, i) => argmax(f) === test.labels[i]).length;
console.log(`${name}: ${float.nodes.length} nodes; float accuracy ${((100 * floatRight) / n).toFixed(2)}% on ${n} test images; calibration on ${calibCount} training images`);
for (const label of methods) {
  const method = label.replace('+bc', '') as CalibrationMethod;
  const biasCorrection = label.endsWith('+bc');
  const t0 = performance.now();
  const cal = calibrateRanges(float, samples, { method });
  const int = quantize(float, samples, { calibration: method, biasCorrection });
  const tq = (performance.now() - t0) / 1000;
  const inScale = int.tensors[int.inputs[0]].scale;
  const outScale = int.tensors[int.outputs[0]].scale;
  let right = 0;
  let agree = 0;
  let maxErr = 0;
  let sumErr = 0;
  let logitRange = 0;
  for (let i = 0; i < n; i++) {
    const image = mnistImage(test, i, dims);
    const y = dequantize(executeGraph(int, [quantizeInput(image.data, inScale, false)]).outputs[0], outScale);
    const f = floatLogits[i];
    if (argmax(y) === test.labels[i]) right++;
    if (argmax(y) === argmax(f)) agree++;
    for (let k = 0; k < f.length; k++) {
      const e = Math.abs(y[k] - f[k]);
      maxErr = Math.max(maxErr, e);
      sumErr += e;
      logitRange = Math.max(logitRange, Math.abs(f[k]));
    }
  }
  const clipped = cal.clips.size;
  const kinds = new Map<string, number>();
  for (const c of cal.choices.values()) kinds.set(c.candidate, (kinds.get(c.candidate) ?? 0) + 1);
  console.log(
    `${label.padEnd(10)} int accuracy ${((100 * right) / n).toFixed(2)}%, agreement ${((100 * agree) / n).toFixed(2)}%, ` +
      `max |logit err| ${maxErr.toFixed(4)} (${((100 * maxErr) / logitRange).toFixed(2)}% of max |logit|), mean ${(sumErr / (n * 10)).toFixed(4)}; ` +
      `clipped ${clipped} [${[...kinds].map(([k, v]) => `${k}:${v}`).join(' ')}], quantized in ${tq.toFixed(1)} s`,
  );
}
await ort.release();
