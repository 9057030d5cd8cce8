/**
 * The interpreter and the trace prover: whole programs against straight-line references built from
 * vm/numerics.ts, traps, and the consistency of states, roots and witnesses at arbitrary steps.
 */
import { bytesToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { Machine } from '../vm/interpreter.ts';
import { asm, CODE_SIZE, decodeInstruction, MEM_DEPTH, MEM_WORDS, memoryAddress } from '../vm/isa.ts';
import { computeRoot } from '../vm/merkle.ts';
import { add32, clamp32, mul32, requant } from '../vm/numerics.ts';
import { Program } from '../vm/program.ts';
import { memoryTreeOf, Trace } from '../vm/prover.ts';
import { hashState, Status } from '../vm/state.ts';
import { Rng } from './support/rng.ts';
import { kitchenSinkProgram, matmulProgram, type MatmulLayout } from './support/programs.ts';

const L: MatmulLayout = { m: 3, k: 20, n: 5, xBase: 0, wBase: 64, bBase: 192, yBase: 200, multiplier: 1518500250, shift: 38 };

function matmulMemory(rng: Rng): Int32Array {
  const mem = new Int32Array(256);
  for (let i = 0; i < L.m * L.k; i++) mem[L.xBase + i] = rng.int(-128, 127);
  for (let i = 0; i < L.k * L.n; i++) mem[L.wBase + i] = rng.int(-128, 127);
  for (let j = 0; j < L.n; j++) mem[L.bBase + j] = rng.int(-5000, 5000);
  return mem;
}

function matmulReference(mem: Int32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < L.m; i++) {
    for (let j = 0; j < L.n; j++) {
      let acc = mem[L.bBase + j];
      for (let k = 0; k < L.k; k++) acc = add32(acc, mul32(mem[L.xBase + i * L.k + k], mem[L.wBase + k * L.n + j]));
      out.push(clamp32(requant(acc, L.multiplier, L.shift), -128, 127));
    }
  }
  return out;
}

describe('interpreter', () => {
  it('computes an int8 matmul node exactly like the straight-line reference, in a data-independent step count', () => {
    const program = Program.fromInstructions(matmulProgram(L));
    const steps = new Set<number>();
    for (let seed = 0; seed < 5; seed++) {
      const mem = matmulMemory(new Rng(100 + seed));
      const m = new Machine(program, mem);
      m.run();
      expect(m.status).toBe(Status.HALTED);
      expect(Array.from(m.mem.subarray(L.yBase, L.yBase + L.m * L.n))).toEqual(matmulReference(mem));
      steps.add(m.step);
    }
    expect(steps.size).toBe(1);
  });

  it('discards writes to r0, halts off the end of the code and on HALT without moving pc', () => {
    const m = new Machine(Program.fromInstructions([asm.LI(0, 5), asm.ADDI(1, 0, 3)]));
    m.run();
    expect(m.regs[0]).toBe(0);
    expect(m.regs[1]).toBe(3);
    expect(m.status).toBe(Status.HALTED);
    expect(m.pc).toBe(2);
    expect(m.step).toBe(3);
    const h = new Machine(Program.fromInstructions([asm.HALT()]));
    h.run();
    expect([h.pc, h.step, h.status]).toEqual([0, 1, Status.HALTED]);
    expect(h.run()).toBe(0);
  });

  it('traps on an address past memory, an invalid leaf and a pc outside the code tree, changing nothing else', () => {
    const past = new Machine(Program.fromInstructions([asm.LI(1, 9), asm.LOAD(2, 0, MEM_WORDS)]));
    past.run();
    expect([past.status, past.pc, past.step, past.regs[1], past.regs[2]]).toEqual([Status.TRAPPED, 1, 2, 9, 0]);
    const neg = new Machine(Program.fromInstructions([asm.STORE(0, 0, -1)]));
    neg.run();
    expect([neg.status, neg.pc]).toEqual([Status.TRAPPED, 0]);
    const leaf = new Uint8Array(32);
    leaf[0] = 25;
    const bad = new Machine(Program.fromLeaves(leaf));
    bad.run();
    expect(bad.status).toBe(Status.TRAPPED);
    const jump = new Machine(Program.fromInstructions([asm.branch('BEQ', 0, 0, CODE_SIZE)]));
    jump.run();
    expect([jump.status, jump.pc, jump.step]).toEqual([Status.TRAPPED, CODE_SIZE, 2]);
  });

  it('honours maxSteps exactly and resumes where it stopped', () => {
    const program = Program.fromInstructions(kitchenSinkProgram(40, 0, 100));
    const rng = new Rng(9);
    const mem = Array.from({ length: 80 }, () => rng.int32());
    const whole = new Machine(program, mem);
    whole.run();
    const parts = new Machine(program, mem);
    while (parts.status === Status.RUNNING) parts.run(7);
    expect(parts.step).toBe(whole.step);
    expect(Array.from(parts.mem.subarray(0, 300))).toEqual(Array.from(whole.mem.subarray(0, 300)));
    expect(Array.from(parts.regs)).toEqual(Array.from(whole.regs));
  });
});

describe('trace prover', () => {
  it('keeps the memory root equal to a full rebuild, seeking forward and backward', () => {
    const program = Program.fromInstructions(kitchenSinkProgram(30, 8, 4096));
    const rng = new Rng(10);
    const mem = Array.from({ length: 70 }, () => rng.int32());
    const trace = new Trace(program, mem);
    const final = trace.runToEnd();
    expect(final.status).toBe(Status.HALTED);
    const ref = new Machine(program, mem);
    ref.run();
    expect(final.memRoot).toBe(bytesToHex(memoryTreeOf(ref.mem).root()));
    const states = [0, 5, final.step - 1, 17, 3, final.step].map((k) => trace.stateAt(k));
    expect(states[0].step).toBe(0);
    expect(hashState(trace.stateAt(17))).toBe(hashState(states[3]));
    expect(hashState(states[5])).toBe(hashState(final));
  });

  it('every witness proves its instruction and memory leaf and ends at the next state', () => {
    const program = Program.fromInstructions(matmulProgram(L));
    const trace = new Trace(program, matmulMemory(new Rng(11)));
    const T = trace.runToEnd().step;
    for (const k of [0, 1, 7, 11, 12, 19, 250, T - 1]) {
      const w = trace.witness(k);
      expect(w.pre.step).toBe(k);
      expect(w.preHash).toBe(hashState(trace.stateAt(k)));
      expect(w.postHash).toBe(hashState(trace.stateAt(k + 1)));
      const codeRoot = computeRoot(hexBytes(w.proof.instruction), w.pre.pc, w.proof.codeSiblings.map(hexBytes));
      expect(bytesToHex(codeRoot)).toBe(w.pre.codeRoot);
      const addr = memoryAddress(decodeInstruction(hexBytes(w.proof.instruction)), w.pre.regs);
      expect(w.proof.memSiblings.length).toBe(addr === undefined ? 0 : MEM_DEPTH);
      if (addr !== undefined) {
        const root = computeRoot(hexBytes(w.proof.memLeaf), addr >>> 3, w.proof.memSiblings.map(hexBytes));
        expect(bytesToHex(root)).toBe(w.pre.memRoot);
      }
    }
    expect(() => trace.witness(T)).toThrow(/not running/);
  });
});

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
}

