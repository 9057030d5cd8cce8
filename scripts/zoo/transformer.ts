// The tiny decoder-only transformer (seeded random weights, no training) as an ONNX graph, opset 20:
//   tokens int64 [1, T] → Gather(token embedding) + positional embedding
//   block 0: LayerNormalization op, causal 2-head self-attention, GELU (Gelu op) MLP
//   block 1: LayerNorm decomposed into ReduceMean/Sub/Pow/Add/Sqrt/Div/Mul/Add, attention, ReLU MLP
//   final LayerNormalization → MatMul → logits [1, T, V]
// The causal mask is an additive [T, T] constant: 0 on and below the diagonal, MASK above it.

import type { WriterModel, WriterNode, WriterTensor } from '../../models/onnx/writer.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { SEQ_LEN, VOCAB_SIZE } from '../../models/zoo/tokens.ts';

export const D_MODEL = 32;
export const HEADS = 2;
export const D_HEAD = D_MODEL / HEADS;
export const D_MLP = 4 * D_MODEL;
export const LN_EPSILON = 1e-5;
/** Added to attention scores above the diagonal: exp(-100) ≈ 4e-44 is negligible next to the unmasked terms, and a
 * small constant keeps the range of the masked scores friendly to quantization (a trained model may need -1e4). */
export const MASK = -100;

class GraphBuilder {
  readonly nodes: WriterNode[] = [];
  readonly initializers: WriterTensor[] = [];

  constructor(private readonly rng: Prng) {}

  weight(name: string, dims: number[], std: number, mean = 0): string {
    const n = dims.reduce((p, d) => p * d, 1);
    const data = this.rng.normals(n, std).map((v) => v + mean);
    this.initializers.push({ name, dims, data });
    return name;
  }

  constant(name: string, dims: number[], data: Float32Array | Int32Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  node(op: string, name: string, inputs: string[], attrs?: WriterNode['attrs'], output = `${name}.out`): string {
    this.nodes.push({ op, name, inputs, outputs: [output], attrs });
    return output;
  }

  /** x · W + b with W [in, out] ~ N(0, 1/in). */
  linear(name: string, x: string, inDim: number, outDim: number): string {
    const w = this.weight(`${name}.weight`, [inDim, outDim], 1 / Math.sqrt(inDim));
    const b = this.weight(`${name}.bias`, [outDim], 0.1);
    return this.node('Add', `${name}.add`, [this.node('MatMul', name, [x, w]), b]);
  }

  layerNorm(name: string, x: string): string {
    const g = this.weight(`${name}.scale`, [D_MODEL], 0.1, 1);
    const b = this.weight(`${name}.bias`, [D_MODEL], 0.1);
    return this.node('LayerNormalization', name, [x, g, b], { axis: { int: -1 }, epsilon: { float: LN_EPSILON } });
  }

  /** LayerNorm written out as the primitive ops an exporter emits for a hand-written norm. */
  layerNormDecomposed(name: string, x: string): string {
    const axes = this.constant(`${name}.axes`, [1], Int32Array.of(-1));
    const two = this.constant(`${name}.two`, [], Float32Array.of(2));
    const eps = this.constant(`${name}.eps`, [], Float32Array.of(LN_EPSILON));
    const mean = this.node('ReduceMean', `${name}.mean`, [x, axes], { keepdims: { int: 1 } });
    const d = this.node('Sub', `${name}.center`, [x, mean]);
    const sq = this.node('Pow', `${name}.square`, [d, two]);
    const variance = this.node('ReduceMean', `${name}.var`, [sq, axes], { keepdims: { int: 1 } });
    const std = this.node('Sqrt', `${name}.std`, [this.node('Add', `${name}.var_eps`, [variance, eps])]);
    const normed = this.node('Div', `${name}.normalize`, [d, std]);
    const g = this.weight(`${name}.scale`, [D_MODEL], 0.1, 1);
    const b = this.weight(`${name}.bias`, [D_MODEL], 0.1);
    return this.node('Add', `${name}.shift`, [this.node('Mul', `${name}.scale_mul`, [normed, g]), b]);
  }

  attention(name: string, x: string, mask: string, scale: string, headShape: string, mergedShape: string): string {
    const split = (t: string, what: string, perm: number[]) =>
      this.node('Transpose', `${name}.${what}.heads`, [this.node('Reshape', `${name}.${what}.split`, [t, headShape])], { perm: { ints: perm } });
    const q = split(this.linear(`${name}.q`, x, D_MODEL, D_MODEL), 'q', [0, 2, 1, 3]); // [1, H, T, dh]
    const kT = split(this.linear(`${name}.k`, x, D_MODEL, D_MODEL), 'k', [0, 2, 3, 1]); // [1, H, dh, T]
    const v = split(this.linear(`${name}.v`, x, D_MODEL, D_MODEL), 'v', [0, 2, 1, 3]); // [1, H, T, dh]
    const scores = this.node('Mul', `${name}.scale`, [this.node('MatMul', `${name}.scores`, [q, kT]), scale]);
    const probs = this.node('Softmax', `${name}.softmax`, [this.node('Add', `${name}.mask`, [scores, mask])], { axis: { int: -1 } });
    const ctx = this.node('MatMul', `${name}.context`, [probs, v]); // [1, H, T, dh]
    const merged = this.node('Reshape', `${name}.merge`, [this.node('Transpose', `${name}.context.t`, [ctx], { perm: { ints: [0, 2, 1, 3] } }), mergedShape]);
    return this.linear(`${name}.out`, merged, D_MODEL, D_MODEL);
  }
}

export function transformerModel(seed: number): WriterModel {
  const g = new GraphBuilder(new Prng(seed));
  const T = SEQ_LEN;
  const maskData = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskData[i * T + j] = MASK;
  const mask = g.constant('causal_mask', [T, T], maskData);
  const scale = g.constant('attn_scale', [], Float32Array.of(1 / Math.sqrt(D_HEAD)));
  const headShape = g.constant('head_shape', [4], Int32Array.of(1, T, HEADS, D_HEAD));
  const mergedShape = g.constant('merged_shape', [3], Int32Array.of(1, T, D_MODEL));

  const tokEmb = g.weight('tok_emb', [VOCAB_SIZE, D_MODEL], 1);
  const posEmb = g.weight('pos_emb', [T, D_MODEL], 0.5);
  let x = g.node('Add', 'embed', [g.node('Gather', 'tok_embed', [tokEmb, 'tokens'], { axis: { int: 0 } }), posEmb]);

  // Block 0: LayerNormalization op, GELU MLP.
  x = g.node('Add', 'b0.attn.residual', [x, g.attention('b0.attn', g.layerNorm('b0.ln1', x), mask, scale, headShape, mergedShape)]);
  const h0 = g.node('Gelu', 'b0.mlp.gelu', [g.linear('b0.mlp.fc1', g.layerNorm('b0.ln2', x), D_MODEL, D_MLP)]);
  x = g.node('Add', 'b0.mlp.residual', [x, g.linear('b0.mlp.fc2', h0, D_MLP, D_MODEL)]);

  // Block 1: decomposed LayerNorm, ReLU MLP.
  x = g.node('Add', 'b1.attn.residual', [x, g.attention('b1.attn', g.layerNormDecomposed('b1.ln1', x), mask, scale, headShape, mergedShape)]);
  const h1 = g.node('Relu', 'b1.mlp.relu', [g.linear('b1.mlp.fc1', g.layerNormDecomposed('b1.ln2', x), D_MODEL, D_MLP)]);
  x = g.node('Add', 'b1.mlp.residual', [x, g.linear('b1.mlp.fc2', h1, D_MLP, D_MODEL)]);

  const headW = g.weight('lm_head.weight', [D_MODEL, VOCAB_SIZE], 1 / Math.sqrt(D_MODEL));
  g.node('MatMul', 'lm_head', [g.layerNorm('ln_f', x), headW], undefined, 'logits');

  return {
    opset: 20,
    graphName: 'tiny-transformer',
    inputs: [{ name: 'tokens', dims: [1, T], dtype: 'int64' }],
    outputs: [{ name: 'logits', dims: [1, T, VOCAB_SIZE] }],
    initializers: g.initializers,
    nodes: g.nodes,
  };
}
