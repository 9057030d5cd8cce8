/**
 * Fidelity in CI: each zoo model's integer graph against onnxruntime-node float inference of the same ONNX
 * file (models/fidelity.ts, what `opml eval` reports), on a subset small enough for every run.
 *
 * Measured on this subset (deterministic: both sides are exact functions of the committed files): MNIST MLP
 * 999/1000 top-1 agreement (float 97.6 %, integer 97.5 % accuracy), MNIST CNN 999/1000 (97.5 % / 97.6 %), tiny
 * transformer 122/128 positions (95.3 %), max logit error 3.7 % of the logit range, mean 0.025. The bounds sit
 * slightly below: a quantizer or kernel change that costs real accuracy fails here even when it is bit-exact
 * across CPU, VM and GPU. (README: 99.83 % / 99.92 % on all 10,000 test images.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mnistFidelity, sequenceFidelity } from '../../models/fidelity.ts';
import { prepareModel } from '../../models/prepare.ts';
import { zooModel, type ZooName } from '../../models/zoo/index.ts';

const IMAGES = 1000;
const bytesOf = (name: ZooName) => new Uint8Array(readFileSync(zooModel(name).file));

describe('integer vs onnxruntime-node fidelity of the zoo', () => {
  for (const [name, minIntAccuracy] of [
    ['mnist-mlp', 0.97],
    ['mnist-cnn', 0.97],
  ] as const) {
    it(`${name}: ≥ 99.5 % top-1 agreement on the first ${IMAGES} MNIST test images, accuracy within 0.5 points of float`, async () => {
      const r = await mnistFidelity(zooModel(name), prepareModel(name).int, bytesOf(name), IMAGES);
      const summary = `agreement ${r.agreement}, float accuracy ${r.floatAccuracy}, integer accuracy ${r.intAccuracy}`;
      expect(r.images).toBe(IMAGES);
      expect(r.agreement, summary).toBeGreaterThanOrEqual(0.995);
      expect(r.intAccuracy, summary).toBeGreaterThanOrEqual(minIntAccuracy);
      expect(r.floatAccuracy - r.intAccuracy, summary).toBeLessThanOrEqual(0.005);
    }, 60_000);
  }

  it('tiny-transformer: ≥ 93 % top-1 agreement over 8 prompts × 16 positions, max logit error ≤ 5 % of the range', async () => {
    const r = await sequenceFidelity(zooModel('tiny-transformer'), prepareModel('tiny-transformer').int, bytesOf('tiny-transformer'));
    const summary = `agreement ${r.top1Agreement}, max |error| ${r.maxAbsError} (${r.relativeError} of range), mean ${r.meanAbsError}`;
    expect(r.positions).toBe(128);
    expect(r.top1Agreement, summary).toBeGreaterThanOrEqual(0.93);
    expect(r.relativeError, summary).toBeLessThanOrEqual(0.05);
    expect(r.meanAbsError, summary).toBeLessThanOrEqual(0.035);
  }, 60_000);
});
