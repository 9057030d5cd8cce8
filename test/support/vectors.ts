/**
 * Golden vectors for the Solidity judge (contracts/test/VMVectors.t.sol): each case is
 * abi.encode(preStateHash, VMState pre, StepProof proof, postStateHash), written by the TypeScript VM.
 * `reverts` are malformed proofs with the selector of the error the judge must revert with.
 */
import { encodeAbiParameters, toFunctionSelector, type AbiParameter, type Hex } from 'viem';
import { loadArtifact } from '../../cli/chain/artifacts.ts';
import { toAbiState } from '../../cli/chain/judgeAbi.ts';
import { NUM_OPS, OP_NAMES } from '../../vm/isa.ts';
import { Program } from '../../vm/program.ts';
import { Trace, type StepWitness } from '../../vm/prover.ts';
import { hashState, Status } from '../../vm/state.ts';
import { kitchenSinkProgram, matmulProgram } from './programs.ts';
import { Rng } from './rng.ts';
import { randomPreCase, randomStepCase, witnessOf } from './stepCases.ts';

export interface VectorFile {
  count: number;
  cases: { name: string; data: Hex; error?: Hex }[];
}

export function stepParameters(): readonly AbiParameter[] {
  const { abi } = loadArtifact('VMJudge');
  const step = abi.find((e) => e.type === 'function' && e.name === 'step');
  if (!step || step.type !== 'function') throw new Error('VMJudge has no step function');
  return [...step.inputs, { type: 'bytes32', name: 'postStateHash' }];
}

export function encodeWitness(w: StepWitness, params = stepParameters()): Hex {
  return encodeAbiParameters(params, [w.preHash, toAbiState(w.pre), w.proof, w.postHash]);
}

/** Witnesses of sampled steps of two real programs (matmul node and the every-opcode loop). */
export function programWitnesses(): { name: string; witness: StepWitness }[] {
  const rng = new Rng(21);
  const out: { name: string; witness: StepWitness }[] = [];
  const mm = { m: 2, k: 9, n: 3, xBase: 0, wBase: 32, bBase: 64, yBase: 72, multiplier: 1518500250, shift: 36 };
  const mmMem = Array.from({ length: 72 }, () => rng.int(-128, 127));
  const sinkMem = Array.from({ length: 40 }, () => rng.int32());
  for (const [label, program, mem] of [
    ['matmul', Program.fromInstructions(matmulProgram(mm)), mmMem],
    ['kitchen-sink', Program.fromInstructions(kitchenSinkProgram(20, 0, 64)), sinkMem],
  ] as const) {
    const trace = new Trace(program, mem);
    const T = trace.runToEnd().step;
    for (let i = 0; i < 12; i++) {
      const k = Math.floor((i * (T - 1)) / 11);
      out.push({ name: `${label} step ${k}`, witness: trace.witness(k) });
    }
  }
  return out;
}

export function buildStepVectors(): VectorFile {
  const params = stepParameters();
  const cases: VectorFile['cases'] = [];
  const rng = new Rng(20);
  for (let op = 0; op < NUM_OPS; op++) {
    for (let i = 0; i < 4; i++) {
      const c = randomStepCase(rng, op);
      cases.push({ name: `${OP_NAMES[op]} #${i}: ${c.name}`, data: encodeWitness(c.witness, params) });
    }
  }
  for (const { name, witness } of programWitnesses()) cases.push({ name, data: encodeWitness(witness, params) });
  // Unreachable but defined: every register nonzero, r0 included; r0 still reads as 0 and regs[0] carries over.
  const r0rng = new Rng(23);
  for (let op = 0; op < NUM_OPS; op++) {
    for (let i = 0; i < 4; i++) {
      const c = randomPreCase(r0rng, op, { r0: true });
      cases.push({ name: `r0 nonzero ${OP_NAMES[op]} #${i}: ${c.name}`, data: encodeWitness(witnessOf(c), params) });
    }
  }
  return { count: cases.length, cases };
}

const selector = (sig: string): Hex => toFunctionSelector(sig);

export function buildRevertVectors(): VectorFile {
  const params = stepParameters();
  const rng = new Rng(22);
  const mem = () => {
    for (;;) {
      const c = randomStepCase(rng, 17); // LOAD with an in-range address has both proofs
      if (c.witness.proof.memSiblings.length > 0) return c.witness;
    }
  };
  const flip = (h: Hex): Hex => `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}` as Hex;
  const cases: VectorFile['cases'] = [];
  const add = (name: string, w: StepWitness, sig: string) => cases.push({ name, data: encodeWitness(w, params), error: selector(sig) });

  const a = mem();
  add('pre-state hash does not match', { ...a, preHash: flip(a.preHash) }, 'PreStateMismatch(bytes32,bytes32)');
  const halted = { ...a.pre, status: Status.HALTED };
  add('halted pre-state', { ...a, pre: halted, preHash: hashState(halted) }, 'NotRunning(uint8)');
  const trapped = { ...a.pre, status: Status.TRAPPED };
  add('trapped pre-state', { ...a, pre: trapped, preHash: hashState(trapped) }, 'NotRunning(uint8)');
  const b = mem();
  add('wrong code sibling', { ...b, proof: { ...b.proof, codeSiblings: b.proof.codeSiblings.map((s, i) => (i === 5 ? flip(s) : s)) } }, 'InvalidCodeProof()');
  add('wrong instruction leaf', { ...b, proof: { ...b.proof, instruction: flip(b.proof.instruction) } }, 'InvalidCodeProof()');
  add('short code proof', { ...b, proof: { ...b.proof, codeSiblings: b.proof.codeSiblings.slice(1) } }, 'BadProofLength(uint256,uint256)');
  const c = mem();
  add('wrong memory leaf', { ...c, proof: { ...c.proof, memLeaf: flip(c.proof.memLeaf) } }, 'InvalidMemoryProof()');
  add('wrong memory sibling', { ...c, proof: { ...c.proof, memSiblings: c.proof.memSiblings.map((s, i) => (i === 18 ? flip(s) : s)) } }, 'InvalidMemoryProof()');
  add('long memory proof', { ...c, proof: { ...c.proof, memSiblings: [...c.proof.memSiblings, c.proof.memLeaf] } }, 'BadProofLength(uint256,uint256)');
  add('missing memory proof', { ...c, proof: { ...c.proof, memSiblings: [] } }, 'BadProofLength(uint256,uint256)');
  return { count: cases.length, cases };
}
