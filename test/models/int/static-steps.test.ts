/**
 * Step counts derived from the lowered program (models/int/staticSteps.ts) equal the VM's count, for every node
 * of every zoo model and for random cases of every kernel, on zero inputs and on random words (the count must
 * not depend on data). Programs of any other shape are refused, and the commitment then falls back to a run.
 */
import { describe, expect, it } from 'vitest';
import { modelCommitment, stepsByRunning } from '../../../models/int/commitment.ts';
import { elementCount, type IntOp } from '../../../models/int/graph.ts';
import { INT_KERNELS, kernelOf } from '../../../models/int/kernels/index.ts';
import { staticSteps } from '../../../models/int/staticSteps.ts';
import { lowerCall, lowerNode, runLowered, type LoweredNode } from '../../../models/int/vmNode.ts';
import { prepareModel } from '../../../models/prepare.ts';
import { ZOO } from '../../../models/zoo/index.ts';
import { asm, CODE_SIZE, type Instruction } from '../../../vm/isa.ts';
import { Program } from '../../../vm/program.ts';
import { Trace } from '../../../vm/prover.ts';
import { Status } from '../../../vm/state.ts';
import { Rng } from '../../support/rng.ts';
import { kitchenSinkProgram, matmulProgram } from '../../support/programs.ts';
import { KERNEL_CASES } from './cases.ts';
import { DIRECTED_CASES } from './directedCases.ts';

const CASES_PER_OP = 16;

/** Random int32 words (edges, small values and uniform words), any shape the node's inputs have. */
function randomInputs(rng: Rng, sizes: readonly number[]): Int32Array[] {
  return sizes.map((n) => Int32Array.from({ length: n }, () => rng.int32()));
}

/** The static count equals the VM's count on zeros, on the given inputs and on random words. */
function checkNode(lowered: LoweredNode, sizes: readonly number[], label: string, rng: Rng, given?: readonly Int32Array[]): void {
  const s = staticSteps(lowered.program);
  expect(s, `${label}: not a constant-trip program`).toBeTypeOf('number');
  const zeros = sizes.map((n) => new Int32Array(n));
  expect(runLowered(lowered, zeros).steps, `${label}: zeros`).toBe(s);
  if (given) expect(runLowered(lowered, given).steps, `${label}: case inputs`).toBe(s);
  expect(runLowered(lowered, randomInputs(rng, sizes)).steps, `${label}: random words`).toBe(s);
}

describe('static step counts', () => {
  for (const zoo of ZOO) {
    it(`${zoo.name}: every node, on zeros and random words; the commitment is unchanged`, () => {
      const { int } = prepareModel(zoo.name);
      const rng = new Rng(zoo.name.length);
      const commitment = modelCommitment(int);
      int.nodes.forEach((node, i) => {
        const lowered = lowerNode(int, i);
        const sizes = node.inputs.map((t) => elementCount(int.tensors[t].dims));
        checkNode(lowered, sizes, `${zoo.name} node ${i} (${node.name}, ${node.op})`, rng);
        expect(commitment.nodes[i].steps).toBe(stepsByRunning(int, i, lowered));
      });
    }, 120_000);
  }

  for (const op of Object.keys(INT_KERNELS) as IntOp[]) {
    it(`${op}: ${CASES_PER_OP} random cases and the directed cases`, () => {
      const gen = KERNEL_CASES[op] as (rng: Rng) => ReturnType<(typeof KERNEL_CASES)[IntOp]>;
      const rng = new Rng(op.length * 7919 + op.charCodeAt(1));
      const calls = [];
      for (let c = 0; c < CASES_PER_OP; c++) {
        const kc = gen(rng);
        const outDims = kernelOf(op).outputDims(kc.attrs as never, kc.inputDims);
        calls.push({ label: `${op} case ${c}: dims ${JSON.stringify(kc.inputDims)} attrs ${JSON.stringify(kc.attrs)}`, call: { attrs: kc.attrs as never, inputDims: kc.inputDims, outDims }, inputs: kc.inputs });
      }
      for (const d of DIRECTED_CASES.filter((d) => d.op === op)) {
        calls.push({ label: `${op} directed ${d.name}`, call: { attrs: d.attrs as never, inputDims: d.inputDims, outDims: d.outDims }, inputs: d.inputs });
      }
      for (const { label, call, inputs } of calls) {
        checkNode(lowerCall(op, call), call.inputDims.map(elementCount), label, rng, inputs);
      }
    });
  }

  it('counts hand-written loop nests exactly (the test programs)', () => {
    for (const code of [matmulProgram({ m: 3, k: 5, n: 4, xBase: 0, wBase: 64, bBase: 128, yBase: 192, multiplier: 2 ** 30, shift: 31 }), kitchenSinkProgram(9, 0, 64)]) {
      const program = Program.fromInstructions(code);
      const s = staticSteps(program);
      if (s === undefined) continue; // a hand-written program may use other control flow; then it must be refused
      const trace = new Trace(program, new Int32Array(1024));
      const final = trace.runToEnd();
      expect(final.status).toBe(Status.HALTED);
      expect(final.step).toBe(s);
    }
    // Nested loops, an empty loop body, a one-trip loop and running off the end (no HALT).
    const nest: Instruction[] = [
      asm.LI(1, 3), // 1
      asm.LI(2, 4), // top of loop 1 (3 trips): 1 + inner + ADDI + LOOP
      asm.ADDI(5, 5, 1), // top of loop 2 (4 trips)
      asm.ADDI(6, 6, 2),
      asm.LOOP(2, 2),
      asm.ADDI(7, 7, 1),
      asm.LOOP(1, 1),
      asm.LI(3, 5),
      asm.LOOP(3, 8), // empty body: 5 steps
      asm.LI(4, 1),
      asm.ADDI(8, 8, 1),
      asm.LOOP(4, 10), // one trip
    ];
    const program = Program.fromInstructions(nest);
    const expected = 1 + 3 * (1 + 4 * (2 + 1) + 1 + 1) + 1 + 5 + 1 + 2 + 1;
    expect(staticSteps(program)).toBe(expected);
    expect(new Trace(program, new Int32Array(64)).runToEnd().step).toBe(expected);
  });

  it('refuses programs whose step count it cannot fix statically', () => {
    const refused: [string, Instruction[]][] = [
      ['a data branch', [asm.LOAD(1, 0, 0), asm.branch('BEQ', 1, 0, 3), asm.ADDI(2, 2, 1), asm.HALT()]],
      ['a body writing its counter', [asm.LI(1, 3), asm.LOAD(1, 0, 0), asm.LOOP(1, 1), asm.HALT()]],
      ['an inner loop reusing the outer counter', [asm.LI(1, 3), asm.LI(1, 2), asm.ADDI(2, 2, 1), asm.LOOP(1, 2), asm.LOOP(1, 1), asm.HALT()]],
      ['a counter loaded from memory', [asm.LOAD(1, 0, 0), asm.ADDI(2, 2, 1), asm.LOOP(1, 1), asm.HALT()]],
      ['a zero trip count', [asm.LI(1, 0), asm.ADDI(2, 2, 1), asm.LOOP(1, 1), asm.HALT()]],
      ['a counter in r0', [asm.LI(0, 3), asm.ADDI(2, 2, 1), asm.LOOP(0, 1), asm.HALT()]],
      ['a forward LOOP', [asm.LI(1, 3), asm.LOOP(1, 3), asm.ADDI(2, 2, 1), asm.HALT()]],
      ['a HALT inside a loop', [asm.LI(1, 3), asm.HALT(), asm.LOOP(1, 1)]],
      ['overlapping loops', [asm.LI(1, 3), asm.LI(2, 3), asm.ADDI(3, 3, 1), asm.LOOP(1, 1), asm.ADDI(4, 4, 1), asm.LOOP(2, 2), asm.HALT()]],
      ['two loops with one top', [asm.LI(1, 3), asm.ADDI(3, 3, 1), asm.LOOP(1, 1), asm.LOOP(1, 1), asm.HALT()]],
    ];
    for (const [label, code] of refused) expect(staticSteps(Program.fromInstructions(code)), label).toBeUndefined();
    const invalid = new Uint8Array(64);
    invalid[0] = 99; // opcode 99 traps
    expect(staticSteps(Program.fromLeaves(invalid))).toBeUndefined();
    // A full code tree without a HALT runs into pc = 2^CODE_DEPTH, which traps.
    expect(staticSteps(Program.fromInstructions(Array.from({ length: CODE_SIZE }, () => asm.ADDI(1, 1, 1))))).toBeUndefined();
  });
});
