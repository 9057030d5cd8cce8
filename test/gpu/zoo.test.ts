/**
 * Every zoo model on the GPU executor equals the CPU executor (models/int/execute.ts runGraph) on samples:
 * outputs, every node's words and root, every graph state. The lean read-back ('outputs') commits to the same
 * run. And the suite is sharp: a GPU requant whose rounding bit is dropped (floor instead of round half up,
 * a one-token change) gives node roots and states that differ from the CPU's, first at a node that
 * requantizes. (A tie-direction change is rarer on real data; test/gpu/numerics.test.ts catches that one.)
 */
import { describe, expect, it } from 'vitest';
import { GpuGraph, runGraphGpu, type GpuGraphOptions } from '../../models/gpu/executor.ts';
import { runGraph, type GraphRun } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import { prepareModel } from '../../models/prepare.ts';
import { quantizeInput } from '../../models/quantize/quantize.ts';
import { ZOO, type ZooName } from '../../models/zoo/index.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const SAMPLES = 2;

function zooInputs(name: ZooName, count: number): { graph: IntGraph; inputs: Int32Array[][] } {
  const zoo = ZOO.find((z) => z.name === name)!;
  const { int } = prepareModel(name);
  const info = int.tensors[int.inputs[0]];
  const inputs = zoo.samples(count).map((s) => [quantizeInput(s.feeds[zoo.inputName].data, info.scale, info.integer === true)]);
  return { graph: int, inputs };
}

function expectSameRun(graph: IntGraph, gpu: GraphRun, cpu: GraphRun, label: string): void {
  graph.nodes.forEach((node, i) => {
    const t = node.output;
    expect(Array.from(gpu.values.get(t)!), `${label}: node ${i} ${node.op} "${node.name}" words`).toEqual(Array.from(cpu.values.get(t)!));
    expect(gpu.roots.get(t), `${label}: node ${i} ${node.op} "${node.name}" root`).toBe(cpu.roots.get(t));
  });
  for (const t of graph.inputs) expect(gpu.roots.get(t), `${label}: input root`).toBe(cpu.roots.get(t));
  expect(gpu.states, `${label}: graph states`).toEqual(cpu.states);
  expect(gpu.outputs.map((o) => Array.from(o)), `${label}: outputs`).toEqual(cpu.outputs.map((o) => Array.from(o)));
}

describe.skipIf(NO_GPU)(`zoo models: GPU executor equals the CPU executor${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  for (const { name } of ZOO) {
    it(`${name}: ${SAMPLES} samples, every node's words and root, every state`, async () => {
      const { graph, inputs } = zooInputs(name, SAMPLES);
      for (const [s, words] of inputs.entries()) {
        const gpu = await runGraphGpu(device(), graph, words);
        const cpu = runGraph(graph, words);
        expect(gpu.states.length).toBe(graph.nodes.length + 1);
        expectSameRun(graph, gpu, cpu, `${name} sample ${s}`);
        const lean = await runGraphGpu(device(), graph, words, { readback: 'outputs' });
        expect(lean.states).toEqual(cpu.states);
        expect([...lean.roots.entries()]).toEqual([...gpu.roots.entries()]);
        expect(lean.outputs.map((o) => Array.from(o))).toEqual(cpu.outputs.map((o) => Array.from(o)));
      }
    });
  }

  for (const { name } of ZOO) {
    it(`${name}: every kernel variant (reference, tiled, packed where proven) gives the CPU executor's run`, async () => {
      const { graph, inputs } = zooInputs(name, 1);
      const cpu = runGraph(graph, inputs[0]);
      const modes: [string, GpuGraphOptions][] = [
        ['reference', { kernels: 'reference' }],
        ['tiled, unpacked', { kernels: 'tiled', packed: false }],
        ['tiled 8, packed', { kernels: 'tiled', tile: 8 }],
        ['tiled, packed', { kernels: 'tiled' }],
      ];
      for (const [mode, options] of modes) {
        const g = await GpuGraph.create(device(), graph, options);
        try {
          const kinds = g.kernelsFor(inputs[0]);
          const gemm = graph.nodes.map((n, i) => (n.op === 'matmul' || n.op === 'conv2d' ? kinds[i] : undefined)).filter((k) => k !== undefined);
          if (mode === 'reference') expect(gemm.every((k) => k === 'reference')).toBe(true);
          if (mode === 'tiled, unpacked') expect(gemm.every((k) => k === 'tiled')).toBe(true);
          if (mode.endsWith('packed') && !mode.includes('unpacked') && device().packedDot) expect(gemm, `${mode}: some node runs packed`).toContain('packed');
          expectSameRun(graph, await g.run(inputs[0]), cpu, `${name} (${mode})`);
        } finally {
          g.destroy();
        }
      }
    });
  }

  it('a mutated WGSL requant (rounding bit dropped) makes roots and states differ from the CPU executor', async () => {
    const { graph, inputs } = zooInputs('mnist-cnn', 1);
    const tie = 'let lo = q.x + r;';
    const patch = (_key: string, code: string) => {
      expect(code.includes(tie) || !code.includes('fn requant')).toBe(true);
      return code.replace(tie, 'let lo = q.x + 0u * r;');
    };
    const g = await GpuGraph.create(device(), graph, { patch });
    try {
      const bad = await g.run(inputs[0]);
      const cpu = runGraph(graph, inputs[0]);
      const firstNode = graph.nodes.findIndex((n) => bad.roots.get(n.output) !== cpu.roots.get(n.output));
      expect(firstNode, 'some node root must differ').toBeGreaterThanOrEqual(0);
      expect(['conv2d', 'matmul', 'avgpool2d', 'channelAffine']).toContain(graph.nodes[firstNode].op);
      // The dispute game's bisection finds the same node from the states alone.
      const firstState = bad.states.findIndex((s, i) => s !== cpu.states[i]);
      expect(firstState).toBe(firstNode + 1);
    } finally {
      g.destroy();
    }
  });
});
