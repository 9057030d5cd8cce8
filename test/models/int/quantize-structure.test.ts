/**
 * The structure families through the whole integer pipeline: small graphs of Pad, Slice, Split, Tile,
 * Squeeze/Unsqueeze, Expand, Resize, ConvTranspose, LSTM and GRU (expanded into canonical ops at load),
 * quantized from calibration samples, run by the CPU executor and compared with the float reference; every
 * node reproduced in the VM (output root equal to the executor's). A zero Pad stays a pure move.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../models/float/evaluate.ts';
import type { FloatTensor } from '../../../models/graph.ts';
import { runGraph } from '../../../models/int/execute.ts';
import { lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { writeOnnx } from '../../../models/onnx/writer.ts';
import { dequantize, quantize, quantizeInput } from '../../../models/quantize/quantize.ts';
import { Prng } from '../../../models/zoo/prng.ts';
import { INT32_MAX, INT32_MIN } from '../../../vm/numerics.ts';
import { sample, STRUCTURE_GRAPHS } from './quantize-structure-graphs.ts';

/** Worst |int − float| / max|float| over the graph outputs, per graph (measured; see docs/MODELS.md). */
const BOUNDS: number[] = [0.025, 0.03, 0.05, 0.04, 0.04];
const HELD_OUT_BOUND = 0.25;

describe('structure families through the integer pipeline', () => {
  STRUCTURE_GRAPHS.forEach((g, gi) => {
    describe(g.name, () => {
      const prng = new Prng(100 + gi);
      const graph = loadOnnx(writeOnnx(g.model));
      const calibration = Array.from({ length: 32 }, () => sample(g, prng));
      const int = quantize(graph, calibration.map((x) => ({ [g.input]: x })));
      const inputScale = int.tensors[int.inputs[0]].scale;
      const worstError = (xs: FloatTensor[]): number => {
        let worst = 0;
        for (const x of xs) {
          const float = evaluate(graph, { [g.input]: x }).values;
          const run = runGraph(int, [quantizeInput(x.data, inputScale, false)]);
          int.outputs.forEach((t, k) => {
            const want = float.get(graph.outputs[k])!.data as Float32Array;
            const got = dequantize(run.values.get(t)!, int.tensors[t].scale);
            let range = 0;
            for (const v of want) range = Math.max(range, Math.abs(v));
            for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / range);
          });
        }
        return worst;
      };

      it('tracks the float reference at the graph outputs', () => {
        // In range (calibration samples: no activation beyond its calibrated scale) and held out (new samples
        // may exceed a calibrated range and clip: per-step scales of an unrolled recurrence see that most).
        const inRange = worstError(calibration.slice(0, 8));
        const heldOut = worstError(Array.from({ length: 8 }, () => sample(g, prng)));
        console.log(`${g.name}: worst output error ${(inRange * 100).toFixed(2)}% in range, ${(heldOut * 100).toFixed(2)}% held out (of the output range; ${int.nodes.length} integer nodes)`);
        expect(inRange).toBeLessThan(BOUNDS[gi]);
        expect(heldOut).toBeLessThan(HELD_OUT_BOUND);
      });

      it('every node reproduced in the VM: output root equals the executor root', () => {
        const x = sample(g, prng);
        const run = runGraph(int, [quantizeInput(x.data, inputScale, false)]);
        int.nodes.forEach((node, i) => {
          const inputs = node.inputs.map((t) => run.values.get(t) ?? int.weights.get(t)!);
          const vm = runLowered(lowerNode(int, i), inputs);
          expect(vm.outputRoot, `node ${i} ${node.op} "${node.name}"`).toBe(run.roots.get(node.output));
        });
      });
    });
  });

  it('a zero Pad is a pure move: an identity concat at the input scale, no clamp, zero words', () => {
    const g = STRUCTURE_GRAPHS[0];
    // The Pad's output is also a graph output here, so it stays a node (a zero Pad that only Convs read is folded
    // into their pads instead: test/models/pad-into-conv.test.ts).
    const graph = loadOnnx(writeOnnx({ ...g.model, outputs: [...g.model.outputs, { name: 'p' }] }));
    const prng = new Prng(5);
    const int = quantize(graph, Array.from({ length: 8 }, () => ({ x: sample(g, prng) })));
    const pads = int.nodes.filter((n) => n.op === 'concat' && n.name.startsWith('pad/'));
    expect(pads.length).toBeGreaterThan(0);
    for (const n of pads) {
      expect(n.attrs).toMatchObject({ lo: INT32_MIN, hi: INT32_MAX });
      const attrs = n.attrs as { mults: number[]; shifts: number[] };
      expect(new Set(attrs.mults).size).toBe(1);
      expect(int.tensors[n.output].scale).toBe(int.tensors[int.inputs[0]].scale);
      for (const t of n.inputs) if (int.weights.has(t)) expect(int.weights.get(t)!.every((w) => w === 0)).toBe(true);
    }
    // Measured: the padded tensor's words are the input's words, moved, with zero words around them.
    const x = sample(g, prng);
    const words = quantizeInput(x.data, int.tensors[int.inputs[0]].scale, false);
    const padded = runGraph(int, [words]).values.get(pads[pads.length - 1].output)!;
    const [C, H, W] = [3, 6, 6];
    let moved = 0;
    for (let c = 0; c < C; c++) {
      for (let h = 0; h < H + 2; h++) {
        for (let w = 0; w < W + 2; w++) {
          const inside = h >= 1 && h <= H && w >= 1 && w <= W;
          const want = inside ? words[(c * H + h - 1) * W + w - 1] : 0;
          expect(padded[(c * (H + 2) + h) * (W + 2) + w]).toBe(want);
          if (inside) moved++;
        }
      }
    }
    expect(moved).toBe(words.length);
  });
});
