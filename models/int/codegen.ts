/**
 * A small assembler for kernel lowerings: named registers, counted loops with static trip counts, and the
 * guarantee that a program's step count depends only on shapes, never on data.
 */
import { asm, type Instruction } from '../../vm/isa.ts';

export class RegisterPressureError extends Error {
  constructor() {
    super('kernel lowering ran out of VM registers (15 usable)');
    this.name = 'RegisterPressureError';
  }
}

export class Codegen {
  readonly code: Instruction[] = [];
  private free = [15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];

  /** Take a register. */
  reg(): number {
    const r = this.free.pop();
    if (r === undefined) throw new RegisterPressureError();
    return r;
  }

  /** Give registers back. */
  release(...regs: number[]): void {
    for (const r of regs) this.free.push(r);
  }

  get pc(): number {
    return this.code.length;
  }

  emit(...ins: Instruction[]): void {
    this.code.push(...ins);
  }

  /** R[rd] ← value. */
  li(rd: number, value: number): void {
    this.emit(asm.LI(rd, value));
  }

  /** R[rd] ← R[rs] + imm. */
  addi(rd: number, rs: number, imm: number): void {
    this.emit(asm.ADDI(rd, rs, imm));
  }

  /**
   * Run `body` exactly `count` times (nothing is emitted when count is 0). Uses one counter register for the
   * loop's duration; the body may not write it.
   */
  repeat(count: number, body: () => void): void {
    if (count <= 0) return;
    if (count === 1) {
      body();
      return;
    }
    const counter = this.reg();
    this.li(counter, count);
    const top = this.pc;
    body();
    this.emit(asm.LOOP(counter, top));
    this.release(counter);
  }

  halt(): Instruction[] {
    this.emit(asm.HALT());
    return this.code;
  }
}
