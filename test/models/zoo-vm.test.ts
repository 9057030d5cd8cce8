/**
 * Every node of every zoo model, lowered to the VM and run from its own inputs, halts with an output root
 * equal to the CPU executor's root for that node, in exactly the step count the model commitment records.
 */
import { describe, expect, it } from 'vitest';
import { modelCommitment } from '../../models/int/commitment.ts';
import { runGraph } from '../../models/int/execute.ts';
import { lowerNode, runLowered } from '../../models/int/vmNode.ts';
import { prepareModel } from '../../models/prepare.ts';
import { quantizeInput } from '../../models/quantize/quantize.ts';
import { ZOO } from '../../models/zoo/index.ts';

describe('zoo models: VM root = executor root for every node', () => {
  for (const zoo of ZOO) {
    it(zoo.name, () => {
      const { int } = prepareModel(zoo.name);
      const sample = zoo.samples(1)[0].feeds[zoo.inputName];
      const info = int.tensors[int.inputs[0]];
      const run = runGraph(int, [quantizeInput(sample.data, info.scale, info.integer === true)]);
      const commitment = modelCommitment(int);
      int.nodes.forEach((node, i) => {
        const inputs = node.inputs.map((t) => run.values.get(t) ?? int.weights.get(t)!);
        const vm = runLowered(lowerNode(int, i), inputs);
        expect(vm.outputRoot, `${zoo.name} node ${i} (${node.name}, ${node.op})`).toBe(run.roots.get(node.output));
        expect(vm.steps).toBe(commitment.nodes[i].steps);
      });
    }, 120_000);
  }
});
