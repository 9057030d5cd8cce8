import { executeGraph, executeNode } from './models/int/execute.ts';
import { prepareModel } from './models/prepare.ts';
import { quantizeInput } from './models/quantize/quantize.ts';
import { ZOO } from './models/zoo/index.ts';
const { int } = prepareModel('tiny-transformer');
const zoo = ZOO.find((z) => z.name === 'tiny-transformer')!;
const info = int.tensors[int.inputs[0]];
const words = [quantizeInput(zoo.samples(1)[0].feeds[zoo.inputName].data, info.scale, info.integer === true)];
const ref = executeGraph(int, words, undefined, undefined, 'reference');
const word = (t: number) => ref.values.get(t) ?? int.weights.get(t)!;
const ops = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['binary', 'layernorm']);
const printAttrs = process.env.ATTRS === '1';
let total: Record<string, number> = {};
const rows: string[] = [];
for (let i = 0; i < int.nodes.length; i++) {
  const node = int.nodes[i];
  if (!ops.has(node.op)) continue;
  const inputs = node.inputs.map(word);
  const want = ref.values.get(node.output)!;
  const out = new Int32Array(want.length);
  for (let k = 0; k < 3000; k++) executeNode(int, i, inputs, 'fast', out);
  for (let k = 0; k < want.length; k++) if (out[k] !== want[k]) throw new Error(`node ${i} mismatch`);
  const reps = 20000;
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) executeNode(int, i, inputs, 'fast', out);
    const ns = Number(process.hrtime.bigint() - t0) / reps;
    best = Math.min(best, ns);
  }
  total[node.op] = (total[node.op] ?? 0) + best;
  const dims = node.inputs.map((t) => JSON.stringify(int.tensors[t].dims ?? int.tensors[t].shape)).join(' ');
  rows.push(`node ${i} ${node.op} ${(best / 1000).toFixed(2)} us  ${dims}${printAttrs ? ' ' + JSON.stringify(node.attrs) : ''}`);
}
console.log(rows.join('\n'));
console.log(Object.entries(total).map(([k, v]) => `${k} total ${(v / 1000).toFixed(1)} us`).join('\n'), 'uptime', process.uptime().toFixed(1), 's');
