/**
 * States with every register nonzero, r0 included. Every reachable state has regs[0] = 0, but a step of any
 * RUNNING state is defined (docs/VM.md): r0 reads as 0 whatever regs[0] holds, writes to it are discarded, and so
 * regs[0] carries over unchanged to the post-state — what the Solidity judge does (VMJudge._read / _write). The
 * interpreter, the prover's choice of memory proof, and the golden vectors (contracts/test/vectors/steps.json,
 * replayed by forge in VMVectors.t.sol) follow it. Expected values here are worked out by hand.
 */
import { bytesToHex, decodeAbiParameters, hexToBytes, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { Machine } from '../vm/interpreter.ts';
import { asm, decodeInstruction, encodeInstruction, memoryAddress, Op, type Instruction } from '../vm/isa.ts';
import { Program } from '../vm/program.ts';
import { Status } from '../vm/state.ts';
import { readFileSync } from 'node:fs';
import { stepParameters, type VectorFile } from './support/vectors.ts';
import { randomPreCase, witnessOf } from './support/stepCases.ts';
import { Rng } from './support/rng.ts';
import { computeRoot } from '../vm/merkle.ts';

const R0 = 0x12345678;
/** r0 = R0, r_i = 1000·i (all nonzero), r9 = -5. */
const REGS = [R0, ...Array.from({ length: 15 }, (_, i) => (i + 1) * 1000)];
REGS[9] = -5;

/** One step of `ins` at pc 0 from REGS, with M[a] = 100 + a for a < 64. */
function step(ins: Instruction): { regs: number[]; pc: number; status: number; mem: Int32Array } {
  const m = new Machine(Program.fromInstructions([ins]), Array.from({ length: 64 }, (_, a) => 100 + a));
  m.regs.set(REGS);
  m.run(1);
  return { regs: Array.from(m.regs), pc: m.pc, status: m.status, mem: m.mem.slice(0, 64) };
}

/** REGS with some registers replaced. */
const regsWith = (changes: Record<number, number>) => REGS.map((v, r) => (r in changes ? changes[r] : v));

describe('a pre-state with r0 ≠ 0: r0 reads as 0, writes to it are discarded, regs[0] carries over', () => {
  it('ALU: r0 as operands reads 0; r0 as destination changes nothing', () => {
    expect(step(asm.alu('ADD', 1, 0, 0, 5)).regs).toEqual(regsWith({ 1: 5 }));
    expect(step(asm.alu('SUB', 8, 0, 0, -7)).regs).toEqual(regsWith({ 8: 7 }));
    expect(step(asm.alu('MUL', 2, 3, 0, 1)).regs).toEqual(regsWith({ 2: 3000 }));
    expect(step(asm.alu('ADD', 0, 1, 2, 0)).regs).toEqual(REGS);
    expect(step(asm.alu('MAX', 4, 9, 0, 0)).regs).toEqual(regsWith({ 4: 0 }));
    expect(step(asm.alu('SLT', 5, 0, 9, 0)).regs).toEqual(regsWith({ 5: 0 })); // 0 < -5 is false
    expect(step(asm.RQ(6, 1, 0, 3)).regs).toEqual(regsWith({ 6: 0 })); // multiplier R[0] = 0
    expect(step(asm.alu('ISQRT', 7, 0, 0)).regs).toEqual(regsWith({ 7: 0 }));
    const s = step(asm.alu('ADD', 1, 0, 0, 5));
    expect([s.pc, s.status]).toEqual([1, Status.RUNNING]);
  });

  it('memory: an r0 base addresses from 0; storing r0 stores 0; MAC into r0 is discarded', () => {
    expect(step(asm.LOAD(3, 0, 40)).regs).toEqual(regsWith({ 3: 140 }));
    const st = step(asm.STORE(0, 0, 48));
    expect(st.mem[48]).toBe(0);
    expect(st.regs).toEqual(REGS);
    const st2 = step(asm.STORE(0, 2, 9));
    expect(st2.mem[9]).toBe(2000);
    expect(step(asm.MAC(5, 1, 0, 8)).regs).toEqual(regsWith({ 5: 5000 + 1000 * 108 }));
    expect(step(asm.MAC(4, 0, 0, 8)).regs).toEqual(REGS); // += 0 · M[8]
    expect(step(asm.MAC(0, 1, 0, 8)).regs).toEqual(REGS);
    // The prover proves the leaf of the address the judge computes (base r0 = 0).
    const load = decodeInstruction(encodeInstruction(asm.LOAD(3, 0, 40)));
    expect(memoryAddress(load, REGS)).toBe(40);
    expect(memoryAddress(decodeInstruction(encodeInstruction(asm.MAC(5, 1, 0, 8))), REGS)).toBe(8);
    expect(memoryAddress(decodeInstruction(encodeInstruction(asm.STORE(0, 2, -1))), REGS)).toBe(2 ** 32 - 1);
  });

  it('branches compare r0 as 0; LOOP on r0 computes -1, discards it, and jumps', () => {
    expect(step(asm.branch('BEQ', 0, 0, 7)).pc).toBe(7);
    expect(step(asm.branch('BNE', 0, 0, 7)).pc).toBe(1);
    expect(step(asm.branch('BLT', 9, 0, 7)).pc).toBe(7); // -5 < 0
    expect(step(asm.branch('BGE', 0, 1, 7)).pc).toBe(1); // 0 >= 1000 is false
    const loop = step(asm.LOOP(0, 7));
    expect([loop.pc, loop.regs]).toEqual([7, REGS]);
  });

  it('over several steps r0 keeps reading 0 and regs[0] keeps its value', () => {
    const m = new Machine(Program.fromInstructions([asm.alu('ADD', 1, 0, 0, 1), asm.alu('ADD', 0, 1, 0, 9), asm.alu('ADD', 2, 0, 1, 0), asm.HALT()]));
    m.regs.set(REGS);
    m.run(2);
    expect(m.regs[0]).toBe(R0);
    m.run();
    expect(m.status).toBe(Status.HALTED);
    expect(Array.from(m.regs)).toEqual(regsWith({ 1: 1, 2: 1 }));
  });

  it('a witness of such a step proves the memory leaf at the r0-relative address', () => {
    const rng = new Rng(5);
    let loads = 0;
    for (let i = 0; i < 400; i++) {
      const c = randomPreCase(rng, Op.LOAD, { r0: true });
      expect(c.pre.regs.every((v) => v !== 0)).toBe(true);
      const ins = decodeInstruction(c.instruction);
      const w = witnessOf(c);
      if (!ins.valid || ins.rs1 !== 0 || c.pre.pc >= 65536 || w.proof.memSiblings.length === 0) continue;
      loads++;
      const addr = ins.imm >>> 0;
      expect(c.memLeafIndex).toBe(addr >>> 3);
      const siblings = w.proof.memSiblings.map((h) => hexToBytes(h));
      expect(bytesToHex(computeRoot(hexToBytes(w.proof.memLeaf), addr >>> 3, siblings))).toBe(w.pre.memRoot);
      expect(w.pre.regs[0]).not.toBe(0);
    }
    expect(loads).toBeGreaterThan(20);
  });

  it('the judge golden vectors hold such states for every opcode, and keep regs[0] in the post-state', () => {
    const file = JSON.parse(readFileSync('contracts/test/vectors/steps.json', 'utf8')) as VectorFile;
    const params = stepParameters();
    const r0cases = file.cases.filter((c) => c.name.startsWith('r0 nonzero '));
    const ops = new Set(r0cases.map((c) => c.name.split(' ')[2]));
    expect(ops.size).toBe(25);
    for (const c of r0cases) {
      const [, pre] = decodeAbiParameters(params, c.data as Hex) as [Hex, { regs: readonly number[] }];
      expect(pre.regs.every((v) => v !== 0), c.name).toBe(true);
    }
  });
});
