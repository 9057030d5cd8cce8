/**
 * Bias correction (Nagel et al. 2019, the analytic form): int8 rounding of a conv's weights shifts the mean of
 * each output channel by Σ ΔW[m, ic, ky, kx] · E[x_ic], where ΔW is the rounding error of the per-channel int8
 * weights (after the BatchNormalization fold the quantizer does) and E[x_ic] the mean of input channel ic over
 * the calibration samples. The shift is subtracted from the float bias the quantizer folds (BN's β, or the
 * conv's bias) before quantization: only constants change, the integer graph has the same nodes and kernels.
 */
import type { Feeds } from '../float/evaluate.ts';
import { evaluate } from '../float/evaluate.ts';
import type { FloatGraph, FloatTensor, GraphNode } from '../graph.ts';

/** Mean of each channel (axis 1) of every Conv input over the samples. */
function convInputMeans(graph: FloatGraph, samples: readonly Feeds[]): Map<string, Float64Array> {
  const names = new Set(graph.nodes.filter((n) => n.op === 'Conv').map((n) => n.inputs[0]));
  const sums = new Map<string, Float64Array>();
  for (const feeds of samples) {
    const { values } = evaluate(graph, feeds);
    for (const name of names) {
      const t = values.get(name);
      if (!t || !(t.data instanceof Float32Array) || t.dims.length < 3) continue;
      const [n, c] = t.dims;
      const per = t.data.length / (n * c);
      let s = sums.get(name);
      if (!s) sums.set(name, (s = new Float64Array(c)));
      for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < per; i++) s[ch] += t.data[(b * c + ch) * per + i] / (n * per);
    }
  }
  for (const s of sums.values()) for (let i = 0; i < s.length; i++) s[i] /= samples.length;
  return sums;
}

/** A copy of `graph` whose conv biases (or following BN β) absorb the mean shift of int8 weight rounding. */
export function correctBiases(graph: FloatGraph, samples: readonly Feeds[]): FloatGraph {
  const means = convInputMeans(graph, samples);
  const initializers = new Map(graph.initializers);
  const values = new Map(graph.values);
  const nodes = [...graph.nodes];
  const soleConsumer = (v: string): GraphNode | undefined => {
    if (graph.outputs.includes(v)) return undefined;
    const c = graph.nodes.filter((n) => n.inputs.includes(v));
    return c.length === 1 ? c[0] : undefined;
  };
  graph.nodes.forEach((node, index) => {
    if (node.op !== 'Conv') return;
    const w = graph.initializers.get(node.inputs[1]);
    const mean = means.get(node.inputs[0]);
    if (!w || !mean || w.dims.length !== 4) return;
    const [m, cg, kh, kw] = w.dims;
    const per = cg * kh * kw;
    const group = node.attrs.group;
    const mg = m / group;
    // The BN fold the quantizer will do (models/quantize/ops/conv.ts): w' = w·g.
    const bn = soleConsumer(node.outputs[0]);
    const bnParams = bn?.op === 'BatchNormalization' && bn.inputs[0] === node.outputs[0] ? bn.inputs.slice(1, 5).map((n) => graph.initializers.get(n)) : undefined;
    const folded = bnParams && bnParams.every((p) => p !== undefined) ? bnParams : undefined;
    const g = Float64Array.from({ length: m }, (_, oc) => (folded ? folded[0]!.data[oc] / Math.sqrt(folded[3]!.data[oc] + (bn as GraphNode & { op: 'BatchNormalization' }).attrs.epsilon) : 1));
    const shift = new Float64Array(m);
    for (let oc = 0; oc < m; oc++) {
      let maxAbs = 0;
      for (let i = 0; i < per; i++) maxAbs = Math.max(maxAbs, Math.abs(w.data[oc * per + i] * g[oc]));
      if (maxAbs === 0) continue;
      const s = maxAbs / 127;
      const c0 = Math.floor(oc / mg) * cg;
      for (let ic = 0; ic < cg; ic++) {
        for (let k = 0; k < kh * kw; k++) {
          const v = w.data[oc * per + ic * kh * kw + k] * g[oc];
          shift[oc] += (Math.max(-127, Math.min(127, Math.round(v / s))) * s - v) * mean[c0 + ic];
        }
      }
    }
    if (folded) {
      // BN output = g·(conv − μ) + β: the folded shift lands on β directly.
      const betaName = bn!.inputs[2];
      const beta = initializers.get(betaName)!;
      const corrected: FloatTensor = { dims: [...beta.dims], data: Float32Array.from(beta.data, (b, oc) => b - shift[oc]) };
      const name = `${betaName}.bias_corrected.${node.name}`;
      initializers.set(name, corrected);
      values.set(name, { name, dims: [...beta.dims], dtype: 'float32' });
      nodes[nodes.indexOf(bn!)] = { ...bn!, inputs: bn!.inputs.map((n, i) => (i === 2 ? name : n)) } as GraphNode;
    } else {
      const old = node.inputs[2] !== undefined ? initializers.get(node.inputs[2]) : undefined;
      const name = `${node.name}.bias_corrected`;
      initializers.set(name, { dims: [m], data: Float32Array.from({ length: m }, (_, oc) => (old ? old.data[oc] : 0) - shift[oc]) });
      values.set(name, { name, dims: [m], dtype: 'float32' });
      nodes[index] = { ...node, inputs: [node.inputs[0], node.inputs[1], name] } as GraphNode;
    }
  });
  return { ...graph, nodes, initializers, values };
}
