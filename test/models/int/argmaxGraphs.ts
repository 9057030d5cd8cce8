/**
 * Small greedy-decoding graphs with `argmax` feeding a `gather` as its indices (a node-produced index tensor, not
 * a graph input), shared by test/models/int/argmax.test.ts (CPU, VM, commitment) and test/gpu/gpu-argmax.test.ts.
 */
import type { IntGraph } from '../../../models/int/graph.ts';
import { IntGraphBuilder } from '../../../models/quantize/builder.ts';
import { Rng } from '../../support/rng.ts';
import { int8, multiplier, words } from './cases.ts';

export interface ArgmaxChain {
  name: string;
  graph: IntGraph;
  /** Sample input words (one array per graph input) for runs. */
  samples: Int32Array[][];
  /** Node index of the argmax and of the gather it feeds. */
  argmaxNode: number;
  gatherNode: number;
  /** The gather's table (a weight) and its dims. */
  table: { id: number; dims: number[] };
}

/**
 * One decode step: token id [1] → embedding (gather from the table [40, 8]) → logits (matmul [1, 8]·[8, 40]) →
 * argmax [1] → the next token's embedding (gather from the same table) [1, 8], the output.
 */
export function decodeStepGraph(seed: number): ArgmaxChain {
  const rng = new Rng(seed);
  const V = 40;
  const D = 8;
  const b = new IntGraphBuilder();
  const ids = b.tensor('ids', [1], 'input', 1, true);
  const table = b.weight('embed', [V, D], int8(rng, [V, D]), 0.02);
  const e = b.node('gather', 'embed', [table, ids], { axis: 0 }, 0.02);
  const w = b.weight('head', [D, V], int8(rng, [D, V]), 0.01);
  const bias = b.weight('head.bias', [V], words(rng, [V], -3000, 3000));
  const mult = b.weight('head.mult', [V], Int32Array.from({ length: V }, () => multiplier(rng)));
  const logits = b.node('matmul', 'head', [e, w, bias, mult], { shift: 44, lo: -128, hi: 127 }, 0.1);
  const next = b.node('argmax', 'greedy', [logits], {}, 1);
  const out = b.node('gather', 'next_embed', [table, next], { axis: 0 }, 0.02);
  const graph = b.build([out]);
  const samples = [0, 1, 7, 39, 22, 40, -1].map((t) => [Int32Array.of(t)]);
  return { name: 'decode step [1] → [1, 8]', graph, samples, argmaxNode: 2, gatherNode: 3, table: { id: table, dims: [V, D] } };
}

/**
 * Batched: logits [2, 3, 20] (a graph input) → argmax [2, 3] → gather from a table of 16 rows [16, 8] (ids 16..19
 * clamp to the last row) → [2, 3, 8], the output.
 */
export function batchedArgmaxGraph(seed: number): ArgmaxChain {
  const rng = new Rng(seed);
  const V = 20;
  const b = new IntGraphBuilder();
  const logits = b.tensor('logits', [2, 3, V], 'input', 0.05);
  const table = b.weight('table', [16, 8], words(rng, [16, 8], -(2 ** 31), 2 ** 31 - 1));
  const ids = b.node('argmax', 'greedy', [logits], {}, 1);
  const out = b.node('gather', 'lookup', [table, ids], { axis: 0 }, 1);
  const graph = b.build([out]);
  const sample = (): Int32Array => {
    const x = int8(rng, [2, 3, V]);
    // row 0: the maximum at 18 (clamped to table row 15); row 1: a tie at 0 and 19; row 2: all equal; row 3: at 19
    x.fill(-5, 0, 4 * V);
    x[18] = 100;
    x[V] = x[2 * V - 1] = 127;
    x[4 * V - 1] = 9;
    return x;
  };
  const samples = [[sample()], [int8(rng, [2, 3, V])], [Int32Array.from({ length: 6 * V }, () => rng.int32())]];
  return { name: 'batched [2, 3, 20] → [2, 3] → [2, 3, 8]', graph, samples, argmaxNode: 0, gatherNode: 1, table: { id: table, dims: [16, 8] } };
}

export const ARGMAX_CHAINS = (): ArgmaxChain[] => [decodeStepGraph(5), batchedArgmaxGraph(6)];
