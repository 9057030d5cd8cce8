/**
 * Directed boundary and tie cases (test/models/int/directedCases.ts) on the GPU: every kernel's words equal the
 * independent BigInt oracle's (so also the CPU reference's and the VM's, test/models/int/directed.test.ts).
 * And the WGSL numerics at exact ties and int32 edges equal the oracle directly, not only vm/numerics.ts.
 */
import { describe, expect, it } from 'vitest';
import { GpuGraph } from '../../models/gpu/executor.ts';
import { evalNumericsGpu } from '../../models/gpu/probe.ts';
import type { IntOp } from '../../models/int/graph.ts';
import { INT_KERNELS } from '../../models/int/kernels/index.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { DIRECTED_CASES } from '../models/int/directedCases.ts';
import * as O from '../support/oracle.ts';
import { oneNodeGraph } from './oneNode.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const { MIN, MAX } = O;

describe.skipIf(NO_GPU)(`directed cases on the GPU equal the BigInt oracle${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  for (const op of Object.keys(INT_KERNELS) as IntOp[]) {
    const mine = DIRECTED_CASES.filter((c) => c.op === op);
    it(`${op}: ${mine.length} directed cases`, async () => {
      for (const [k, c] of mine.entries()) {
        const { graph, inputs } = oneNodeGraph(c as never, () => k % 2 === 1);
        const g = await GpuGraph.create(device(), graph);
        try {
          const run = await g.run(inputs);
          expect.soft(Array.from(run.outputs[0]), `GPU ${op}: ${c.name}`).toEqual(c.expected);
          expect.soft(run.roots.get(graph.nodes[0].output), `GPU root ${op}: ${c.name}`).toBe(tensorRoot(c.expected));
        } finally {
          g.destroy();
        }
      }
    });
  }

  it('WGSL requant / rshr32 at exact ties of both signs, every shift 1..63, and int32 edges', async () => {
    const x: number[] = [];
    const m: number[] = [];
    const s: number[] = [];
    // x·m = ±(2k+1)·2^(s-1): an exact tie at shift s, for every s in 1..63 where int32 operands can form it.
    const fits = (v: number) => Number.isInteger(v) && v >= MIN && v <= MAX;
    for (let sh = 1; sh < 64; sh++) {
      for (const odd of [1, 3, 5, 7]) {
        for (const sign of [1, -1]) {
          const p = sh - 1;
          const em = Math.min(p, 30);
          const pairs: [number, number][] = [
            [sign * odd * 2 ** (p - em), 2 ** em],
            [-sign * odd * 2 ** (p - 31), MIN],
          ];
          const pair = pairs.find(([a, b]) => fits(a) && fits(b));
          if (!pair) continue;
          x.push(pair[0]), m.push(pair[1]), s.push(sh);
        }
      }
    }
    x.push(MIN), m.push(MIN), s.push(63); // 2^62 / 2^63 = 0.5
    for (let i = 0; i < x.length; i++) {
      const prod = BigInt(x[i]) * BigInt(m[i]);
      expect(((prod % (1n << BigInt(s[i]))) + (1n << BigInt(s[i]))) % (1n << BigInt(s[i])), `a tie at shift ${s[i]}`).toBe(1n << BigInt(s[i] - 1));
    }
    const ties = x.length;
    expect(ties).toBeGreaterThan(400);
    const edges = [MIN, MIN + 1, -2, -1, 0, 1, 2, MAX - 1, MAX];
    for (const a of edges) for (const b of edges) for (const sh of [0, 1, 31, 32, 33, 62, 63, 64, -1]) x.push(a), m.push(b), s.push(sh);
    const args = [Int32Array.from(x), Int32Array.from(m), Int32Array.from(s)];
    const got = await evalNumericsGpu(device(), 'requant', args);
    const bad: string[] = [];
    for (let i = 0; i < x.length; i++) {
      const want = O.requant(x[i], m[i], s[i]);
      if (got[i] !== want) bad.push(`requant(${x[i]}, ${m[i]}, ${s[i]}) = ${got[i]}, oracle ${want}`);
    }
    expect(bad.slice(0, 5), `${bad.length} of ${x.length} differ`).toEqual([]);

    const rx = [1, -1, 3, -3, 5, -5, MIN, MAX, -2, 2, 0];
    const rs = [0, 1, 2, 31, 32, 33, 63];
    const xs = rx.flatMap((v) => rs.map(() => v));
    const ss = rx.flatMap(() => rs);
    const r = await evalNumericsGpu(device(), 'rshr32', [Int32Array.from(xs), Int32Array.from(ss)]);
    const want = xs.map((v, i) => O.sat(O.rshr(BigInt(v), ss[i])));
    expect(Array.from(r)).toEqual(want);
  });
});
