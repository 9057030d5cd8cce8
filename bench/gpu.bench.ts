/**
 * GPU benchmark (docs/GPU.md): per zoo model, the native run with commitments (every root and graph state)
 * on the GPU executor and on the CPU executor, each as a ratio to onnxruntime-node float inference measured
 * in the same run; tensor-commitment throughput (MB/s of tensor words) and keccak throughput (64-byte
 * hashes/s), GPU vs the CPU path (vm/keccak.ts: opml's WebAssembly keccak since 2026-11-30, hash-wasm before; the figure
 * names keep "hash-wasm" so runs stay comparable); and the matmul / conv2d kernel variants (reference one
 * invocation per output, tiled, tiled packed with dot4I8Packed) on one large GEMM each, in GMAC/s, each as a
 * ratio to the CPU executor on the same one-node graph (both with commitments). Prints the adapter it ran on;
 * without one it says so and writes a report with no GPU figures.
 *
 * Environment: GPU_BENCH_QUICK=1 takes fewer runs and skips the largest tensor (scripts/gpu-check.ts);
 * GPU_BENCH_OUT=<file> writes the JSON there instead of bench/results/gpu.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpus } from 'node:os';
import { closeSharedGpu, sharedGpu } from '../models/gpu/device.ts';
import { GpuGraph, type GpuGraphOptions } from '../models/gpu/executor.ts';
import { checkPackedDot } from '../models/gpu/packedDot.ts';
import { prepareTensorRoots } from '../models/gpu/merkle.ts';
import { runGraph } from '../models/int/execute.ts';
import type { IntAttrs, IntGraph } from '../models/int/graph.ts';
import { tensorRoot } from '../models/int/roots.ts';
import { OrtModel } from '../models/onnx/ort.ts';
import { prepareModel } from '../models/prepare.ts';
import { quantizeInput } from '../models/quantize/quantize.ts';
import { ZOO } from '../models/zoo/index.ts';
import { hashPairInto } from '../vm/keccak.ts';
import { tensorDepth } from '../vm/merkle.ts';
import { medianMsAsync, Report } from './report.ts';

const report = new Report();
const QUICK = process.env.GPU_BENCH_QUICK === '1';
const RUNS = QUICK ? 20 : 100;

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
  const ortMs = await medianMs(() => ort.run({ [zoo.inputName]: sample }), QUICK ? 50 : 200, 10);
  await ort.release();
  const cpuMs = await medianMs(() => runGraph(int, words), QUICK ? 20 : 50);
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
const SIZES = QUICK ? [1 << 14, 1 << 18, 1 << 20] : [1 << 14, 1 << 18, 1 << 20, 1 << 22];
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

// GEMM kernels: one large matmul and one conv2d with int8 operands (weights in their buffers, x a graph input
// whose words are int8, so the packed variant runs), GMAC/s of each variant vs the CPU executor.
const gemm = report.section('GEMM kernels (one-node graphs with commitments, int8 operands): GMAC/s, GPU variants vs the CPU executor');
{
  const rand = (n: number, seed: number) => {
    let s = seed;
    return Int32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) | 0) >> 24));
  };
  const oneNode = <K extends 'matmul' | 'conv2d'>(op: K, attrs: IntAttrs[K], dims: number[][], out: number[]): { graph: IntGraph; x: Int32Array } => {
    const words = dims.map((d, k) => (k < 2 ? rand(d.reduce((a, b) => a * b, 1), 17 + k) : k === 2 ? rand(d[0], 5) : new Int32Array(d[0]).fill(1 << 30)));
    const graph: IntGraph = {
      tensors: [...dims.map((d, k) => ({ name: `in${k}`, dims: d, kind: (k === 0 ? 'input' : 'weight') as 'input' | 'weight', scale: 1 })), { name: 'y', dims: out, kind: 'activation', scale: 1 }],
      weights: new Map(words.slice(1).map((w, k) => [k + 1, w])),
      inputs: [0],
      nodes: [{ name: op, op, inputs: [0, 1, 2, 3], output: 4, attrs } as IntGraph['nodes'][number]],
      outputs: [4],
    };
    return { graph, x: words[0] };
  };
  const problems = [
    { name: 'matmul 512×512×512', macs: 512 ** 3, ...oneNode('matmul', { shift: 38, lo: -128, hi: 127 }, [[512, 512], [512, 512], [512], [512]], [512, 512]) },
    {
      name: 'conv2d 64→64 3×3 on 32×32',
      macs: 64 * 64 * 9 * 32 * 32,
      ...oneNode('conv2d', { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, shift: 38, lo: -128, hi: 127 }, [[1, 64, 32, 32], [64, 64, 3, 3], [64], [64]], [1, 64, 32, 32]),
    },
  ];
  const runs = QUICK ? 3 : 7;
  if (gpu) {
    const dot = await checkPackedDot(gpu);
    console.log(`  dot4I8Packed: ${dot.ok ? `yes (self-check passed on ${dot.pairs} pairs)` : `no (${dot.reason})`}`);
  }
  for (const p of problems) {
    const cpuMs = await medianMs(() => runGraph(p.graph, [p.x]), runs, 1);
    const gmacs = (ms: number) => p.macs / (ms / 1000) / 1e9;
    report.add(gemm, { name: `${p.name}: cpu executor`, value: gmacs(cpuMs), unit: 'GMAC/s', note: `${cpuMs.toFixed(1)} ms` });
    if (!gpu) continue;
    const cpu = runGraph(p.graph, [p.x]);
    const variants: [string, GpuGraphOptions][] = [
      ['gpu reference kernel', { kernels: 'reference' }],
      ['gpu tiled', { kernels: 'tiled', packed: false }],
      ['gpu tiled packed (dot4I8Packed)', { kernels: 'tiled' }],
    ];
    for (const [label, options] of variants) {
      const g = await GpuGraph.create(gpu, p.graph, options);
      const kind = g.kernelsFor([p.x])[0];
      const run = await g.run([p.x], { readback: 'outputs' });
      if (run.roots.get(4) !== cpu.roots.get(4)) throw new Error(`${p.name} ${label}: GPU root differs from the CPU executor's`);
      const ms = await medianMs(() => g.run([p.x], { readback: 'outputs' }), runs, 1);
      g.destroy();
      const c = g.choices[0];
      const tile = c.tile && c.per ? `, ${c.tile}×${c.tile} invocations × ${c.per}×${c.per} outputs` : '';
      report.add(gemm, { name: `${p.name}: ${label}`, value: gmacs(ms), unit: 'GMAC/s', ratio: { value: cpuMs / ms, to: 'cpu executor speed' }, note: `${ms.toFixed(1)} ms, ran ${kind}${tile}` });
    }
  }
}

const meta = { date: new Date().toISOString(), adapter, quick: QUICK, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version };
await closeSharedGpu();
const out = process.env.GPU_BENCH_OUT;
if (out) {
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...meta, sections: report.sections }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
} else {
  const file = report.write('gpu', meta);
  console.log(`\nwrote ${file}`);
}
