/**
 * A node program's step count T, derived from its code without running the VM.
 *
 * Kernel lowerings (models/int/codegen.ts) have one kind of control flow: `Codegen.repeat`, which emits
 * `LI counter, n` immediately followed by the loop body and a closing `LOOP counter, top`. Straight-line code
 * is otherwise all there is, and the program ends at a top-level HALT (or runs off its end, which halts).
 * `staticSteps` checks a program has exactly this shape and counts its steps structurally:
 *
 *   steps(straight-line instruction) = 1;   steps(loop of n trips over body B) = n · (steps(B) + 1)
 *
 * (the +1 is the LOOP instruction, executed once per trip; the LI before the loop is counted once, in the
 * enclosing code), plus 1 for the HALT step (the interpreter and the judge count it: docs/VM.md).
 *
 * Why the count is exact and the same for every input (the game needs T to be input-independent):
 * - the only control-flow instruction accepted is LOOP; BEQ/BNE/BLT/BGE make the program rejected, so no
 *   branch can ever look at data;
 * - every LOOP jumps backwards to a target t whose preceding instruction (t−1) is `ADD counter, r0, r0, n`
 *   with 1 ≤ n ≤ 2^31−1 (a constant load), counter ≠ r0, and no instruction strictly inside the body [t, p)
 *   writes the counter register (ALU ops, LOAD, MAC and inner LOOPs all count as writes). Entry to the body is
 *   only by falling through from t−1 (loops nest properly and no two loops share a target), so on each entry
 *   the counter is exactly n, and the LOOP at p jumps back exactly n−1 times: the trip count is the constant n;
 * - loops nest properly (a stack discipline checked while scanning), and a HALT inside a loop is rejected;
 * - an invalid instruction leaf (which would trap) is rejected, and running off the end is accepted only if
 *   the program is shorter than the code tree (past the code tree the fetch traps instead of halting).
 * What this does not decide is a memory trap (an address past memory): pointer registers come from constants
 * and constant increments, and the two kernels that form addresses from data (lut, gather) clamp the data
 * index into the table first, so a lowered node never traps; the tests run every zoo node and every kernel case
 * on zeros and on random words and require the interpreter's count to equal this one.
 *
 * Anything that does not have this shape gets `undefined`: the caller then falls back to running the VM.
 */
import { CODE_SIZE, NUM_REGS, Op } from '../../vm/isa.ts';
import type { Program } from '../../vm/program.ts';

interface Frame {
  /** pc of the closing LOOP. */
  end: number;
  trips: number;
  counter: number;
  /** Steps of one trip's body so far (without the LOOP). */
  body: number;
}

/** Whether the instruction writes register rd (r0 writes are discarded, but they are rejected below anyway). */
function writesRd(op: number): boolean {
  return (op >= Op.ADD && op <= Op.LOAD) || op === Op.MAC || op === Op.LOOP;
}

export function staticSteps(program: Program): number | undefined {
  const { ops, rd, rs1, rs2, imm, valid, length } = program;
  // The LOOP closing the loop whose body starts at pc t (-1: none).
  const loopAt = new Int32Array(length + 1).fill(-1);
  for (let p = 0; p < length; p++) {
    if (valid[p] === 0) continue; // reported when (if) the scan reaches it
    if (ops[p] === Op.LOOP) {
      const t = imm[p];
      if (t < 1 || t > p) return undefined; // forward or out-of-range target, or no room for the LI
      if (loopAt[t] !== -1) return undefined; // two loops share a top
      loopAt[t] = p;
    }
  }
  const stack: Frame[] = [];
  // How many open loops use register r as their counter.
  const counterUse = new Int32Array(NUM_REGS);
  let total = 0;
  const add = (n: number) => {
    if (stack.length > 0) stack[stack.length - 1].body += n;
    else total += n;
  };
  const done = (): number | undefined => (Number.isSafeInteger(total + 1) ? total + 1 : undefined);
  for (let pc = 0; ; pc++) {
    if (pc >= length) {
      // Fetching past the program gives the zero leaf (HALT) while pc < 2^CODE_DEPTH, a trap beyond.
      if (stack.length > 0 || pc >= CODE_SIZE) return undefined;
      return done();
    }
    const p = loopAt[pc];
    if (p !== -1) {
      // A loop body starts here: the previous instruction must load its constant trip count.
      const li = pc - 1;
      const counter = rd[p];
      if (ops[li] !== Op.ADD || rs1[li] !== 0 || rs2[li] !== 0 || rd[li] !== counter || valid[li] === 0) return undefined;
      const trips = imm[li];
      if (counter === 0 || trips < 1) return undefined;
      if (stack.length > 0 && p >= stack[stack.length - 1].end) return undefined; // not nested inside the enclosing loop
      stack.push({ end: p, trips, counter, body: 0 });
      counterUse[counter]++;
    }
    if (valid[pc] === 0) return undefined;
    const op = ops[pc];
    if (op === Op.HALT) {
      if (stack.length > 0) return undefined;
      return done();
    }
    if (op >= Op.BEQ && op <= Op.BGE) return undefined;
    if (op === Op.LOOP) {
      const top = stack[stack.length - 1];
      if (top === undefined || top.end !== pc) return undefined;
      stack.pop();
      counterUse[top.counter]--;
      add(top.trips * (top.body + 1));
      continue;
    }
    if (writesRd(op) && counterUse[rd[pc]] > 0) return undefined; // the body would change a live loop counter
    add(1);
  }
}
