/**
 * Which kernel runs each matmul / conv2d node: the reference kernel (one invocation per output,
 * models/gpu/kernels.ts), the tiled one (models/gpu/gemm.ts), or the tiled packed one (dot4I8Packed). All
 * three give the reference's bits on every input they are used for; the choice is speed only, except that the
 * packed kernel is exact only on int8 operands, so it is taken only with a proof (models/gpu/int8Range.ts):
 *
 * - both operands proven int8 at graph creation (weights by their words, activations by their producer's
 *   clamp): the packed kernel, always;
 * - an operand that is a graph input (or a copy of one): both the packed and the unpacked tiled dispatch are
 *   built, and each run takes the packed one only when that input's words are all int8 (a `guard`);
 * - otherwise, or when the device lacks or fails dot4I8Packed (models/gpu/packedDot.ts): the unpacked kernel.
 *
 * Tiled or reference, by shape (`kernels: 'auto'`): tiled when rows, columns and depth are each at least 8
 * and there are at least 2^18 products (a smaller GEMM fills too little of a tile, or is too short, to repay
 * staging: on llvmpipe the zoo's 16×32×32 matmuls and 8-channel convs run as fast or faster on the reference
 * kernel; a 256³ matmul runs ~7x faster tiled and packed). Each invocation computes R×R outputs of
 * a T·R square tile no wider than min(rows, columns): 16×16 invocations × 4×4 outputs from 64 (when the
 * adapter allows 256 invocations per workgroup), 8×8 × 4×4 from 32, 8×8 × 2×2 from 16, else 8×8 × 1×1
 * (on llvmpipe 4×4 outputs per invocation are 3–4x faster than 1×1: fewer workgroup-memory reads). `kernels:
 * 'tiled'` tiles every GEMM, `'reference'` none (tests run all of them on the same cases).
 */
import type { IntGraph, IntOp } from '../int/graph.ts';
import type { KernelCall } from '../int/kernels/kernel.ts';
import { gemmDispatch, gemmGroups, gemmShape, type GemmPer, type GemmProblem, type GemmTile } from './gemm.ts';
import { int8Proof, type WordRange } from './int8Range.ts';
import type { KernelDispatch } from './kernels.ts';
import type { PackedDotCheck } from './packedDot.ts';

export type KernelMode = 'auto' | 'reference' | 'tiled';

export interface VariantOptions {
  /** 'auto' (default): tiled by shape; 'tiled': every matmul/conv2d tiled; 'reference': none. */
  kernels?: KernelMode;
  /** Use packed (dot4I8Packed) kernels where proven (default true). */
  packed?: boolean;
  /** Force the workgroup side T (default by shape and adapter). */
  tile?: GemmTile;
  /** Force the outputs per invocation side R (default by shape). */
  per?: GemmPer;
  /**
   * Testing only: take packed kernels without int8 proofs or guards. Results are then wrong on any operand
   * word outside [-128, 127] — test/gpu/gemm.test.ts shows it, which is why proofs exist.
   */
  unsafeAssumeInt8?: boolean;
}

export type KernelKind = 'reference' | 'tiled' | 'packed';

/** What a node runs, for people and tests. */
export interface KernelChoice {
  node: string;
  op: IntOp;
  kernel: KernelKind;
  /** Tiled kernels: workgroup side T and outputs per invocation side R (output tile T·R square). */
  tile?: GemmTile;
  per?: GemmPer;
  /** Graph inputs whose words must all be int8 in a run for `kernel` to run; otherwise `fallback` runs. */
  guard?: number[];
  fallback?: KernelKind;
  why: string;
}

/** A node's dispatches: `main`, or `guarded.dispatches` in a run where every guard input is int8. */
export interface NodeKernels {
  main: KernelDispatch[];
  guarded?: { inputs: number[]; dispatches: KernelDispatch[] };
  choice: KernelChoice;
}

export interface VariantContext {
  graph: IntGraph;
  ranges: Map<number, WordRange>;
  limits: { maxComputeInvocationsPerWorkgroup: number; maxComputeWorkgroupsPerDimension: number };
  /** The device's dot4I8Packed check, undefined when not run (packed off). */
  packedDot: PackedDotCheck | undefined;
  options: VariantOptions;
}

/** Smallest rows, columns and depth that `auto` tiles. */
export const AUTO_TILE_MIN = 8;
/** Fewest products (rows·columns·depth·batch) that `auto` tiles. */
export const AUTO_TILE_MACS = 1 << 18;

export function chooseKernels(ctx: VariantContext, index: number, call: KernelCall<IntOp>, reference: KernelDispatch[]): NodeKernels {
  const node = ctx.graph.nodes[index];
  const mode = ctx.options.kernels ?? 'auto';
  const ref = (why: string): NodeKernels => ({ main: reference, choice: { node: node.name, op: node.op, kernel: 'reference', why } });
  if (node.op !== 'matmul' && node.op !== 'conv2d') return ref('reference kernel (no tiled variant for this op)');
  if (mode === 'reference') return ref('reference kernels requested');
  const problem: GemmProblem = node.op;
  const gcall = call as KernelCall<'matmul'> | KernelCall<'conv2d'>;
  const shape = gemmShape(problem, gcall);
  if (mode === 'auto' && Math.min(shape.rows, shape.cols, shape.depth) < AUTO_TILE_MIN) {
    return ref(`GEMM ${shape.rows}×${shape.cols}, depth ${shape.depth}: below ${AUTO_TILE_MIN} on some axis, too small to tile`);
  }
  const macs = shape.rows * shape.cols * shape.depth * shape.batch;
  if (mode === 'auto' && macs < AUTO_TILE_MACS) return ref(`GEMM of ${macs} products: below ${AUTO_TILE_MACS}, too small to repay tiling`);
  const fits16 = ctx.limits.maxComputeInvocationsPerWorkgroup >= 256;
  const small = Math.min(shape.rows, shape.cols);
  // The output tile S = T·R no wider than the GEMM's smaller side; more outputs per invocation first (fewer
  // workgroup-memory reads per product), 16×16 invocations only for the 64-wide tile.
  const auto: [GemmTile, GemmPer] = fits16 && small >= 64 ? [16, 4] : small >= 32 ? [8, 4] : small >= 16 ? [8, 2] : [8, 1];
  let tile: GemmTile = ctx.options.tile ?? auto[0];
  if (tile === 16 && !fits16) tile = 8;
  const per: GemmPer = ctx.options.per ?? (ctx.options.tile ? ([4, 2, 1] as const).find((r) => tile * r <= small) ?? 1 : auto[1]);
  const side = tile * per;
  const groups = gemmGroups(shape, side, ctx.limits.maxComputeWorkgroupsPerDimension);
  if (!groups) return ref(`the ${side}×${side}-tile grid of ${shape.rows}×${shape.cols}×${shape.batch} exceeds the adapter's workgroups per dimension`);
  const tiled = gemmDispatch({ problem, tile, per, packed: false, prepacked: false }, gcall, reference[0], groups);
  const tiledOnly = (why: string): NodeKernels => ({ main: [tiled], choice: { node: node.name, op: node.op, kernel: 'tiled', tile, per, why } });

  if (ctx.options.packed === false) return tiledOnly('packed kernels turned off');
  if (!ctx.packedDot?.ok) return tiledOnly(`no packed kernels on this device: ${ctx.packedDot?.reason ?? 'not checked'}`);
  const operands = [node.inputs[0], node.inputs[1]];
  const names = ['x', 'w'];
  const guard = new Set<number>();
  if (!ctx.options.unsafeAssumeInt8) {
    for (const [k, t] of operands.entries()) {
      const proof = int8Proof(ctx.ranges, t);
      if (proof.kind === 'unknown') return tiledOnly(`operand ${names[k]} (${ctx.graph.tensors[t].name}) is not provably int8`);
      if (proof.kind === 'input') guard.add(proof.input);
    }
  }
  const prepacked = ctx.graph.weights.has(node.inputs[1]);
  const packed = gemmDispatch({ problem, tile, per, packed: true, prepacked }, gcall, reference[0], groups);
  const why = ctx.options.unsafeAssumeInt8 ? 'int8 ASSUMED (unsafeAssumeInt8, testing only)' : 'both operands proven int8';
  if (guard.size === 0) return { main: [packed], choice: { node: node.name, op: node.op, kernel: 'packed', tile, per, why } };
  const inputs = [...guard];
  const names8 = inputs.map((t) => ctx.graph.tensors[t].name).join(', ');
  return {
    main: [tiled],
    guarded: { inputs, dispatches: [packed] },
    choice: { node: node.name, op: node.op, kernel: 'packed', tile, per, guard: inputs, fallback: 'tiled', why: `packed in runs where graph input(s) ${names8} are int8, else tiled` },
  };
}
