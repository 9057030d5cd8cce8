/**
 * Calibration samples of a decode step: the float decode graph run over token windows one position at a time
 * (caches carried in float, from zeros), the step's feeds kept at every `every`-th position. Every party derives
 * them from the same windows, so they derive the same integer step and the same model id.
 */
import type { Feeds } from '../float/evaluate.ts';
import { evaluate } from '../float/evaluate.ts';
import type { FloatGraph, Tensor } from '../graph.ts';
import { numElements } from '../graph.ts';
import type { DecodeInterface } from './decodeGraph.ts';

export function decodeCalibration(g: FloatGraph, face: DecodeInterface, windows: readonly ArrayLike<number>[], every = 2): Feeds[] {
  const feeds: Feeds[] = [];
  for (const w of windows) {
    let caches: Record<string, Tensor> = {};
    for (const name of face.caches) {
      const dims = g.values.get(name)!.dims;
      caches[name] = { dims, data: new Float32Array(numElements(dims)) };
    }
    for (let pos = 0; pos < w.length; pos++) {
      const f: Record<string, Tensor> = { token: { dims: [1, 1], data: Int32Array.of(w[pos]) }, pos: { dims: [1], data: Int32Array.of(pos) }, ...caches };
      if (pos % every === 0) feeds.push(f);
      if (pos === w.length - 1) break;
      const ev = evaluate(g, f);
      caches = Object.fromEntries(face.caches.map((name, i) => [name, ev.outputs[i + 1]]));
    }
  }
  return feeds;
}
