/**
 * A VM trace that can be positioned at any step k: its state, its state hash, and the one-step proof the judge
 * needs to execute step k. Moving forward runs the interpreter and re-hashes only the leaves it wrote; moving
 * backward restores the leaves written since the start to their initial words (re-hashing only their paths) and
 * runs forward again.
 */
import { bytesToHex, type Hex } from 'viem';
import { Machine } from './interpreter.ts';
import { CODE_SIZE, decodeInstruction, MEM_DEPTH, MEM_WORDS, memoryAddress, NUM_REGS } from './isa.ts';
import { MerkleTree, tensorDepth } from './merkle.ts';
import type { Program } from './program.ts';
import { hashState, Status, type VMState } from './state.ts';

export interface StepProof {
  /** The code leaf at pc (zero when pc is outside the code tree). */
  instruction: Hex;
  codeSiblings: Hex[];
  /** The memory leaf holding the accessed word (zero when the step touches no memory). */
  memLeaf: Hex;
  memSiblings: Hex[];
}

/** Everything the judge needs for one step, and what it must answer. */
export interface StepWitness {
  preHash: Hex;
  pre: VMState;
  proof: StepProof;
  postHash: Hex;
}

const ZERO32 = `0x${'00'.repeat(32)}` as Hex;

export class Trace {
  private readonly machine: Machine;
  private readonly tree: MerkleTree;
  private readonly initialMemory: Int32Array;
  private readonly initialRegs: Int32Array;
  private readonly codeRoot: Hex;
  /** Memory leaves written since the initial state (restored on a backward seek). */
  private readonly touched = new Set<number>();

  constructor(
    readonly program: Program,
    initialMemory: ArrayLike<number> = [],
    initialRegs: ArrayLike<number> = [],
  ) {
    this.machine = new Machine(program, initialMemory);
    this.initialMemory = Int32Array.from(initialMemory);
    this.initialRegs = new Int32Array(NUM_REGS);
    this.initialRegs.set(initialRegs);
    this.initialRegs[0] = 0;
    this.machine.regs.set(this.initialRegs);
    this.tree = MerkleTree.ofWords(this.initialMemory, MEM_DEPTH);
    this.codeRoot = program.codeRoot();
  }

  /** Current step of the underlying machine. */
  get step(): number {
    return this.machine.step;
  }

  /** Position the trace at step k (or at the step where it stopped running, if earlier). */
  seek(k: number): void {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`step must be a non-negative integer, got ${k}`);
    const m = this.machine;
    if (k < m.step) {
      for (const j of new Set([...this.touched, ...m.takeDirtyLeaves()])) {
        for (let a = j * 8; a < j * 8 + 8; a++) m.mem[a] = a < this.initialMemory.length ? this.initialMemory[a] : 0;
        this.tree.setLeafWords(j, m.mem, j * 8);
      }
      this.touched.clear();
      m.regs.set(this.initialRegs);
      m.pc = 0;
      m.step = 0;
      m.status = Status.RUNNING;
    }
    if (k > m.step) m.run(k - m.step);
    this.syncTree();
  }

  /** Bring the memory tree up to date with the leaves the machine wrote. */
  private syncTree(): void {
    const m = this.machine;
    for (const j of m.takeDirtyLeaves()) {
      this.touched.add(j);
      this.tree.setLeafWords(j, m.mem, j * 8);
    }
  }

  /** Run to the end; the final state's step is the program's step count T. */
  runToEnd(maxSteps = Number.MAX_SAFE_INTEGER): VMState {
    this.machine.run(maxSteps);
    this.syncTree();
    return this.current();
  }

  /** The state at the current position. */
  current(): VMState {
    const m = this.machine;
    return {
      codeRoot: this.codeRoot,
      memRoot: bytesToHex(this.tree.root()),
      pc: m.pc,
      step: m.step,
      status: m.status,
      regs: Array.from(m.regs),
    };
  }

  /** The state at step k. */
  stateAt(k: number): VMState {
    this.seek(k);
    return this.current();
  }

  /** Memory words [addr, addr + n) at the current position. */
  readMemory(addr: number, n: number): Int32Array {
    return this.machine.mem.slice(addr, addr + n);
  }

  /** Root of the aligned memory region [addr, addr + words) at the current position (a tensor root). */
  regionRoot(addr: number, words: number): Hex {
    const height = tensorDepth(words);
    return bytesToHex(this.tree.subtreeRoot(addr / 8, height));
  }

  /** Siblings from the aligned memory region [addr, addr + words) up to the memory root, at the current position. */
  regionProof(addr: number, words: number): Hex[] {
    const height = tensorDepth(words);
    return this.tree.proof(addr / 8).slice(height).map((h) => bytesToHex(h));
  }

  /** Pre-state, proof and post-state hash of step k (the trace is left at step k + 1). */
  witness(k: number): StepWitness {
    this.seek(k);
    const pre = this.current();
    if (pre.step !== k) throw new RangeError(`the trace stops at step ${pre.step}; there is no step ${k}`);
    if (pre.status !== Status.RUNNING) throw new RangeError(`state ${k} is not running (status ${pre.status}); it has no next step`);
    const proof: StepProof = { instruction: ZERO32, codeSiblings: [], memLeaf: ZERO32, memSiblings: [] };
    if (pre.pc < CODE_SIZE) {
      proof.instruction = bytesToHex(this.program.leaf(pre.pc));
      proof.codeSiblings = this.program.proof(pre.pc).map((h) => bytesToHex(h));
      const ins = decodeInstruction(this.program.leaf(pre.pc));
      const addr = ins.valid ? memoryAddress(ins, pre.regs) : undefined;
      if (addr !== undefined && addr < MEM_WORDS) {
        proof.memLeaf = bytesToHex(this.tree.leaf(addr >>> 3));
        proof.memSiblings = this.tree.proof(addr >>> 3).map((h) => bytesToHex(h));
      }
    }
    const preHash = hashState(pre);
    this.seek(k + 1);
    return { preHash, pre, proof, postHash: hashState(this.current()) };
  }
}

/** The Merkle tree of a VM memory (depth MEM_DEPTH, one leaf per 8 words; words past the array are zero). */
export function memoryTreeOf(mem: Int32Array): MerkleTree {
  return MerkleTree.ofWords(mem, MEM_DEPTH);
}
