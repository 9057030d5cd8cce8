/**
 * The VM state and its hash: keccak256(abi.encode(codeRoot, memRoot, pc, step, status, regs)), docs/VM.md.
 */
import { bytesToHex, type Hex } from 'viem';
import { keccak256 } from './keccak.ts';
import { NUM_REGS } from './isa.ts';

export const Status = { RUNNING: 0, HALTED: 1, TRAPPED: 2 } as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

export interface VMState {
  codeRoot: Hex;
  memRoot: Hex;
  pc: number;
  step: number;
  status: number;
  /** 16 int32 registers; regs[0] is 0 in every reachable state. */
  regs: number[];
}

const WORDS = 5 + NUM_REGS;

function putUint(buf: Uint8Array, word: number, value: number): void {
  let v = value;
  for (let i = 31; i >= 24 && v > 0; i--) {
    buf[word * 32 + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

function putInt32(buf: Uint8Array, word: number, value: number): void {
  const o = word * 32;
  if (value < 0) buf.fill(0xff, o, o + 28);
  buf[o + 28] = value >>> 24;
  buf[o + 29] = (value >>> 16) & 0xff;
  buf[o + 30] = (value >>> 8) & 0xff;
  buf[o + 31] = value & 0xff;
}

function putBytes32(buf: Uint8Array, word: number, hex: Hex): void {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`expected a 32-byte hex root, got ${hex}`);
  for (let i = 0; i < 32; i++) buf[word * 32 + i] = parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
}

/** The 672-byte ABI encoding of a state (21 words). */
export function encodeState(s: VMState): Uint8Array {
  if (s.regs.length !== NUM_REGS) throw new Error(`a state has ${NUM_REGS} registers, got ${s.regs.length}`);
  const buf = new Uint8Array(WORDS * 32);
  putBytes32(buf, 0, s.codeRoot);
  putBytes32(buf, 1, s.memRoot);
  putUint(buf, 2, s.pc);
  putUint(buf, 3, s.step);
  putUint(buf, 4, s.status);
  for (let r = 0; r < NUM_REGS; r++) putInt32(buf, 5 + r, s.regs[r]);
  return buf;
}

/** The state hash both sides commit to. */
export function hashState(s: VMState): Hex {
  return bytesToHex(keccak256(encodeState(s)));
}
