/**
 * The whole integer pipeline on a small MLP built in memory: load → calibrate → quantize → CPU executor
 * (roots, graph states) → every node lowered to the VM and run, its output root equal to the executor's.
 * And the integer result tracks the float reference.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../models/float/evaluate.ts';
import type { FloatTensor } from '../../../models/graph.ts';
import { runGraph } from '../../../models/int/execute.ts';
import { stateSlots } from '../../../models/int/graph.ts';
import { graphState } from '../../../models/int/roots.ts';
import { lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { writeOnnx } from '../../../models/onnx/writer.ts';
import { dequantize, quantize, quantizeInput } from '../../../models/quantize/quantize.ts';
import { Rng } from '../../support/rng.ts';

function randomFloats(rng: Rng, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => ((rng.u32() / 2 ** 32) * 2 - 1) * scale);
}

function mlpBytes(rng: Rng): Uint8Array {
  return writeOnnx({
    inputs: [{ name: 'x', dims: [1, 16] }],
    outputs: [{ name: 'y', dims: [1, 5] }],
    initializers: [
      { name: 'w1', dims: [16, 12], data: randomFloats(rng, 16 * 12, 0.5) },
      { name: 'b1', dims: [12], data: randomFloats(rng, 12, 0.2) },
      { name: 'w2', dims: [5, 12], data: randomFloats(rng, 5 * 12, 0.5) },
      { name: 'b2', dims: [5], data: randomFloats(rng, 5, 0.2) },
      { name: 'shape', dims: [2], data: new BigInt64Array([1n, 12n]) },
    ],
    nodes: [
      { op: 'MatMul', name: 'fc1', inputs: ['x', 'w1'], outputs: ['h0'] },
      { op: 'Add', name: 'bias1', inputs: ['h0', 'b1'], outputs: ['h1'] },
      { op: 'Relu', name: 'relu1', inputs: ['h1'], outputs: ['h2'] },
      { op: 'Reshape', name: 'view', inputs: ['h2', 'shape'], outputs: ['h3'] },
      { op: 'Gemm', name: 'fc2', inputs: ['h3', 'w2', 'b2'], outputs: ['y'], attrs: { transB: { int: 1 } } },
    ],
  });
}

describe('integer pipeline on a small MLP', () => {
  const rng = new Rng(31);
  const graph = loadOnnx(mlpBytes(rng));
  const sample = (): FloatTensor => ({ dims: [1, 16], data: randomFloats(rng, 16, 1) });
  const int = quantize(graph, Array.from({ length: 256 }, () => ({ x: sample() })));

  it('folds bias and ReLU into the matmul and keeps the other nodes', () => {
    expect(int.nodes.map((n) => n.op)).toEqual(['matmul', 'copy', 'matmul']);
    expect(int.nodes[0].attrs).toMatchObject({ lo: 0, hi: 127 });
  });

  it('tracks the float reference: small error relative to the output range, same argmax', () => {
    let agree = 0;
    let total = 0;
    for (let t = 0; t < 50; t++) {
      const x = sample();
      const float = evaluate(graph, { x }).outputs[0].data as Float32Array;
      const inScale = int.tensors[int.inputs[0]].scale;
      const run = runGraph(int, [quantizeInput(x.data, inScale, false)]);
      const y = dequantize(run.outputs[0], int.tensors[int.outputs[0]].scale);
      const range = int.tensors[int.outputs[0]].scale * 127; // the calibrated output range
      for (let j = 0; j < 5; j++) total += Math.abs(y[j] - float[j]) / range;
      if (y.indexOf(Math.max(...y)) === float.indexOf(Math.max(...float))) agree++;
    }
    expect(total / 250).toBeLessThan(0.02); // mean error, as a fraction of the output range
    expect(agree).toBeGreaterThanOrEqual(46);
  });

  it('commits to the run: graph states S_0..S_n over the slot roots, each node reproduced in the VM', () => {
    const x = quantizeInput(sample().data, int.tensors[int.inputs[0]].scale, false);
    const run = runGraph(int, [x]);
    expect(run.states).toHaveLength(int.nodes.length + 1);
    expect(new Set(run.states).size).toBe(run.states.length);
    const slots = stateSlots(int);
    expect(run.states.at(-1)).toBe(graphState(slots.map((t) => run.roots.get(t))));
    int.nodes.forEach((node, i) => {
      const inputs = node.inputs.map((t) => run.values.get(t) ?? int.weights.get(t)!);
      const vm = runLowered(lowerNode(int, i), inputs);
      expect(vm.outputRoot, node.name).toBe(run.roots.get(node.output));
    });
  });
});
