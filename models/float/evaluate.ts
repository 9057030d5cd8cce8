// The float32 reference evaluator: runs a FloatGraph node by node in plain TypeScript and keeps every
// intermediate value (quantization calibration reads them). Arithmetic is double precision inside each
// kernel, rounded to float32 at every node output.

import { InputShapeError } from '../errors.ts';
import { formatDims, isFloatTensor, numElements, type FloatGraph, type GraphNode, type Tensor } from '../graph.ts';
import type { OpType } from '../ops.ts';
import { sameDims } from '../shape.ts';
import { KERNELS, type Kernel } from './kernels/index.ts';

export type Feeds = Record<string, Tensor> | Map<string, Tensor>;

export interface Evaluation {
  /** Every graph input and every node output, by value name (node outputs in execution order). */
  values: Map<string, Tensor>;
  /** The graph outputs, in the graph's order. */
  outputs: Tensor[];
}

/** Checks the feeds against the graph's inputs; throws InputShapeError with the expected shape. */
export function checkFeeds(graph: FloatGraph, feeds: Feeds): Map<string, Tensor> {
  const given = feeds instanceof Map ? feeds : new Map(Object.entries(feeds));
  for (const name of given.keys()) {
    if (!graph.inputs.some((v) => v.name === name)) {
      const names = graph.inputs.map((v) => `"${v.name}"`).join(', ');
      throw new InputShapeError(`input "${name}"`, 'the graph has no such input', `the inputs are ${names}`);
    }
  }
  for (const v of graph.inputs) {
    const t = given.get(v.name);
    const want = `${v.dtype} ${formatDims(v.dims)}`;
    if (!t) throw new InputShapeError(`graph input "${v.name}"`, 'no value was given', `feed a ${want} tensor`);
    const dtype = isFloatTensor(t) ? 'float32' : 'int64';
    if (dtype !== v.dtype || !sameDims(t.dims, v.dims)) {
      throw new InputShapeError(`graph input "${v.name}"`, `got ${dtype} ${formatDims(t.dims)}, expected ${want}`, `feed a ${want} tensor`);
    }
    if (t.data.length !== numElements(t.dims)) {
      throw new InputShapeError(`graph input "${v.name}"`, `data holds ${t.data.length} values but dims ${formatDims(t.dims)} need ${numElements(t.dims)}`, 'fix the data length');
    }
  }
  return given;
}

export function evaluate(graph: FloatGraph, feeds: Feeds): Evaluation {
  const given = checkFeeds(graph, feeds);
  const values = new Map<string, Tensor>();
  for (const v of graph.inputs) values.set(v.name, given.get(v.name)!);
  const lookup = (name: string): Tensor => {
    const t = values.get(name) ?? graph.initializers.get(name) ?? graph.intInitializers.get(name);
    if (!t) throw new Error(`internal: value "${name}" is not available`);
    return t;
  };
  for (const node of graph.nodes) {
    const out = runNode(node, node.inputs.map(lookup), graph.values.get(node.outputs[0])!.dims);
    values.set(node.outputs[0], out);
  }
  return { values, outputs: graph.outputs.map(lookup) };
}

function runNode(node: GraphNode, inputs: Tensor[], outDims: number[]): Tensor {
  const kernel = KERNELS[node.op] as Kernel<OpType>;
  return kernel(node, inputs, outDims);
}
