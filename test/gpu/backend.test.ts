/**
 * runGraphOn (models/gpu/backend.ts): every backend gives the CPU executor's commitments, `auto` never fails
 * because of the GPU, and its measured choice (models/gpu/autoChoice.ts) is made once per adapter and model
 * class, saved, reused, and survives a malformed or unwritable file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { choicesFile, decide, modelClassOf } from '../../models/gpu/autoChoice.ts';
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

describe('auto’s measured choice (autoChoice.ts)', () => {
  it('decides by the timings, and for the CPU whenever the GPU disagreed or tied', () => {
    expect(decide(2, 1, true).backend).toBe('gpu');
    expect(decide(1, 2, true).backend).toBe('cpu');
    expect(decide(1, 1, true).backend).toBe('cpu');
    const bad = decide(9, 1, false);
    expect(bad.backend).toBe('cpu');
    expect(bad.reason).toMatch(/differed/);
  });

  it('keys on the architecture, not the weights', () => {
    expect(modelClassOf(smallGraph(4))).toBe(modelClassOf(graph)); // other weights, same architecture
    const wider = { ...graph, tensors: graph.tensors.map((t, i) => (i === graph.inputs[0] ? { ...t, dims: [2, 20] } : t)) };
    expect(modelClassOf(wider)).not.toBe(modelClassOf(graph));
  });

  it('finds its file from OPML_BACKEND_CHOICES, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(choicesFile({ OPML_BACKEND_CHOICES: '/x/c.json' })).toBe('/x/c.json');
    expect(choicesFile({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/opml/backend-choices.json');
    expect(choicesFile({})).toMatch(/\.cache\/opml\/backend-choices\.json$/);
  });
});

describe.skipIf(NO_GPU)(`auto’s measured choice on an adapter${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'opml-choice-'));
  const opts = (choices: string) => ({ gpu: device(), choices, autoAdapters: 'auto' as const });
  const saved = (file: string) => Object.values((JSON.parse(readFileSync(file, 'utf8')) as { choices: Record<string, { backend: string; measuredAt: string; cpuMs: number; gpuMs: number }> }).choices);

  it('measures once, saves, then takes the saved choice; every run has the CPU executor’s commitments', async () => {
    const file = path.join(dir, 'a', 'choices.json');
    const first = await runGraphOn('auto', graph, inputs, opts(file));
    expect(first.run.states).toEqual(cpu.states);
    expect(first.detail).toMatch(/auto: measured for this model class on .*: cpu [\d.]+ ms, gpu [\d.]+ ms; .*saved in /);
    const [entry] = saved(file);
    expect(entry.backend).toBe(first.used);
    expect(Number.isFinite(entry.cpuMs) && Number.isFinite(entry.gpuMs)).toBe(true);
    const second = await runGraphOn('auto', graph, inputs, opts(file));
    expect(second.used).toBe(first.used);
    expect(second.detail).toMatch(/auto: saved choice for this model class/);
    expect(second.run.states).toEqual(cpu.states);
    expect(saved(file)).toEqual([entry]);
  });

  it('follows a saved choice either way', async () => {
    for (const backend of ['gpu', 'cpu'] as const) {
      const file = path.join(dir, `forced-${backend}.json`);
      const key = `${device().describe()} | ${modelClassOf(graph)}`;
      writeFileSync(file, JSON.stringify({ version: 1, choices: { [key]: { backend, cpuMs: 1, gpuMs: 1, measuredAt: 'then', reason: 'test' } } }));
      const r = await runGraphOn('auto', graph, inputs, opts(file));
      expect(r.used).toBe(backend);
      expect(r.run.states).toEqual(cpu.states);
    }
  });

  it('a malformed file counts as empty and is rewritten; an unwritable one leaves the run unharmed', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    const r = await runGraphOn('auto', graph, inputs, opts(bad));
    expect(r.detail).toMatch(/measured/);
    expect(saved(bad)).toHaveLength(1);
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const u = await runGraphOn('auto', graph, inputs, opts(path.join(blocker, 'choices.json')));
    expect(u.run.states).toEqual(cpu.states);
    expect(u.detail).toMatch(/not saved: /);
  });
});
