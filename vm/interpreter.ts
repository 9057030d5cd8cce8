/**
 * The fast interpreter: typed-array registers and memory, pre-decoded instructions, no hashing. It records the
 * memory leaves it writes so a Merkle tree can be brought up to date afterwards in O(writes · depth).
 */
import { CODE_SIZE, MEM_WORDS, NUM_REGS, Op } from './isa.ts';
import { isqrt32, mulhi32, requant } from './numerics.ts';
import type { Program } from './program.ts';
import { Status } from './state.ts';

export class Machine {
  readonly regs = new Int32Array(NUM_REGS);
  readonly mem: Int32Array;
  pc = 0;
  step = 0;
  status: number = Status.RUNNING;
  /** Leaves written, in order, without consecutive repeats (deduplicated when taken). */
  private dirtyList: number[] = [];

  /**
   * @param initialMemory words copied to address 0 onward
   * @param memory a full-size memory (MEM_WORDS words) to run on in place instead of a fresh one
   */
  constructor(
    readonly program: Program,
    initialMemory?: ArrayLike<number>,
    memory?: Int32Array,
  ) {
    if (memory && memory.length !== MEM_WORDS) throw new RangeError(`memory must have ${MEM_WORDS} words, got ${memory.length}`);
    this.mem = memory ?? new Int32Array(MEM_WORDS);
    if (initialMemory) {
      if (initialMemory.length > MEM_WORDS) throw new RangeError(`initial memory of ${initialMemory.length} words exceeds ${MEM_WORDS}`);
      this.mem.set(initialMemory);
    }
  }

  /** Memory leaves written since the last call (each once), and forget them. */
  takeDirtyLeaves(): number[] {
    const list = [...new Set(this.dirtyList)];
    this.dirtyList = [];
    return list;
  }

  /**
   * Execute until the machine stops running or `maxSteps` steps have executed. Returns the steps executed.
   * Semantics: docs/VM.md. Int32Array stores wrap to int32, which is exactly add32/sub32's wrap.
   */
  run(maxSteps = Number.MAX_SAFE_INTEGER): number {
    if (this.status !== Status.RUNNING) return 0;
    const p = this.program;
    const ops = p.ops, RD = p.rd, RS1 = p.rs1, RS2 = p.rs2, IMM = p.imm, valid = p.valid, len = p.length;
    const R = this.regs, M = this.mem, dirty = this.dirtyList;
    let lastDirty = dirty.length > 0 ? dirty[dirty.length - 1] : -1;
    // r0 reads as 0 and writes to it are discarded (docs/VM.md): whatever regs[0] held before the run (only an
    // unreachable pre-state has it nonzero) is read as 0 by every step and carried over unchanged, as the judge does.
    const r0 = R[0];
    R[0] = 0;
    let pc = this.pc;
    let status: number = Status.RUNNING;
    let n = 0;
    while (n < maxSteps) {
      n++;
      if (pc >= len) {
        status = pc >= CODE_SIZE ? Status.TRAPPED : Status.HALTED;
        break;
      }
      if (valid[pc] === 0) {
        status = Status.TRAPPED;
        break;
      }
      const d = RD[pc];
      const a = R[RS1[pc]];
      const im = IMM[pc];
      switch (ops[pc]) {
        case Op.HALT:
          status = Status.HALTED;
          break;
        case Op.ADD:
          R[d] = a + ((R[RS2[pc]] + im) | 0);
          pc++;
          break;
        case Op.SUB:
          R[d] = a - ((R[RS2[pc]] + im) | 0);
          pc++;
          break;
        case Op.MUL:
          R[d] = Math.imul(a, R[RS2[pc]] + im);
          pc++;
          break;
        case Op.MULH:
          R[d] = mulhi32(a, (R[RS2[pc]] + im) | 0);
          pc++;
          break;
        case Op.DIV: {
          const b = (R[RS2[pc]] + im) | 0;
          R[d] = b === 0 ? 0 : (a / b) | 0;
          pc++;
          break;
        }
        case Op.AND:
          R[d] = a & (R[RS2[pc]] + im);
          pc++;
          break;
        case Op.OR:
          R[d] = a | (R[RS2[pc]] + im);
          pc++;
          break;
        case Op.XOR:
          R[d] = a ^ (R[RS2[pc]] + im);
          pc++;
          break;
        case Op.SHL:
          R[d] = a << (R[RS2[pc]] + im);
          pc++;
          break;
        case Op.SRA:
          R[d] = a >> (R[RS2[pc]] + im);
          pc++;
          break;
        case Op.SRL:
          R[d] = a >>> (R[RS2[pc]] + im);
          pc++;
          break;
        case Op.MIN: {
          const b = (R[RS2[pc]] + im) | 0;
          R[d] = a < b ? a : b;
          pc++;
          break;
        }
        case Op.MAX: {
          const b = (R[RS2[pc]] + im) | 0;
          R[d] = a > b ? a : b;
          pc++;
          break;
        }
        case Op.SLT:
          R[d] = a < ((R[RS2[pc]] + im) | 0) ? 1 : 0;
          pc++;
          break;
        case Op.RQ:
          R[d] = requant(a, R[RS2[pc]], im);
          pc++;
          break;
        case Op.ISQRT:
          R[d] = isqrt32(a);
          pc++;
          break;
        case Op.LOAD: {
          const addr = (a + im) >>> 0;
          if (addr >= MEM_WORDS) {
            status = Status.TRAPPED;
            break;
          }
          R[d] = M[addr];
          pc++;
          break;
        }
        case Op.STORE: {
          const addr = (a + im) >>> 0;
          if (addr >= MEM_WORDS) {
            status = Status.TRAPPED;
            break;
          }
          M[addr] = R[RS2[pc]];
          const leaf = addr >>> 3;
          if (leaf !== lastDirty) {
            dirty.push(leaf);
            lastDirty = leaf;
          }
          pc++;
          break;
        }
        case Op.MAC: {
          const addr = (R[RS2[pc]] + im) >>> 0;
          if (addr >= MEM_WORDS) {
            status = Status.TRAPPED;
            break;
          }
          R[d] = R[d] + Math.imul(a, M[addr]);
          pc++;
          break;
        }
        case Op.BEQ:
          pc = a === R[RS2[pc]] ? im >>> 0 : pc + 1;
          break;
        case Op.BNE:
          pc = a !== R[RS2[pc]] ? im >>> 0 : pc + 1;
          break;
        case Op.BLT:
          pc = a < R[RS2[pc]] ? im >>> 0 : pc + 1;
          break;
        case Op.BGE:
          pc = a >= R[RS2[pc]] ? im >>> 0 : pc + 1;
          break;
        case Op.LOOP: {
          const v = (R[d] - 1) | 0;
          R[d] = v;
          pc = v !== 0 ? im >>> 0 : pc + 1;
          break;
        }
      }
      R[0] = 0;
      if (status !== Status.RUNNING) break;
    }
    R[0] = r0;
    this.pc = pc;
    this.step += n;
    this.status = status;
    return n;
  }
}
