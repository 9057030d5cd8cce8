/**
 * The command router: declares commands, options and examples. Each command's work is a plain function in
 * cli/commands/ that tests call directly.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { parseAddress, parseEthAmount, parsePort, parseUint256 } from './args.ts';
import { parseBackend } from './commands/backendParse.ts';
import { PROFILE_INFO as PROFILES } from './game/profileInfo.ts';
import { SCENARIOS } from './game/scenarios.ts';
import { repoPath } from '../models/repoRoot.ts';
import { CALIBRATION_HELP, collect, collectShape, GENERATE_HELP, parseGenerate, parsePromptLength, parseTileSteps, PROMPT_LENGTH_HELP, SHAPE_HELP, TILE_STEPS_HELP } from './commands/modelOptions.ts';

// Each action imports its command module when it runs, so `--help`, `--version` and a light command load no
// viem, onnxruntime or WebGPU they do not use (test/cli/fast-start.test.ts checks it).

const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string; description: string };

const MODEL_HELP = 'a zoo name (mnist-mlp, mnist-cnn, mnist-gru, mnist-mobilenet, tiny-transformer, brown-llama), an .onnx file (+ --calibration, --shape) or an .opml integer graph';
const INPUT_HELP = 'mnist:<i>, text:<chars> (a text model), tokens:<ids>, a JSON file or x.npy; name=x.npy, repeated, for a several-input model (docs/INPUTS.md)';

/** --calibration and --shape: how every command that takes a model takes an .onnx outside the zoo. */
const modelOpts = (c: Command) => c.option('--calibration <file>', CALIBRATION_HELP, collect).option('--shape <name=dims>', SHAPE_HELP, collectShape).option('--tile-steps <n>', TILE_STEPS_HELP, parseTileSteps);
/** The generation options of the commands that commit to, run or dispute one model result. */
const genOpts = (c: Command) => c.option('--generate <tokens>', GENERATE_HELP, parseGenerate).option('--prompt-length <tokens>', PROMPT_LENGTH_HELP, parsePromptLength);

function positiveInt(v: string): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of seconds, 0 or more');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('opml')
    .description(pkg.description)
    .version(pkg.version)
    .showHelpAfterError('(run `opml --help` for usage)')
    .exitOverride();

  modelOpts(genOpts(program
    .command('run')))
    .description('run a model natively in integer arithmetic and print its output and final graph state S_n')
    .argument('<model>', MODEL_HELP)
    .requiredOption('-i, --input <spec>', INPUT_HELP, collect)
    .option('--backend <backend>', 'native executor: auto (the faster of a hardware GPU and the CPU for this model, measured once and kept in ~/.cache/opml/backend-choices.json), gpu (fail without one) or cpu', parseBackend, 'auto')
    .option('--json', 'print one JSON document, with every node root and every graph state')
    .addHelpText('after', '\nExamples:\n  opml run mnist-mlp --input mnist:0\n  opml run tiny-transformer --input "text:hello world. opm" --json\n  opml run brown-llama --generate 16 --input "text:The jury"   (a greedy generation: 16 characters after the prompt)\n  opml run model.opml --input x.json\n  opml run model.onnx --calibration calib.npy --shape image=1,3,32,32 --input x.npy\n  opml run two-inputs.onnx --calibration calib.json --input ids=ids.npy --input mask=mask.npy')
    .action(async (model: string, opts) => void (await (await import('./commands/run.ts')).runModel(model, opts)));

  modelOpts(genOpts(program
    .command('inspect')))
    .description('list the integer nodes of a model (ops, shapes, VM step counts, code and memory sizes), its forced moves (startVM gas bound and calldata per node, the dearest move, the caps) and its longest dispute per chain profile')
    .argument('<model>', MODEL_HELP)
    .option('--json', 'print one JSON document (with forcedMoves and longestDispute)')
    .addHelpText('after', '\nExamples:\n  opml inspect mnist-cnn\n  opml inspect model.onnx                     (inputs, outputs, what cannot run, what to give next)\n  opml inspect model.onnx --shape image=1,3,224,224 --calibration samples.json --json\n  opml inspect mnist-mlp --tile-steps 4096         (fc1 committed as 32 tiles)')
    .action(async (model: string, opts) => void (await import('./commands/inspect.ts')).inspectModel(model, opts));

  modelOpts(genOpts(program
    .command('verify-model')))
    .description('recompute a model commitment from the file and check it: registered on the game under that id, every node passes registration\'s checks, forced moves under the caps, weights openable')
    .argument('<model>', MODEL_HELP)
    .option('--rpc-url <url>', 'the chain (default: the one in the deployment file) [env OPML_RPC_URL]')
    .option('--deployment <file>', 'where the contract addresses are (default .opml/deployment.json); without the file only the off-chain checks run [env OPML_DEPLOYMENT]')
    .option('--game-address <addr>', 'an existing game contract, read from the chain instead of a deployment file (needs --rpc-url) [env OPML_GAME_ADDRESS]', parseAddress)
    .option('--config <file>', 'config file of these settings (default .opml/config.json) [env OPML_CONFIG]')
    .option('--json', 'print one JSON document: the checks as an array')
    .addHelpText('after', '\nReads only: no key needed.\nExit codes: 0 every check passed, 3 the model failed a check, 4 the chain could not be read.\n\nExamples:\n  opml verify-model mnist-mlp\n  opml verify-model model.opml --deployment .opml/deployment.json --json\n  opml verify-model tiny-transformer --game-address 0x… --rpc-url http://127.0.0.1:8545')
    .action(async (model: string, opts) => void (await (await import('./commands/verifyModel.ts')).verifyModel(model, opts)));

  modelOpts(genOpts(program
    .command('quantize')))
    .description('quantize an ONNX model to an .opml integer graph (what gets registered and run)')
    .argument('<model>', MODEL_HELP)
    .requiredOption('-o, --output <file>', 'the .opml file to write')
    .option('--calibration-method <method>', 'how activation ranges are chosen: max (default), percentile, mse or auto (per tensor, least expected int8 error; docs/INTEGER.md)', (v: string) => {
      if (!['max', 'percentile', 'mse', 'auto'].includes(v)) throw new InvalidArgumentError('expected max, percentile, mse or auto');
      return v;
    })
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExamples:\n  opml quantize mnist-mlp -o mlp.opml\n  opml quantize model.onnx --calibration calib.npy --shape image=1,3,224,224 -o model.opml\n  opml quantize mnist-mobilenet --calibration-method auto -o mobilenet.opml')
    .action(async (model: string, opts) => void (await import('./commands/quantize.ts')).quantizeModel(model, opts));

  modelOpts(program
    .command('eval'))
    .description('fidelity of an integer model vs onnxruntime-node float inference: top-1 agreement, output error, accuracy with labels')
    .argument('[model]', 'the model to evaluate on --dataset: a zoo name or an .onnx (+ --calibration, --shape); not an .opml, since the float reference runs the ONNX')
    .option('-m, --model <name...>', 'zoo models to evaluate on their own test data (default: all)')
    .option('--dataset <file>', 'samples to evaluate on, in the --calibration format: a JSON file or x.npy (first axis: samples); name=x.npy, repeated, for several inputs', collect)
    .option('--labels <file>', 'the true class of each dataset sample (JSON array or .npy of ints): adds float and integer accuracy')
    .option('--limit <n>', 'samples to use (default: all; MNIST: all 10,000 test images)', positiveInt)
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExamples:\n  opml eval\n  opml eval -m mnist-mlp --limit 1000 --json\n  opml eval model.onnx --calibration calib.npy --shape x=1,3,32,32 --dataset test.npy --labels labels.npy')
    .action(async (model: string | undefined, opts) => void (await (await import('./commands/eval.ts')).evalZoo({ ...opts, target: model })));

  // How transactions are sent (every writing command, deploy included); validated in cli/chain/tx.ts.
  // The game's parameters, for the commands that deploy one (devnet, deploy).
  const gameParamOpts = (c: Command) =>
    c
      .option('--min-bond <eth>', 'smallest submission bond (default: the profile\'s)', parseEthAmount)
      .option('--challenge-bond <eth>', 'every challenge\'s bond (default: the profile\'s)', parseEthAmount)
      .option('--window <seconds>', 'challenge window (default: the profile\'s)', positiveInt)
      .option('--clock <seconds>', 'each side\'s starting time per dispute (default: the profile\'s)', positiveInt)
      .option('--increment <seconds>', 'time credited to a side at each of its moves (default: the profile\'s)', positiveInt)
      .option('--arity <k>', 'parts each post cuts a disputed interval into, 2 to 64: fewer rounds, larger posts (default: the profile\'s; 2 is a bisection)', positiveInt);

  const txOpts = (c: Command) =>
    c
      .option('--max-fee <gwei>', 'EIP-1559 max fee per gas, in gwei; nothing is sent while the base fee is above it (default: the node\'s estimate) [env OPML_MAX_FEE]')
      .option('--priority-fee <gwei>', 'EIP-1559 priority fee (tip) per gas, in gwei (default: the node\'s suggestion) [env OPML_PRIORITY_FEE]')
      .option('--confirmations <n>', 'blocks a transaction must be under before it counts as done; state is read that deep too (default 1) [env OPML_CONFIRMATIONS]')
      .option('--signer-url <url>', 'sign with a remote JSON-RPC signer (Clef, Web3Signer: eth_signTransaction) instead of a key [env OPML_SIGNER_URL]')
      .option('--signer-address <addr>', 'the remote signer\'s account to use (default: its first) [env OPML_SIGNER_ADDRESS]');

  const chainOpts = (c: Command) =>
    txOpts(
      c
      .option('--rpc-url <url>', 'the chain (default: the one in the deployment file) [env OPML_RPC_URL]')
      .option('--deployment <file>', 'where the contract addresses are (default .opml/deployment.json) [env OPML_DEPLOYMENT]')
      .option('--game-address <addr>', 'an existing game contract, read from the chain instead of a deployment file (needs --rpc-url) [env OPML_GAME_ADDRESS]', parseAddress)
      .option('--keystore <file>', 'the key as an encrypted JSON keystore (v3, as `cast wallet new` writes) [env OPML_KEYSTORE]')
      .option('--password-file <file>', 'the keystore password (else OPML_PASSWORD, or a prompt in a terminal) [env OPML_PASSWORD_FILE]')
      .option('--config <file>', 'config file of these settings (default .opml/config.json) [env OPML_CONFIG]'),
    )
      .option('--log-range <blocks>', 'most blocks one eth_getLogs may span; halved when the node refuses a range (default 5000) [env OPML_LOG_RANGE]')
      .addHelpText(
        'after',
        '\nSettings: flag > OPML_* environment variable > config file (keys rpcUrl, deployment, gameAddress, keystore,\npasswordFile, submitterKeystore, challengerKeystore, maxFee, priorityFee, confirmations, logRange, signerUrl,\nsignerAddress) > default.\nThe key: --keystore; then OPML_SUBMITTER_KEY / OPML_SUBMITTER_KEYSTORE (submitter commands) or\nOPML_CHALLENGER_KEY / OPML_CHALLENGER_KEYSTORE (challenger commands); then OPML_PRIVATE_KEY / OPML_KEYSTORE;\nthen the config file; on a local anvil (chain 31337) its test accounts. `status` needs no key. A remote signer\n(--signer-url) signs instead of any key.\nTransactions: --max-fee / --priority-fee in gwei (EIP-1559; nothing is sent while the base fee is above --max-fee);\n--confirmations <n>: a write is done n blocks deep and the game is read at head − n + 1; RPC failures are retried\nwith backoff (a send re-sends the same signed transaction, never a second one); events are read --log-range\nblocks at a time and checked for reorgs.\n  e.g. opml watch --role challenger -m mnist-mlp --max-fee 50 --priority-fee 2 --confirmations 3 --log-range 2000',
      );

  gameParamOpts(program
    .command('devnet')
    .description('start a local anvil with the contracts deployed, write .opml/deployment.json, run until Ctrl-C')
    .option('--profile <name>', `parameter defaults for a chain: ${PROFILES.map((p) => p.name).join(', ')}`, 'devnet')
    .option('--block-time <seconds>', 'mine a block every this many seconds, idle or not, so windows close and timeouts come (0: a block per transaction only)', nonNegativeInt, 1)
    .option('--port <n>', 'the RPC port on 127.0.0.1 (default: a free one)', parsePort)
    .option('--deployment <file>', 'where to write the addresses', '.opml/deployment.json')
    .option('--json', 'print the deployment as JSON'))
    .action(async (opts) => void (await (await import('./commands/devnet.ts')).devnet(opts)));

  txOpts(gameParamOpts(
    program
      .command('deploy')
      .description('deploy the judge and the game to a chain and write the deployment file')
      .requiredOption('--rpc-url <url>', 'the chain')
      .option('--deployment <file>', 'where to write the addresses', '.opml/deployment.json')
      .option('--profile <name>', `parameter defaults for a chain: ${PROFILES.map((p) => p.name).join(', ')}`, 'l1')
      .option('--block-time <seconds>', "the chain's block time (default: the profile's); parameters too small for it are refused", positiveInt)
      .option('--keystore <file>', 'the key as an encrypted JSON keystore (else OPML_PRIVATE_KEY, OPML_KEYSTORE, the config file) [env OPML_KEYSTORE]')
      .option('--password-file <file>', 'the keystore password (else OPML_PASSWORD, or a prompt in a terminal) [env OPML_PASSWORD_FILE]')
      .option('--config <file>', 'config file of these settings (default .opml/config.json) [env OPML_CONFIG]')
      .option('--json', 'print the deployment as JSON'),
  ))
    .addHelpText('after', `\nProfiles:\n${PROFILES.map((p) => `  ${p.name.padEnd(7)} ${p.description}`).join('\n')}\n\nExamples:\n  OPML_PRIVATE_KEY=0x… opml deploy --rpc-url https://l1.example --profile l1\n  OPML_PRIVATE_KEY=0x… opml deploy --rpc-url http://127.0.0.1:8545 --profile l2 --clock 1200\n  opml deploy --rpc-url https://l1.example --keystore key.json --password-file pw --max-fee 40 --priority-fee 1.5 --confirmations 3\n  opml deploy --rpc-url https://l1.example --signer-url http://127.0.0.1:8550 --signer-address 0x…`)
    .action(async (opts) => void (await (await import('./commands/devnet.ts')).deploy(opts)));

  chainOpts(modelOpts(genOpts(program.command('register').description('register a model commitment (node code roots, step counts, weights) on-chain').argument('<model>', MODEL_HELP))).option('--json', 'print JSON'))
    .action(async (model: string, opts) => void (await (await import('./commands/submit.ts')).register(model, opts)));

  chainOpts(
    modelOpts(genOpts(program
      .command('submit')))
      .description('run a model and post its result with a bond; defend it later with `opml watch --role submitter`')
      .argument('<model>', MODEL_HELP)
      .requiredOption('-i, --input <spec>', INPUT_HELP, collect)
      .option('--bond <eth>', 'the bond', parseEthAmount, '0.1')
      .option('--backend <backend>', 'native executor: auto, gpu or cpu', parseBackend, 'auto')
      .option('--state <file>', 'the submitter\'s state file (default .opml/submitter-<time>.json)')
      .option('--tamper <node>', 'post a deliberately WRONG result, lying about this node\'s output (an index or a node name); dev chains (31337) only; implies --defend')
      .option('--defend', 'stay and defend the result until it is final or its disputes are over (exit 5 if one is lost)')
      .option('--interval <ms>', 'poll interval while defending', positiveInt, 1000)
      .option('--json', 'print JSON')
      .addHelpText('after', '\nExamples:\n  opml submit mnist-mlp --input mnist:0\n  opml submit mnist-mlp --input mnist:0 --tamper 1   (on `opml devnet`: a wrong result, defended until it loses: exit 5)'),
  ).action(async (model: string, opts) => void (await (await import('./commands/submit.ts')).submit(model, opts)));

  chainOpts(
    modelOpts(genOpts(program
      .command('challenge')))
      .description('re-execute a submitted result; if it is wrong, challenge it and play the dispute to the end')
      .argument('<submission>', 'the submission id (decimal or 0x-hex, below 2^256)', parseUint256)
      .requiredOption('-m, --model <model>', MODEL_HELP)
      .option('--force', 'challenge even when the result matches (to test a dispute)')
      .option('--backend <backend>', 'native executor: auto, gpu or cpu', parseBackend, 'auto')
      .option('--no-play', 'only open the dispute; play it later with `opml watch --role challenger`')
      .option('--state <file>', 'the challenger\'s state file')
      .option('--json', 'print JSON'),
  ).action(async (id: string, opts) => void (await (await import('./commands/submit.ts')).challenge(id, opts)));

  chainOpts(
    modelOpts(genOpts(program
      .command('watch')))
      .description('a daemon that defends results (submitter) or checks every result and challenges wrong ones (challenger); resumes from its state file')
      .requiredOption('--role <role>', 'submitter or challenger')
      .option('-m, --model <name...>', 'the model a challenger watches; the models a submitter defends (besides those its state files name); --calibration and --shape apply to each .onnx outside the zoo')
      .option('--backend <backend>', 'native executor: auto, gpu or cpu', parseBackend, 'auto')
      .option('--state <file>', 'state file (challenger default: .opml/challenger-<model>-<chain>-<game>.json; submitter: its folder holds one file per result)')
      .option('--json', 'log one JSON object per line')
      .option('--interval <ms>', 'poll interval', positiveInt, 1000)
      .option('--until-done', 'exit once every dispute is over')
      .option('--metrics-port <port>', 'serve Prometheus /metrics and /healthz on 127.0.0.1:<port> (off by default)', parsePort)
      .option('--log-level <level>', 'error, warn, info or debug', 'info')
      .addHelpText('after', '\nExamples:\n  opml watch --role challenger --model mnist-mlp\n  opml watch --role submitter\n  opml watch --role challenger --model mnist-mlp --metrics-port 9464 --log-level debug --json'),
  ).action(async (opts) => void (await (await import('./commands/watch.ts')).watch(opts)));

  chainOpts(program.command('status').description('a result and its disputes: phase, range, clocks, who must move').argument('<submission>', 'the submission id (decimal or 0x-hex, below 2^256)', parseUint256).option('--json', 'print JSON'))
    .action(async (id: string, opts) => void (await (await import('./commands/status.ts')).status(id, opts)));

  chainOpts(
    modelOpts(genOpts(program
      .command('report')))
      .description('one self-contained HTML page of a result and its disputes: the model graph with the disputed node, every move (who, when, gas, clocks), the disputed VM step decoded, the ruling and where every bond went')
      .argument('<submission>', 'the submission id (decimal or 0x-hex, below 2^256)', parseUint256)
      .option('--dispute <d>', 'only this dispute of the submission (default: all of them)', parseUint256)
      .option('-o, --output <file>', 'the HTML file to write (default report.html; with --json only when given)')
      .option('-m, --model <model>', `the model, to name the graph's nodes and decode the disputed step by re-running it: ${MODEL_HELP}`)
        .option('--json', 'print the collected data (what the page is rendered from) as one JSON document')
      .addHelpText('after', '\nReads only: no key needed.\n\nExamples:\n  opml report 0 --model mnist-mlp\n  opml report 0 --dispute 1 -o dispute-1.html --rpc-url http://127.0.0.1:8545\n  opml report 3 --game-address 0x… --rpc-url https://rpc.example --json'),
  ).action(async (id: string, opts) => {
    const { report } = await import('./commands/report.ts');
    await report(id, opts);
  });

  modelOpts(genOpts(program
    .command('demo')))
    .description('one command, no setup: an embedded anvil, a cheating submitter, an honest challenger who wins')
    .option('-m, --model <model>', `the model to dispute: ${MODEL_HELP}`, 'mnist-mlp')
    .option('-i, --input <spec>', `the input: ${INPUT_HELP} (default: mnist:0, a fixed prompt for the transformer, else the first --calibration sample)`, collect)
    .option('--json', 'print the outcome as one JSON document')
    .option('--report <file>', 'also write the dispute as one HTML page (as `opml report` does)')
    .addHelpText('after', '\nExamples:\n  npx opml demo\n  npx opml demo --model mnist-cnn --input mnist:42\n  npx opml demo --report dispute.html\n  npx opml demo --model model.onnx --calibration calib.npy --shape x=1,4')
    .action(async (opts) => void (await (await import('./commands/demo.ts')).demo(opts)));

  modelOpts(genOpts(program
    .command('replay')))
    .description('replay dispute scenarios on an embedded anvil and check that the honest side wins and every wei ends where it should')
    .argument('[scenario...]', `scenarios (default: all): ${SCENARIOS.map((s) => s.name).join(', ')}; a model (zoo name, .onnx, .opml) among them is the model`)
    .option('-m, --model <model>', `the model: ${MODEL_HELP} (default mnist-mlp)`)
    .option('-i, --input <spec>', `the input: ${INPUT_HELP} (default: mnist:0, a fixed prompt for the transformer, else the first --calibration sample)`, collect)
    .option('-v, --verbose', 'print every move')
    .option('--list', 'list the scenarios and exit')
    .option('--block-time <seconds>', 'play every scenario with this block time (0: instant); default: each scenario\'s own', nonNegativeInt)
    .option('--arity <k>', 'parts each post cuts a disputed interval into, 2 to 64 (default: the profile\'s; 2 is a bisection)', positiveInt)
    .option('--json', 'print one JSON document: per scenario the winners, rounds, gas per side, chain-time duration and the funds check')
    .addHelpText('after', `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(22)} ${s.description}`).join('\n')}\n\nExamples:\n  opml replay --list\n  opml replay\n  opml replay wrong-first-node restart --model mnist-cnn -v\n  opml replay sybil-10 --json\n  opml replay wrong-last-node model.onnx --calibration calib.npy --shape x=1,4`)
    .action(async (names: string[], opts) => void (await (await import('./commands/replay.ts')).replayScenarios(names, opts)));

  return program;
}
