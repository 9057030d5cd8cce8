/**
 * Tensor roots on the GPU, equal bit for bit to vm/merkle.ts `MerkleTree.ofWords(words).root()` (the
 * models/int/roots.ts `tensorRoot`): leaves of 8 big-endian int32 words, zero-padded to 2^depth leaves with
 * depth = tensorDepth(n), inner node = keccak256(left ‖ right).
 *
 * Many tensors are rooted together, in few dispatches with every workgroup busy:
 * - `merkle` (one dispatch per level, only for tensors of more than FINISH_WORDS words): each workgroup
 *   hashes up to WORKGROUP nodes of one tensor at one level, from a descriptor (source offset, destination
 *   offset, node count, valid words). Level 1 reads the tensor's words from the arena (node i = keccak of
 *   words 16i..16i+15, zero past n); level h > 1 reads level h-1 from the hash buffer. A tensor stops once
 *   its level holds FINISH_NODES nodes.
 * - `merkle_finish` (one dispatch for all tensors): one workgroup per tensor reduces the last FINISH_NODES
 *   nodes (or, for a tensor of at most FINISH_WORDS words, all of its tree from the words) in workgroup
 *   memory; a depth-0 tensor (≤ 8 words) has its single leaf as root.
 * So a graph whose tensors are all small (every zoo model's) is rooted in one dispatch. Roots land in the
 * roots region (8 words per slot) at the start of the hash buffer and come back in one copy.
 * Keccak works in lane form (models/gpu/wgsl/keccak.ts): a root's 8 u32 in memory are its 32 bytes in order.
 */
import { bytesToHex, type Hex } from 'viem';
import { tensorDepth } from '../../vm/merkle.ts';
import type { GpuDevice } from './device.ts';
import { bindGroup, encodeDispatches, paramsBuffer, pipelineOf, stagingBuffer, storageBuffer, submitAndRead, WORKGROUP, type Dispatch } from './runtime.ts';
import { KECCAK_WGSL } from './wgsl/keccak.ts';

const DESCRIPTOR = 4;
const FINISH_DESCRIPTOR = 5;
/** Nodes a finishing workgroup reduces in workgroup memory (2 per invocation). */
export const FINISH_NODES = 2 * WORKGROUP;
/** Largest tensor whose whole tree one finishing workgroup computes from the words. */
export const FINISH_WORDS = 16 * FINISH_NODES;

export const MERKLE_KEY = 'merkle';
export const MERKLE_FINISH_KEY = 'merkle_finish';

/** P = [from words (1) or nodes (0), workgroups per grid row, then DESCRIPTOR words per workgroup]. */
export const MERKLE_WGSL = /* wgsl */ `${KECCAK_WGSL}
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read> S: array<u32>;
@group(0) @binding(2) var<storage, read_write> H: array<u32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let d = 2u + ${DESCRIPTOR}u * (wg.x + wg.y * P[1]);
  let src = P[d];
  let dst = P[d + 1u];
  let count = P[d + 2u];
  let n = P[d + 3u];
  let last = max(n, 1u) - 1u;
  if (t >= count) { return; }
  var m: array<u32, 16>;
  if (P[0] == 1u) {
    for (var k = 0u; k < 16u; k = k + 1u) {
      let j = 16u * t + k;
      m[k] = select(0u, bswap32(S[src + min(j, last)]), j < n);
    }
  } else {
    for (var k = 0u; k < 16u; k = k + 1u) { m[k] = H[src + 16u * t + k]; }
  }
  let h = keccak64(m);
  for (var k = 0u; k < 8u; k = k + 1u) { H[dst + 8u * t + k] = h[k]; }
}
`;

/**
 * P = [workgroups per grid row, then FINISH_DESCRIPTOR words per workgroup: mode (0: from words, 1: from
 * nodes, 2: padding), source offset, root offset, node count c (mode 1) or depth (mode 0), valid words n].
 */
export const MERKLE_FINISH_WGSL = /* wgsl */ `${KECCAK_WGSL}
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read> S: array<u32>;
@group(0) @binding(2) var<storage, read_write> H: array<u32>;

var<workgroup> sh: array<u32, ${8 * FINISH_NODES}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let d = 1u + ${FINISH_DESCRIPTOR}u * (wg.x + wg.y * P[0]);
  let mode = P[d];
  let src = P[d + 1u];
  let dst = P[d + 2u];
  let n = P[d + 4u];
  let last = max(n, 1u) - 1u;
  if (mode == 2u) { return; }
  var c = P[d + 3u];
  if (mode == 0u) {
    let depth = c;
    if (depth == 0u) {
      if (t < 8u) { H[dst + t] = select(0u, bswap32(S[src + min(t, last)]), t < n); }
      return;
    }
    c = 1u << (depth - 1u);
    for (var i = t; i < c; i = i + ${WORKGROUP}u) {
      var m: array<u32, 16>;
      for (var k = 0u; k < 16u; k = k + 1u) {
        let j = 16u * i + k;
        m[k] = select(0u, bswap32(S[src + min(j, last)]), j < n);
      }
      let h = keccak64(m);
      for (var k = 0u; k < 8u; k = k + 1u) { sh[8u * i + k] = h[k]; }
    }
  } else {
    for (var i = t; i < 8u * c; i = i + ${WORKGROUP}u) { sh[i] = H[src + i]; }
  }
  workgroupBarrier();
  while (c > 1u) {
    c = c / 2u;
    var h: array<u32, 8>;
    if (t < c) {
      var m: array<u32, 16>;
      for (var k = 0u; k < 16u; k = k + 1u) { m[k] = sh[16u * t + k]; }
      h = keccak64(m);
    }
    workgroupBarrier();
    if (t < c) {
      for (var k = 0u; k < 8u; k = k + 1u) { sh[8u * t + k] = h[k]; }
    }
    workgroupBarrier();
  }
  if (t < 8u) { H[dst + t] = sh[t]; }
}
`;

/** A tensor to root: its word offset in the arena, its size, and the roots slot its root goes to. */
export interface RootJob {
  offset: number;
  words: number;
  slot: number;
}

export interface RootPlan {
  /** Per level (1, 2, …): the descriptors of its `merkle` workgroups, DESCRIPTOR words each. */
  levels: number[][];
  /** The `merkle_finish` descriptors, one workgroup per tensor, FINISH_DESCRIPTOR words each. */
  finish: number[];
  /** Words of the hash buffer: roots region (8 per slot), then the inner levels of the large tensors. */
  hashWords: number;
}

/** Lay out the levels of every job's tree in one hash buffer and cut them into workgroup descriptors. */
export function planRoots(jobs: readonly RootJob[], slots: number): RootPlan {
  const levels: number[][] = [];
  const finish: number[] = [];
  const at = (h: number): number[] => (levels[h - 1] ??= []);
  let next = 8 * slots;
  for (const job of jobs) {
    const depth = tensorDepth(job.words);
    const root = 8 * job.slot;
    if (job.words <= FINISH_WORDS) {
      finish.push(0, job.offset, root, depth, job.words);
      continue;
    }
    // Levels 1 .. depth - log2(FINISH_NODES) here, the last FINISH_NODES nodes in the finishing workgroup.
    let below = job.offset;
    for (let h = 1; 2 ** (depth - h) >= FINISH_NODES; h++) {
      const count = 2 ** (depth - h);
      const dst = next;
      next += 8 * count;
      for (let c = 0; c * WORKGROUP < count; c++) {
        const first = c * WORKGROUP;
        at(h).push(below + 16 * first, dst + 8 * first, Math.min(WORKGROUP, count - first), h === 1 ? Math.max(0, job.words - 16 * first) : 0);
      }
      below = dst;
    }
    finish.push(1, below, root, FINISH_NODES, 0);
  }
  return { levels, finish, hashWords: next };
}

export interface MerklePipelines {
  level: GPUComputePipeline;
  finish: GPUComputePipeline;
}

/** The Merkle pipelines (cached per device unless `patch` rewrites their sources). */
export async function merklePipelines(gpu: GpuDevice, patch?: (key: string, code: string) => string): Promise<MerklePipelines> {
  const one = (key: string, code: string) => (patch ? pipelineOf(gpu, key, patch(key, code), false) : pipelineOf(gpu, key, code));
  const [level, finish] = await Promise.all([one(MERKLE_KEY, MERKLE_WGSL), one(MERKLE_FINISH_KEY, MERKLE_FINISH_WGSL)]);
  return { level, finish };
}

/** The dispatches of `plan` (levels, then the finish), reading words from `arena` and writing `hashes`; plus their params buffers. */
export function rootDispatches(
  gpu: GpuDevice,
  pipes: MerklePipelines,
  plan: RootPlan,
  arena: GPUBuffer,
  hashes: GPUBuffer,
): { dispatches: Dispatch[]; buffers: GPUBuffer[] } {
  const dispatches: Dispatch[] = [];
  const buffers: GPUBuffer[] = [];
  const maxX = gpu.limits.maxComputeWorkgroupsPerDimension;
  plan.levels.forEach((descriptors, l) => {
    const groups = descriptors.length / DESCRIPTOR;
    if (groups === 0) return;
    const x = Math.min(groups, maxX);
    const y = Math.ceil(groups / x);
    // Pad the last grid row with empty descriptors (no node to hash).
    const padded = [...descriptors];
    for (let g = groups; g < x * y; g++) padded.push(0, 0, 0, 0);
    const fromWords = l === 0 ? 1 : 0;
    const params = paramsBuffer(gpu, [fromWords, x, ...padded], `merkle level ${l + 1} params`);
    buffers.push(params);
    dispatches.push({ pipeline: pipes.level, bindGroup: bindGroup(gpu, pipes.level, [params, arena, hashes], `merkle level ${l + 1}`), groups: [x, y], label: `merkle level ${l + 1}` });
  });
  const groups = plan.finish.length / FINISH_DESCRIPTOR;
  if (groups > 0) {
    const x = Math.min(groups, maxX);
    const y = Math.ceil(groups / x);
    const padded = [...plan.finish];
    for (let g = groups; g < x * y; g++) padded.push(2, 0, 0, 0, 0);
    const params = paramsBuffer(gpu, [x, ...padded], 'merkle finish params');
    buffers.push(params);
    dispatches.push({ pipeline: pipes.finish, bindGroup: bindGroup(gpu, pipes.finish, [params, arena, hashes], 'merkle finish'), groups: [x, y], label: 'merkle finish' });
  }
  return { dispatches, buffers };
}

/** The root in slot `slot` of read-back roots bytes. */
export function rootAt(bytes: Uint8Array, slot: number): Hex {
  return bytesToHex(bytes.subarray(slot * 32, slot * 32 + 32));
}

/** Word offsets for tensors of `sizes` packed in one arena (each aligned to ALIGN words), and its total. */
export const ALIGN = 64;
export function packOffsets(sizes: readonly number[], start = 0): { offsets: number[]; end: number } {
  let at = start;
  const offsets = sizes.map((n) => {
    const o = at;
    at += Math.ceil(n / ALIGN) * ALIGN;
    return o;
  });
  return { offsets, end: at };
}

/**
 * Roots of standalone tensors on the GPU (tests, benchmarks): pack them into one arena, hash, read back the
 * 32-byte roots. `patch` rewrites the kernel source (mutation tests).
 */
export async function tensorRootsGpu(gpu: GpuDevice, tensors: readonly ArrayLike<number>[], patch?: (key: string, code: string) => string): Promise<Hex[]> {
  const roots = await prepareTensorRoots(gpu, tensors.map((t) => t.length), patch);
  try {
    tensors.forEach((t, i) => roots.write(i, t instanceof Int32Array ? t : Int32Array.from(t)));
    return await roots.run();
  } finally {
    roots.destroy();
  }
}

/** Reusable buffers and dispatches for rooting tensors of the given sizes: `write` each, then `run`. */
export async function prepareTensorRoots(
  gpu: GpuDevice,
  sizes: readonly number[],
  patch?: (key: string, code: string) => string,
): Promise<{ write: (i: number, words: Int32Array) => void; run: () => Promise<Hex[]>; destroy: () => void }> {
  const pipes = await merklePipelines(gpu, patch);
  const { offsets, end } = packOffsets(sizes);
  const arena = storageBuffer(gpu, end * 4, 'tensors');
  const plan = planRoots(sizes.map((words, slot) => ({ offset: offsets[slot], words, slot })), sizes.length);
  const hashes = storageBuffer(gpu, plan.hashWords * 4, 'merkle levels');
  const staging = stagingBuffer(gpu, sizes.length * 32, 'roots read-back');
  const { dispatches, buffers } = rootDispatches(gpu, pipes, plan, arena, hashes);
  const owned = [arena, hashes, staging, ...buffers];
  return {
    write(i, words) {
      if (words.length !== sizes[i]) throw new Error(`tensor ${i} has ${words.length} words, expected ${sizes[i]}`);
      if (words.length > 0) gpu.device.queue.writeBuffer(arena, offsets[i] * 4, words.buffer, words.byteOffset, words.byteLength);
    },
    async run() {
      const encoder = gpu.device.createCommandEncoder();
      encodeDispatches(encoder, dispatches);
      encoder.copyBufferToBuffer(hashes, 0, staging, 0, sizes.length * 32);
      const bytes = await submitAndRead(gpu, encoder, staging, sizes.length * 32);
      return sizes.map((_, i) => rootAt(bytes, i));
    },
    destroy() {
      for (const b of owned) b.destroy();
    },
  };
}
