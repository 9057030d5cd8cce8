// Elementwise, activation, reduction and pooling families of issue 9 against onnxruntime-node: single-op
// models built in memory, attributes at defaults and not, inputs with the edges (values exactly at clip bounds
// and thresholds, zeros, equal operands) mixed into seeded random values. Every node output is compared.

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { writeOnnx, type WriterNode, type WriterTensor } from '../../models/onnx/writer.ts';
import { UnsupportedOpError } from '../../models/errors.ts';
import { ATOL, compareWithOrt, maxAbs, maxAbsDiff, RTOL } from './compare.ts';
import { CANONICAL_CASES, EXPANDED_CASES } from './ops-elementwise-cases.ts';

describe('issue-9 expanded ops: float evaluator (graph output) vs onnxruntime-node', () => {
  for (const c of EXPANDED_CASES) {
    it(c.name, async () => {
      const bytes = writeOnnx(c.model);
      const graph = loadOnnx(bytes);
      if (c.ops) expect(graph.nodes.map((n) => n.op)).toEqual(c.ops);
      const ours = evaluate(graph, c.feeds).outputs[0];
      const session = await OrtModel.create(bytes);
      const theirs = (await session.run(c.feeds)).get('y')!;
      await session.release();
      expect(ours.dims).toEqual(theirs.dims);
      const diff = maxAbsDiff(ours.data, theirs.data);
      expect(diff).toBeLessThanOrEqual(ATOL + RTOL * maxAbs(theirs.data));
    });
  }
});

describe('issue-9 op families: float evaluator vs onnxruntime-node', () => {
  for (const c of CANONICAL_CASES) {
    it(c.name, async () => {
      const bytes = writeOnnx(c.model);
      if (c.ops) expect(loadOnnx(bytes).nodes.map((n) => n.op)).toEqual(c.ops);
      const result = await compareWithOrt(bytes, c.feeds);
      expect(result.compared).toBeGreaterThan(0);
      expect(result.worst, `worst value ${result.worstValue}`).toBeLessThanOrEqual(1);
    });
  }
});

describe('issue-9 families: what is refused, by name, in one line', () => {
  const load = (op: string, inputs: Record<string, number[]>, nodeInputs: string[], inits: WriterTensor[] = [], attrs?: WriterNode['attrs']) => () =>
    loadOnnx(writeOnnx({ opset: 21, inputs: Object.entries(inputs).map(([name, dims]) => ({ name, dims })), outputs: [{ name: 'y' }], initializers: inits, nodes: [{ op, name: 'n', inputs: nodeInputs, outputs: ['y'], attrs }] }));
  it('Clip with a run-time bound', () => {
    expect(load('Clip', { x: [4], lo: [] }, ['x', 'lo'])).toThrow(UnsupportedOpError);
    expect(load('Clip', { x: [4], lo: [] }, ['x', 'lo'])).toThrow(/^node "n" \(Clip\): input 1 \(min\) "lo" is computed at run time; opml needs it to be a constant; [^\n]+$/);
  });
  it('PRelu with a run-time slope', () => {
    expect(load('PRelu', { x: [2, 3], s: [3] }, ['x', 's'])).toThrow(/^node "n" \(PRelu\): input 1 \(slope\) "s" is run-time data; opml needs it constant; [^\n]+$/);
  });
  it('PRelu with a slope that does not broadcast to X', () => {
    const slope: WriterTensor = { name: 's', dims: [2], data: Float32Array.of(0.1, 0.2) };
    expect(load('PRelu', { x: [2, 3] }, ['x', 's'], [slope])).toThrow(/^node "n" \(PRelu\): slope \[2\] does not broadcast to X \[2, 3\]; [^\n]+$/);
  });
  it('Max of operands that do not broadcast', () => {
    expect(load('Max', { a: [2, 3], b: [4] }, ['a', 'b'])).toThrow(/^node "n" \(Max\): operand shapes \[2, 3\] and \[4\] \(operand 1 "b"\) do not broadcast$/);
  });
  it('a 3-D pool', () => {
    expect(load('MaxPool', { x: [1, 1, 4, 4, 4] }, ['x'], [], { kernel_shape: { ints: [2, 2, 2] } })).toThrow(/^node "n" \(MaxPool\): input \[1, 1, 4, 4, 4\] has rank 5; only 2-D \(NCHW, rank 4\) and 1-D \(NCL, rank 3\) windows are supported$/);
  });
});
