/**
 * One node as a VM program: its memory layout, its code, its initial memory (input regions filled, output and
 * scratch zero), and a run that reads back the output region and its root.
 */
import type { Hex } from 'viem';
import { Program } from '../../vm/program.ts';
import { Trace } from '../../vm/prover.ts';
import { Status } from '../../vm/state.ts';
import { elementCount, type IntGraph, type IntOp } from './graph.ts';
import { callOf } from './execute.ts';
import { kernelOf } from './kernels/index.ts';
import type { KernelCall } from './kernels/kernel.ts';
import { layoutNode, type NodeLayout } from './layout.ts';

export interface LoweredNode {
  program: Program;
  layout: NodeLayout;
  outputWords: number;
}

export class NodeRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeRunError';
  }
}

/** Lower a kernel call to a program and a layout. */
export function lowerCall<K extends IntOp>(op: K, call: KernelCall<K>, name: string = op): LoweredNode {
  const kernel = kernelOf(op);
  const outputWords = elementCount(call.outDims);
  const layout = layoutNode(name, call.inputDims.map(elementCount), outputWords, kernel.scratchWords?.(call) ?? 0);
  return { program: Program.fromInstructions(kernel.lower(call, layout)), layout, outputWords };
}

export function lowerNode(graph: IntGraph, i: number): LoweredNode {
  const node = graph.nodes[i];
  return lowerCall(node.op, callOf(graph, i) as KernelCall<typeof node.op>, node.name);
}

/** Initial VM memory of a lowered node: each input's words at its region. */
export function initialMemory(lowered: LoweredNode, inputs: readonly Int32Array[]): Int32Array {
  const mem = new Int32Array(lowered.layout.extent);
  inputs.forEach((words, i) => mem.set(words, lowered.layout.inputs[i]));
  return mem;
}

export interface NodeVMRun {
  output: Int32Array;
  outputRoot: Hex;
  steps: number;
  trace: Trace;
}

/**
 * Node i's step count measured the slow way: one VM run of its lowered program on zero inputs. The reference
 * for `staticSteps` (the tests require both to agree), and the fallback for a program it does not accept.
 */
export function stepsByRunning(graph: IntGraph, i: number, lowered: LoweredNode = lowerNode(graph, i)): number {
  const zeros = graph.nodes[i].inputs.map((t) => new Int32Array(elementCount(graph.tensors[t].dims)));
  return runLowered(lowered, zeros).steps;
}

/** Run a lowered node to its end in a Trace; the output region's root is a subtree root of final memory. */
export function runLowered(lowered: LoweredNode, inputs: readonly Int32Array[], maxSteps = 2 ** 40): NodeVMRun {
  const trace = new Trace(lowered.program, initialMemory(lowered, inputs));
  const final = trace.runToEnd(maxSteps);
  if (final.status !== Status.HALTED) throw new NodeRunError(`node program stopped with status ${final.status} at step ${final.step} (pc ${final.pc})`);
  return {
    output: trace.readMemory(lowered.layout.output, lowered.outputWords),
    outputRoot: trace.regionRoot(lowered.layout.output, lowered.outputWords),
    steps: final.step,
    trace,
  };
}
