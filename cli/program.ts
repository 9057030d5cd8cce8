/**
 * The command router: declares commands, options and examples. Each command's work is a plain function in
 * cli/commands/ that tests call directly.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { parseBackend } from './commands/backendArg.ts';
import { demo } from './commands/demo.ts';
import { deploy, devnet } from './commands/devnet.ts';
import { status } from './commands/status.ts';
import { challenge, register, submit } from './commands/submit.ts';
import { watch } from './commands/watch.ts';
import { evalZoo } from './commands/eval.ts';
import { replayScenarios } from './commands/replay.ts';
import { PROFILES } from './game/params.ts';
import { SCENARIOS } from './game/scenarios.ts';
import { inspectModel } from './commands/inspect.ts';
import { verifyModel } from './commands/verifyModel.ts';
import { quantizeModel } from './commands/quantize.ts';
import { runModel } from './commands/run.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; description: string };

const MODEL_HELP = 'a zoo name (mnist-mlp, mnist-cnn, tiny-transformer), an .onnx file or an .opml integer graph';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of seconds, 0 or more');
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
    .option('--backend <backend>', 'native executor: auto (a GPU adapter if any, else the CPU), gpu (fail without one) or cpu', parseBackend, 'auto')
    .option('--json', 'print one JSON document, with every node root and every graph state')
    .addHelpText('after', '\nExamples:\n  opml run mnist-mlp --input mnist:0\n  opml run tiny-transformer --input "text:hello world. opm" --json\n  opml run model.opml --input x.json')
    .action(async (model: string, opts) => void (await runModel(model, opts)));

  program
    .command('inspect')
    .description('list the integer nodes of a model (ops, shapes, VM step counts, code and memory sizes), its forced moves (startVM gas bound and calldata per node, the dearest move, the caps) and its longest dispute per chain profile')
    .argument('<model>', MODEL_HELP)
    .option('--calibration <file>', 'JSON samples to quantize an .onnx outside the zoo with')
    .option('--json', 'print one JSON document (with forcedMoves and longestDispute)')
    .addHelpText('after', '\nExamples:\n  opml inspect mnist-cnn\n  opml inspect model.onnx --calibration samples.json --json')
    .action((model: string, opts) => void inspectModel(model, opts));

  program
    .command('verify-model')
    .description('recompute a model commitment from the file and check it: registered on the game under that id, every node passes registration\'s checks, forced moves under the caps, weights openable')
    .argument('<model>', MODEL_HELP)
    .option('--calibration <file>', 'JSON samples to quantize an .onnx outside the zoo with')
    .option('--rpc-url <url>', 'the chain (default: the one in the deployment file)')
    .option('--deployment <file>', 'where the contract addresses are; without the file only the off-chain checks run', '.opml/deployment.json')
    .option('--json', 'print one JSON document: the checks as an array')
    .addHelpText('after', '\nExit codes: 0 every check passed, 3 the model failed a check, 4 the chain could not be read.\n\nExamples:\n  opml verify-model mnist-mlp\n  opml verify-model model.opml --deployment .opml/deployment.json --json\n  opml verify-model tiny-transformer --rpc-url http://127.0.0.1:8545')
    .action(async (model: string, opts) => void (await verifyModel(model, opts)));

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

  const chainOpts = (c: Command) =>
    c
      .option('--rpc-url <url>', 'the chain (default: the one in the deployment file) [env OPML_RPC_URL]')
      .option('--deployment <file>', 'where the contract addresses are (default .opml/deployment.json) [env OPML_DEPLOYMENT]')
      .option('--game-address <addr>', 'an existing game contract, read from the chain instead of a deployment file (needs --rpc-url) [env OPML_GAME_ADDRESS]')
      .option('--keystore <file>', 'the key as an encrypted JSON keystore (v3, as `cast wallet new` writes) [env OPML_KEYSTORE]')
      .option('--password-file <file>', 'the keystore password (else OPML_PASSWORD, or a prompt in a terminal) [env OPML_PASSWORD_FILE]')
      .option('--config <file>', 'config file of these settings (default .opml/config.json) [env OPML_CONFIG]')
      .addHelpText(
        'after',
        '\nSettings: flag > OPML_* environment variable > config file (keys rpcUrl, deployment, gameAddress, keystore,\npasswordFile, submitterKeystore, challengerKeystore) > default.\nThe key: --keystore; then OPML_SUBMITTER_KEY / OPML_SUBMITTER_KEYSTORE (submitter commands) or\nOPML_CHALLENGER_KEY / OPML_CHALLENGER_KEYSTORE (challenger commands); then OPML_PRIVATE_KEY / OPML_KEYSTORE;\nthen the config file; on a local anvil (chain 31337) its test accounts. `status` needs no key.',
      );

  program
    .command('devnet')
    .description('start a local anvil with the contracts deployed, write .opml/deployment.json, run until Ctrl-C')
    .option('--profile <name>', `parameter defaults for a chain: ${PROFILES.map((p) => p.name).join(', ')}`, 'devnet')
    .option('--block-time <seconds>', 'mine a block every this many seconds, idle or not, so windows close and timeouts come (0: a block per transaction only)', nonNegativeInt, 1)
    .option('--port <n>', 'the RPC port on 127.0.0.1 (default: a free one)', positiveInt)
    .option('--deployment <file>', 'where to write the addresses', '.opml/deployment.json')
    .option('--min-bond <eth>', 'smallest submission bond (default: the profile\'s)')
    .option('--challenge-bond <eth>', 'every challenge\'s bond (default: the profile\'s)')
    .option('--window <seconds>', 'challenge window (default: the profile\'s)', positiveInt)
    .option('--clock <seconds>', 'each side\'s starting time per dispute (default: the profile\'s)', positiveInt)
    .option('--increment <seconds>', 'time credited to a side at each of its moves (default: the profile\'s)', positiveInt)
    .option('--json', 'print the deployment as JSON')
    .action(async (opts) => void (await devnet(opts)));

  program
    .command('deploy')
    .description('deploy the judge and the game to a chain and write the deployment file')
    .requiredOption('--rpc-url <url>', 'the chain')
    .option('--deployment <file>', 'where to write the addresses', '.opml/deployment.json')
    .option('--profile <name>', `parameter defaults for a chain: ${PROFILES.map((p) => p.name).join(', ')}`, 'l1')
    .option('--block-time <seconds>', "the chain's block time (default: the profile's); parameters too small for it are refused", positiveInt)
    .option('--min-bond <eth>', 'smallest submission bond (default: the profile\'s)')
    .option('--challenge-bond <eth>', 'every challenge\'s bond (default: the profile\'s)')
    .option('--window <seconds>', 'challenge window (default: the profile\'s)', positiveInt)
    .option('--clock <seconds>', 'each side\'s starting time per dispute (default: the profile\'s)', positiveInt)
    .option('--increment <seconds>', 'time credited to a side at each of its moves (default: the profile\'s)', positiveInt)
    .option('--json', 'print the deployment as JSON')
    .addHelpText('after', `\nProfiles:\n${PROFILES.map((p) => `  ${p.name.padEnd(7)} ${p.description}`).join('\n')}\n\nExamples:\n  OPML_PRIVATE_KEY=0x… opml deploy --rpc-url https://l1.example --profile l1\n  OPML_PRIVATE_KEY=0x… opml deploy --rpc-url http://127.0.0.1:8545 --profile l2 --clock 1200`)
    .action(async (opts) => void (await deploy(opts)));

  chainOpts(program.command('register').description('register a model commitment (node code roots, step counts, weights) on-chain').argument('<model>', MODEL_HELP).option('--json', 'print JSON'))
    .action(async (model: string, opts) => void (await register(model, opts)));

  chainOpts(
    program
      .command('submit')
      .description('run a model and post its result with a bond; defend it later with `opml watch --role submitter`')
      .argument('<model>', MODEL_HELP)
      .requiredOption('-i, --input <spec>', 'mnist:<i>, text:<16 chars>, tokens:<ids> or a JSON file')
      .option('--bond <eth>', 'the bond', '0.1')
      .option('--backend <backend>', 'native executor: auto, gpu or cpu', parseBackend, 'auto')
      .option('--state <file>', 'the submitter\'s state file (default .opml/submitter-<time>.json)')
      .option('--tamper <node>', 'post a deliberately WRONG result, lying about this node\'s output (an index or a node name); dev chains (31337) only; implies --defend')
      .option('--defend', 'stay and defend the result until it is final or its disputes are over (exit 5 if one is lost)')
      .option('--interval <ms>', 'poll interval while defending', positiveInt, 1000)
      .option('--json', 'print JSON')
      .addHelpText('after', '\nExamples:\n  opml submit mnist-mlp --input mnist:0\n  opml submit mnist-mlp --input mnist:0 --tamper 1   (on `opml devnet`: a wrong result, defended until it loses: exit 5)'),
  ).action(async (model: string, opts) => void (await submit(model, opts)));

  chainOpts(
    program
      .command('challenge')
      .description('re-execute a submitted result; if it is wrong, challenge it and play the dispute to the end')
      .argument('<submission>', 'the submission id')
      .requiredOption('-m, --model <model>', MODEL_HELP)
      .option('--force', 'challenge even when the result matches (to test a dispute)')
      .option('--backend <backend>', 'native executor: auto, gpu or cpu', parseBackend, 'auto')
      .option('--no-play', 'only open the dispute; play it later with `opml watch --role challenger`')
      .option('--state <file>', 'the challenger\'s state file')
      .option('--json', 'print JSON'),
  ).action(async (id: string, opts) => void (await challenge(id, opts)));

  chainOpts(
    program
      .command('watch')
      .description('a daemon that defends results (submitter) or checks every result and challenges wrong ones (challenger); resumes from its state file')
      .requiredOption('--role <role>', 'submitter or challenger')
      .option('-m, --model <name...>', 'the model a challenger watches; the models a submitter defends (besides those its state files name)')
      .option('--backend <backend>', 'native executor: auto, gpu or cpu', parseBackend, 'auto')
      .option('--state <file>', 'state file (challenger default: .opml/challenger-<model>-<chain>-<game>.json; submitter: its folder holds one file per result)')
      .option('--json', 'log one JSON object per line')
      .option('--interval <ms>', 'poll interval', positiveInt, 1000)
      .option('--until-done', 'exit once every dispute is over')
      .option('--metrics-port <port>', 'serve Prometheus /metrics and /healthz on 127.0.0.1:<port> (off by default)', positiveInt)
      .option('--log-level <level>', 'error, warn, info or debug', 'info')
      .addHelpText('after', '\nExamples:\n  opml watch --role challenger --model mnist-mlp\n  opml watch --role submitter\n  opml watch --role challenger --model mnist-mlp --metrics-port 9464 --log-level debug --json'),
  ).action(async (opts) => void (await watch(opts)));

  chainOpts(program.command('status').description('a result and its disputes: phase, range, clocks, who must move').argument('<submission>', 'the submission id').option('--json', 'print JSON'))
    .action(async (id: string, opts) => void (await status(id, opts)));

  program
    .command('demo')
    .description('one command, no setup: an embedded anvil, a cheating submitter, an honest challenger who wins')
    .option('-m, --model <name>', 'zoo model to dispute', 'mnist-mlp')
    .option('-i, --input <spec>', 'the input (default: mnist:0, or a fixed prompt for the transformer)')
    .option('--json', 'print the outcome as one JSON document')
    .addHelpText('after', '\nExamples:\n  npx opml demo\n  npx opml demo --model mnist-cnn --input mnist:42')
    .action(async (opts) => void (await demo(opts)));

  program
    .command('replay')
    .description('replay dispute scenarios on an embedded anvil and check that the honest side wins and every wei ends where it should')
    .argument('[scenario...]', `scenarios (default: all): ${SCENARIOS.map((s) => s.name).join(', ')}`)
    .option('-m, --model <name>', 'zoo model', 'mnist-mlp')
    .option('-i, --input <spec>', 'the input')
    .option('-v, --verbose', 'print every move')
    .option('--list', 'list the scenarios and exit')
    .option('--block-time <seconds>', 'play every scenario with this block time (0: instant); default: each scenario\'s own', nonNegativeInt)
    .option('--json', 'print one JSON document: per scenario the winners, rounds, gas per side, chain-time duration and the funds check')
    .addHelpText('after', `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(22)} ${s.description}`).join('\n')}\n\nExamples:\n  opml replay --list\n  opml replay\n  opml replay wrong-first-node restart --model mnist-cnn -v\n  opml replay sybil-10 --json`)
    .action(async (names: string[], opts) => void (await replayScenarios(names, opts)));

  return program;
}
