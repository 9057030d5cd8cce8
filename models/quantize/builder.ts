/** Builds an IntGraph tensor by tensor and node by node, checking shapes through each kernel. */
import type { IntAttrs, IntGraph, IntOp, IntTensorInfo, TensorKind } from '../int/graph.ts';
import { elementCount } from '../int/graph.ts';
import { kernelOf } from '../int/kernels/index.ts';

export class IntGraphBuilder {
  private readonly graph: IntGraph = { tensors: [], weights: new Map(), inputs: [], nodes: [], outputs: [] };

  tensor(name: string, dims: number[], kind: TensorKind, scale: number, integer = false): number {
    const info: IntTensorInfo = { name, dims: [...dims], kind, scale, ...(integer ? { integer } : {}) };
    this.graph.tensors.push(info);
    const id = this.graph.tensors.length - 1;
    if (kind === 'input') this.graph.inputs.push(id);
    return id;
  }

  weight(name: string, dims: number[], words: Int32Array, scale = 1): number {
    if (words.length !== elementCount(dims)) throw new Error(`internal: weight ${name} has ${words.length} words for dims [${dims}]`);
    const id = this.tensor(name, dims, 'weight', scale);
    this.graph.weights.set(id, words);
    return id;
  }

  info(id: number): IntTensorInfo {
    return this.graph.tensors[id];
  }

  /**
   * Append a node; its output tensor (an activation at `scale`) is created with the kernel's output dims. An
   * `argmax` output is token ids: an integer tensor at scale 1 whatever `scale` says (models/int/validate.ts).
   */
  node<K extends IntOp>(op: K, name: string, inputs: number[], attrs: IntAttrs[K], scale: number): number {
    const dims = kernelOf(op).outputDims(attrs, inputs.map((t) => this.graph.tensors[t].dims));
    const output = op === 'argmax' ? this.tensor(name, dims, 'activation', 1, true) : this.tensor(name, dims, 'activation', scale);
    this.graph.nodes.push({ name, op, inputs, output, attrs } as never);
    return output;
  }

  build(outputs: number[]): IntGraph {
    this.graph.outputs = outputs;
    return this.graph;
  }
}
