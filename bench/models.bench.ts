/**
 * Model benchmark: per zoo model, the native CPU executor (integer, with and without commitments) against
 * onnxruntime-node float inference of the same ONNX model, measured in the same run; and the fidelity report.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { mnistFidelity, sequenceFidelity } from '../models/fidelity.ts';
import { executeGraph, runGraph } from '../models/int/execute.ts';
import { closeCommitWorker, runGraphOverlapped, startCommitWorker } from '../models/int/overlappedRun.ts';
import { OrtModel } from '../models/onnx/ort.ts';
import { prepareModel } from '../models/prepare.ts';
import { quantizeInput } from '../models/quantize/quantize.ts';
import { ZOO } from '../models/zoo/index.ts';
import { tensorRoot } from '../models/int/roots.ts';
import { hashPairsInto } from '../vm/keccak.ts';
import { execFileSync } from 'node:child_process';
import { writeDeepCnn } from './deepCnn.ts';
import { medianMsAsync, Report, warmUp } from './report.ts';

const report = new Report();
const RUNS = 200;

// Every timed function first runs for 0.5 s: the JS kernels reach V8's optimizing tier only after ~1,000 runs
// of a model (measured: mnist-cnn 220 µs per run before, 58 µs after; a submitter or a watcher runs a model many
// times); onnxruntime gets the same warm-up.
const medianMs = async (fn: () => unknown | Promise<unknown>, runs = RUNS) => {
  await warmUp(fn, 500);
  return medianMsAsync(fn, runs, 0);
};

const speed = report.section('Native CPU executor vs onnxruntime-node float (batch 1, median per inference)');
// "+ roots + graph states" is how a long-running submitter or watcher commits: the roots on a worker thread
// beside the execution (models/int/overlappedRun.ts, worker started once); "(one thread)" is runGraph.
await startCommitWorker();
for (const zoo of ZOO) {
  const { int } = prepareModel(zoo.name);
  const sample = zoo.samples(1)[0].feeds[zoo.inputName];
  const info = int.tensors[int.inputs[0]];
  const words = [quantizeInput(sample.data, info.scale, info.integer === true)];
  const ort = await OrtModel.create(new Uint8Array(readFileSync(zoo.file)));
  const ortMs = await medianMs(() => ort.run({ [zoo.inputName]: sample }));
  await ort.release();
  const execMs = await medianMs(() => executeGraph(int, words));
  const oneThreadMs = await medianMs(() => runGraph(int, words), 50);
  const commitMs = await medianMs(() => runGraphOverlapped(int, words), 50);
  report.add(speed, { name: `${zoo.name}: onnxruntime-node float`, value: ortMs * 1000, unit: 'µs' });
  report.add(speed, { name: `${zoo.name}: opml integer (cpu)`, value: execMs * 1000, unit: 'µs', ratio: { value: execMs / ortMs, to: 'onnxruntime-node' } });
  report.add(speed, { name: `${zoo.name}: opml integer + roots + graph states`, value: commitMs * 1000, unit: 'µs', ratio: { value: commitMs / ortMs, to: 'onnxruntime-node' } });
  report.add(speed, { name: `${zoo.name}: opml integer + roots + graph states (one thread)`, value: oneThreadMs * 1000, unit: 'µs', ratio: { value: oneThreadMs / ortMs, to: 'onnxruntime-node' } });
}
await closeCommitWorker();

const commit = report.section('Commitments: tensor roots (keccak-256 Merkle trees, WebAssembly, one core)');
for (const words of [1024, 65536, 1 << 20]) {
  const tensor = new Int32Array(words).map((_, i) => Math.imul(i + 1, 0x9e3779b1));
  const ms = await medianMs(() => tensorRoot(tensor), words >= 1 << 20 ? 10 : words >= 65536 ? 50 : RUNS);
  report.add(commit, { name: `tensor root of ${words.toLocaleString('en-US')} words`, value: (4 * words) / 1e3 / ms, unit: 'MB/s', note: `${(ms * 1000).toFixed(0)} µs` });
}
{
  const count = 1 << 16;
  const src = new Uint8Array(64 * count).map((_, i) => Math.imul(i, 0x2545f491) >>> 24);
  const out = new Uint8Array(32 * count);
  const ms = await medianMs(() => hashPairsInto(src, 0, count, out, 0), 20);
  report.add(commit, { name: 'keccak-256 of 64-byte pairs, batched', value: count / 1e3 / ms, unit: 'M hashes/s' });
}

const prep = report.section('Model preparation: quantize + inspect as a user runs it (one process, wall time)');
{
  const { model, calibration } = writeDeepCnn(50, 16, 32, 4);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    execFileSync(process.execPath, ['bin/opml.js', 'inspect', model, '--calibration', calibration, '--json'], { stdio: 'ignore' });
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  report.add(prep, { name: 'opml inspect of a 50-conv CNN (16 channels, 32x32, 4 calibration samples)', value: times[1], unit: 's', note: 'median of 3; target < 10 s' });
}

const fidelity = report.section('Fidelity: opml integer vs onnxruntime-node float');
for (const zoo of ZOO) {
  const { int } = prepareModel(zoo.name);
  const bytes = new Uint8Array(readFileSync(zoo.file));
  if (zoo.inputType === 'float32') {
    const r = await mnistFidelity(zoo, int, bytes);
    report.add(fidelity, { name: `${zoo.name}: float accuracy (${r.images} test images)`, value: 100 * r.floatAccuracy, unit: '%' });
    report.add(fidelity, { name: `${zoo.name}: integer accuracy`, value: 100 * r.intAccuracy, unit: '%', note: `${(100 * (r.intAccuracy - r.floatAccuracy)).toFixed(2)} pp` });
    report.add(fidelity, { name: `${zoo.name}: top-1 agreement`, value: 100 * r.agreement, unit: '%' });
  } else {
    const r = await sequenceFidelity(zoo, int, bytes);
    report.add(fidelity, { name: `${zoo.name}: top-1 agreement (${r.positions} positions)`, value: 100 * r.top1Agreement, unit: '%' });
    report.add(fidelity, { name: `${zoo.name}: max |logit error| / logit range`, value: 100 * r.relativeError, unit: '%', note: `max ${r.maxAbsError.toFixed(4)}, mean ${r.meanAbsError.toFixed(4)}` });
  }
}

const file = report.write('models', { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version });
console.log(`\nwrote ${file}`);
