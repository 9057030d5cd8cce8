/**
 * argmax on the GPU beyond the every-op suites (kernels.test.ts, directed.test.ts): greedy-decoding chains
 * (test/models/int/argmaxGraphs.ts: argmax → gather of a constant table, the gather's indices produced by the
 * argmax node) on the WebGPU executor equal the CPU executor word for word, every node's words and root, every
 * graph state, the outputs; and long rows (a vocabulary of 4096, ties late in a row, INT32 edges) equal the
 * BigInt oracle.
 */
import { describe, expect, it } from 'vitest';
import { runGraphGpu } from '../../models/gpu/executor.ts';
import { runGraph } from '../../models/int/execute.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { ARGMAX_CHAINS } from '../models/int/argmaxGraphs.ts';
import * as O from '../support/oracle.ts';
import { Rng } from '../support/rng.ts';
import { oneNodeGraph } from './oneNode.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

describe.skipIf(NO_GPU)(`argmax on the GPU${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  for (const chain of ARGMAX_CHAINS()) {
    it(`${chain.name}: GPU executor = CPU executor (words, roots, graph states)`, async () => {
      const { graph, samples } = chain;
      for (const [s, inputs] of samples.entries()) {
        const gpu = await runGraphGpu(device(), graph, inputs);
        const cpu = runGraph(graph, inputs);
        graph.nodes.forEach((node, i) => {
          const t = node.output;
          expect(Array.from(gpu.values.get(t)!), `sample ${s}: node ${i} ${node.op} words`).toEqual(Array.from(cpu.values.get(t)!));
          expect(gpu.roots.get(t), `sample ${s}: node ${i} ${node.op} root`).toBe(cpu.roots.get(t));
        });
        expect(gpu.states, `sample ${s}: graph states`).toEqual(cpu.states);
        expect(gpu.outputs.map((o) => Array.from(o))).toEqual(cpu.outputs.map((o) => Array.from(o)));
      }
    }, 120_000);
  }

  it('a vocabulary of 4096 over 3 rows (a late tie, the last word, INT32_MIN/MAX) equals the oracle', async () => {
    const rng = new Rng(4096);
    const v = 4096;
    const dims = [3, v];
    const x = Int32Array.from({ length: 3 * v }, () => rng.int(-1000, 1000));
    x[3000] = x[3500] = 5000;
    x[2 * v - 1] = 2 ** 31 - 1;
    x.fill(-(2 ** 31), 2 * v, 3 * v);
    x[2 * v + 2048] = -(2 ** 31) + 1;
    const want = O.argmaxRef(dims, x).y;
    expect(want).toEqual([3000, 4095, 2048]);
    const { graph, inputs } = oneNodeGraph({ op: 'argmax', attrs: {}, inputDims: [dims], inputs: [x], outDims: [3] }, () => false);
    const run = await runGraphGpu(device(), graph, inputs);
    expect(Array.from(run.outputs[0])).toEqual(want);
    expect(run.roots.get(graph.nodes[0].output)).toBe(tensorRoot(want));
  });
});
