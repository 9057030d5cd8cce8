/**
 * The model commitment and the .opml format: node specs describe exactly the memory each lowered node
 * starts from, the format round-trips byte for byte, and the model id moves with any weight.
 */
import { stateSlots } from '../../../models/int/graph.ts';
import { describe, expect, it } from 'vitest';
import { composeMemory, modelCommitment, nodeSpec } from '../../../models/int/commitment.ts';
import { runGraph } from '../../../models/int/execute.ts';
import { deserializeIntGraph, IntGraphFormatError, intGraphHash, serializeIntGraph } from '../../../models/int/serialize.ts';
import { initialMemory, lowerNode } from '../../../models/int/vmNode.ts';
import { Trace } from '../../../vm/prover.ts';
import { Rng } from '../../support/rng.ts';
import { int8 } from './cases.ts';
import { smallGraph } from '../../support/graphs.ts';

describe('model commitment', () => {
  const graph = smallGraph(1);

  it('each node spec composes exactly the initial memory root of its lowered program', () => {
    const x = int8(new Rng(2), [1, 20]);
    const run = runGraph(graph, [x]);
    graph.nodes.forEach((node, i) => {
      const spec = nodeSpec(graph, i);
      const lowered = lowerNode(graph, i);
      const inputs = node.inputs.map((t) => run.values.get(t) ?? graph.weights.get(t)!);
      const trace = new Trace(lowered.program, initialMemory(lowered, inputs));
      const slots = stateSlots(graph);
      const regions = spec.inputs.map((r) => ({ base: r.base, height: r.height, root: r.fromSlot ? run.roots.get(slots[r.slot])! : r.root }));
      expect(composeMemory(regions)).toBe(trace.stateAt(0).memRoot);
      expect(spec.codeRoot).toBe(lowered.program.codeRoot());
      const final = trace.runToEnd();
      expect(final.step).toBe(spec.steps);
      expect(trace.regionRoot(spec.outBase, lowered.outputWords)).toBe(run.roots.get(node.output));
    });
  });

  it('names slots and constants: weights by root, activations by slot', () => {
    const c = modelCommitment(graph);
    expect(c.numInputs).toBe(1);
    expect(c.outputSlot).toBe(3);
    // Regions are listed by base address (registration requires it), not in node-input order.
    for (const n of c.nodes) expect(n.inputs.map((r) => r.base)).toEqual([...n.inputs.map((r) => r.base)].sort((a, b) => a - b));
    expect(c.nodes[0].inputs.filter((r) => r.fromSlot)).toMatchObject([{ slot: 0 }]);
    expect(c.nodes[0].inputs.filter((r) => !r.fromSlot)).toHaveLength(3);
    expect(c.nodes[1].inputs.filter((r) => r.fromSlot)).toMatchObject([{ slot: 1 }]);
    expect(c.nodes[2].inputs.filter((r) => r.fromSlot)).toMatchObject([{ slot: 2 }]);
    expect(c.inputWords).toEqual([20]);
  });

  it('the model id changes with any single weight word', () => {
    const base = modelCommitment(graph).modelId;
    const other = smallGraph(1);
    const w = other.weights.get(1)!;
    w[7] += 1;
    expect(modelCommitment(other).modelId).not.toBe(base);
    expect(modelCommitment(smallGraph(1)).modelId).toBe(base);
  });

  it('.opml bytes round-trip, hash deterministically, and reject damage with a clear error', () => {
    const bytes = serializeIntGraph(graph);
    const back = deserializeIntGraph(bytes);
    expect(serializeIntGraph(back)).toEqual(bytes);
    expect(intGraphHash(back)).toBe(intGraphHash(smallGraph(1)));
    expect(() => deserializeIntGraph(bytes.subarray(0, bytes.length - 3))).toThrow(IntGraphFormatError);
    expect(() => deserializeIntGraph(new Uint8Array([1, 2, 3]))).toThrow(/wrong magic bytes/);
  });

  it('.opml files carry a content hash: any flipped bit, in the header or a weight, is refused on load', () => {
    const bytes = serializeIntGraph(graph);
    for (const at of [12, Math.floor(bytes.length / 2), bytes.length - 40, bytes.length - 1]) {
      const damaged = Uint8Array.from(bytes);
      damaged[at] ^= 0x10;
      expect(() => deserializeIntGraph(damaged), `byte ${at}`).toThrow(/content hash does not match|not JSON|wrong magic/);
    }
    const weightBit = Uint8Array.from(bytes);
    weightBit[bytes.length - 40] ^= 1; // inside the last weight's words: parses fine, only the hash catches it
    expect(() => deserializeIntGraph(weightBit)).toThrow(/content hash does not match: the file is damaged/);
    const v1 = Uint8Array.from(bytes);
    v1.set(new TextEncoder().encode('OPMLIR1\n'), 0);
    expect(() => deserializeIntGraph(v1)).toThrow(/old version without a content hash.*opml quantize/);
  });
});
