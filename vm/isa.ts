/**
 * The instruction set of docs/VM.md: opcode numbers, the one-leaf encoding, and a tiny assembler.
 */
import type { Bytes32 } from './merkle.ts';

export const MEM_LOG2_WORDS = 22;
export const MEM_WORDS = 2 ** MEM_LOG2_WORDS;
export const MEM_DEPTH = MEM_LOG2_WORDS - 3;
export const CODE_DEPTH = 16;
export const CODE_SIZE = 2 ** CODE_DEPTH;
export const NUM_REGS = 16;

export const Op = {
  HALT: 0,
  ADD: 1,
  SUB: 2,
  MUL: 3,
  MULH: 4,
  DIV: 5,
  AND: 6,
  OR: 7,
  XOR: 8,
  SHL: 9,
  SRA: 10,
  SRL: 11,
  MIN: 12,
  MAX: 13,
  SLT: 14,
  RQ: 15,
  ISQRT: 16,
  LOAD: 17,
  STORE: 18,
  MAC: 19,
  BEQ: 20,
  BNE: 21,
  BLT: 22,
  BGE: 23,
  LOOP: 24,
} as const;
export type OpName = keyof typeof Op;
export type Opcode = (typeof Op)[OpName];
export const NUM_OPS = 25;
export const OP_NAMES: readonly OpName[] = Object.keys(Op) as OpName[];

/** How an instruction touches memory: which register (plus imm) forms the address. */
export type MemoryAccess = 'none' | 'read-rs1' | 'write-rs1' | 'read-rs2';
export function memoryAccess(op: number): MemoryAccess {
  if (op === Op.LOAD) return 'read-rs1';
  if (op === Op.STORE) return 'write-rs1';
  if (op === Op.MAC) return 'read-rs2';
  return 'none';
}

/**
 * The word address a memory instruction touches, as the uint32 `R[base] + imm` (possibly past memory, which
 * traps); undefined for instructions that touch no memory.
 */
export function memoryAddress(ins: Instruction, regs: ArrayLike<number>): number | undefined {
  const access = memoryAccess(ins.op);
  if (access === 'none') return undefined;
  const base = access === 'read-rs2' ? ins.rs2 : ins.rs1;
  // r0 reads as 0 whatever regs[0] holds (docs/VM.md), as in the interpreter and the judge.
  return ((base === 0 ? 0 : regs[base]) + ins.imm) >>> 0;
}

export interface Instruction {
  op: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
}

/** Encode as a 32-byte code leaf: op, rd, rs1, rs2 bytes, imm big-endian, 24 zero bytes. */
export function encodeInstruction(ins: Instruction): Bytes32 {
  const leaf = new Uint8Array(32);
  leaf[0] = ins.op;
  leaf[1] = ins.rd;
  leaf[2] = ins.rs1;
  leaf[3] = ins.rs2;
  const imm = ins.imm | 0;
  leaf[4] = imm >>> 24;
  leaf[5] = (imm >>> 16) & 0xff;
  leaf[6] = (imm >>> 8) & 0xff;
  leaf[7] = imm & 0xff;
  return leaf;
}

/** Decode a code leaf; `valid` is false for any leaf the VM traps on (unknown op, register ≥ 16, nonzero tail). */
export function decodeInstruction(leaf: Uint8Array, offset = 0): Instruction & { valid: boolean } {
  const op = leaf[offset];
  const rd = leaf[offset + 1];
  const rs1 = leaf[offset + 2];
  const rs2 = leaf[offset + 3];
  const imm = (leaf[offset + 4] << 24) | (leaf[offset + 5] << 16) | (leaf[offset + 6] << 8) | leaf[offset + 7];
  let valid = op < NUM_OPS && rd < NUM_REGS && rs1 < NUM_REGS && rs2 < NUM_REGS;
  for (let i = 8; i < 32 && valid; i++) if (leaf[offset + i] !== 0) valid = false;
  return { op, rd, rs1, rs2, imm, valid };
}

/** Assembler helpers: `asm.ADD(rd, rs1, rs2, imm)` and friends, each returning an Instruction. */
export const asm = {
  HALT: (): Instruction => ({ op: Op.HALT, rd: 0, rs1: 0, rs2: 0, imm: 0 }),
  /** Any register-form instruction: `R[rd] ← R[rs1] <op> (R[rs2] + imm)`. */
  alu: (op: OpName, rd: number, rs1: number, rs2: number, imm = 0): Instruction => ({ op: Op[op], rd, rs1, rs2, imm }),
  /** `R[rd] ← imm`. */
  LI: (rd: number, imm: number): Instruction => ({ op: Op.ADD, rd, rs1: 0, rs2: 0, imm }),
  /** `R[rd] ← R[rs] + imm`. */
  ADDI: (rd: number, rs: number, imm: number): Instruction => ({ op: Op.ADD, rd, rs1: rs, rs2: 0, imm }),
  /** `R[rd] ← requant(R[rs1], R[rs2], shift)`. */
  RQ: (rd: number, rs1: number, rs2: number, shift: number): Instruction => ({ op: Op.RQ, rd, rs1, rs2, imm: shift }),
  LOAD: (rd: number, base: number, offset = 0): Instruction => ({ op: Op.LOAD, rd, rs1: base, rs2: 0, imm: offset }),
  STORE: (base: number, src: number, offset = 0): Instruction => ({ op: Op.STORE, rd: 0, rs1: base, rs2: src, imm: offset }),
  /** `R[acc] += R[x] * M[R[base] + offset]`. */
  MAC: (acc: number, x: number, base: number, offset = 0): Instruction => ({ op: Op.MAC, rd: acc, rs1: x, rs2: base, imm: offset }),
  branch: (op: 'BEQ' | 'BNE' | 'BLT' | 'BGE', rs1: number, rs2: number, target: number): Instruction => ({
    op: Op[op],
    rd: 0,
    rs1,
    rs2,
    imm: target,
  }),
  /** `R[counter] -= 1; if R[counter] ≠ 0 goto target`. */
  LOOP: (counter: number, target: number): Instruction => ({ op: Op.LOOP, rd: counter, rs1: 0, rs2: 0, imm: target }),
};
