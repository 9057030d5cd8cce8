/**
 * Random one-step cases for the differential suites: a random running state, a random (sometimes invalid)
 * instruction at pc, random Merkle siblings around the instruction and the accessed memory leaf. The expected
 * post-state comes from the fast interpreter (`Machine`, or a mutant copy of it) executing that one step, with
 * the memory root recomputed over the same siblings.
 */
import { bytesToHex, type Hex } from 'viem';
import { Machine } from '../../vm/interpreter.ts';
import { CODE_DEPTH, CODE_SIZE, decodeInstruction, MEM_DEPTH, MEM_WORDS, memoryAccess, memoryAddress, NUM_OPS, Op, OP_NAMES } from '../../vm/isa.ts';
import { computeRoot, leafOf, wordsOfLeaf, type Bytes32 } from '../../vm/merkle.ts';
import { Program } from '../../vm/program.ts';
import type { StepProof, StepWitness } from '../../vm/prover.ts';
import { hashState, Status, type VMState } from '../../vm/state.ts';
import type { Rng } from './rng.ts';

const ZERO32 = `0x${'00'.repeat(32)}` as Hex;

/** A pre-state with everything needed to execute and prove its step. */
export interface PreCase {
  name: string;
  op: number;
  pre: VMState;
  instruction: Uint8Array;
  codeSiblings: Bytes32[];
  memLeafIndex: number;
  memLeaf: Uint8Array;
  memSiblings: Bytes32[];
}

export interface StepCase {
  name: string;
  witness: StepWitness;
}

export type MachineClass = new (program: Program, initialMemory?: ArrayLike<number>, memory?: Int32Array) => Machine;

/** Shared scratch memory: one full-size VM memory reused by every case (each case cleans up after itself). */
let scratch: Int32Array | undefined;

function randomSiblings(rng: Rng, n: number): Bytes32[] {
  return Array.from({ length: n }, () => rng.bytes(32));
}

/**
 * A random instruction leaf: valid 85% of the time; otherwise a bad opcode, register byte or tail byte.
 * `r0`: each register byte is r0 half the time (a pre-state whose regs[0] is nonzero reads it as 0).
 */
function randomInstructionLeaf(rng: Rng, regs: number[], op: number, r0 = false): Uint8Array {
  const leaf = new Uint8Array(32);
  leaf[0] = op;
  leaf[1] = rng.int(0, 15);
  leaf[2] = rng.int(0, 15);
  leaf[3] = rng.int(0, 15);
  if (r0) for (let b = 1; b <= 3; b++) if (rng.int(0, 1) === 0) leaf[b] = 0;
  let imm = rng.int32();
  const access = memoryAccess(op);
  if (access !== 'none' && rng.int(0, 9) < 8) {
    // Aim at an interesting address: mostly in range, sometimes just past the end, far past it or negative.
    const reg = access === 'read-rs2' ? leaf[3] : leaf[2];
    const base = reg === 0 ? 0 : regs[reg]; // r0 reads as 0
    const r = rng.int(0, 19);
    const target = r < 16 ? rng.int(0, MEM_WORDS - 1) : r === 16 ? MEM_WORDS - rng.int(-2, 1) : r < 19 ? rng.int(MEM_WORDS, 2 * MEM_WORDS) : -rng.int(1, 1000);
    imm = (target - base) | 0;
  } else if (op >= Op.BEQ && rng.int(0, 3) > 0) {
    imm = rng.int(0, CODE_SIZE + 10);
  }
  new DataView(leaf.buffer).setInt32(4, imm, false);
  const bad = rng.int(0, 19);
  if (bad === 0) leaf[0] = rng.int(NUM_OPS, 255);
  else if (bad === 1) leaf[rng.int(1, 3)] = rng.int(16, 255);
  else if (bad === 2) leaf[rng.int(8, 31)] = rng.int(1, 255);
  return leaf;
}

function randomPc(rng: Rng): number {
  const r = rng.int(0, 19);
  if (r < 16) return rng.int(0, 63);
  if (r === 16) return CODE_SIZE - 1 - rng.int(0, 3);
  if (r === 17) return rng.int(0, CODE_SIZE - 1);
  return CODE_SIZE + rng.int(0, 1 << 20);
}

function accessedAddress(pc: number, instruction: Uint8Array, regs: number[]): number | undefined {
  if (pc >= CODE_SIZE) return undefined;
  const ins = decodeInstruction(instruction);
  const addr = ins.valid ? memoryAddress(ins, regs) : undefined;
  return addr !== undefined && addr < MEM_WORDS ? addr : undefined;
}

/**
 * A random pre-state case; `op` forces the opcode (before a possible invalidation of the leaf). With `r0`, every
 * register is nonzero, r0 included (an unreachable state, but a defined step: r0 reads as 0 and regs[0] carries
 * over unchanged), and register bytes are r0 half the time.
 */
export function randomPreCase(rng: Rng, op = rng.int(0, NUM_OPS - 1), options: { r0?: boolean } = {}): PreCase {
  const regs = [0, ...Array.from({ length: 15 }, () => rng.int32())];
  if (options.r0) for (let r = 0; r < regs.length; r++) while (regs[r] === 0) regs[r] = rng.int32();
  const pc = randomPc(rng);
  const instruction = randomInstructionLeaf(rng, regs, op, options.r0);
  const codeSiblings = randomSiblings(rng, CODE_DEPTH);
  const codeRoot = pc < CODE_SIZE ? computeRoot(instruction, pc, codeSiblings) : rng.bytes(32);
  const addr = accessedAddress(pc, instruction, regs);
  const memLeafIndex = addr === undefined ? 0 : addr >>> 3;
  const memLeaf = addr === undefined ? new Uint8Array(32) : leafOf(Array.from({ length: 8 }, () => rng.int32()));
  const memSiblings = addr === undefined ? [] : randomSiblings(rng, MEM_DEPTH);
  const memRoot = addr === undefined ? rng.bytes(32) : computeRoot(memLeaf, memLeafIndex, memSiblings);
  const pre: VMState = {
    codeRoot: bytesToHex(codeRoot),
    memRoot: bytesToHex(memRoot),
    pc,
    step: rng.int(0, 2 ** 40),
    status: Status.RUNNING,
    regs,
  };
  const ins = decodeInstruction(instruction);
  const label = pc >= CODE_SIZE ? 'PC-OUT-OF-CODE' : ins.valid ? OP_NAMES[ins.op] : 'INVALID';
  const name = `${label} pc=${pc}${addr !== undefined ? ` addr=${addr}` : ''}${options.r0 ? ` r0=${regs[0]}` : ''}`;
  return { name, op, pre, instruction, codeSiblings, memLeafIndex, memLeaf, memSiblings };
}

/** Execute the case's one step with `Impl` and return the witness the judge must agree with. */
export function witnessOf(c: PreCase, Impl: MachineClass = Machine): StepWitness {
  scratch ??= new Int32Array(MEM_WORDS);
  const { pre } = c;
  const code = new Uint8Array(pre.pc < CODE_SIZE ? (pre.pc + 1) * 32 : 0);
  if (pre.pc < CODE_SIZE) code.set(c.instruction, pre.pc * 32);
  const m = new Impl(Program.fromLeaves(code), undefined, scratch);
  const base = c.memLeafIndex * 8;
  scratch.set(wordsOfLeaf(c.memLeaf), base);
  m.regs.set(pre.regs);
  m.pc = pre.pc;
  m.step = pre.step;
  m.run(1);
  const newLeaf = leafOf(scratch, base);
  scratch.fill(0, base, base + 8);
  m.takeDirtyLeaves();
  const post: VMState = { ...pre, pc: m.pc, step: m.step, status: m.status, regs: Array.from(m.regs) };
  if (c.memSiblings.length > 0) post.memRoot = bytesToHex(computeRoot(newLeaf, c.memLeafIndex, c.memSiblings));
  const proof: StepProof = {
    instruction: pre.pc < CODE_SIZE ? bytesToHex(c.instruction) : ZERO32,
    codeSiblings: pre.pc < CODE_SIZE ? c.codeSiblings.map((s) => bytesToHex(s)) : [],
    memLeaf: bytesToHex(c.memLeaf),
    memSiblings: c.memSiblings.map((s) => bytesToHex(s)),
  };
  return { preHash: hashState(pre), pre, proof, postHash: hashState(post) };
}

/** A random case executed by the real interpreter. */
export function randomStepCase(rng: Rng, op?: number): StepCase {
  const c = randomPreCase(rng, op);
  return { name: c.name, witness: witnessOf(c) };
}
