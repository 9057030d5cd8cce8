/**
 * The structure families' small graphs (test/models/int/quantize-structure-graphs.ts: Pad, Slice, Split, Tile,
 * Squeeze/Unsqueeze, Expand, Resize, ConvTranspose, LSTM, GRU, all expanded into canonical ops) on the GPU
 * executor equal the CPU executor word for word: every node's words and root, every graph state, the outputs.
 */
import { describe, expect, it } from 'vitest';
import { runGraphGpu } from '../../models/gpu/executor.ts';
import { runGraph } from '../../models/int/execute.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { quantize, quantizeInput } from '../../models/quantize/quantize.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { sample, STRUCTURE_GRAPHS } from '../models/int/quantize-structure-graphs.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

describe.skipIf(NO_GPU)(`structure graphs: GPU executor equals the CPU executor${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  STRUCTURE_GRAPHS.forEach((g, gi) => {
    it(g.name, async () => {
      const prng = new Prng(300 + gi);
      const graph = loadOnnx(writeOnnx(g.model));
      const int = quantize(graph, Array.from({ length: 16 }, () => ({ [g.input]: sample(g, prng) })));
      const scale = int.tensors[int.inputs[0]].scale;
      // Two samples: one in the calibrated range, one at twice the scale (clamped words on the way).
      for (const [s, x] of [sample(g, prng), sample(g, prng, 2)].entries()) {
        const words = [quantizeInput(x.data, scale, false)];
        const gpu = await runGraphGpu(device(), int, words);
        const cpu = runGraph(int, words);
        int.nodes.forEach((node, i) => {
          const t = node.output;
          expect(Array.from(gpu.values.get(t)!), `sample ${s}: node ${i} ${node.op} "${node.name}" words`).toEqual(Array.from(cpu.values.get(t)!));
          expect(gpu.roots.get(t), `sample ${s}: node ${i} ${node.op} "${node.name}" root`).toBe(cpu.roots.get(t));
        });
        expect(gpu.states, `sample ${s}: graph states`).toEqual(cpu.states);
        expect(gpu.outputs.map((o) => Array.from(o))).toEqual(cpu.outputs.map((o) => Array.from(o)));
      }
    }, 300_000);
  });
});
