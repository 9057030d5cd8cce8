/**
 * VM states and step proofs in the shape the judge's ABI takes (viem: uint64 as bigint, the rest as numbers).
 */
import type { Hex } from 'viem';
import type { VMState } from '../../vm/state.ts';

export interface AbiVMState {
  codeRoot: Hex;
  memRoot: Hex;
  pc: number;
  step: bigint;
  status: number;
  regs: readonly number[];
}

export function toAbiState(s: VMState): AbiVMState {
  return { codeRoot: s.codeRoot, memRoot: s.memRoot, pc: s.pc, step: BigInt(s.step), status: s.status, regs: s.regs };
}
