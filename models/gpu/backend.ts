/**
 * Backend choice for callers (the CLI's `--backend gpu|cpu|auto`): run an integer graph with commitments on
 * the CPU executor or the GPU executor, and say which one ran and why.
 *
 * - `cpu`: models/int/execute.ts runGraph, with the roots on a worker thread where that pays (overlappedRun.ts).
 * - `gpu`: the best adapter openGpu finds (a hardware GPU, else Dawn's OpenGL ES backend on llvmpipe); any
 *   failure (no adapter, an op without a GPU kernel, a graph too big for one storage binding, a numerics
 *   self-check mismatch) is an error.
 * - `auto`: a hardware adapter of that order, when it passes the numerics self-check, and then whichever of
 *   the GPU and the CPU executor was faster for this model class on this adapter: measured on the first run
 *   (and the two runs' commitments compared) and saved (autoChoice.ts), so later runs just take the saved
 *   choice; the detail line says which and why. A software adapter (llvmpipe, lavapipe, SwiftShader) is not
 *   taken: on it the GPU executor is no faster than the CPU executor, and opening it plus the self-check cost
 *   ~0.3 s per command. Never fails because of the GPU.
 * The results are bit-identical either way (test/gpu), so the choice only changes speed.
 */
import type { GraphRun } from '../int/execute.ts';
import { runGraph } from '../int/execute.ts';
import { runGraphOverlapped } from '../int/overlappedRun.ts';
import type { IntGraph } from '../int/graph.ts';
import type { Backend } from './backendChoice.ts';
// The GPU modules (Dawn through the webgpu package) load only when a run asks for a GPU: `--backend cpu` and
// the CLI's light commands never pay for them.
import type { GpuDevice } from './device.ts';
import type { GpuRunOptions } from './executor.ts';
import type { verifyGpuNumerics } from './probe.ts';
import { choicesFile, decide, modelClassOf, saveChoice, savedChoice, timings } from './autoChoice.ts';

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

export interface BackendOptions extends GpuRunOptions {
  /** An open device to use (kept open); otherwise one is opened for the call and destroyed afterwards. */
  gpu?: GpuDevice;
  /** Where `auto` keeps its measured choices (default: autoChoice.ts choicesFile()). */
  choices?: string;
  /**
   * Which adapters `auto` may take: 'hardware' (default). Tests pass 'auto' to exercise the measured choice
   * on a software adapter; a device passed in `gpu` is taken as is.
   */
  autoAdapters?: 'hardware' | 'auto';
}

/** Run `graph` on `inputs` with commitments on the chosen backend. */
export async function runGraphOn(
  backend: Backend,
  graph: IntGraph,
  inputs: readonly Int32Array[],
  options: BackendOptions = {},
): Promise<BackendRun> {
  // The CPU executor roots tensors on a worker thread beside the execution where that pays (overlappedRun.ts).
  const cpu = async (why: string): Promise<BackendRun> => ({ run: await runGraphOverlapped(graph, inputs), used: 'cpu', detail: why });
  if (backend === 'cpu') return cpu('cpu executor');
  const [{ openGpu }, { GpuCapacityError, GpuUnsupportedError, runGraphGpu }] = await Promise.all([import('./device.ts'), import('./executor.ts')]);
  let device = options.gpu;
  let own = false;
  if (!device) {
    const opened = await openGpu({ prefer: backend === 'auto' ? (options.autoAdapters ?? 'hardware') : 'auto' });
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
      if (backend === 'gpu') return { run: await runGraphGpu(device, graph, inputs, options), used: 'gpu', detail: device.describe() };
      return await measuredChoice(device, graph, inputs, options, (d, g, i) => runGraphGpu(d, g, i, options));
    } catch (e) {
      if (backend === 'auto' && (e instanceof GpuUnsupportedError || e instanceof GpuCapacityError)) return cpu(`cpu executor (${e.message})`);
      throw e;
    }
  } finally {
    if (own) device.destroy();
  }
}

/**
 * `auto` on a usable adapter: the saved choice for (adapter, model class), else a measurement (autoChoice.ts)
 * that is saved for the next run. The run returned is the chosen backend's.
 */
async function measuredChoice(
  device: GpuDevice,
  graph: IntGraph,
  inputs: readonly Int32Array[],
  options: BackendOptions,
  gpuRun: (d: GpuDevice, g: IntGraph, i: readonly Int32Array[]) => Promise<GraphRun>,
): Promise<BackendRun> {
  const file = options.choices ?? choicesFile();
  const adapter = device.describe();
  const modelClass = modelClassOf(graph);
  const saved = savedChoice(file, adapter, modelClass);
  if (saved) {
    const why = `auto: saved choice for this model class on ${adapter} (${timings(saved)}, measured ${saved.measuredAt}; ${saved.reason}; ${file})`;
    if (saved.backend === 'cpu') return { run: runGraph(graph, inputs), used: 'cpu', detail: `cpu executor (${why})` };
    return { run: await gpuRun(device, graph, inputs), used: 'gpu', detail: `${adapter} (${why})` };
  }
  const gpuFirst = await gpuRun(device, graph, inputs);
  let t = performance.now();
  await gpuRun(device, graph, inputs);
  const gpuMs = performance.now() - t;
  let cpuMs = Infinity;
  let cpuRun: GraphRun | undefined;
  for (let i = 0; i < 2; i++) {
    t = performance.now();
    cpuRun = runGraph(graph, inputs);
    cpuMs = Math.min(cpuMs, performance.now() - t);
  }
  const run = cpuRun as GraphRun;
  const agreed = run.states.length === gpuFirst.states.length && run.states.every((s, i) => s === gpuFirst.states[i]);
  const choice = decide(cpuMs, gpuMs, agreed);
  const unsaved = saveChoice(file, adapter, modelClass, choice);
  const why = `auto: measured for this model class on ${adapter}: ${timings(choice)}; ${choice.reason}; ${unsaved ? `not saved: ${unsaved}` : `saved in ${file}`}`;
  return choice.backend === 'gpu' ? { run: gpuFirst, used: 'gpu', detail: `${adapter} (${why})` } : { run, used: 'cpu', detail: `cpu executor (${why})` };
}
