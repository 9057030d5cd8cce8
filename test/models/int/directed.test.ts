/**
 * Directed boundary and tie cases (directedCases.ts) for every integer kernel, against an independent BigInt
 * oracle (test/support/oracle.ts): the CPU reference `execute` and the VM lowering must both give exactly the
 * oracle's words (and the VM the oracle words' root). The GPU twin is test/gpu/directed.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { IntOp } from '../../../models/int/graph.ts';
import { INT_KERNELS, kernelOf } from '../../../models/int/kernels/index.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import { lowerCall, runLowered } from '../../../models/int/vmNode.ts';
import { DIRECTED_CASES, type DirectedCase } from './directedCases.ts';

const label = (c: DirectedCase) => `${c.op}: ${c.name}`;

describe('directed kernel cases: the oracle itself', () => {
  it('every op of INT_KERNELS has directed cases', () => {
    const covered = new Set(DIRECTED_CASES.map((c) => c.op));
    expect((Object.keys(INT_KERNELS) as IntOp[]).filter((op) => !covered.has(op))).toEqual([]);
  });

  it('hand-worked answers equal the BigInt oracle', () => {
    for (const c of DIRECTED_CASES) if (c.hand) expect(c.expected, label(c)).toEqual(c.hand);
  });

  it('every case has as many expected words as its output dims hold, and the kernel agrees on the dims', () => {
    for (const c of DIRECTED_CASES) {
      expect(c.expected.length, label(c)).toBe(c.outDims.reduce((a, b) => a * b, 1));
      expect(kernelOf(c.op).outputDims(c.attrs as never, c.inputDims), label(c)).toEqual(c.outDims);
    }
  });
});

describe('directed kernel cases: CPU reference and VM lowering equal the oracle', () => {
  for (const op of Object.keys(INT_KERNELS) as IntOp[]) {
    const mine = DIRECTED_CASES.filter((c) => c.op === op);
    it(`${op}: ${mine.length} directed cases`, () => {
      for (const c of mine) {
        const call = { attrs: c.attrs as never, inputDims: c.inputDims, outDims: c.outDims };
        const cpu = kernelOf(op).execute(call, c.inputs.map((w) => Int32Array.from(w)));
        expect.soft(Array.from(cpu), `CPU ${label(c)}`).toEqual(c.expected);
        const vm = runLowered(lowerCall(op, call), c.inputs);
        expect.soft(Array.from(vm.output), `VM ${label(c)}`).toEqual(c.expected);
        expect.soft(vm.outputRoot, `VM root ${label(c)}`).toBe(tensorRoot(c.expected));
      }
    });
  }
});
