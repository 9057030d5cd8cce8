/**
 * The disputed VM step, decoded: the instruction, the memory word it reads or writes, the pre- and post-state.
 * With the model, by re-running it on the submission's inputs (from the chain) and executing the disputed node's
 * VM program up to that step; without it, only what the judge was sent (the resolveStep calldata): the raw
 * pre-state and the code and memory leaves.
 */
import { decodeFunctionData, hexToBytes, type Abi, type Hex } from 'viem';
import type { ModelCommitment } from '../../models/int/commitment.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import type { LoweringOptions } from '../../models/int/tiles/options.ts';
import { lowerNode } from '../../models/int/vmNode.ts';
import { CODE_SIZE, decodeInstruction, MEM_WORDS, memoryAccess, memoryAddress, Op, OP_NAMES, type Instruction } from '../../vm/isa.ts';
import { hashState, Status, type VMState } from '../../vm/state.ts';
import { HonestClaims } from '../game/claims.ts';
import type { GameEvent } from './events.ts';
import type { InstructionData, MemoryAccessData, StepData, VMStateData } from './types.ts';

const STATUS = ['RUNNING', 'HALTED', 'TRAPPED'];

export function stateData(s: { codeRoot: Hex; memRoot: Hex; pc: number; step: number | bigint; status: number; regs: readonly number[] }): VMStateData {
  return { codeRoot: s.codeRoot, memRoot: s.memRoot, pc: Number(s.pc), step: String(s.step), status: STATUS[s.status] ?? `status ${s.status}`, regs: s.regs.map(Number) };
}

const r = (n: number) => `r${n}`;
const plus = (imm: number) => (imm === 0 ? '' : imm < 0 ? ` - ${-imm}` : ` + ${imm}`);

/** Assembly-like text of an instruction (docs/VM.md notation). */
export function instructionText(ins: Instruction): string {
  const name = OP_NAMES[ins.op] ?? `op${ins.op}`;
  switch (ins.op) {
    case Op.HALT:
      return 'HALT';
    case Op.LOAD:
      return `LOAD ${r(ins.rd)}, [${r(ins.rs1)}${plus(ins.imm)}]`;
    case Op.STORE:
      return `STORE [${r(ins.rs1)}${plus(ins.imm)}], ${r(ins.rs2)}`;
    case Op.MAC:
      return `MAC ${r(ins.rd)} += ${r(ins.rs1)} * [${r(ins.rs2)}${plus(ins.imm)}]`;
    case Op.RQ:
      return `RQ ${r(ins.rd)}, ${r(ins.rs1)}, ${r(ins.rs2)}, shift ${ins.imm}`;
    case Op.ISQRT:
      return `ISQRT ${r(ins.rd)}, ${r(ins.rs1)}`;
    case Op.BEQ:
    case Op.BNE:
    case Op.BLT:
    case Op.BGE:
      return `${name} ${r(ins.rs1)}, ${r(ins.rs2)}, → ${ins.imm >>> 0}`;
    case Op.LOOP:
      return `LOOP ${r(ins.rd)}, → ${ins.imm >>> 0}`;
    default:
      // b = R[rs2] + imm, and r0 reads as 0: `ADD r2, r2, 1` is an add-immediate
      return `${name} ${r(ins.rd)}, ${r(ins.rs1)}, ${ins.rs2 === 0 ? ins.imm : `${r(ins.rs2)}${plus(ins.imm)}`}`;
  }
}

export function instructionData(leaf: Uint8Array, pc: number): InstructionData {
  const ins = decodeInstruction(leaf);
  return { pc, opcode: ins.op, op: OP_NAMES[ins.op] ?? `invalid (${ins.op})`, rd: ins.rd, rs1: ins.rs1, rs2: ins.rs2, imm: ins.imm, valid: ins.valid, text: ins.valid ? instructionText(ins) : 'invalid instruction (traps)', leaf: `0x${Buffer.from(leaf).toString('hex')}` };
}

/** The resolveStep call a DisputeResolved(step) event's transaction made, decoded. */
export function rawStep(ev: GameEvent, abi: Abi): StepData['raw'] {
  try {
    const call = decodeFunctionData({ abi, data: ev.input });
    if (call.functionName !== 'resolveStep') return undefined;
    const [, pre, proof] = call.args as unknown as [bigint, { codeRoot: Hex; memRoot: Hex; pc: number; step: bigint; status: number; regs: readonly number[] }, { instruction: Hex; codeSiblings: readonly Hex[]; memLeaf: Hex; memSiblings: readonly Hex[] }];
    return { caller: ev.from, tx: ev.tx, pre: stateData(pre), instruction: proof.instruction, memLeaf: proof.memLeaf, codeSiblings: proof.codeSiblings.length, memSiblings: proof.memSiblings.length };
  } catch {
    return undefined; // called through another contract: nothing to decode here
  }
}

/** HonestClaims with its traces reachable: the node's VM run (a tiled node's: one tile's) on the true inputs. */
class Tracer extends HonestClaims {
  traceOf(j: number, tile?: number) {
    return this.trace(j, tile);
  }
  tiledOf(j: number) {
    return this.tiled(j);
  }
}

export interface StepContext {
  node: number;
  nodeName?: string;
  /** A tiled node: the tile whose VM run the VM phase plays. */
  tile?: number;
  step: bigint;
  steps: bigint;
  agreedPreHash: Hex;
  submitterPostHash: Hex;
  raw?: StepData['raw'];
}

/** Only the chain's data: the raw step, its instruction decoded from the code leaf the judge was sent. */
export function stepFromChain(ctx: StepContext, note: string): StepData {
  const base = { node: ctx.node, nodeName: ctx.nodeName, ...tileOf(ctx), step: ctx.step.toString(), steps: ctx.steps.toString(), agreedPreHash: ctx.agreedPreHash, submitterPostHash: ctx.submitterPostHash, raw: ctx.raw, memory: [], regChanges: [] };
  if (!ctx.raw) return { ...base, decodedBy: 'none', note };
  const pre = ctx.raw.pre;
  const instruction = pre.pc < CODE_SIZE ? instructionData(hexToBytes(ctx.raw.instruction as Hex), pre.pc) : undefined;
  const memory: MemoryAccessData[] = [];
  if (instruction?.valid) {
    const addr = memoryAddress({ ...instruction, op: instruction.opcode }, pre.regs);
    const leafWords = wordsOf(ctx.raw.memLeaf as Hex);
    if (addr !== undefined && addr < MEM_WORDS) memory.push({ kind: memoryAccess(instruction.opcode) === 'write-rs1' ? 'write' : 'read', address: addr, leafIndex: addr >>> 3, before: leafWords[addr & 7], leafWords });
  }
  return { ...base, decodedBy: 'calldata', note, instruction, memory, pre, preHash: hashState({ ...pre, codeRoot: pre.codeRoot as Hex, memRoot: pre.memRoot as Hex, step: Number(pre.step), status: STATUS.indexOf(pre.status) }) };
}

/** `{ tile }` for a tiled node's step, nothing for an untiled one (so its data is as before tiles existed). */
const tileOf = (ctx: StepContext) => (ctx.tile === undefined ? {} : { tile: ctx.tile });

function wordsOf(leaf: Hex): number[] {
  const b = hexToBytes(leaf);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: 8 }, (_, i) => v.getInt32(i * 4, false));
}

/**
 * Re-run the model on the submission's inputs and execute the disputed node's program to the step (a tiled
 * node's: the disputed tile's program, from that tile's initial memory μ_i). `lowering` is the one the model was
 * committed with (it decides which nodes are tiled).
 */
export function stepFromModel(ctx: StepContext, graph: IntGraph, inputs: Int32Array[], commitment: ModelCommitment, lowering: LoweringOptions = {}): StepData {
  const j = ctx.node;
  const k = Number(ctx.step);
  const tracer = new Tracer(graph, inputs, commitment, undefined, lowering);
  const trace = tracer.traceOf(j, ctx.tile);
  const pre: VMState = trace.stateAt(k);
  const preHash = hashState(pre);
  const tiled = ctx.tile === undefined ? undefined : tracer.tiledOf(j).tiled;
  const lowered = tiled ? { program: tiled.program(ctx.tile!), layout: tiled.layout } : lowerNode(graph, j);
  const node = graph.nodes[j];
  const regionOf = (addr: number): string | undefined => {
    const reg = lowered.layout.regions.find((x) => addr >= x.base && addr < x.base + Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, x.words)))));
    if (!reg) return undefined;
    const m = /^in(\d+)$/.exec(reg.role);
    const what = m ? `input ${m[1]}: ${graph.tensors[node.inputs[Number(m[1])]].name} (${graph.tensors[node.inputs[Number(m[1])]].kind})` : reg.role === 'out' ? `output: ${graph.tensors[node.output].name}` : reg.role === 'window' && ctx.tile !== undefined ? `window: tile ${ctx.tile}'s constants` : reg.role;
    const off = addr - reg.base;
    return `${what}, word ${off}${off >= reg.words ? ' (padding)' : ''}`;
  };
  const out: StepData = {
    node: j,
    nodeName: ctx.nodeName ?? node.name,
    ...tileOf(ctx),
    step: ctx.step.toString(),
    steps: ctx.steps.toString(),
    agreedPreHash: ctx.agreedPreHash,
    submitterPostHash: ctx.submitterPostHash,
    decodedBy: 'model',
    memory: [],
    regChanges: [],
    raw: ctx.raw,
    pre: stateData(pre),
    preHash,
  };
  if (preHash !== ctx.agreedPreHash) out.note = `the re-executed state at step ${k} hashes to ${preHash}, not to the agreed ${ctx.agreedPreHash}: this model or these inputs are not what the dispute was about`;
  if (pre.status !== Status.RUNNING) {
    out.post = out.pre;
    out.postHash = preHash;
    out.note = `${out.note ? `${out.note}; ` : ''}the state at step ${k} is not running: the step leaves it unchanged`;
    return out;
  }
  let addr: number | undefined;
  let kind: 'read' | 'write' = 'read';
  if (pre.pc < CODE_SIZE) {
    const leaf = lowered.program.leaf(pre.pc);
    out.instruction = instructionData(leaf, pre.pc);
    const ins = decodeInstruction(leaf);
    if (ins.valid) {
      addr = memoryAddress(ins, pre.regs);
      kind = memoryAccess(ins.op) === 'write-rs1' ? 'write' : 'read';
      if (addr !== undefined && addr >= MEM_WORDS) addr = undefined;
    }
  }
  const before = addr === undefined ? undefined : { word: trace.readMemory(addr, 1)[0], leaf: Array.from(trace.readMemory((addr >>> 3) * 8, 8)) };
  trace.seek(k + 1);
  const post = trace.current();
  out.post = stateData(post);
  out.postHash = hashState(post);
  if (addr !== undefined && before) {
    out.memory.push({ kind, address: addr, leafIndex: addr >>> 3, region: regionOf(addr), before: before.word, after: trace.readMemory(addr, 1)[0], leafWords: before.leaf });
  }
  out.regChanges = pre.regs.flatMap((v, i) => (post.regs[i] !== v ? [{ reg: i, before: v, after: post.regs[i] }] : []));
  return out;
}
