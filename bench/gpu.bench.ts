/**
 * GPU benchmark (docs/GPU.md): per zoo model, the native run with commitments (every root and graph state)
 * on the GPU executor and on the CPU executor, each as a ratio to onnxruntime-node float inference measured
 * in the same run; tensor-commitment throughput (MB/s of tensor words) and keccak throughput (64-byte
 * hashes/s), GPU vs the CPU path (vm/keccak.ts: opml's WebAssembly keccak since 2026-11-30, hash-wasm before; the figure
 * names keep "hash-wasm" so runs stay comparable). Prints the adapter it ran on; without
 * one it says so and writes a report with no GPU figures.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { closeSharedGpu, sharedGpu } from '../models/gpu/device.ts';
import { GpuGraph } from '../models/gpu/executor.ts';
import { prepareTensorRoots } from '../models/gpu/merkle.ts';
import { runGraph } from '../models/int/execute.ts';
import { tensorRoot } from '../models/int/roots.ts';
import { OrtModel } from '../models/onnx/ort.ts';
import { prepareModel } from '../models/prepare.ts';
import { quantizeInput } from '../models/quantize/quantize.ts';
import { ZOO } from '../models/zoo/index.ts';
import { hashPairInto } from '../vm/keccak.ts';
import { tensorDepth } from '../vm/merkle.ts';
import { medianMsAsync, Report } from './report.ts';

const report = new Report();
const RUNS = 100;

const medianMs = (fn: () => unknown | Promise<unknown>, runs = RUNS, warmup = 5) => medianMsAsync(fn, runs, warmup);

const opened = await sharedGpu();
const adapter = opened.ok ? opened.gpu.describe() : `none (${opened.reason}: ${opened.attempts.join('; ')})`;
console.log(`GPU adapter: ${adapter}`);
const gpu = opened.ok ? opened.gpu : undefined;

const speed = report.section('Zoo models with commitments (roots + graph states): GPU and CPU executors vs onnxruntime-node float (batch 1, median)');
for (const zoo of ZOO) {
  const { int } = prepareModel(zoo.name);
  const sample = zoo.samples(1)[0].feeds[zoo.inputName];
  const info = int.tensors[int.inputs[0]];
  const words = [quantizeInput(sample.data, info.scale, info.integer === true)];
  const ort = await OrtModel.create(new Uint8Array(readFileSync(zoo.file)));
  const ortMs = await medianMs(() => ort.run({ [zoo.inputName]: sample }), 200, 10);
  await ort.release();
  const cpuMs = await medianMs(() => runGraph(int, words), 50);
  const ratio = (ms: number) => ({ value: ms / ortMs, to: 'onnxruntime-node' });
  report.add(speed, { name: `${zoo.name}: onnxruntime-node float`, value: ortMs * 1000, unit: 'µs' });
  report.add(speed, { name: `${zoo.name}: cpu executor + commitments`, value: cpuMs * 1000, unit: 'µs', ratio: ratio(cpuMs) });
  if (gpu) {
    const start = performance.now();
    const g = await GpuGraph.create(gpu, int);
    const createMs = performance.now() - start;
    const allMs = await medianMs(() => g.run(words));
    const leanMs = await medianMs(() => g.run(words, { readback: 'outputs' }));
    g.destroy();
    report.add(speed, { name: `${zoo.name}: gpu executor + commitments, all values back`, value: allMs * 1000, unit: 'µs', ratio: ratio(allMs), note: `${(cpuMs / allMs).toFixed(2)}x the cpu executor's speed` });
    report.add(speed, { name: `${zoo.name}: gpu executor + commitments, outputs only`, value: leanMs * 1000, unit: 'µs', ratio: ratio(leanMs), note: `${(cpuMs / leanMs).toFixed(2)}x the cpu executor's speed` });
    report.add(speed, { name: `${zoo.name}: gpu graph setup (weights, pipelines, dispatches)`, value: createMs, unit: 'ms' });
  }
}

const commit = report.section('Tensor commitments: root of one resident tensor (MB/s of int32 words) and keccak (64-byte hashes/s)');
const SIZES = [1 << 14, 1 << 18, 1 << 20, 1 << 22];
let gpuHashRate = 0;
for (const n of SIZES) {
  const words = Int32Array.from({ length: n }, (_, i) => Math.imul(i, 0x9e3779b1));
  const mb = (n * 4) / 1e6;
  const hashes = 2 ** tensorDepth(n) - 1;
  const cpuMs = await medianMs(() => tensorRoot(words), n >= 1 << 20 ? 3 : 10, 1);
  report.add(commit, { name: `cpu (hash-wasm): root of ${n.toLocaleString('en-US')} words`, value: mb / (cpuMs / 1000), unit: 'MB/s', note: `${cpuMs.toFixed(2)} ms` });
  if (gpu) {
    const roots = await prepareTensorRoots(gpu, [n]);
    roots.write(0, words);
    const gpuMs = await medianMs(() => roots.run(), 20, 3);
    const uploadMs = await medianMs(
      async () => {
        roots.write(0, words);
        await roots.run();
      },
      10,
      1,
    );
    const [root] = await roots.run();
    roots.destroy();
    if (root !== tensorRoot(words)) throw new Error(`GPU root of ${n} words differs from the CPU's`);
    gpuHashRate = hashes / (gpuMs / 1000);
    report.add(commit, { name: `gpu: root of ${n.toLocaleString('en-US')} resident words`, value: mb / (gpuMs / 1000), unit: 'MB/s', ratio: { value: cpuMs / gpuMs, to: 'cpu speed' }, note: `${gpuMs.toFixed(2)} ms, ${(hashes / (gpuMs / 1000) / 1e6).toFixed(2)} M hashes/s` });
    report.add(commit, { name: `gpu: upload + root of ${n.toLocaleString('en-US')} words`, value: mb / (uploadMs / 1000), unit: 'MB/s', ratio: { value: cpuMs / uploadMs, to: 'cpu speed' }, note: `${uploadMs.toFixed(2)} ms` });
  }
}
{
  const pairs = 200_000;
  const buf = new Uint8Array(64 * 1024);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 131) & 0xff;
  const out = new Uint8Array(32);
  const ms = await medianMs(
    () => {
      for (let i = 0; i < pairs; i++) hashPairInto(buf, (i & 1023) * 64, buf, (i & 1023) * 64 + 32, out, 0);
    },
    5,
    1,
  );
  const cpuRate = pairs / (ms / 1000);
  report.add(commit, { name: 'cpu keccak (hash-wasm hashPair), 64-byte messages', value: cpuRate, unit: 'hash/s' });
  if (gpu) {
    report.add(commit, {
      name: 'gpu keccak (Merkle levels of the largest tensor)',
      value: gpuHashRate,
      unit: 'hash/s',
      ratio: { value: gpuHashRate / cpuRate, to: 'hash-wasm' },
    });
  }
}

const meta = { date: new Date().toISOString(), adapter, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version };
await closeSharedGpu();
const file = report.write('gpu', meta);
console.log(`\nwrote ${file}`);
