/**
 * VM benchmark: interpreter speed (vs the same integer matmul written as a plain JS loop), the cost of a
 * state root at step k over a 2^20-word memory (vs a full rebuild), and the judge's gas per instruction class.
 */
import { cpus } from 'node:os';
import type { Hex } from 'viem';
import { Machine } from '../vm/interpreter.ts';
import { asm, MEM_WORDS, Op, OP_NAMES } from '../vm/isa.ts';
import { add32, clamp32, mul32, requant } from '../vm/numerics.ts';
import { Program } from '../vm/program.ts';
import { memoryTreeOf, type StepWitness } from '../vm/prover.ts';
import { toAbiState } from '../cli/chain/judgeAbi.ts';
import { encodeWitness } from '../test/support/vectors.ts';
import { matmulProgram, type MatmulLayout } from '../test/support/programs.ts';
import { Rng } from '../test/support/rng.ts';
import { randomPreCase, witnessOf } from '../test/support/stepCases.ts';
import { startTestChain } from '../test/support/chain.ts';
import { Report, timeMs } from './report.ts';

const report = new Report();

// 1. Interpreter throughput on a real node program (int8 matmul, bias, requantize, clamp).
{
  const figs = report.section('VM interpreter (no hashing, one core)');
  const L: MatmulLayout = { m: 32, k: 256, n: 128, xBase: 0, wBase: 8192, bBase: 8192 + 32768, yBase: 8192 + 32768 + 128, multiplier: 1518500250, shift: 40 };
  const rng = new Rng(1);
  const mem = new Int32Array(L.yBase + L.m * L.n);
  for (let i = 0; i < L.yBase; i++) mem[i] = rng.int(-128, 127);
  const program = Program.fromInstructions(matmulProgram(L));
  let steps = 0;
  const vmMs = timeMs(() => {
    const m = new Machine(program, mem);
    m.run();
    steps = m.step;
  });
  const y = new Int32Array(L.m * L.n);
  const jsMs = timeMs(() => {
    for (let i = 0; i < L.m; i++) {
      for (let j = 0; j < L.n; j++) {
        let acc = mem[L.bBase + j];
        for (let k = 0; k < L.k; k++) acc = add32(acc, mul32(mem[L.xBase + i * L.k + k], mem[L.wBase + k * L.n + j]));
        y[i * L.n + j] = clamp32(requant(acc, L.multiplier, L.shift), -128, 127);
      }
    }
  });
  report.add(figs, { name: `matmul ${L.m}x${L.k}x${L.n}: steps`, value: steps, unit: 'steps' });
  report.add(figs, { name: 'interpreter speed', value: steps / vmMs / 1000, unit: 'M steps/s', ratio: { value: vmMs / jsMs, to: 'the time of the same matmul as a plain JS loop' } });
}

// 2. State root at step k for a memory of 2^20 words.
{
  const figs = report.section('State root at step k (memory of 2^20 nonzero words)');
  const rng = new Rng(2);
  const initial = new Int32Array(1 << 20);
  for (let i = 0; i < initial.length; i++) initial[i] = rng.int32();
  let tree = memoryTreeOf(new Int32Array(MEM_WORDS));
  const buildMs = timeMs(() => {
    const full = new Int32Array(MEM_WORDS);
    full.set(initial);
    tree = memoryTreeOf(full);
  }, 3);
  report.add(figs, { name: 'initial tree build (2^17 nonzero leaves)', value: buildMs, unit: 'ms' });
  // A loop that stores to a new pseudo-random word each iteration: 4 steps per store.
  const program = Program.fromInstructions([
    asm.LI(1, 0), // loop counter set per run through initial registers below
    asm.LI(2, 12345),
    /* 2 */ asm.alu('MUL', 2, 2, 0, 1103515245),
    asm.alu('AND', 3, 2, 0, (1 << 20) - 1),
    asm.STORE(3, 2, 0),
    asm.LOOP(4, 2),
    asm.HALT(),
  ]);
  for (const k of [1_000, 10_000, 100_000, 1_000_000]) {
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t = tree.clone();
      const m = new Machine(program, initial);
      m.regs[4] = Math.ceil(k / 4);
      const start = performance.now();
      m.run(k);
      for (const j of m.takeDirtyLeaves()) t.setLeafWords(j, m.mem, j * 8);
      t.root();
      runs.push(performance.now() - start);
    }
    const ms = runs.sort((a, b) => a - b)[1];
    report.add(figs, { name: `run k = ${k.toLocaleString('en-US')} steps, then the root`, value: ms, unit: 'ms', ratio: { value: ms / buildMs, to: 'a full rebuild' }, note: `${Math.ceil(k / 4).toLocaleString('en-US')} stores` });
  }
}

// 3. Judge gas per instruction class, and calldata.
const chain = await startTestChain();
try {
  const figs = report.section('Judge: execution gas per step (measured by a caller contract) and calldata');
  const judge = await chain.deploy('VMJudge');
  const meter = await chain.deploy('JudgeGasMeter', [judge.address]);
  const rng = new Rng(3);
  const classes: Record<string, (w: StepWitness) => boolean> = {
    ALU: (w) => opOf(w) >= Op.ADD && opOf(w) <= Op.ISQRT,
    MULH: (w) => opOf(w) === Op.MULH,
    RQ: (w) => opOf(w) === Op.RQ,
    ISQRT: (w) => opOf(w) === Op.ISQRT,
    LOAD: (w) => opOf(w) === Op.LOAD && w.proof.memSiblings.length > 0,
    STORE: (w) => opOf(w) === Op.STORE && w.proof.memSiblings.length > 0,
    MAC: (w) => opOf(w) === Op.MAC && w.proof.memSiblings.length > 0,
    branch: (w) => opOf(w) >= Op.BEQ && opOf(w) <= Op.LOOP,
    HALT: (w) => opOf(w) === Op.HALT,
  };
  const samples = Array.from({ length: 3000 }, () => randomPreCase(rng)).filter((c) => c.pre.pc < 65536 && c.instruction[0] < OP_NAMES.length);
  let worst = 0;
  for (const [name, pick] of Object.entries(classes)) {
    const ws = samples.map((c) => witnessOf(c)).filter(pick).slice(0, 20);
    let max = 0;
    let bytes = 0;
    for (const w of ws) {
      const [, gas] = (await chain.publicClient.readContract({ address: meter.address, abi: meter.abi, functionName: 'measure', args: [w.preHash, toAbiState(w.pre), w.proof] })) as [Hex, bigint];
      max = Math.max(max, Number(gas));
      bytes = Math.max(bytes, (encodeWitness(w).length - 2) / 2 - 32 + 4);
    }
    worst = Math.max(worst, max);
    report.add(figs, { name: `${name}: max execution gas over ${ws.length} steps`, value: max, unit: 'gas', note: `calldata ${bytes} bytes` });
  }
  report.add(figs, { name: 'worst instruction', value: worst, unit: 'gas', ratio: { value: worst / 60000, to: 'the 60,000-gas target' } });
} finally {
  await chain.stop();
}

function opOf(w: StepWitness): number {
  return parseInt(w.proof.instruction.slice(2, 4), 16);
}

const file = report.write('vm', { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version });
console.log(`\nwrote ${file}`);
