/**
 * An integer kernel: the CPU reference of one IR op (the living definition of its bits) and its lowering to a
 * VM program that must reproduce those bits exactly (test/models/int-kernels.test.ts checks every kernel on
 * random shapes and values).
 */
import type { Instruction } from '../../../vm/isa.ts';
import type { IntAttrs, IntOp } from '../graph.ts';
import type { NodeLayout } from '../layout.ts';

export interface KernelCall<K extends IntOp> {
  attrs: IntAttrs[K];
  inputDims: number[][];
  outDims: number[];
}

export interface IntKernel<K extends IntOp> {
  /** Output dims from input dims (throws a clear error on a shape the kernel cannot take). */
  outputDims(attrs: IntAttrs[K], inputDims: number[][]): number[];
  /** The CPU reference: output words from input words. */
  execute(call: KernelCall<K>, inputs: Int32Array[]): Int32Array;
  /** Scratch words the lowering needs besides inputs and output (default 0). */
  scratchWords?(call: KernelCall<K>): number;
  /** A VM program that writes the output region from the input regions, then halts. */
  lower(call: KernelCall<K>, layout: NodeLayout): Instruction[];
}

export class KernelShapeError extends Error {
  constructor(op: string, reason: string) {
    super(`${op}: ${reason}`);
    this.name = 'KernelShapeError';
  }
}
