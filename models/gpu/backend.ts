/**
 * Backend choice for callers (the CLI's `--backend gpu|cpu|auto`): run an integer graph with commitments on
 * the CPU executor or the GPU executor, and say which one ran and why.
 *
 * - `cpu`: models/int/execute.ts runGraph.
 * - `gpu`: the best adapter openGpu finds (a hardware GPU, else Dawn's OpenGL ES backend on llvmpipe); any
 *   failure (no adapter, an op without a GPU kernel, a graph too big for one storage binding, a numerics
 *   self-check mismatch) is an error.
 * - `auto`: a hardware adapter of that order, used when it passes the numerics self-check; else the CPU. A
 *   software adapter (llvmpipe, lavapipe, SwiftShader) is not taken: on it the GPU executor is no faster than
 *   the CPU executor, and opening it plus the self-check cost ~0.3 s per command. Never fails because of the GPU.
 * The results are bit-identical either way (test/gpu), so the choice only changes speed.
 */
import type { GraphRun } from '../int/execute.ts';
import { runGraph } from '../int/execute.ts';
import type { IntGraph } from '../int/graph.ts';
import type { Backend } from './backendChoice.ts';
// The GPU modules (Dawn through the webgpu package) load only when a run asks for a GPU: `--backend cpu` and
// the CLI's light commands never pay for them.
import type { GpuDevice } from './device.ts';
import type { GpuRunOptions } from './executor.ts';
import type { verifyGpuNumerics } from './probe.ts';

export { BACKENDS, type Backend } from './backendChoice.ts';

/** The self-check result per device (run once per device). */
const checked = new WeakMap<GpuDevice, ReturnType<typeof verifyGpuNumerics>>();
function selfCheck(gpu: GpuDevice): ReturnType<typeof verifyGpuNumerics> {
  let r = checked.get(gpu);
  if (!r) {
    r = import('./probe.ts').then((p) => p.verifyGpuNumerics(gpu));
    checked.set(gpu, r);
  }
  return r;
}

export class GpuBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuBackendError';
  }
}

export interface BackendRun {
  run: GraphRun;
  /** 'cpu' or 'gpu'. */
  used: 'cpu' | 'gpu';
  /** For people: the adapter, or why the CPU ran. */
  detail: string;
}

/**
 * Run `graph` on `inputs` with commitments on the chosen backend. `gpu` may pass an already open device
 * (kept open); otherwise one is opened for this call and destroyed afterwards.
 */
export async function runGraphOn(
  backend: Backend,
  graph: IntGraph,
  inputs: readonly Int32Array[],
  options: GpuRunOptions & { gpu?: GpuDevice } = {},
): Promise<BackendRun> {
  const cpu = (why: string): BackendRun => ({ run: runGraph(graph, inputs), used: 'cpu', detail: why });
  if (backend === 'cpu') return cpu('cpu executor');
  const [{ openGpu }, { GpuCapacityError, GpuUnsupportedError, runGraphGpu }] = await Promise.all([import('./device.ts'), import('./executor.ts')]);
  let device = options.gpu;
  let own = false;
  if (!device) {
    const opened = await openGpu({ prefer: backend === 'auto' ? 'hardware' : 'auto' });
    if (!opened.ok) {
      if (backend === 'gpu') throw new GpuBackendError(`--backend gpu: ${opened.reason} (${opened.attempts.join('; ')})`);
      return cpu(`cpu executor (no GPU adapter: ${opened.attempts.join('; ')})`);
    }
    device = opened.gpu;
    own = true;
  }
  try {
    const bad = await selfCheck(device);
    if (bad.length > 0) {
      const first = bad[0];
      const why = `${device.describe()} fails the numerics self-check (${bad.length} mismatches, e.g. ${first.fn}(${first.args.join(', ')}) = ${first.gpu}, expected ${first.cpu})`;
      if (backend === 'gpu') throw new GpuBackendError(why);
      return cpu(`cpu executor (${why})`);
    }
    try {
      const run = await runGraphGpu(device, graph, inputs, options);
      return { run, used: 'gpu', detail: device.describe() };
    } catch (e) {
      if (backend === 'auto' && (e instanceof GpuUnsupportedError || e instanceof GpuCapacityError)) return cpu(`cpu executor (${e.message})`);
      throw e;
    }
  } finally {
    if (own) device.destroy();
  }
}
