/**
 * Hand-assembled VM programs used by the tests and the benchmark: an int8 matmul node (bias, requantize,
 * clamp) and a loop that exercises every other instruction.
 */
import { asm, type Instruction } from '../../vm/isa.ts';

export interface MatmulLayout {
  m: number;
  k: number;
  n: number;
  xBase: number;
  wBase: number;
  bBase: number;
  yBase: number;
  multiplier: number;
  shift: number;
}

/** Y[m×n] = clamp(requant(X[m×k] · W[k×n] + b, multiplier, shift), -128, 127), all row-major. */
export function matmulProgram(L: MatmulLayout): Instruction[] {
  return [
    asm.LI(9, L.multiplier),
    asm.LI(8, L.yBase),
    asm.LI(12, L.xBase),
    asm.LI(1, L.m),
    /* 4 row */ asm.LI(2, L.n),
    asm.LI(11, L.wBase),
    asm.LI(10, L.bBase),
    /* 7 col */ asm.LOAD(6, 10, 0),
    asm.ADDI(4, 12, 0),
    asm.ADDI(5, 11, 0),
    asm.LI(3, L.k),
    /* 11 dot */ asm.LOAD(7, 4, 0),
    asm.MAC(6, 7, 5, 0),
    asm.ADDI(4, 4, 1),
    asm.ADDI(5, 5, L.n),
    asm.LOOP(3, 11),
    asm.RQ(6, 6, 9, L.shift),
    asm.alu('MAX', 6, 6, 0, -128),
    asm.alu('MIN', 6, 6, 0, 127),
    asm.STORE(8, 6, 0),
    asm.ADDI(8, 8, 1),
    asm.ADDI(10, 10, 1),
    asm.ADDI(11, 11, 1),
    asm.LOOP(2, 7),
    asm.ADDI(12, 12, L.k),
    asm.LOOP(1, 4),
    asm.HALT(),
  ];
}

/** For each pair (a, b) at src, write three words of mixed arithmetic at dst; uses every opcode but RQ/MAC. */
export function kitchenSinkProgram(count: number, src: number, dst: number): Instruction[] {
  return [
    asm.LI(1, count),
    asm.LI(2, src),
    asm.LI(3, dst),
    /* 3 */ asm.LOAD(4, 2, 0),
    asm.LOAD(5, 2, 1),
    asm.alu('MULH', 6, 4, 5),
    asm.alu('DIV', 7, 4, 5),
    asm.alu('XOR', 6, 6, 7),
    asm.alu('ISQRT', 7, 4, 0),
    asm.alu('SHL', 8, 4, 5),
    asm.alu('SRA', 9, 4, 5),
    asm.alu('SRL', 10, 4, 5),
    asm.alu('OR', 8, 8, 9),
    asm.alu('AND', 8, 8, 10, -3),
    asm.alu('SLT', 11, 4, 5),
    asm.branch('BLT', 4, 5, 18),
    asm.alu('SUB', 6, 6, 4),
    asm.branch('BGE', 0, 0, 19),
    /* 18 */ asm.alu('MUL', 6, 6, 5),
    /* 19 */ asm.branch('BEQ', 11, 0, 21),
    asm.alu('ADD', 6, 6, 11, 7),
    /* 21 */ asm.branch('BNE', 4, 5, 23),
    asm.alu('MIN', 6, 6, 4),
    /* 23 */ asm.alu('MAX', 7, 7, 8),
    asm.STORE(3, 6, 0),
    asm.STORE(3, 7, 1),
    asm.STORE(3, 8, 2),
    asm.ADDI(2, 2, 2),
    asm.ADDI(3, 3, 3),
    asm.LOOP(1, 3),
    asm.HALT(),
  ];
}
