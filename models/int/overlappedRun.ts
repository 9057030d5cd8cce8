/**
 * runGraph with the commitments computed beside the execution: while the main thread runs node i+1, a worker
 * thread (commitWorker.ts, driven by commitHost.ts) roots node i's output. The result is runGraph's, bit for
 * bit (same values, roots, states, outputs): the worker roots with the same vm/merkle.ts code, any tensor it
 * has not started when execution ends is rooted on the main thread, and the graph states are hashed at the
 * end (roots.ts graphStates, one batched call per level).
 *
 * When it pays (measured on the 2-core development machine, other agents sharing it; see the numbers below):
 * starting a worker costs ~0.3-0.9 s from the sources (tsx compiles the worker's modules) and ~70 ms from
 * dist/, while rooting runs at ~30 words/µs; and the overlap only gains when a second core is free. So:
 * - a run starts the worker itself only when the graph's tensors (inputs and node outputs) total at least
 *   SPAWN_MIN_WORDS (2^18 words, ~8 ms of rooting per run): there one run already pays back a bundled start;
 * - with a worker running (startCommitWorker, or an earlier large run) it is used from USE_MIN_WORDS (2^12
 *   words) on: below that the worker's wake-up (tens of µs) costs more than rooting on the main thread;
 * - otherwise a run is plain runGraph. OPML_COMMIT_WORKER=0 never uses a worker, =1 always does.
 * Measured (medians of 200 runs interleaved with runGraph, persistent worker, ~30% of the 2 cores idle
 * meanwhile): mnist-cnn 0.62 → 0.55 ms, tiny-transformer 1.49 → 1.05 ms, a 311k-word synthetic graph
 * 5.2 → 3.1 ms, a 2.2M-word one 65 → 43 ms. With both cores busy with other processes the overlap cannot gain
 * and costs some (x0.7-0.9 measured then): the worker is a bet on a free core.
 */
import type { Hex } from 'viem';
import { bytesToHex } from 'viem';
import { elementCount, stateSlots, type IntGraph } from './graph.ts';
import { CommitHost, type CommitStats } from './commitHost.ts';
import { checkInputs, executeGraph, runGraph, type GraphRun, type NodeOverride } from './execute.ts';
import { graphStates } from './roots.ts';

export { CommitWorkerError } from './commitHost.ts';

/** Tensor words (inputs and node outputs) from which a run starts a worker when none is running. */
export const SPAWN_MIN_WORDS = 1 << 18;

/** Tensor words below which a run roots on the main thread even when a worker runs (all of it takes < ~0.15 ms). */
export const USE_MIN_WORDS = 1 << 12;

/** Whether a run uses the worker: 'auto' (the threshold above), 'always', or 'never' (plain runGraph). */
export type CommitWorkerUse = 'auto' | 'always' | 'never';

export interface OverlapOptions {
  /** Default: OPML_COMMIT_WORKER (0 → 'never', 1 → 'always'), else 'auto'. */
  worker?: CommitWorkerUse;
  /**
   * false: the main thread leaves every queued tensor to the worker instead of rooting the ones the worker has
   * not started when execution ends (for tests and measurements: the worker then computes every root).
   */
  steal?: boolean;
}

let host: CommitHost | undefined;
/** Why the last worker failed to start: no further worker is started until closeCommitWorker(). */
let startError: Error | undefined;

function useFromEnv(): CommitWorkerUse {
  const v = process.env.OPML_COMMIT_WORKER;
  return v === '0' ? 'never' : v === '1' ? 'always' : 'auto';
}

/** The running worker, if any (a dead one is forgotten; one that died before starting stops further starts). */
function liveHost(): CommitHost | undefined {
  if (host?.dead) {
    if (!host.started) startError = host.error ?? new Error('the commit worker exited before it started');
    host = undefined;
  }
  return host;
}

/** Starts the worker if none runs (unless an earlier start failed); undefined when there is none. */
function ensureHost(words: number): CommitHost | undefined {
  if (liveHost()) return host;
  if (startError) return undefined;
  try {
    host = new CommitHost(words);
  } catch (e) {
    startError = e instanceof Error ? e : new Error(String(e));
    return undefined;
  }
  return host;
}

/** Total words of a graph's inputs and node outputs. */
export function graphTensorWords(graph: IntGraph): number {
  let words = 0;
  for (const t of graph.inputs) words += elementCount(graph.tensors[t].dims);
  for (const node of graph.nodes) words += elementCount(graph.tensors[node.output].dims);
  return words;
}

function hostFor(words: number, use: CommitWorkerUse): CommitHost | undefined {
  if (use === 'never') return undefined;
  if (use === 'always' || words >= SPAWN_MIN_WORDS) return ensureHost(words);
  return words >= USE_MIN_WORDS ? liveHost() : undefined;
}

/**
 * runGraph (models/int/execute.ts) with the tensor roots computed on a worker thread while the graph runs.
 * `onNode(i)` is called after node i runs (its root may still be pending). Resolves to exactly runGraph's
 * result; a worker that dies mid-run leaves its tensors to the main thread, never a hang.
 */
export async function runGraphOverlapped(
  graph: IntGraph,
  inputs: readonly Int32Array[],
  onNode?: (i: number) => void,
  override?: NodeOverride,
  options: OverlapOptions = {},
): Promise<GraphRun> {
  const words = graphTensorWords(graph);
  const worker = hostFor(words, options.worker ?? useFromEnv());
  if (!worker) return runGraph(graph, inputs, onNode, override);
  checkInputs(graph, inputs);
  const batch = worker.batch(words);
  let run: ReturnType<typeof executeGraph>;
  try {
    for (const x of inputs) batch.add(x);
    run = executeGraph(graph, inputs, (i, out) => {
      batch.add(out);
      onNode?.(i);
    }, override);
  } catch (e) {
    batch.abandon();
    throw e;
  }
  const rootBytes = await batch.roots(options.steal ?? true);
  const roots = new Map<number, Hex>();
  graph.inputs.forEach((t, i) => roots.set(t, bytesToHex(rootBytes[i])));
  graph.nodes.forEach((node, i) => roots.set(node.output, bytesToHex(rootBytes[graph.inputs.length + i])));
  const states = graphStates(stateSlots(graph).map((t) => roots.get(t) as Hex), graph.inputs.length);
  return { values: run.values, roots, states, outputs: run.outputs };
}

/**
 * Starts the worker now (for a process that will run many graphs: later runs of any size then use it), and
 * resolves once it runs. Rejects with CommitWorkerError when it cannot start.
 */
export async function startCommitWorker(): Promise<void> {
  startError = undefined;
  const h = ensureHost(0);
  if (!h) throw startError;
  await h.ready;
}

/** Ends the worker (runs in flight finish on the main thread) and forgets an earlier start failure. */
export async function closeCommitWorker(): Promise<void> {
  const h = host;
  host = undefined;
  startError = undefined;
  await h?.close();
}

/** Whether a worker runs, why the last start failed, and who rooted how many tensors (the current worker's). */
export function commitWorkerStatus(): { running: boolean; started: boolean; startError?: Error; stats?: CommitStats } {
  const h = liveHost();
  return { running: !!h, started: !!h?.started, startError, stats: h && { ...h.stats } };
}

/** Test hook: the worker thread itself (to terminate it behind the host's back). */
export function commitWorkerForTests(): import('node:worker_threads').Worker | undefined {
  return liveHost()?.worker;
}
