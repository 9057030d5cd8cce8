/**
 * Every integer kernel on the GPU (models/gpu/kernels.ts) equals its CPU reference `execute` word for word and
 * root for root, on the random cases of test/models/int/cases.ts (the same generators the VM lowering is
 * checked with), each as a one-node graph.
 */
import { describe, expect, it } from 'vitest';
import { GpuGraph } from '../../models/gpu/executor.ts';
import { GpuShaderError } from '../../models/gpu/runtime.ts';
import { GPU_KERNELS, unsupportedOps } from '../../models/gpu/kernels.ts';
import { elementCount, type IntGraph, type IntOp } from '../../models/int/graph.ts';
import { INT_KERNELS, kernelOf } from '../../models/int/kernels/index.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { KERNEL_CASES, type KernelCase } from '../models/int/cases.ts';
import { Rng } from '../support/rng.ts';
import { oneNodeGraph } from './oneNode.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const CASES_PER_OP = 32;

/** A one-node graph: input 0 is a graph input; the others are graph inputs or weights (`asWeights`). */
function nodeGraph<K extends IntOp>(op: K, kc: KernelCase<K>, outDims: number[], asWeights: boolean): { graph: IntGraph; inputs: Int32Array[] } {
  return oneNodeGraph({ op, attrs: kc.attrs, inputDims: kc.inputDims, inputs: kc.inputs, outDims }, () => asWeights);
}

describe('GPU kernel coverage', () => {
  it('every op of INT_KERNELS has a GPU kernel', () => {
    expect(unsupportedOps(Object.keys(INT_KERNELS))).toEqual([]);
    expect(Object.keys(GPU_KERNELS).sort()).toEqual(Object.keys(INT_KERNELS).sort());
  });
});

describe.skipIf(NO_GPU)(`GPU kernels equal the CPU references${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  for (const op of Object.keys(INT_KERNELS) as IntOp[]) {
    it(`${op}: ${CASES_PER_OP} random cases`, async () => {
      const gen = KERNEL_CASES[op] as (rng: Rng) => KernelCase<IntOp>;
      const rng = new Rng(op.length * 7919 + op.charCodeAt(1));
      for (let c = 0; c < CASES_PER_OP; c++) {
        const kc = gen(rng);
        const kernel = kernelOf(op);
        const outDims = kernel.outputDims(kc.attrs as never, kc.inputDims);
        const expected = kernel.execute({ attrs: kc.attrs as never, inputDims: kc.inputDims, outDims }, kc.inputs);
        const { graph, inputs } = nodeGraph(op, kc, outDims, c % 2 === 1);
        const g = await GpuGraph.create(device(), graph);
        try {
          const run = await g.run(inputs);
          const label = `${op} case ${c}: dims ${JSON.stringify(kc.inputDims)} attrs ${JSON.stringify(kc.attrs)}`;
          expect(Array.from(run.outputs[0]), label).toEqual(Array.from(expected));
          expect(run.roots.get(graph.nodes[0].output), label).toBe(tensorRoot(expected));
          graph.inputs.forEach((t, k) => expect(run.roots.get(t), `${label}: input root`).toBe(tensorRoot(inputs[k])));
        } finally {
          g.destroy();
        }
      }
    });
  }

  it('a reused GpuGraph gives each run its own inputs’ results', async () => {
    const rng = new Rng(99);
    const kc = KERNEL_CASES.matmul(rng);
    const kernel = kernelOf('matmul');
    const outDims = kernel.outputDims(kc.attrs, kc.inputDims);
    const { graph, inputs } = nodeGraph('matmul', kc, outDims, true);
    const g = await GpuGraph.create(device(), graph);
    try {
      for (let r = 0; r < 3; r++) {
        const x = Int32Array.from({ length: inputs[0].length }, () => rng.int(-128, 127));
        const want = kernel.execute({ attrs: kc.attrs, inputDims: kc.inputDims, outDims }, [x, ...kc.inputs.slice(1)]);
        const run = await g.run([x]);
        expect(Array.from(run.outputs[0])).toEqual(Array.from(want));
      }
    } finally {
      g.destroy();
    }
  });

  it('a kernel that does not compile is reported with its name, and nothing leaks', async () => {
    const kc = KERNEL_CASES.clamp(new Rng(1));
    const { graph } = nodeGraph('clamp', kc, kc.inputDims[0], false);
    const patch = (key: string, code: string) => (key.startsWith('clamp') ? code.replace('clamp32(x0(i)', 'clamp33(x0(i)') : code);
    await expect(GpuGraph.create(device(), graph, { patch })).rejects.toThrow(GpuShaderError);
    await expect(GpuGraph.create(device(), graph, { patch })).rejects.toThrow(/clamp\/a/);
  });

  it('a tensor larger than one grid row of workgroups (2-D dispatch grid)', async () => {
    const gpu = device();
    const n = gpu.limits.maxComputeWorkgroupsPerDimension * 64 + 1000;
    const rng = new Rng(7);
    const x = Int32Array.from({ length: n }, () => rng.int(-300, 300));
    const kc: KernelCase<'clamp'> = { attrs: { lo: -100, hi: 100 }, inputDims: [[n]], inputs: [x] };
    const { graph, inputs } = nodeGraph('clamp', kc, [n], false);
    const g = await GpuGraph.create(gpu, graph);
    try {
      const run = await g.run(inputs, { readback: 'outputs' });
      const want = kernelOf('clamp').execute({ attrs: kc.attrs, inputDims: [[n]], outDims: [n] }, [x]);
      expect(elementCount([n])).toBe(run.outputs[0].length);
      let firstBad = -1;
      for (let i = 0; i < n && firstBad < 0; i++) if (run.outputs[0][i] !== want[i]) firstBad = i;
      expect(firstBad).toBe(-1);
      expect(run.roots.get(1)).toBe(tensorRoot(want));
    } finally {
      g.destroy();
    }
  });
});
