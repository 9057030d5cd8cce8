/**
 * The differential suite between the TypeScript VM and the Solidity judge on a real anvil:
 * 10,000 random (state, instruction) pairs and two whole programs stepped in lockstep. Then mutants of the
 * interpreter (one opcode's semantics changed in a copy of vm/interpreter.ts) must each be caught.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Abi, Address, Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAbiState } from '../cli/chain/judgeAbi.ts';
import { Program } from '../vm/program.ts';
import { Trace, type StepWitness } from '../vm/prover.ts';
import { Status } from '../vm/state.ts';
import { startTestChain, type TestChain } from './support/chain.ts';
import { kitchenSinkProgram, matmulProgram } from './support/programs.ts';
import { Rng } from './support/rng.ts';
import { randomPreCase, witnessOf, type MachineClass, type PreCase } from './support/stepCases.ts';

const RANDOM_CASES = 10_000;

let chain: TestChain;
let judge: { address: Address; abi: Abi };

beforeAll(async () => {
  chain = await startTestChain();
  judge = await chain.deploy('VMJudge');
}, 300_000);

afterAll(async () => {
  await chain?.stop();
});

/** The judge's post-state hash for each witness (batched eth_calls); an Error where the call reverted. */
async function judgeAll(witnesses: StepWitness[]): Promise<(Hex | Error)[]> {
  const out: (Hex | Error)[] = [];
  for (let i = 0; i < witnesses.length; i += 1000) {
    const chunk = witnesses.slice(i, i + 1000).map((w) =>
      chain.publicClient
        .readContract({ address: judge.address, abi: judge.abi, functionName: 'step', args: [w.preHash, toAbiState(w.pre), w.proof] })
        .then((h) => h as Hex, (e: Error) => e),
    );
    out.push(...(await Promise.all(chunk)));
  }
  return out;
}

function mismatches(witnesses: StepWitness[], answers: (Hex | Error)[], names: string[]): string[] {
  const bad: string[] = [];
  witnesses.forEach((w, i) => {
    const a = answers[i];
    if (a instanceof Error) bad.push(`${names[i]}: judge reverted: ${a.message.split('\n')[0]}`);
    else if (a !== w.postHash) bad.push(`${names[i]}: TS ${w.postHash} judge ${a}`);
  });
  return bad;
}

describe('TypeScript VM vs Solidity judge', () => {
  let cases: PreCase[];
  let answers: (Hex | Error)[];

  it(`agrees on ${RANDOM_CASES} random (state, instruction) pairs`, async () => {
    const rng = new Rng(2026);
    cases = Array.from({ length: RANDOM_CASES }, () => randomPreCase(rng));
    const witnesses = cases.map((c) => witnessOf(c));
    answers = await judgeAll(witnesses);
    const bad = mismatches(witnesses, answers, cases.map((c) => c.name));
    expect(bad.slice(0, 10)).toEqual([]);
    // The cases cover every opcode, invalid leaves and every trap kind.
    const names = cases.map((c) => c.name.split(' ')[0]);
    for (const label of ['HALT', 'ADD', 'RQ', 'ISQRT', 'LOAD', 'STORE', 'MAC', 'LOOP', 'INVALID', 'PC-OUT-OF-CODE']) {
      expect(names.filter((n) => n === label).length, label).toBeGreaterThan(20);
    }
  }, 120_000);

  it('agrees on 1,000 random states with every register nonzero, r0 included (r0 reads as 0, regs[0] carries over)', async () => {
    const rng = new Rng(2027);
    const r0cases = Array.from({ length: 1000 }, () => randomPreCase(rng, undefined, { r0: true }));
    const witnesses = r0cases.map((c) => witnessOf(c));
    const got = await judgeAll(witnesses);
    expect(mismatches(witnesses, got, r0cases.map((c) => c.name)).slice(0, 10)).toEqual([]);
  }, 120_000);

  for (const [label, build] of [
    ['an int8 matmul node', () => ({ program: matmulProgram({ m: 4, k: 16, n: 8, xBase: 0, wBase: 64, bBase: 192, yBase: 200, multiplier: 1518500250, shift: 38 }), words: 200 })],
    ['the every-opcode loop', () => ({ program: kitchenSinkProgram(100, 0, 4096), words: 200 })],
  ] as const) {
    it(`steps ${label} in lockstep, every step of the whole trace`, async () => {
      const { program, words } = build();
      const rng = new Rng(label.length);
      const trace = new Trace(Program.fromInstructions(program), Array.from({ length: words }, () => rng.int(-128, 127)));
      const witnesses: StepWitness[] = [];
      for (let k = 0; ; k++) {
        const s = trace.stateAt(k);
        if (s.status !== Status.RUNNING) break;
        witnesses.push(trace.witness(k));
      }
      expect(witnesses.length).toBeGreaterThan(2000);
      const got = await judgeAll(witnesses);
      expect(mismatches(witnesses, got, witnesses.map((w) => `step ${w.pre.step}`)).slice(0, 10)).toEqual([]);
    }, 120_000);
  }

  describe('mutation check: the random suite catches a one-opcode change in a copy of the interpreter', () => {
    const source = readFileSync(path.resolve('vm/interpreter.ts'), 'utf8');
    const dir = path.resolve('test/.mutants');
    const mutants: { name: string; op: string; from: string; to: string }[] = [
      { name: 'SRA shifts logically', op: 'SRA', from: 'R[d] = a >> (R[RS2[pc]] + im);', to: 'R[d] = a >>> (R[RS2[pc]] + im);' },
      { name: 'DIV floors instead of truncating', op: 'DIV', from: 'R[d] = b === 0 ? 0 : (a / b) | 0;', to: 'R[d] = b === 0 ? 0 : Math.floor(a / b) | 0;' },
      { name: 'SLT compares with <=', op: 'SLT', from: 'R[d] = a < ((R[RS2[pc]] + im) | 0) ? 1 : 0;', to: 'R[d] = a <= ((R[RS2[pc]] + im) | 0) ? 1 : 0;' },
      { name: 'BLT compares unsigned', op: 'BLT', from: 'pc = a < R[RS2[pc]] ? im >>> 0 : pc + 1;', to: 'pc = a >>> 0 < R[RS2[pc]] >>> 0 ? im >>> 0 : pc + 1;' },
      { name: 'LOOP ignores its own register', op: 'LOOP', from: 'pc = v !== 0 ? im >>> 0 : pc + 1;', to: 'pc = v > 0 ? im >>> 0 : pc + 1;' },
      { name: 'MAC adds one bit', op: 'MAC', from: 'R[d] = R[d] + Math.imul(a, M[addr]);', to: 'R[d] = (R[d] + Math.imul(a, M[addr])) ^ (addr & 1);' },
      { name: 'STORE accepts the first address past memory', op: 'STORE', from: 'case Op.STORE: {\n          const addr = (a + im) >>> 0;\n          if (addr >= MEM_WORDS) {', to: 'case Op.STORE: {\n          const addr = (a + im) >>> 0;\n          if (addr > MEM_WORDS) {' },
      { name: 'MULH multiplies unsigned', op: 'MULH', from: 'R[d] = mulhi32(a, (R[RS2[pc]] + im) | 0);', to: 'R[d] = Math.floor(((a >>> 0) * ((R[RS2[pc]] + im) >>> 0)) / 4294967296) | 0;' },
    ];

    beforeAll(() => mkdirSync(dir, { recursive: true }));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    for (const m of mutants) {
      it(`catches: ${m.name}`, async () => {
        expect(source.includes(m.from), `mutation site not found: ${m.from}`).toBe(true);
        const file = path.join(dir, `${m.op}.ts`);
        writeFileSync(file, source.replace(m.from, m.to).replaceAll("from './", "from '../../vm/"));
        const { Machine: Mutant } = (await import(/* @vite-ignore */ file)) as { Machine: MachineClass };
        const idx = cases.map((c, i) => (c.name.startsWith(`${m.op} `) ? i : -1)).filter((i) => i >= 0);
        expect(idx.length).toBeGreaterThan(100);
        const caught = idx.filter((i) => {
          const a = answers[i];
          return !(a instanceof Error) && witnessOf(cases[i], Mutant).postHash !== a;
        });
        expect(caught.length, `no random case exposes "${m.name}"`).toBeGreaterThan(0);
      });
    }
  });
});
