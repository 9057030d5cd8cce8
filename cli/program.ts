/**
 * The command router: declares commands, options and examples. Each command's work is a plain function in
 * cli/commands/ that tests call directly.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { evalZoo } from './commands/eval.ts';
import { inspectModel } from './commands/inspect.ts';
import { quantizeModel } from './commands/quantize.ts';
import { runModel } from './commands/run.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; description: string };

const MODEL_HELP = 'a zoo name (mnist-mlp, mnist-cnn, tiny-transformer), an .onnx file or an .opml integer graph';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('opml')
    .description(pkg.description)
    .version(pkg.version)
    .showHelpAfterError('(run `opml --help` for usage)')
    .exitOverride();

  program
    .command('run')
    .description('run a model natively in integer arithmetic and print its output and final graph state S_n')
    .argument('<model>', MODEL_HELP)
    .requiredOption('-i, --input <spec>', 'mnist:<i>, text:<16 chars>, tokens:<ids> or a JSON file')
    .option('--calibration <file>', 'JSON samples to quantize an .onnx outside the zoo with')
    .option('--json', 'print one JSON document, with every node root and every graph state')
    .addHelpText('after', '\nExamples:\n  opml run mnist-mlp --input mnist:0\n  opml run tiny-transformer --input "text:hello world. opm" --json\n  opml run model.opml --input x.json')
    .action((model: string, opts) => void runModel(model, opts));

  program
    .command('inspect')
    .description('list the integer nodes of a model: ops, shapes, VM step counts, code and memory sizes')
    .argument('<model>', MODEL_HELP)
    .option('--calibration <file>', 'JSON samples to quantize an .onnx outside the zoo with')
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExamples:\n  opml inspect mnist-cnn\n  opml inspect model.onnx --calibration samples.json --json')
    .action((model: string, opts) => void inspectModel(model, opts));

  program
    .command('quantize')
    .description('quantize an ONNX model to an .opml integer graph (what gets registered and run)')
    .argument('<model>', MODEL_HELP)
    .requiredOption('-o, --output <file>', 'the .opml file to write')
    .option('--calibration <file>', 'JSON samples: [{"<input>": {"dims": [...], "data": [...]}}, ...]')
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExample:\n  opml quantize mnist-mlp -o mlp.opml')
    .action((model: string, opts) => void quantizeModel(model, opts));

  program
    .command('eval')
    .description('fidelity of the integer zoo models vs onnxruntime-node float inference')
    .option('-m, --model <name...>', 'zoo models to evaluate (default: all)')
    .option('--limit <n>', 'MNIST test images to use (default: all 10,000)', positiveInt)
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExamples:\n  opml eval\n  opml eval -m mnist-mlp --limit 1000 --json')
    .action(async (opts) => void (await evalZoo(opts)));

  return program;
}
