/** Small integer graphs built directly (no ONNX), for tests of commitments, claims and games. */
import type { IntGraph } from '../../models/int/graph.ts';
import { IntGraphBuilder } from '../../models/quantize/builder.ts';
import { int8, multiplier, words } from '../models/int/cases.ts';
import { Rng } from './rng.ts';

/** x[1×20] → matmul+relu [1×9] → copy [9] → clamp [9]: three nodes, one input, weights seeded. */
export function smallGraph(seed: number): IntGraph {
  const rng = new Rng(seed);
  const b = new IntGraphBuilder();
  const x = b.tensor('x', [1, 20], 'input', 0.01);
  const w1 = b.weight('w1', [20, 9], int8(rng, [20, 9]));
  const b1 = b.weight('b1', [9], words(rng, [9], -500, 500));
  const m1 = b.weight('m1', [9], Int32Array.from({ length: 9 }, () => multiplier(rng)));
  const h = b.node('matmul', 'fc1', [x, w1, b1, m1], { shift: 40, lo: 0, hi: 127 }, 0.02);
  const v = b.node('copy', 'view', [h], { dims: [9] }, 0.02);
  const y = b.node('clamp', 'clip', [v], { lo: -50, hi: 50 }, 0.02);
  return b.build([y]);
}
