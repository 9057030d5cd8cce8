/**
 * Quantized zoo graphs kept between runs, for the bundled CLI only: quantizing a zoo model means loading the
 * ONNX protobuf code and calibrating on 64 samples on every `opml run`, a few hundred ms of a one-second start.
 *
 * The cache lives in dist/zoo-cache/, inside the bundle that computed it: scripts/build.mjs replaces dist/ as a
 * whole, so a cached graph never outlives the quantizer that made it, and bin/opml.js runs the sources (where
 * this cache is off) as soon as any source is newer than the bundle. Each file is named by the zoo model and a
 * hash of its .onnx bytes, and is an .opml file (keccak-checked on load). Calibration given by the user
 * (--calibration) is never cached. OPML_NO_ZOO_CACHE=1 turns it off.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IntGraph } from '../int/graph.ts';
import { deserializeIntGraph, serializeIntGraph } from '../int/serialize.ts';
import { repoPath } from '../repoRoot.ts';

/** Set to true by scripts/build.mjs (esbuild `define`); undeclared when the sources run. */
declare const __OPML_BUNDLE__: boolean | undefined;

function cacheFile(name: string, onnx: Uint8Array): string | undefined {
  if (typeof __OPML_BUNDLE__ === 'undefined' || !__OPML_BUNDLE__ || process.env.OPML_NO_ZOO_CACHE === '1') return undefined;
  const digest = createHash('sha256').update(onnx).digest('hex').slice(0, 16);
  return repoPath('dist', 'zoo-cache', `${name}-${digest}.opml`);
}

/** The cached integer graph of zoo model `name` quantized from these .onnx bytes, if any. */
export function cachedZooGraph(name: string, onnx: Uint8Array): IntGraph | undefined {
  const file = cacheFile(name, onnx);
  if (!file) return undefined;
  try {
    return deserializeIntGraph(new Uint8Array(readFileSync(file)));
  } catch {
    return undefined; // missing or damaged: quantize again
  }
}

/** Keep `graph` for the next run (best effort: a read-only install just quantizes every time). */
export function storeZooGraph(name: string, onnx: Uint8Array, graph: IntGraph): void {
  const file = cacheFile(name, onnx);
  if (!file) return;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, serializeIntGraph(graph));
    renameSync(tmp, file);
  } catch {
    // not writable: fine
  }
}
