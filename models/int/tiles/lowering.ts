/**
 * Which nodes are tiled, and the lowering a commitment is computed from: a node of a tileable kind is lowered to
 * tiles when its untiled program would run more than `tileSteps` steps, or its untiled layout does not fit VM
 * memory; every other node is one VM program as before (models/int/vmNode.ts).
 */
import type { IntGraph, IntOp } from '../graph.ts';
import { callOf } from '../execute.ts';
import type { KernelCall } from '../kernels/kernel.ts';
import { NodeTooLargeError } from '../layout.ts';
import { staticSteps } from '../staticSteps.ts';
import { lowerNode, stepsByRunning, type LoweredNode } from '../vmNode.ts';
import { tileGather } from './gather.ts';
import { tileMatmul } from './matmul.ts';
import { tileLimitsOf, tileStepsOf, type LoweringOptions, type TileLimits } from './options.ts';
import { TiledNode, type TileSource } from './tiled.ts';

/** A kernel that can be cut into tiles: its tiling, or undefined when this call cannot be tiled. */
export type TileKernel<K extends IntOp> = (call: KernelCall<K>, constants: readonly (Int32Array | undefined)[], limits: TileLimits, name: string) => TileSource | undefined;

/** The tileable kernels, by op. */
export const TILE_KERNELS: { [K in IntOp]?: TileKernel<K> } = {
  matmul: tileMatmul,
  gather: tileGather,
};

/** An untiled node: its program and exact step count. */
export interface VMNodeLowering {
  kind: 'vm';
  lowered: LoweredNode;
  steps: number;
}

export type NodeLowering = VMNodeLowering | TiledNode;

/** A kernel call as tiles (undefined when the op does not tile, or this call cannot be). */
export function tileCall<K extends IntOp>(op: K, call: KernelCall<K>, constants: readonly (Int32Array | undefined)[], options: LoweringOptions = {}, name: string = op): TiledNode | undefined {
  const tiler = TILE_KERNELS[op] as TileKernel<K> | undefined;
  const source = tiler?.(call, constants, tileLimitsOf(options), name);
  return source && new TiledNode(name, source);
}

/** Node i as tiles (undefined when it cannot be tiled), whatever its size. */
export function tileNode(graph: IntGraph, i: number, options: LoweringOptions = {}): TiledNode | undefined {
  const node = graph.nodes[i];
  return tileCall(node.op, callOf(graph, i) as KernelCall<typeof node.op>, node.inputs.map((t) => graph.weights.get(t)), options, node.name);
}

/**
 * How node i is committed: tiled when it is tileable and either too long (more than `tileSteps` steps) or too
 * large for VM memory untiled; else its one program and step count (staticSteps, or a VM run on zeros for a
 * program staticSteps does not accept).
 */
export function lowerForCommitment(graph: IntGraph, i: number, options: LoweringOptions = {}): NodeLowering {
  const tileSteps = tileStepsOf(options);
  let lowered: LoweredNode;
  try {
    lowered = lowerNode(graph, i);
  } catch (err) {
    if (err instanceof NodeTooLargeError) {
      const tiled = tileNode(graph, i, options);
      if (tiled) return tiled;
    }
    throw err;
  }
  const steps = staticSteps(lowered.program) ?? stepsByRunning(graph, i, lowered);
  if (steps > tileSteps) {
    const tiled = tileNode(graph, i, options);
    if (tiled) return tiled;
  }
  return { kind: 'vm', lowered, steps };
}
