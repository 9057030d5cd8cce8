// Writes brown-llama's decode graph (scripts/zoo/llama/onnx.ts, kind 'decode': one token at position `pos` with
// the KV caches as inputs and outputs) from the weights of the committed prefill graph, so both files hold the
// same model: models/zoo/brown-llama.onnx → models/zoo/brown-llama-decode.onnx. `opml run|submit|replay
// --generate N` unrolls this graph, one copy per position (models/int/generate.ts).
//
//   npx tsx scripts/zoo/llama/export-decode.ts

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { repoPath } from '../../../models/repoRoot.ts';
import { llamaWeightShapes, type LlamaWeights } from './config.ts';
import { buildLlamaOnnx } from './onnx.ts';
import { BROWN_LLAMA } from './train.ts';

/** The decode graph of the prefill file's weights. */
export function brownDecodeBytes(prefill: Uint8Array): Uint8Array {
  const graph = loadOnnx(prefill);
  const w: LlamaWeights = new Map([...llamaWeightShapes(BROWN_LLAMA).keys()].map((n) => {
    const t = graph.initializers.get(n);
    if (!t) throw new Error(`the prefill graph has no weight "${n}"`);
    return [n, t.data];
  }));
  return buildLlamaOnnx(BROWN_LLAMA, w, { kind: 'decode' }, { graphName: 'brown-llama-decode' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bytes = brownDecodeBytes(new Uint8Array(readFileSync(repoPath('models', 'zoo', 'brown-llama.onnx'))));
  const out = repoPath('models', 'zoo', 'brown-llama-decode.onnx');
  writeFileSync(out, bytes);
  console.log(`wrote ${out}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
}
