/**
 * The `argmax` op (models/int/kernels/argmax.ts) beyond the every-op suites (kernels, directed, fast-kernels,
 * static-steps, GPU), which cover it through cases.ts and directedCases.ts:
 * - its exact step-count formula `argmaxSteps` against staticSteps and the VM, across the lowering's 64-word blocks;
 * - long rows (a vocabulary of 4096) against the BigInt oracle on every path;
 * - greedy decoding: argmax → gather of a constant table, the gather's indices produced by a node. The graphs
 *   validate and round-trip through the .opml bytes, run on the CPU (fast = reference = oracle), every node's VM
 *   run gives the executor's root, and they commit (the argmax untiled; the gather tiled too, with node-made
 *   indices in its persistent region);
 * - the validator refuses an argmax node whose output is not an integer tensor at scale 1 with exactly the
 *   kernel's dims, and shapes the kernel cannot take.
 */
import { describe, expect, it } from 'vitest';
import { modelCommitment } from '../../../models/int/commitment.ts';
import { executeGraph, runGraph } from '../../../models/int/execute.ts';
import { elementCount, type IntGraph } from '../../../models/int/graph.ts';
import { argmaxSteps } from '../../../models/int/kernels/argmax.ts';
import { runFast } from '../../../models/int/kernels/fast.ts';
import { kernelOf } from '../../../models/int/kernels/index.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import { deserializeIntGraph, IntGraphFormatError, serializeIntGraph } from '../../../models/int/serialize.ts';
import { staticSteps } from '../../../models/int/staticSteps.ts';
import { lowerForCommitment } from '../../../models/int/tiles/lowering.ts';
import { TiledRun } from '../../../models/int/tiles/run.ts';
import type { TiledNode } from '../../../models/int/tiles/tiled.ts';
import { intGraphProblem } from '../../../models/int/validate.ts';
import { lowerCall, lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import * as O from '../../support/oracle.ts';
import { Rng } from '../../support/rng.ts';
import { ARGMAX_CHAINS, batchedArgmaxGraph, decodeStepGraph } from './argmaxGraphs.ts';

const call = (dims: number[]) => ({ attrs: {} as Record<string, never>, inputDims: [dims], outDims: kernelOf('argmax').outputDims({}, [dims]) });

describe('argmax: shapes and the exact step count', () => {
  it('output dims drop the last axis, at least rank 1', () => {
    const out = (dims: number[]) => kernelOf('argmax').outputDims({}, [dims]);
    expect(out([7])).toEqual([1]);
    expect(out([1, 7])).toEqual([1]);
    expect(out([1, 1, 7])).toEqual([1, 1]);
    expect(out([2, 3, 7])).toEqual([2, 3]);
    expect(out([0, 7])).toEqual([0]);
    expect(() => out([])).toThrow(/rank ≥ 1/);
    expect(() => out([3, 0])).toThrow(/empty/);
    expect(() => kernelOf('argmax').outputDims({}, [[3], [3]])).toThrow(/one input/);
  });

  it('argmaxSteps = staticSteps = the VM count on zeros and on random words, rows × V across the 64-word blocks', () => {
    const rng = new Rng(64);
    for (const rows of [0, 1, 2, 3, 17]) {
      for (const v of [1, 2, 5, 63, 64, 65, 127, 128, 129, 200]) {
        const dims = rows === 1 && v % 2 === 0 ? [v] : [rows, v];
        const lowered = lowerCall('argmax', call(dims));
        const want = argmaxSteps(rows, v);
        const label = `[${dims}]`;
        expect(staticSteps(lowered.program), label).toBe(want);
        expect(runLowered(lowered, [new Int32Array(rows * v)]).steps, label).toBe(want);
        const x = Int32Array.from({ length: rows * v }, () => rng.int32());
        const run = runLowered(lowered, [x]);
        expect(run.steps, label).toBe(want);
        expect(Array.from(run.output), label).toEqual(O.argmaxRef(dims, x).y);
      }
    }
    // 5 steps per element plus the per-block and per-row overhead
    expect(argmaxSteps(1, 1)).toBe(2 + 3 + 6 + 2 + 1);
    expect(argmaxSteps(1, 64)).toBe(2 + 3 + 322 + 2 + 1);
    expect(argmaxSteps(2, 130)).toBe(2 + 1 + 2 * (3 + 1 + 2 * 323 + 11 + 2 + 1) + 1);
  });

  it('a vocabulary of 4096, two rows: reference, fast kernel and VM equal the oracle', () => {
    const rng = new Rng(4096);
    const dims = [1, 2, 4096];
    const x = Int32Array.from({ length: 2 * 4096 }, () => rng.int(-1000, 1000));
    x[3000] = x[3500] = 5000; // row 0: a tie late in the row
    x[4096 + 4095] = 2 ** 31 - 1; // row 1: the maximum at the last word
    const want = O.argmaxRef(dims, x).y;
    expect(want).toEqual([3000, 4095]);
    const c = call(dims);
    expect(Array.from(kernelOf('argmax').execute(c, [x]))).toEqual(want);
    expect(Array.from(runFast('argmax', c, [x])!)).toEqual(want);
    const vm = runLowered(lowerCall('argmax', c), [x]);
    expect(Array.from(vm.output)).toEqual(want);
    expect(vm.outputRoot).toBe(tensorRoot(want));
    expect(vm.steps).toBe(argmaxSteps(2, 4096));
  });
});

/** The oracle of a whole chain: argmax of the logits, then the table rows it selects (gather's index rule). */
function chainOracle(graph: IntGraph, logits: Int32Array, tableId: number, tableDims: number[]): number[] {
  const ids = O.argmaxRef(graph.tensors[graph.nodes.find((n) => n.op === 'argmax')!.inputs[0]].dims, logits).y;
  return O.gatherRef(tableDims, 0, graph.weights.get(tableId)!, ids);
}

describe('greedy decoding: argmax → gather of a constant table (indices made by a node)', () => {
  for (const chain of ARGMAX_CHAINS()) {
    const { graph, samples, argmaxNode, gatherNode, table } = chain;

    it(`${chain.name}: validates, round-trips through .opml bytes, the argmax output is integer at scale 1`, () => {
      const header = JSON.parse(JSON.stringify({ tensors: graph.tensors, inputs: graph.inputs, outputs: graph.outputs, nodes: graph.nodes }));
      expect(intGraphProblem(header)).toBeUndefined();
      const back = deserializeIntGraph(serializeIntGraph(graph));
      expect(back.nodes).toEqual(graph.nodes);
      expect(back.tensors).toEqual(graph.tensors);
      const ids = graph.tensors[graph.nodes[argmaxNode].output];
      expect(ids).toMatchObject({ kind: 'activation', integer: true, scale: 1 });
      expect(graph.nodes[gatherNode].inputs[1]).toBe(graph.nodes[argmaxNode].output);
      expect(graph.inputs).not.toContain(graph.nodes[gatherNode].inputs[1]);
    });

    it(`${chain.name}: CPU fast = reference = oracle; every node's VM run gives the executor's root, in its static step count`, () => {
      for (const [s, inputs] of samples.entries()) {
        const run = runGraph(graph, inputs);
        const ref = executeGraph(graph, inputs, undefined, undefined, 'reference');
        for (const [t, words] of run.values) expect(Array.from(words), `sample ${s}: tensor ${t}`).toEqual(Array.from(ref.values.get(t)!));
        const logits = run.values.get(graph.nodes[argmaxNode].inputs[0])!;
        expect(Array.from(run.outputs[0]), `sample ${s}: oracle`).toEqual(chainOracle(graph, logits, table.id, table.dims));
        graph.nodes.forEach((node, i) => {
          const lowered = lowerNode(graph, i);
          const vm = runLowered(lowered, node.inputs.map((t) => run.values.get(t) ?? graph.weights.get(t)!));
          expect(vm.outputRoot, `sample ${s}: node ${i} ${node.op}`).toBe(run.roots.get(node.output));
          expect(vm.steps, `sample ${s}: node ${i} ${node.op} steps`).toBe(staticSteps(lowered.program));
        });
        const x = graph.tensors[graph.nodes[argmaxNode].inputs[0]].dims;
        const v = x[x.length - 1];
        expect(staticSteps(lowerNode(graph, argmaxNode).program)).toBe(argmaxSteps(elementCount(x) / v, v));
      }
    });

    it(`${chain.name}: commits; with tileSteps 64 the argmax stays one program and a long gather is tiled, same root`, () => {
      const plain = modelCommitment(graph);
      expect(plain.nodes[argmaxNode]).toMatchObject({ numTiles: 0, steps: staticSteps(lowerNode(graph, argmaxNode).program) });
      const options = { tileSteps: 64 };
      const small = modelCommitment(graph, options);
      expect(small.nodes[argmaxNode]).toEqual(plain.nodes[argmaxNode]);
      expect(lowerForCommitment(graph, argmaxNode, options).kind).toBe('vm');
      const gather = lowerForCommitment(graph, gatherNode, options);
      if (gather.kind !== 'tiled') return; // the one-index decode step's gather fits in 64 steps untiled
      expect(small.nodes[gatherNode].numTiles).toBeGreaterThan(1);
      for (const inputs of samples) {
        const run = runGraph(graph, inputs);
        const node = graph.nodes[gatherNode];
        const tr = new TiledRun(gather as TiledNode, node.inputs.map((t) => run.values.get(t) ?? graph.weights.get(t)!));
        expect(tr.outputRoot).toBe(run.roots.get(node.output));
        expect(Array.from(tr.output)).toEqual(Array.from(run.values.get(node.output)!));
      }
    });
  }

  it('the batched chain does tile its gather at tileSteps 64 (the branch above is exercised)', () => {
    const { graph, gatherNode } = batchedArgmaxGraph(6);
    expect(lowerForCommitment(graph, gatherNode, { tileSteps: 64 }).kind).toBe('tiled');
  });

  it('greedy decoding three steps: each step’s argmax is the next step’s id', () => {
    const { graph, argmaxNode } = decodeStepGraph(5);
    let id = 3;
    const seen: number[] = [];
    for (let step = 0; step < 3; step++) {
      const run = runGraph(graph, [Int32Array.of(id)]);
      const next = run.values.get(graph.nodes[argmaxNode].output)![0];
      expect(next).toBeGreaterThanOrEqual(0);
      expect(next).toBeLessThan(40);
      // the output is the table row of the chosen id: the next step's embedding
      expect(Array.from(run.outputs[0])).toEqual(Array.from(graph.weights.get(1)!.subarray(next * 8, next * 8 + 8)));
      seen.push(next);
      id = next;
    }
    expect(seen).toHaveLength(3);
  });
});

describe('the validator refuses malformed argmax nodes', () => {
  /** A graph header: x → argmax → out, with the output tensor and node edited by `edit`. */
  const header = (xDims: number[], outDims: number[], edit: (h: { tensors: Record<string, unknown>[]; nodes: Record<string, unknown>[] }) => void = () => {}) => {
    const h = {
      tensors: [
        { name: 'x', dims: xDims, kind: 'input', scale: 0.1 },
        { name: 'ids', dims: outDims, kind: 'activation', scale: 1, integer: true },
      ] as Record<string, unknown>[],
      inputs: [0],
      outputs: [1],
      nodes: [{ name: 'greedy', op: 'argmax', inputs: [0], output: 1, attrs: {} }] as Record<string, unknown>[],
    };
    edit(h);
    return h;
  };

  it('accepts exactly an integer output at scale 1 with the kernel’s dims', () => {
    expect(intGraphProblem(header([5], [1]))).toBeUndefined();
    expect(intGraphProblem(header([1, 1, 5], [1, 1]))).toBeUndefined();
    expect(intGraphProblem(header([2, 3, 5], [2, 3]))).toBeUndefined();
  });

  it('refuses an output not marked integer, or at another scale', () => {
    expect(intGraphProblem(header([2, 5], [2], (h) => delete h.tensors[1].integer))).toMatch(
      /node 0 \("greedy"\): its output tensor 1 \("ids"\) holds token ids, so it must be "integer": true with "scale": 1, but it has "integer": missing, "scale": 1/,
    );
    expect(intGraphProblem(header([2, 5], [2], (h) => (h.tensors[1].integer = false)))).toMatch(/must be "integer": true with "scale": 1, but it has "integer": false/);
    expect(intGraphProblem(header([2, 5], [2], (h) => (h.tensors[1].scale = 0.5)))).toMatch(/must be "integer": true with "scale": 1, .*"scale": 0.5/);
  });

  it('refuses wrong output dims, even with the same word count', () => {
    expect(intGraphProblem(header([5], [1, 1]))).toMatch(/its output tensor 1 \("ids"\) has dims \[1,1\], but argmax of \[5\] gives exactly \[1\]/);
    expect(intGraphProblem(header([2, 3, 5], [6]))).toMatch(/has dims \[6\], but argmax of \[2,3,5\] gives exactly \[2,3\]/);
    expect(intGraphProblem(header([2, 3, 5], [2, 5]))).toMatch(/output tensor has dims \[2,5\], but argmax of inputs \[2,3,5\] gives \[2,3\]/);
  });

  it('refuses shapes the kernel cannot take, attributes, and a second input', () => {
    expect(intGraphProblem(header([], [1]))).toMatch(/argmax: x must have rank ≥ 1/);
    expect(intGraphProblem(header([3, 0], [3]))).toMatch(/argmax: the last axis of x \[3,0\] is empty/);
    expect(intGraphProblem(header([5], [1], (h) => (h.nodes[0].attrs = { axis: -1 })))).toMatch(/unknown attribute "axis"/);
    expect(intGraphProblem(header([5], [1], (h) => (h.nodes[0].inputs = [0, 0])))).toMatch(/argmax reads 1 tensors, "inputs" has 2/);
  });

  it('a .opml file with a non-integer argmax output is refused on load', () => {
    const { graph } = batchedArgmaxGraph(1);
    const bad: IntGraph = { ...graph, tensors: graph.tensors.map((t, i) => (i === graph.nodes[0].output ? { ...t, integer: undefined } : t)) };
    expect(() => deserializeIntGraph(serializeIntGraph(bad))).toThrow(IntGraphFormatError);
    expect(() => deserializeIntGraph(serializeIntGraph(bad))).toThrow(/holds token ids, so it must be "integer": true/);
  });
});
