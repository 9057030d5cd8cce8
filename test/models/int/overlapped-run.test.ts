/**
 * The overlapped commit (models/int/overlappedRun.ts): roots computed on a worker thread while the graph runs
 * give runGraph's result bit for bit, for every zoo model and a larger synthetic graph, with a lying node,
 * across repeated and concurrent runs, and when the worker dies or is closed mid-run (never a hang).
 * No timing is asserted: which thread roots which tensor varies from run to run, the result never does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntGraph } from '../../../models/int/graph.ts';
import { GraphInputError, runGraph, type GraphRun, type NodeOverride } from '../../../models/int/execute.ts';
import {
  closeCommitWorker,
  commitWorkerForTests,
  commitWorkerStatus,
  graphTensorWords,
  runGraphOverlapped,
  SPAWN_MIN_WORDS,
  startCommitWorker,
} from '../../../models/int/overlappedRun.ts';
import { prepareModel } from '../../../models/prepare.ts';
import { quantizeInput } from '../../../models/quantize/quantize.ts';
import { IntGraphBuilder } from '../../../models/quantize/builder.ts';
import { JOB_SLOTS } from '../../../models/int/commitChannel.ts';
import { ZOO } from '../../../models/zoo/index.ts';
import { Rng } from '../../support/rng.ts';
import { smallGraph } from '../../support/graphs.ts';
import { int8, multiplier, words } from './cases.ts';

/**
 * A larger graph than the zoo's: `layers` × (matmul [rows×width]·[width×width] → clamp → copy), so its tensors
 * total more than SPAWN_MIN_WORDS and a run in 'auto' mode starts the worker by itself.
 */
function wideGraph(seed: number, layers = 6, rows = 64, width = 256): IntGraph {
  const rng = new Rng(seed);
  const b = new IntGraphBuilder();
  let x = b.tensor('x', [rows, width], 'input', 0.01);
  for (let l = 0; l < layers; l++) {
    const w = b.weight(`w${l}`, [width, width], int8(rng, [width, width]));
    const bias = b.weight(`b${l}`, [width], words(rng, [width], -2000, 2000));
    const m = b.weight(`m${l}`, [width], Int32Array.from({ length: width }, () => multiplier(rng)));
    const h = b.node('matmul', `fc${l}`, [x, w, bias, m], { shift: 44, lo: -128, hi: 127 }, 0.02);
    const c = b.node('clamp', `clip${l}`, [h], { lo: -100, hi: 100 }, 0.02);
    x = b.node('copy', `view${l}`, [c], { dims: [rows, width] }, 0.02);
  }
  return b.build([x]);
}

/** Where two word arrays first differ ('length' when their lengths do), -1 when they are equal. */
function firstDifference(a: Int32Array | undefined, b: Int32Array): number | 'length' {
  if (!a || a.length !== b.length) return 'length';
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Every field of two runs, compared exactly (maps by entry, in insertion order; words without deep-equal's cost). */
function expectSameRun(got: GraphRun, want: GraphRun): void {
  expect([...got.roots]).toEqual([...want.roots]);
  expect(got.states).toEqual(want.states);
  expect(got.outputs.length).toBe(want.outputs.length);
  want.outputs.forEach((o, k) => expect(firstDifference(got.outputs[k], o), `output ${k}`).toBe(-1));
  expect([...got.values.keys()]).toEqual([...want.values.keys()]);
  for (const [t, v] of want.values) expect(firstDifference(got.values.get(t), v), `tensor ${t}`).toBe(-1);
}

interface Case {
  name: string;
  graph: IntGraph;
  input: Int32Array;
}

function zooCase(name: string): Case {
  const zoo = ZOO.find((z) => z.name === name)!;
  const graph = prepareModel(zoo.name).int;
  const data = zoo.samples(1)[0].feeds[zoo.inputName].data;
  return { name, graph, input: quantizeInput(data as Float32Array | Int32Array, graph.tensors[graph.inputs[0]].scale, zoo.inputType !== 'float32') };
}

/** A liar at node `node`: every output word + 1. */
const liar = (node: number): NodeOverride => (i, out) => (i === node ? out.map((w) => w + 1) : undefined);

describe('runGraphOverlapped', () => {
  let cases: Case[];
  const wide = wideGraph(5);
  const wideInput = int8(new Rng(6), [64, 256]);

  beforeAll(async () => {
    cases = ZOO.map((z) => zooCase(z.name));
    await startCommitWorker();
  });
  afterAll(() => closeCommitWorker());

  it('gives runGraph exactly for every zoo model, whoever roots which tensor', async () => {
    for (const c of cases) {
      const want = runGraph(c.graph, [c.input]);
      // steal: false makes the worker root every tensor; the default lets the main thread take the rest.
      expectSameRun(await runGraphOverlapped(c.graph, [c.input], undefined, undefined, { worker: 'always', steal: false }), want);
      expectSameRun(await runGraphOverlapped(c.graph, [c.input], undefined, undefined, { worker: 'always' }), want);
    }
    expect(commitWorkerStatus().stats!.byWorker).toBeGreaterThan(0);
  });

  it('gives runGraph exactly for a larger graph, with a liar, and calls onNode for every node in order', async () => {
    expect(graphTensorWords(wide)).toBeGreaterThanOrEqual(SPAWN_MIN_WORDS);
    expectSameRun(await runGraphOverlapped(wide, [wideInput]), runGraph(wide, [wideInput]));
    for (const node of [0, 4, wide.nodes.length - 1]) {
      const seen: number[] = [];
      const got = await runGraphOverlapped(wide, [wideInput], (i) => seen.push(i), liar(node));
      expect(seen).toEqual(wide.nodes.map((_, i) => i));
      const want = runGraph(wide, [wideInput], undefined, liar(node));
      expectSameRun(got, want);
      expect(got.roots).not.toEqual(runGraph(wide, [wideInput]).roots);
    }
    for (const c of cases) {
      const node = Math.floor(c.graph.nodes.length / 2);
      expectSameRun(await runGraphOverlapped(c.graph, [c.input], undefined, liar(node), { worker: 'always' }), runGraph(c.graph, [c.input], undefined, liar(node)));
    }
  });

  it('reuses one worker across repeated runs', async () => {
    const worker = commitWorkerForTests();
    expect(worker).toBeDefined();
    const want = runGraph(wide, [wideInput]);
    for (let k = 0; k < 5; k++) expectSameRun(await runGraphOverlapped(wide, [wideInput]), want);
    const c = cases[cases.length - 1];
    const small = runGraph(c.graph, [c.input]);
    for (let k = 0; k < 5; k++) expectSameRun(await runGraphOverlapped(c.graph, [c.input]), small);
    expect(commitWorkerForTests()).toBe(worker);
  });

  it('roots a graph of more tensors than job records (the rest on the main thread), twice over', async () => {
    const b = new IntGraphBuilder();
    let t = b.tensor('x', [1, 8], 'input', 1);
    for (let i = 0; i < JOB_SLOTS + 500; i++) t = b.node('clamp', `c${i}`, [t], { lo: -1000 + (i % 7), hi: 1000 }, 1);
    const long = b.build([t]);
    const x = words(new Rng(8), [1, 8], -2000, 2000);
    const want = runGraph(long, [x]);
    for (let k = 0; k < 2; k++) expectSameRun(await runGraphOverlapped(long, [x], undefined, undefined, { worker: 'always' }), want);
  });

  it('keeps concurrent runs apart', async () => {
    const other = int8(new Rng(7), [64, 256]);
    const runs = await Promise.all([
      runGraphOverlapped(wide, [wideInput], undefined, undefined, { steal: false }),
      runGraphOverlapped(wide, [other], undefined, liar(2), { steal: false }),
      ...cases.map((c) => runGraphOverlapped(c.graph, [c.input], undefined, undefined, { worker: 'always' })),
      runGraphOverlapped(wide, [other]),
    ]);
    expectSameRun(runs[0], runGraph(wide, [wideInput]));
    expectSameRun(runs[1], runGraph(wide, [other], undefined, liar(2)));
    cases.forEach((c, k) => expectSameRun(runs[2 + k], runGraph(c.graph, [c.input])));
    expectSameRun(runs[runs.length - 1], runGraph(wide, [other]));
  });

  it('rejects bad inputs and a throwing override like runGraph, and the next run is still right', async () => {
    await expect(runGraphOverlapped(wide, [new Int32Array(3)])).rejects.toBeInstanceOf(GraphInputError);
    const boom = (i: number): undefined => {
      if (i === 3) throw new Error('override failed');
    };
    await expect(runGraphOverlapped(wide, [wideInput], undefined, boom, { steal: false })).rejects.toThrow('override failed');
    expectSameRun(await runGraphOverlapped(wide, [wideInput], undefined, undefined, { steal: false }), runGraph(wide, [wideInput]));
  });

  it('finishes on the main thread when the worker dies mid-run, then starts a new one', async () => {
    const want = runGraph(wide, [wideInput]);
    const dying = commitWorkerForTests()!;
    const kill = (i: number): void => {
      if (i === 2) void dying.terminate();
    };
    // steal: false: the main thread waits on the worker for every tensor, so only the exit can end the wait.
    expectSameRun(await runGraphOverlapped(wide, [wideInput], kill, undefined, { steal: false }), want);
    const closing = (i: number): void => {
      if (i === 2) void closeCommitWorker();
    };
    expectSameRun(await runGraphOverlapped(wide, [wideInput], closing, undefined, { steal: false }), want);
    // The next large run starts a fresh worker.
    expectSameRun(await runGraphOverlapped(wide, [wideInput], undefined, undefined, { steal: false }), want);
    expect(commitWorkerForTests()).toBeDefined();
    expect(commitWorkerForTests()).not.toBe(dying);
  });

  it('runs small graphs without a worker unless one runs, and closes', async () => {
    await closeCommitWorker();
    expect(commitWorkerStatus().running).toBe(false);
    const g = smallGraph(3);
    const x = int8(new Rng(4), [1, 20]);
    expectSameRun(await runGraphOverlapped(g, [x]), runGraph(g, [x]));
    expect(commitWorkerStatus().running).toBe(false);
    expectSameRun(await runGraphOverlapped(g, [x], undefined, undefined, { worker: 'always', steal: false }), runGraph(g, [x]));
    expect(commitWorkerStatus().running).toBe(true);
    expectSameRun(await runGraphOverlapped(g, [x]), runGraph(g, [x]));
    expect(commitWorkerStatus().stats!.byWorker).toBeGreaterThan(0);
    await closeCommitWorker();
    expect(commitWorkerStatus()).toMatchObject({ running: false, started: false });
    expectSameRun(await runGraphOverlapped(wide, [wideInput], undefined, undefined, { worker: 'never' }), runGraph(wide, [wideInput]));
    expect(commitWorkerStatus().running).toBe(false);
    const env = process.env.OPML_COMMIT_WORKER;
    process.env.OPML_COMMIT_WORKER = '0';
    try {
      expectSameRun(await runGraphOverlapped(wide, [wideInput]), runGraph(wide, [wideInput]));
      expect(commitWorkerStatus().running).toBe(false);
    } finally {
      if (env === undefined) delete process.env.OPML_COMMIT_WORKER;
      else process.env.OPML_COMMIT_WORKER = env;
    }
  });
});
