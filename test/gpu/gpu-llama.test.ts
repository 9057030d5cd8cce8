/**
 * The tiny LLaMA on the WebGPU executor (llvmpipe in CI): the quantized prefill graph and the decode graph (at a
 * position with carried caches) give the CPU executor's run word for word, every node's words and root and every
 * graph state; and the rmsnorm kernel alone equals the CPU reference on its edge rows (all zeros, one element,
 * ±xmax, beyond xmax, int32 extremes, tiny rows, eps 0 and 2^31 − 1, the longest row the quantizer allows).
 */
import { describe, expect, it } from 'vitest';
import { GpuGraph, runGraphGpu } from '../../models/gpu/executor.ts';
import { runGraph } from '../../models/int/execute.ts';
import type { IntAttrs, IntGraph } from '../../models/int/graph.ts';
import { kernelOf } from '../../models/int/kernels/index.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { decodeModel, intDecode, prefillModel, prompts } from '../models/llama-harness.ts';
import { Rng } from '../support/rng.ts';
import { oneNodeGraph } from './oneNode.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

async function sameRun(graph: IntGraph, inputs: Int32Array[], label: string): Promise<void> {
  const gpu = await runGraphGpu(device(), graph, inputs);
  const cpu = runGraph(graph, inputs);
  graph.nodes.forEach((node, k) => {
    expect(Array.from(gpu.values.get(node.output)!), `${label}: node ${k} ${node.op} "${node.name}" words`).toEqual(Array.from(cpu.values.get(node.output)!));
    expect(gpu.roots.get(node.output), `${label}: node ${k} root`).toBe(cpu.roots.get(node.output));
  });
  expect(gpu.states, `${label}: graph states`).toEqual(cpu.states);
}

describe.skipIf(NO_GPU)(`tiny LLaMA: GPU executor equals the CPU executor${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  it('prefill, two prompts', async () => {
    const { int } = prefillModel();
    for (const [s, p] of prompts(2, 31).entries()) await sameRun(int, [Int32Array.from(p)], `prompt ${s}`);
  }, 300_000);

  it('decode at positions 0 and 9 with the caches carried from the earlier steps', async () => {
    const { int } = decodeModel();
    const at: Int32Array[][] = [];
    intDecode(int, prompts(1, 32)[0].slice(0, 10), (pos, inputs) => {
      if (pos === 0 || pos === 9) at.push(inputs.map((w) => Int32Array.from(w)));
    });
    for (const [k, inputs] of at.entries()) await sameRun(int, inputs, `decode ${k === 0 ? 0 : 9}`);
  }, 300_000);

  it('rmsnorm alone: edge rows, word for word with the CPU reference', async () => {
    const rng = new Rng(12);
    for (const n of [1, 5, 32, 2048, 16383]) {
      for (const xmax of [128, 32768]) {
        const rows: number[][] = [
          new Array(n).fill(0),
          Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0)),
          Array.from({ length: n }, (_, i) => (i % 2 ? xmax : -xmax)),
          Array.from({ length: n }, (_, i) => (i % 3 ? 2 ** 31 - 1 : -(2 ** 31))),
          Array.from({ length: n }, () => rng.int(-2, 2)),
          Array.from({ length: n }, () => rng.int(-xmax, xmax)),
        ];
        for (const eps of [0, 7, 2 ** 31 - 1]) {
          const attrs: IntAttrs['rmsnorm'] = { axis: 1, xmax, eps, shift: rng.int(28, 40), lo: -32768, hi: 32767 };
          const dims = [rows.length, n];
          const mult = Int32Array.from({ length: n }, () => (rng.int(0, 1) ? 1 : -1) * rng.int(2 ** 30, 2 ** 31 - 1));
          const x = Int32Array.from(rows.flat());
          const want = kernelOf('rmsnorm').execute({ attrs, inputDims: [dims, [n]], outDims: dims }, [x, mult]);
          const { graph, inputs } = oneNodeGraph({ op: 'rmsnorm', attrs, inputDims: [dims, [n]], inputs: [x, mult], outDims: dims }, () => eps === 7);
          const g = await GpuGraph.create(device(), graph);
          try {
            const run = await g.run(inputs);
            expect(Array.from(run.outputs[0]), `N=${n} xmax ${xmax} eps ${eps}`).toEqual(Array.from(want));
            expect(run.roots.get(graph.nodes[0].output)).toBe(tensorRoot(want));
          } finally {
            g.destroy();
          }
        }
      }
    }
  }, 300_000);
});
