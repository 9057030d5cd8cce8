// Rebuilds the model zoo reproducibly (fixed seeds, nothing fetched):
//   npx tsx scripts/zoo/build.ts            all three models (~2.5 minutes on 2 cores)
//   npx tsx scripts/zoo/build.ts tiny-transformer mnist-mlp   only those
// Then loads every model with opml's loader, and prints sizes, sha256 and MNIST float accuracy (onnxruntime).

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';
import { ZOO, type ZooName } from '../../models/zoo/index.ts';
import { loadMnist } from '../../models/zoo/mnist.ts';
import { mnistAccuracy } from './accuracy.ts';
import { cnnModel, mlpModel } from './export-mnist.ts';
import { trainCnn } from './train-cnn.ts';
import { GRU_TRAINING, gruModel, trainGru } from './train-gru.ts';
import { trainMlp } from './train-mlp.ts';
import { transformerModel } from './transformer.ts';
import { mobilenetModel } from './mobilenet/export.ts';
import { buildMobileNet } from './train-mobilenet.ts';

const log = (line: string) => console.log(line);

/** brown-llama trains for ~23 min and exports in its own steps: scripts/zoo/llama/train.ts, then train-export.ts. */
type BuiltHere = Exclude<ZooName, 'brown-llama'>;

const BUILDERS: Record<BuiltHere, () => WriterModel> = {
  'mnist-mlp': () => mlpModel(trainMlp(loadMnist('train'), { seed: 1, hidden: 64, epochs: 5, batch: 32, lr: 0.05, log })),
  'mnist-cnn': () => cnnModel(trainCnn(loadMnist('train'), { seed: 2, epochs: 1, samples: 60000, batch: 32, lr: 0.02, log })),
  'tiny-transformer': () => transformerModel(3),
  'mnist-mobilenet': () => mobilenetModel(buildMobileNet(log)),
  'mnist-gru': () => gruModel(trainGru(loadMnist('train'), { ...GRU_TRAINING, log })),
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((n) => !(n in BUILDERS));
  if (unknown.length > 0) throw new Error(`unknown zoo model(s) ${unknown.join(', ')}; known: ${Object.keys(BUILDERS).join(', ')} (brown-llama: scripts/zoo/llama/train.ts, then train-export.ts)`);
  const names = requested.length > 0 ? (requested as BuiltHere[]) : (Object.keys(BUILDERS) as BuiltHere[]);
  for (const name of names) {
    const entry = ZOO.find((z) => z.name === name)!;
    const start = performance.now();
    const bytes = writeOnnx(BUILDERS[name]());
    writeFileSync(entry.file, bytes);
    const graph = loadOnnx(bytes, { inputDims: { [entry.inputName]: entry.inputDims } }); // mnist-mobilenet: symbolic batch
    const sha = createHash('sha256').update(bytes).digest('hex');
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    log(`${name}: ${bytes.length} bytes, ${graph.nodes.length} nodes, sha256 ${sha}, built in ${seconds} s`);
    if (entry.inputType === 'float32') {
      const accuracy = await mnistAccuracy(bytes, entry.inputDims);
      log(`${name}: float accuracy on the 10k MNIST test set (onnxruntime): ${(accuracy * 100).toFixed(2)}%`);
    }
  }
}

await main();
