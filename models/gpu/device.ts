/**
 * GPU adapter selection for the native GPU executor (docs/GPU.md), through Dawn for Node (npm `webgpu`).
 *
 * Order tried (`prefer: 'auto'`):
 *   1. the platform's default backend (Vulkan / Metal / D3D12), core feature level, high-performance adapter,
 *      taken only when it is a hardware adapter (not a fallback / CPU rasterizer);
 *   2. Dawn's OpenGL ES backend in compatibility mode: on a machine without a GPU this is Mesa's llvmpipe
 *      (needs libEGL + libGLESv2 and `EGL_PLATFORM=surfaceless`, which is set here when unset);
 *   3. a software adapter of the default backend (e.g. a lavapipe that Dawn accepts), if step 1 offered one.
 * Nothing found: `{ ok: false, reason }`, and the caller falls back to the CPU executor.
 * `prefer: 'hardware'` (what `--backend auto` asks for) takes steps 1 and 2 only for a hardware adapter: a
 * software one is reported and never opened.
 *
 * `GpuDevice.destroy()` destroys the device and drops every reference to Dawn, so node exits normally.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { create, globals } from 'webgpu';

export type GpuPreference = 'auto' | 'hardware' | 'software';

export interface GpuAdapterReport {
  /** 'default' (the platform's native backend) or 'opengles' (Dawn's GL ES backend). */
  backend: 'default' | 'opengles';
  featureLevel: 'core' | 'compatibility';
  /** Whether it runs on a CPU (llvmpipe, lavapipe, SwiftShader, a fallback adapter). */
  software: boolean;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** One line for people: `llvmpipe-llvm-15... (OpenGL ES 3.2 Mesa 22.3.6; opengles backend, compatibility, software)`. */
export function describeAdapter(r: GpuAdapterReport): string {
  const name = [r.vendor, r.architecture, r.device].filter((s) => s.length > 0).join(' ') || 'unnamed adapter';
  const details = [r.description, `${r.backend} backend`, r.featureLevel, r.software ? 'software' : 'hardware'].filter((s) => s.length > 0);
  return `${name} (${details.join('; ')})`;
}

/** WebGPU constants (the `GPUBufferUsage` / `GPUMapMode` globals of dawn.node, without touching globalThis). */
interface DawnGlobals {
  GPUBufferUsage: { MAP_READ: number; MAP_WRITE: number; COPY_SRC: number; COPY_DST: number; STORAGE: number; UNIFORM: number };
  GPUMapMode: { READ: number; WRITE: number };
}
export const GPU_CONSTS = globals as unknown as DawnGlobals;

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

function report(adapter: GPUAdapter, backend: GpuAdapterReport['backend'], featureLevel: GpuAdapterReport['featureLevel']): GpuAdapterReport {
  const info = adapter.info;
  const r = {
    backend,
    featureLevel,
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
  return { ...r, software: info?.isFallbackAdapter === true || SOFTWARE.test(`${r.vendor} ${r.architecture} ${r.device} ${r.description}`) };
}

/** Limits the executor relies on, requested at the adapter's own values (compatibility defaults are lower). */
const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** The WGSL language feature that provides `dot4I8Packed` (models/gpu/gemm.ts's packed kernels). */
export const PACKED_DOT_FEATURE = 'packed_4x8_integer_dot_product';

/** Optional capabilities of an opened device, as the adapter and the Dawn instance report them. */
export interface GpuCapabilities {
  /** The adapter's (and so the device's) optional features, e.g. 'shader-f16'. */
  features: string[];
  /** WGSL language features of the Dawn instance (`navigator.gpu.wgslLanguageFeatures` in a browser). */
  wgslFeatures: string[];
}

/** Storage buffers one kernel binds at most (params, output, four inputs). */
export const MIN_STORAGE_BUFFERS = 6;

export class GpuDevice {
  private gpu: GPU | undefined;
  private _device: GPUDevice | undefined;
  /** Compiled pipelines by kernel key (models/gpu/kernels.ts). */
  readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Per-graph state kept by the executor (models/gpu/executor.ts). */
  readonly graphs = new WeakMap<object, unknown>();
  /** One-time device self-checks by name (e.g. models/gpu/packedDot.ts), run on first use. */
  readonly checks = new Map<string, Promise<unknown>>();
  private lostReason: string | undefined;

  constructor(
    gpu: GPU,
    device: GPUDevice,
    readonly adapter: GpuAdapterReport,
    readonly limits: Readonly<Record<(typeof WANTED_LIMITS)[number], number>>,
    readonly capabilities: GpuCapabilities = { features: [], wgslFeatures: [] },
  ) {
    this.gpu = gpu;
    this._device = device;
    void device.lost.then((info) => {
      if (this._device) this.lostReason = `${info.reason}: ${info.message}`;
    });
  }

  get device(): GPUDevice {
    if (!this._device) throw new Error('GPU device was destroyed');
    if (this.lostReason) throw new Error(`GPU device lost (${this.lostReason})`);
    return this._device;
  }

  /**
   * Whether WGSL `dot4I8Packed` compiles here (the language feature is offered). Whether it also computes
   * right is models/gpu/packedDot.ts's check, which the executor runs before using it.
   */
  get packedDot(): boolean {
    return this.capabilities.wgslFeatures.includes(PACKED_DOT_FEATURE);
  }

  get destroyed(): boolean {
    return this._device === undefined;
  }

  /** One line for people. */
  describe(): string {
    return describeAdapter(this.adapter);
  }

  /** Destroy the device and release Dawn, so the process can exit. Idempotent. */
  destroy(): void {
    const d = this._device;
    this._device = undefined;
    this.pipelines.clear();
    this.checks.clear();
    d?.destroy();
    this.gpu = undefined;
  }
}

export type GpuOpenResult = { ok: true; gpu: GpuDevice } | { ok: false; reason: string; attempts: string[] };

async function device(gpu: GPU, adapter: GPUAdapter, r: GpuAdapterReport): Promise<GpuDevice> {
  const requiredLimits: Record<string, number> = {};
  const limits = {} as Record<(typeof WANTED_LIMITS)[number], number>;
  for (const k of WANTED_LIMITS) {
    const v = adapter.limits[k];
    requiredLimits[k] = v;
    limits[k] = v;
  }
  if (limits.maxStorageBuffersPerShaderStage < MIN_STORAGE_BUFFERS) {
    throw new Error(`the adapter offers ${limits.maxStorageBuffersPerShaderStage} storage buffers per stage; the executor needs ${MIN_STORAGE_BUFFERS}`);
  }
  if (limits.maxComputeInvocationsPerWorkgroup < 128 || limits.maxComputeWorkgroupSizeX < 128) {
    throw new Error('the adapter offers fewer than 128 invocations per workgroup');
  }
  const dev = await adapter.requestDevice({ requiredLimits, label: 'opml' });
  const capabilities: GpuCapabilities = {
    features: [...adapter.features].map(String).sort(),
    // A language feature needs no device request: it is a property of the instance's WGSL compiler.
    wgslFeatures: [...(gpu.wgslLanguageFeatures ?? [])].map(String).sort(),
  };
  return new GpuDevice(gpu, dev, r, limits, capabilities);
}

/**
 * On Linux Dawn's default backend is Vulkan; without the Vulkan loader it can only fail, and it says so on
 * stderr. Looking for the loader first keeps machines without a GPU quiet.
 */
function hasVulkanLoader(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu',
    '/usr/lib64', '/usr/lib', '/lib64', '/lib', '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(path.join(d, 'libvulkan.so.1')));
}

/**
 * Open the best adapter available (see the file comment). Never throws: failures come back as a reason, with
 * every attempt listed.
 */
export async function openGpu(options: { prefer?: GpuPreference } = {}): Promise<GpuOpenResult> {
  const prefer = options.prefer ?? 'auto';
  const attempts: string[] = [];
  let softwareDefault: { gpu: GPU; adapter: GPUAdapter; r: GpuAdapterReport } | undefined;

  if (prefer !== 'software' && !hasVulkanLoader()) {
    attempts.push('default backend: no Vulkan loader (libvulkan.so.1) on this machine');
  } else if (prefer !== 'software') {
    try {
      const gpu = create([]);
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) attempts.push('default backend: no adapter');
      else {
        const r = report(adapter, 'default', 'core');
        if (!r.software) {
          try {
            return { ok: true, gpu: await device(gpu, adapter, r) };
          } catch (e) {
            attempts.push(`default backend: ${describeAdapter(r)}: ${(e as Error).message}`);
          }
        } else {
          attempts.push(`default backend: only a software adapter, ${describeAdapter(r)}`);
          softwareDefault = { gpu, adapter, r };
        }
      }
    } catch (e) {
      attempts.push(`default backend: ${(e as Error).message}`);
    }
  }

  try {
    // Mesa's EGL picks its platform from the environment when the display is created: surfaceless needs no
    // window system (X11/Wayland). Set before Dawn creates its EGL display.
    process.env.EGL_PLATFORM ??= 'surfaceless';
    const gpu = create(['backend=opengles']);
    const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' });
    if (!adapter) attempts.push('opengles backend: no adapter (needs libEGL, libGLESv2 and a Mesa driver; EGL_PLATFORM=surfaceless)');
    else {
      const r = report(adapter, 'opengles', 'compatibility');
      if (r.software && prefer === 'hardware') {
        attempts.push(`opengles backend: only a software adapter, ${describeAdapter(r)}`);
        return { ok: false, reason: 'no hardware GPU adapter', attempts };
      }
      try {
        return { ok: true, gpu: await device(gpu, adapter, r) };
      } catch (e) {
        attempts.push(`opengles backend: ${describeAdapter(r)}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    attempts.push(`opengles backend: ${(e as Error).message}`);
  }

  if (prefer === 'hardware') return { ok: false, reason: 'no hardware GPU adapter', attempts };
  if (softwareDefault) {
    try {
      return { ok: true, gpu: await device(softwareDefault.gpu, softwareDefault.adapter, softwareDefault.r) };
    } catch (e) {
      attempts.push(`default backend (software): ${(e as Error).message}`);
    }
  }
  return { ok: false, reason: 'no adapter', attempts };
}

let shared: Promise<GpuOpenResult> | undefined;

/**
 * One GpuDevice per process, opened on first use (tests and the CLI share it). `closeSharedGpu` destroys it;
 * a process that never calls it still exits (Dawn holds no event-loop handle once the device is idle).
 */
export function sharedGpu(): Promise<GpuOpenResult> {
  shared ??= openGpu();
  return shared;
}

export async function closeSharedGpu(): Promise<void> {
  const s = shared;
  shared = undefined;
  const r = await s;
  if (r?.ok) r.gpu.destroy();
}
