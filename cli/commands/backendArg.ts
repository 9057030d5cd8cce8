/** `--backend auto|gpu|cpu`: which native executor produces the run the commands commit to. */
import { GpuBackendError, runGraphOn, type Backend } from '../../models/gpu/backend.ts';
import type { GraphRun } from '../../models/int/execute.ts';
import type { IntGraph } from '../../models/int/graph.ts';
import type { LoweringOptions } from '../../models/int/tiles/options.ts';
import { HonestClaims } from '../game/claims.ts';
import { ExitCode, OpmlError } from '../errors.ts';

export { parseBackend } from './backendParse.ts';

/** Run the graph with commitments on the chosen backend; `all` keeps every node's words (the game needs them). */
export async function nativeRun(backend: Backend, graph: IntGraph, inputs: Int32Array[], readback: 'all' | 'outputs' = 'all'): Promise<{ run: GraphRun; detail: string }> {
  try {
    const r = await runGraphOn(backend, graph, inputs, { readback });
    return { run: r.run, detail: r.detail };
  } catch (err) {
    if (err instanceof GpuBackendError) throw new OpmlError(err.message, ExitCode.INPUT, 'use --backend cpu (or auto) on a machine without a usable GPU');
    throw err;
  }
}

/** Honest claims whose graph run came from the chosen native backend. */
export async function honestClaims(backend: Backend, graph: IntGraph, inputs: Int32Array[], onDetail?: (d: string) => void, lowering: LoweringOptions = {}): Promise<HonestClaims> {
  const { run, detail } = await nativeRun(backend, graph, inputs);
  onDetail?.(detail);
  return new HonestClaims(graph, inputs, undefined, run, lowering);
}
