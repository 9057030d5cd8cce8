/**
 * Small WebGPU helpers shared by the executor, the Merkle kernels and the numerics probe: compiled pipelines
 * (cached per device), storage buffers, pre-built dispatches, one-pass submission and read-back.
 *
 * Every element kernel runs `WORKGROUP` invocations per workgroup over a 2-D grid of workgroups (the x
 * dimension is capped by maxComputeWorkgroupsPerDimension); params word 0 is the invocation count and word 1
 * the invocations per grid row, so a kernel's flat index is `gid.x + gid.y * P[1]`.
 */
import { GPU_CONSTS, type GpuDevice } from './device.ts';

export const WORKGROUP = 64;

const { GPUBufferUsage, GPUMapMode } = GPU_CONSTS;

export class GpuShaderError extends Error {
  constructor(key: string, message: string) {
    super(`WGSL kernel "${key}": ${message}`);
    this.name = 'GpuShaderError';
  }
}

/** Compile (once per device and key) a compute pipeline with entry point `main` and an automatic layout. */
export async function pipelineOf(gpu: GpuDevice, key: string, code: string, cache = true): Promise<GPUComputePipeline> {
  const hit = cache ? gpu.pipelines.get(key) : undefined;
  if (hit) return hit;
  const device = gpu.device;
  // No error scope here: pipelines compile concurrently and scopes are a per-device stack. Compilation
  // messages report shader errors; createComputePipelineAsync rejects on any other.
  const module = device.createShaderModule({ code, label: key });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw new GpuShaderError(key, errors.map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`).join('\n'));
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
  } catch (e) {
    throw new GpuShaderError(key, (e as Error).message);
  }
  if (cache) gpu.pipelines.set(key, pipeline);
  return pipeline;
}

/** A storage buffer of at least `bytes` (rounded up to 16, at least 16), optionally filled. */
export function storageBuffer(gpu: GpuDevice, bytes: number, label: string, data?: ArrayBufferView): GPUBuffer {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (size > gpu.limits.maxStorageBufferBindingSize) {
    throw new Error(`GPU: ${label} needs ${size} bytes, more than the adapter's ${gpu.limits.maxStorageBufferBindingSize}-byte storage binding limit`);
  }
  const buffer = gpu.device.createBuffer({
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    label,
    mappedAtCreation: data !== undefined,
  });
  if (data) {
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
  }
  return buffer;
}

/** A read-back buffer (MAP_READ | COPY_DST). */
export function stagingBuffer(gpu: GpuDevice, bytes: number, label: string): GPUBuffer {
  return gpu.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label });
}

/** One pre-built dispatch: pipeline, bind group and workgroup grid. */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  /** Workgroups in x, y and (tiled kernels: the batch) z. */
  groups: [number, number] | [number, number, number];
  label: string;
}

/** Workgroup grid for `threads` invocations of a kernel with `perGroup` invocations per workgroup. */
export function grid(gpu: GpuDevice, threads: number, perGroup = WORKGROUP): { groups: [number, number]; rowThreads: number } {
  const total = Math.max(1, Math.ceil(threads / perGroup));
  const x = Math.min(total, gpu.limits.maxComputeWorkgroupsPerDimension);
  const y = Math.ceil(total / x);
  if (y > gpu.limits.maxComputeWorkgroupsPerDimension) throw new Error(`GPU: ${threads} invocations exceed the dispatch grid`);
  return { groups: [x, y], rowThreads: x * perGroup };
}

/** Bind `buffers` at bindings 0, 1, 2, … of group 0 of `pipeline`. */
export function bindGroup(gpu: GpuDevice, pipeline: GPUComputePipeline, buffers: GPUBuffer[], label: string): GPUBindGroup {
  return gpu.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    label,
  });
}

/** Record `dispatches` in one compute pass (WebGPU orders each dispatch's writes before the next one's reads). */
export function encodeDispatches(encoder: GPUCommandEncoder, dispatches: readonly Dispatch[]): void {
  if (dispatches.length === 0) return;
  const pass = encoder.beginComputePass();
  let current: GPUComputePipeline | undefined;
  for (const d of dispatches) {
    if (d.pipeline !== current) {
      pass.setPipeline(d.pipeline);
      current = d.pipeline;
    }
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2] ?? 1);
  }
  pass.end();
}

/** Submit `encoder`, then map `staging` and return a copy of its first `bytes` bytes. */
export async function submitAndRead(gpu: GpuDevice, encoder: GPUCommandEncoder, staging: GPUBuffer, bytes: number): Promise<Uint8Array> {
  const device = gpu.device;
  device.pushErrorScope('validation');
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new Error(`GPU: ${error.message}`);
  await staging.mapAsync(GPUMapMode.READ, 0, Math.max(16, Math.ceil(bytes / 16) * 16));
  const out = new Uint8Array(bytes);
  out.set(new Uint8Array(staging.getMappedRange(0, Math.max(16, Math.ceil(bytes / 16) * 16)), 0, bytes));
  staging.unmap();
  return out;
}

/** Params buffer from int32 words. */
export function paramsBuffer(gpu: GpuDevice, words: readonly number[], label: string): GPUBuffer {
  return storageBuffer(gpu, words.length * 4, label, Int32Array.from(words));
}
