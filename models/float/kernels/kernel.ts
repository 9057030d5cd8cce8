// The kernel signature and small helpers shared by the reference kernels.

import { EvaluationError, nodeSubject } from '../../errors.ts';
import { isFloatTensor, type FloatTensor, type NodeOf, type Tensor } from '../../graph.ts';
import type { OpType } from '../../ops.ts';

/** Computes a node's (single) output from its input tensors; `outDims` comes from shape inference. */
export type Kernel<K extends OpType> = (node: NodeOf<K>, inputs: Tensor[], outDims: number[]) => FloatTensor;

export function floatInput(node: NodeOf<OpType>, inputs: Tensor[], i: number): FloatTensor {
  const t = inputs[i];
  if (!t || !isFloatTensor(t)) {
    throw new EvaluationError(nodeSubject(node.name, node.op), `input ${i} is not a float32 tensor`, 'the graph is inconsistent');
  }
  return t;
}

export function evalError(node: NodeOf<OpType>, why: string, fix?: string): EvaluationError {
  return new EvaluationError(nodeSubject(node.name, node.op), why, fix);
}
