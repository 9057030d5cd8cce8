/**
 * A VM program: instructions decoded into flat typed arrays for the interpreter, and the code tree whose root
 * goes into the VM state.
 */
import { bytesToHex, type Hex } from 'viem';
import { CODE_DEPTH, CODE_SIZE, encodeInstruction, NUM_OPS, NUM_REGS, type Instruction } from './isa.ts';
import { MerkleTree, type Bytes32 } from './merkle.ts';

export class ProgramTooLongError extends Error {
  constructor(length: number) {
    super(`program has ${length} instructions; the code tree holds at most ${CODE_SIZE} (split the node into smaller programs)`);
    this.name = 'ProgramTooLongError';
  }
}

export class Program {
  readonly length: number;
  readonly ops: Uint8Array;
  readonly rd: Uint8Array;
  readonly rs1: Uint8Array;
  readonly rs2: Uint8Array;
  readonly imm: Int32Array;
  /** 1 where the leaf decodes to a valid instruction; executing an invalid one traps. */
  readonly valid: Uint8Array;
  private readonly leaves: Uint8Array;
  private treeCache: MerkleTree | undefined;

  private constructor(leaves: Uint8Array) {
    const n = leaves.length / 32;
    if (n > CODE_SIZE) throw new ProgramTooLongError(n);
    this.length = n;
    this.ops = new Uint8Array(n);
    this.rd = new Uint8Array(n);
    this.rs1 = new Uint8Array(n);
    this.rs2 = new Uint8Array(n);
    this.imm = new Int32Array(n);
    this.valid = new Uint8Array(n);
    for (let pc = 0, o = 0; pc < n; pc++, o += 32) {
      const op = leaves[o];
      const rd = leaves[o + 1];
      const rs1 = leaves[o + 2];
      const rs2 = leaves[o + 3];
      let valid = op < NUM_OPS && rd < NUM_REGS && rs1 < NUM_REGS && rs2 < NUM_REGS;
      for (let i = 8; i < 32 && valid; i++) if (leaves[o + i] !== 0) valid = false;
      this.ops[pc] = op;
      this.rd[pc] = rd;
      this.rs1[pc] = rs1;
      this.rs2[pc] = rs2;
      this.imm[pc] = (leaves[o + 4] << 24) | (leaves[o + 5] << 16) | (leaves[o + 6] << 8) | leaves[o + 7];
      this.valid[pc] = valid ? 1 : 0;
    }
    this.leaves = leaves;
  }

  /** The code tree, built on first use (the interpreter never needs it). */
  private get tree(): MerkleTree {
    this.treeCache ??= new MerkleTree(CODE_DEPTH, Math.max(1, this.length), this.leaves);
    return this.treeCache;
  }

  static fromInstructions(instructions: readonly Instruction[]): Program {
    const leaves = new Uint8Array(instructions.length * 32);
    instructions.forEach((ins, i) => leaves.set(encodeInstruction(ins), i * 32));
    return new Program(leaves);
  }

  /** From raw 32-byte code leaves (which may include invalid instructions). */
  static fromLeaves(leaves: Uint8Array): Program {
    if (leaves.length % 32 !== 0) throw new Error(`code must be whole 32-byte leaves, got ${leaves.length} bytes`);
    return new Program(leaves.slice());
  }

  codeRoot(): Hex {
    return bytesToHex(this.tree.root());
  }

  /** The code leaf at pc (the zero leaf, HALT, past the end). */
  leaf(pc: number): Bytes32 {
    return this.tree.leaf(pc);
  }

  proof(pc: number): Bytes32[] {
    return this.tree.proof(pc);
  }
}
