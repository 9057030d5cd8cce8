/**
 * Backend choice for callers (the CLI's `--backend gpu|cpu|auto`): run an integer graph with commitments on
 * the CPU executor or the GPU executor, and say which one ran and why.
 *
 * - `cpu`: models/int/execute.ts runGraph.
 * - `gpu`: the best adapter openGpu finds (a hardware GPU, else Dawn's OpenGL ES backend on llvmpipe); any
 *   failure (no adapter, an op without a GPU kernel, a graph too big for one storage binding, a numerics
 *   self-check mismatch) is an error.
 * - `auto`: the same adapter order as `gpu` (a hardware GPU, else Dawn's OpenGL ES backend on llvmpipe), used
 *   when it passes the numerics self-check; else the CPU. Never fails because of the GPU.
 * The results are bit-identical either way (test/gpu), so the choice only changes speed.
 */
import type { GraphRun } from '../int/execute.ts';
import { runGraph } from '../int/execute.ts';
import type { IntGraph } from '../int/graph.ts';
import { openGpu, type GpuDevice } from './device.ts';
import { GpuCapacityError, GpuUnsupportedError, runGraphGpu, type GpuRunOptions } from './executor.ts';
import { verifyGpuNumerics } from './probe.ts';

export type Backend = 'gpu' | 'cpu' | 'auto';
export const BACKENDS: readonly Backend[] = ['auto', 'gpu', 'cpu'];

/** The self-check result per device (run once per device). */
const checked = new WeakMap<GpuDevice, ReturnType<typeof verifyGpuNumerics>>();
function selfCheck(gpu: GpuDevice): ReturnType<typeof verifyGpuNumerics> {
  let r = checked.get(gpu);
  if (!r) {
    r = verifyGpuNumerics(gpu);
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
  let device = options.gpu;
  let own = false;
  if (!device) {
    const opened = await openGpu({ prefer: 'auto' });
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
