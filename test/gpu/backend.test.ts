/**
 * runGraphOn (models/gpu/backend.ts): every backend gives the CPU executor's commitments, and `auto` never
 * fails because of the GPU.
 */
import { describe, expect, it } from 'vitest';
import { runGraphOn } from '../../models/gpu/backend.ts';
import { runGraph } from '../../models/int/execute.ts';
import { smallGraph } from '../support/graphs.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const graph = smallGraph(3);
const inputs = [Int32Array.from({ length: 20 }, (_, i) => 7 * i - 60)];
const cpu = runGraph(graph, inputs);

describe('backend choice', () => {
  it('cpu and auto give the CPU executor’s states (auto: a hardware GPU adapter, else the CPU)', async () => {
    const c = await runGraphOn('cpu', graph, inputs);
    expect(c.used).toBe('cpu');
    expect(c.run.states).toEqual(cpu.states);
    const a = await runGraphOn('auto', graph, inputs);
    expect(a.run.states).toEqual(cpu.states);
    expect(a.detail.length).toBeGreaterThan(0);
    // auto takes a hardware adapter only: on llvmpipe (CI, machines without a GPU) it runs the CPU executor.
    expect(a.used).toBe(NO_GPU || device().adapter.software ? 'cpu' : 'gpu');
    if (a.used === 'cpu' && !NO_GPU) expect(a.detail).toMatch(/no GPU adapter: .*only a software adapter/);
  });
});

describe.skipIf(NO_GPU)(`backend gpu${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  it('gpu runs on the adapter, passes the self-check and gives the CPU executor’s commitments', async () => {
    const g = await runGraphOn('gpu', graph, inputs, { gpu: device(), readback: 'outputs' });
    expect(g.used).toBe('gpu');
    expect(g.detail).toBe(device().describe());
    expect(g.run.states).toEqual(cpu.states);
    expect([...g.run.roots]).toEqual([...cpu.roots]);
    expect(Array.from(g.run.outputs[0])).toEqual(Array.from(cpu.outputs[0]));
  });
});
