/**
 * Every integer kernel: the VM lowering reproduces the CPU reference word for word (and so root for root) on
 * random shapes and values, in a step count that depends on shapes only.
 */
import { describe, expect, it } from 'vitest';
import { INT_KERNELS, kernelOf } from '../../../models/int/kernels/index.ts';
import type { IntOp } from '../../../models/int/graph.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import { lowerCall, runLowered } from '../../../models/int/vmNode.ts';
import { Rng } from '../../support/rng.ts';
import { KERNEL_CASES } from './cases.ts';

const CASES_PER_OP = 12;

describe('integer kernels: VM lowering equals CPU reference', () => {
  for (const op of Object.keys(INT_KERNELS) as IntOp[]) {
    it(`${op}: ${CASES_PER_OP} random cases`, () => {
      const gen = KERNEL_CASES[op] as (rng: Rng) => ReturnType<(typeof KERNEL_CASES)[IntOp]>;
      expect(gen, `no random cases for ${op} in cases.ts`).toBeTypeOf('function');
      const rng = new Rng(op.length * 1000 + op.charCodeAt(0));
      for (let c = 0; c < CASES_PER_OP; c++) {
        const kc = gen(rng);
        const kernel = kernelOf(op);
        const outDims = kernel.outputDims(kc.attrs as never, kc.inputDims);
        const call = { attrs: kc.attrs as never, inputDims: kc.inputDims, outDims };
        const expected = kernel.execute(call, kc.inputs);
        const lowered = lowerCall(op, call);
        const run = runLowered(lowered, kc.inputs);
        const label = `${op} case ${c}: dims ${JSON.stringify(kc.inputDims)} attrs ${JSON.stringify(kc.attrs)}`;
        expect(Array.from(run.output), label).toEqual(Array.from(expected));
        expect(run.outputRoot, label).toBe(tensorRoot(expected));
        // Same shapes, other data: the same number of steps.
        const other = gen(new Rng(c + 77));
        if (JSON.stringify(other.inputDims) === JSON.stringify(kc.inputDims) && JSON.stringify(other.attrs) === JSON.stringify(kc.attrs)) {
          expect(runLowered(lowered, other.inputs).steps).toBe(run.steps);
        }
        const shuffled = kc.inputs.map((w) => w.map((v) => (v * 7 + 3) % 128));
        expect(runLowered(lowered, shuffled).steps, `${label}: step count depends on data`).toBe(run.steps);
      }
    });
  }
});
