/**
 * Writes the zoo golden runs (test/golden/*.json): every node's output words and root, every graph state and
 * the model id, for fixed inputs of every zoo model (list: test/support/golden.ts).
 * Run only after an intended change of the committed numbers: `npx tsx scripts/gen-golden.ts`.
 * test/golden/golden.test.ts fails while they differ from what the code computes.
 */
import { mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileName, GOLDEN_DIR, GOLDEN_RUNS, goldenModel } from '../test/support/golden.ts';

const dir = fileURLToPath(GOLDEN_DIR);
mkdirSync(dir, { recursive: true });
const written = new Set<string>();
let total = 0;
for (const { model, inputs } of GOLDEN_RUNS) {
  for (const g of goldenModel(model, inputs)) {
    const name = fileName(model, g.input);
    writeFileSync(new URL(name, GOLDEN_DIR), `${JSON.stringify(g, null, 1)}\n`);
    written.add(name);
    const size = statSync(new URL(name, GOLDEN_DIR)).size;
    total += size;
    console.log(`${name}: ${g.numNodes} nodes, model id ${g.modelId.slice(0, 18)}…, ${(size / 1024).toFixed(1)} KiB`);
  }
}
// Files of runs no longer listed would otherwise linger unchecked.
for (const f of readdirSync(dir)) {
  if (f.endsWith('.json') && !written.has(f)) {
    unlinkSync(new URL(f, GOLDEN_DIR));
    console.log(`removed stale ${f}`);
  }
}
console.log(`wrote ${written.size} golden runs to test/golden/ (${(total / 1024).toFixed(0)} KiB)`);
