/**
 * The zoo's MobileNetV2-style CNN (models/zoo/mnist-mobilenet.onnx, scripts/zoo/train-mobilenet.ts): an opset-9
 * export with PyTorch's shape arithmetic loads, and its integer graph agrees with onnxruntime-node float
 * inference on MNIST test images, per calibration method (models/quantize/calibrate.ts).
 *
 * Measured on the first IMAGES test images, calibrated on the zoo's 64 training images (deterministic: both
 * sides are exact functions of the committed file): see CONFIGS; the bounds sit below with a margin.
 */
import { describe, expect, it } from 'vitest';
import { modelCommitment } from '../../models/int/commitment.ts';
import { executeGraph, runGraph } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { lowerNode, runLowered } from '../../models/int/vmNode.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { zooCalibration } from '../../models/prepare.ts';
import { dequantize, quantize, quantizeInput, type QuantizeOptions } from '../../models/quantize/quantize.ts';
import { readZooModel, zooModel } from '../../models/zoo/index.ts';

const IMAGES = 300;
const zoo = zooModel('mnist-mobilenet');
const bytes = readZooModel('mnist-mobilenet');

const argmax = (v: ArrayLike<number>): number => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
};

interface Config {
  label: string;
  options: QuantizeOptions;
  /** least top-1 agreement with float, largest |int − float| logit, largest accuracy loss (fractions) */
  agreement: number;
  maxError: number;
  accuracyLoss: number;
}

/**
 * Bounds from the measured figures with a margin. Measured on these 300 images (float 294/300): max 294/300,
 * agreement 298/300, max |error| 4.91 (a saturated negative logit: the output range comes from 64 calibration
 * images), mean 0.149; auto 294/300, 300/300, 0.98, mean 0.124; auto + bias correction 294/300, 300/300, 0.93,
 * mean 0.133. On all 10,000 test images: float 98.14 %, integer 98.15 % (max) / 98.14 % (auto), agreement
 * 99.59 % / 99.67 %, max |error| 4.91 / 1.12.
 */
const CONFIGS: Config[] = [
  { label: 'max', options: {}, agreement: 0.98, maxError: 6, accuracyLoss: 0.01 },
  { label: 'auto', options: { calibration: 'auto' }, agreement: 0.98, maxError: 1.5, accuracyLoss: 0.01 },
  { label: 'auto + bias correction', options: { calibration: 'auto', biasCorrection: true }, agreement: 0.98, maxError: 1.5, accuracyLoss: 0.01 },
];

describe('mnist-mobilenet (opset 9, 44 convs, depthwise, ReLU6, HardSwish)', () => {
  const graph = loadOnnx(bytes, { inputDims: { image: zoo.inputDims } });

  it('loads from the exporter-style file: symbolic batch fixed to 1, shape arithmetic folded', () => {
    expect(graph.opset).toBe(9);
    expect(graph.inputs).toEqual([{ name: 'image', dims: [1, 1, 28, 28], dtype: 'float32' }]);
    expect(graph.values.get('logits')?.dims).toEqual([1, 10]);
    const convs = graph.nodes.filter((n) => n.op === 'Conv');
    expect(convs.length).toBeGreaterThanOrEqual(40);
    expect(convs.filter((n) => n.op === 'Conv' && n.attrs.group > 1 && n.attrs.group === graph.values.get(n.inputs[0])!.dims[1]).length).toBe(14);
    expect(graph.nodes.some((n) => ['Shape', 'Gather', 'Unsqueeze', 'Dropout', 'Pad'].includes(n.op))).toBe(false);
    expect(graph.nodes.filter((n) => n.op === 'Clip').length).toBeGreaterThan(0);
    expect(graph.nodes.filter((n) => n.op === 'HardSigmoid').length).toBe(1);
  });

  const test = zoo.samples(IMAGES);
  let floats: Float32Array[] | undefined;
  const floatLogits = async (): Promise<Float32Array[]> => {
    if (floats) return floats;
    const ort = await OrtModel.create(bytes);
    floats = [];
    for (const s of test) floats.push((await ort.run(s.feeds)).get('logits')!.data);
    await ort.release();
    return floats;
  };

  const graphs = new Map<string, IntGraph>();
  const meanErrors = new Map<string, number>();
  const quantized = (c: Config): IntGraph => {
    let g = graphs.get(c.label);
    if (!g) graphs.set(c.label, (g = quantize(graph, zooCalibration(zoo), c.options)));
    return g;
  };

  for (const c of CONFIGS) {
    it(`${c.label}: integer within ${c.accuracyLoss * 100} pp of float top-1 on ${IMAGES} test images, agreement ≥ ${c.agreement}, max |logit error| ≤ ${c.maxError}`, async () => {
      const f = await floatLogits();
      const int = quantized(c);
      const inScale = int.tensors[int.inputs[0]].scale;
      const outScale = int.tensors[int.outputs[0]].scale;
      let floatRight = 0;
      let intRight = 0;
      let agree = 0;
      let maxError = 0;
      let sumError = 0;
      test.forEach((s, i) => {
        const y = dequantize(executeGraph(int, [quantizeInput(s.feeds.image.data as Float32Array, inScale, false)]).outputs[0], outScale);
        for (let k = 0; k < 10; k++) {
          maxError = Math.max(maxError, Math.abs(y[k] - f[i][k]));
          sumError += Math.abs(y[k] - f[i][k]);
        }
        if (argmax(f[i]) === s.label) floatRight++;
        if (argmax(y) === s.label) intRight++;
        if (argmax(y) === argmax(f[i])) agree++;
      });
      const summary = `float ${floatRight}/${IMAGES}, integer ${intRight}/${IMAGES}, agreement ${agree}/${IMAGES}, max |error| ${maxError.toFixed(3)}`;
      expect(floatRight / IMAGES, summary).toBeGreaterThanOrEqual(0.97);
      expect((floatRight - intRight) / IMAGES, summary).toBeLessThanOrEqual(c.accuracyLoss);
      expect(agree / IMAGES, summary).toBeGreaterThanOrEqual(c.agreement);
      expect(maxError, summary).toBeLessThanOrEqual(c.maxError);
      meanErrors.set(c.label, sumError / (IMAGES * 10));
    }, 120_000);
  }

  it('auto calibration measurably lowers the mean logit error (≥ 10 % below max; measured 17 %)', () => {
    const max = meanErrors.get('max');
    const auto = meanErrors.get('auto');
    expect(max).toBeDefined();
    expect(auto!).toBeLessThanOrEqual(0.9 * max!);
  });

  it('auto + bias correction stays bit-exact: every node lowered to the VM gives the executor\'s root in the committed step count', () => {
    const int = quantized(CONFIGS[2]);
    const info = int.tensors[int.inputs[0]];
    const run = runGraph(int, [quantizeInput(test[0].feeds.image.data as Float32Array, info.scale, false)]);
    const commitment = modelCommitment(int);
    int.nodes.forEach((node, i) => {
      const inputs = node.inputs.map((t) => run.values.get(t) ?? int.weights.get(t)!);
      const vm = runLowered(lowerNode(int, i), inputs);
      expect(vm.outputRoot, `node ${i} (${node.name}, ${node.op})`).toBe(run.roots.get(node.output));
      expect(vm.steps).toBe(commitment.nodes[i].steps);
    });
  }, 120_000);
});
