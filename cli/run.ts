/**
 * The `opml` command as a function: parse the arguments, run the command, and turn whatever went wrong into one
 * line on stderr (the cause), a `fix:` line, and an exit code. It never exits the process (cli/main.ts does,
 * once), so tests run the whole CLI in-process.
 *
 * Exit codes: 0 ok; 2 usage (bad flags, option values, environment variables, keys, the config file);
 * 3 input (bad files: models, inputs, calibration samples, the deployment file, state files; paths that are
 * missing, directories or unreadable); 4 chain (RPC, transactions, contracts); 5 a dispute was lost;
 * 1 only for a bug in opml ("internal error", with the stack, to report).
 */
import { CommanderError, type Command } from 'commander';
import { ExitCode, OpmlError, printable, type ExitCodeValue } from './errors.ts';
import { ModelError } from '../models/errors.ts';
import { buildProgram } from './program.ts';

export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/** What a failure is for people: the line, the fix, the exit code. */
export interface Classified {
  exitCode: ExitCodeValue;
  message: string;
  hint?: string;
  /** a real bug: print the stack */
  internal?: boolean;
}

/** Model and file-format errors of models/ and vm/ (by name: their modules need not be loaded to recognize them). */
const INPUT_ERROR_NAMES = new Set([
  'IntGraphFormatError', 'ModelRefError', 'GraphInputError', 'KernelShapeError', 'MultipleOutputsError', 'NodeTooLargeError',
  'RegisterPressureError', 'ProgramTooLongError', 'ForcedMoveCapError',
]);
/** The GPU backend cannot run this model here: exit 3 with the way around it. */
const GPU_ERROR_NAMES = new Set(['GpuBackendError', 'GpuUnsupportedError', 'GpuCapacityError', 'GpuShaderError']);
/** The local toolchain (anvil, forge, contract artifacts) that chain commands start. */
const TOOLCHAIN_ERROR_NAMES = new Set(['AnvilStartError', 'FoundryError', 'MissingArtifactError']);

const FILE_CODES: Record<string, (p: string) => [string, string]> = {
  ENOENT: (p) => [`${p}: no such file or directory`, 'check the path'],
  EISDIR: (p) => [`${p} is a directory, not a file`, 'pass the path of a file'],
  ENOTDIR: (p) => [`${p}: a part of the path is not a directory`, 'check the path'],
  EACCES: (p) => [`${p}: permission denied`, 'check the file\'s permissions, or pass a file you can read (and write)'],
  EPERM: (p) => [`${p}: operation not permitted`, 'check the file\'s permissions'],
  ENAMETOOLONG: (p) => [`${p}: the path is too long`, 'pass a shorter path'],
  ELOOP: (p) => [`${p}: too many symbolic links`, 'check the path'],
  EEXIST: (p) => [`${p} already exists`, 'remove it or pass another path'],
  ENOSPC: (p) => [`${p}: no space left on the device`, 'free some disk space'],
  EROFS: (p) => [`${p}: read-only file system`, 'write somewhere else'],
  EMFILE: (p) => [`${p}: too many open files`, 'raise the open-file limit (ulimit -n)'],
  EFBIG: (p) => [`${p}: file too large`, 'pass a smaller file'],
};
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function isViemError(err: Error): err is Error & { shortMessage: string; walk(fn?: (e: unknown) => boolean): unknown; details?: string } {
  return 'shortMessage' in err && typeof (err as { walk?: unknown }).walk === 'function';
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? s;
}

/** Map any error to its line, fix and exit code. Unknown errors are bugs (exit 1). */
export function classify(err: unknown): Classified {
  if (err instanceof OpmlError) return { exitCode: err.exitCode, message: err.message, hint: err.hint };
  if (!(err instanceof Error)) return { exitCode: ExitCode.INTERNAL, message: `internal error: ${printable(String(err), 200)}`, internal: true };
  if (err instanceof ModelError || INPUT_ERROR_NAMES.has(err.name)) {
    const parts = err as { cause_?: string; fix?: string };
    return { exitCode: ExitCode.INPUT, message: firstLine(parts.cause_ ?? err.message), hint: parts.fix ?? 'check the model and input files (`opml inspect <model>` lists the nodes and what cannot run)' };
  }
  if (err.name === 'TileStepsError') {
    const least = (err as { least?: number }).least;
    return { exitCode: ExitCode.USAGE, message: `--tile-steps: ${firstLine(err.message)}`, hint: least ? `give --tile-steps ${least} or more` : 'give a larger --tile-steps (default 2^20)' };
  }
  if (GPU_ERROR_NAMES.has(err.name)) return { exitCode: ExitCode.INPUT, message: firstLine(err.message), hint: 'use --backend cpu (or auto) on a machine without a usable GPU' };
  if (TOOLCHAIN_ERROR_NAMES.has(err.name)) return { exitCode: ExitCode.CHAIN, message: firstLine(err.message), hint: 'run `npm install` again (anvil and forge come from npm), then retry' };
  const sys = err as NodeJS.ErrnoException & { address?: string; port?: number; dest?: string };
  if (typeof sys.code === 'string' && (sys.syscall !== undefined || sys.errno !== undefined || sys.code.startsWith('UND_ERR'))) {
    const p = printable(sys.path ?? sys.dest ?? '', 120);
    const file = FILE_CODES[sys.code];
    if (file) {
      const [message, hint] = file(p || 'a file');
      return { exitCode: ExitCode.INPUT, message, hint };
    }
    if (sys.code === 'EADDRINUSE' || sys.code === 'EADDRNOTAVAIL' || (sys.code === 'EACCES' && sys.syscall === 'listen')) {
      return { exitCode: ExitCode.USAGE, message: `cannot listen on ${printable(sys.address ?? '')}:${sys.port ?? ''} (${sys.code})`, hint: 'pick another port (--metrics-port, --port)' };
    }
    if (NET_CODES.has(sys.code)) return { exitCode: ExitCode.CHAIN, message: `network: ${printable(firstLine(err.message), 160)}`, hint: 'check --rpc-url and that the node is running' };
    return { exitCode: ExitCode.INPUT, message: `${sys.syscall ?? 'system call'} failed: ${sys.code}${p ? ` (${p})` : ''}`, hint: 'check the paths and permissions of the files you named' };
  }
  if (isViemError(err)) {
    const revert = err.walk((e) => (e as Error)?.name === 'ContractFunctionRevertedError') as { data?: { errorName?: string; args?: readonly unknown[] }; reason?: string } | null;
    if (revert?.data?.errorName) {
      const args = (revert.data.args ?? []).map((a) => printable(String(a), 66)).join(', ');
      return { exitCode: ExitCode.CHAIN, message: `the contract rejected the call: ${revert.data.errorName}(${args})`, hint: 'check `opml status <id>` and the deployment you are talking to' };
    }
    if (err.walk((e) => (e as Error)?.name === 'InsufficientFundsError')) {
      return { exitCode: ExitCode.CHAIN, message: 'the account cannot pay for the transaction', hint: 'fund the account of the key in use, or use the embedded devnet' };
    }
    const http = err.walk((e) => (e as Error)?.name === 'HttpRequestError' || (e as Error)?.name === 'TimeoutError' || (e as Error)?.name === 'WebSocketRequestError') as { url?: string } | null;
    if (http) return { exitCode: ExitCode.CHAIN, message: `cannot reach the RPC${http.url ? ` at ${printable(http.url, 120)}` : ''}`, hint: 'start `opml devnet` or pass a reachable --rpc-url' };
    return { exitCode: ExitCode.CHAIN, message: `chain: ${printable(firstLine(err.shortMessage), 200)}`, hint: 'check --rpc-url, the deployment (--deployment / --game-address) and the key\'s account' };
  }
  if (/^[A-Z]\w*\.\w*Error$/.test(err.name)) {
    // ox (viem's encoding layer): a value that cannot be encoded or decoded.
    return { exitCode: ExitCode.INPUT, message: `a value cannot be encoded: ${printable(firstLine(err.message), 200)}`, hint: 'check the values you passed and the files you named' };
  }
  if (err instanceof SyntaxError || err.name === 'SyntaxError') {
    return { exitCode: ExitCode.INPUT, message: `a file is not valid JSON: ${printable(firstLine(err.message), 160)}`, hint: 'check the JSON files you named (input, calibration, config, deployment, state)' };
  }
  if (err instanceof RangeError || err.name === 'RangeError') {
    if (/call stack/i.test(err.message)) return { exitCode: ExitCode.INPUT, message: 'a file is nested too deeply to read', hint: 'check the JSON files you named; a model or input is never that deep' };
    return { exitCode: ExitCode.INPUT, message: `a value in a file is out of range: ${printable(firstLine(err.message), 160)}`, hint: 'check the sizes and numbers in the files you named (a damaged file?)' };
  }
  return { exitCode: ExitCode.INTERNAL, message: `internal error: ${printable(firstLine(err.message), 300)}`, internal: true };
}

/** The lines `opml` prints for a failure: "opml: <cause>" then "  fix: <hint>" (each one printable line). */
export function failureText(c: Classified, err?: unknown): string {
  let text = `opml: ${printable(c.message, 600)}\n`;
  if (c.hint) text += `  fix: ${printable(c.hint, 400)}\n`;
  if (c.internal) {
    text += '  fix: this is a bug in opml; please report it with the command line and this trace\n';
    if (err instanceof Error && err.stack) text += `${err.stack.split('\n').map((l) => printable(l, 400)).join('\n')}\n`;
  }
  return text;
}

let running = false;

/**
 * Run `opml` with `argv` (as process.argv: node, script, then the arguments) and return its exit code. With
 * `io`, everything written to process.stdout/stderr during the run goes there instead (for tests; one run at
 * a time).
 */
export async function runCli(argv: string[], io?: CliIo): Promise<number> {
  if (io && running) throw new Error('runCli: one in-process run at a time');
  const restore = io ? capture(io) : () => {};
  running = io !== undefined;
  try {
    const program = await buildProgram();
    usageErrorsAsOneLine(program);
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE; // commander printed it
    const c = classify(err);
    process.stderr.write(failureText(c, err));
    return c.exitCode;
  } finally {
    restore();
    running = false;
  }
}

/**
 * Commander's usage errors in the same shape as every other failure: "opml: <what is wrong>" (the value escaped)
 * and "  fix: run `opml <command> --help`", on every command.
 */
function usageErrorsAsOneLine(cmd: Command, names: string[] = []): void {
  const path = [...names, cmd.name()];
  cmd.configureOutput({ outputError: (str, write) => write(`opml: ${printable(str.trim().replace(/^error: /, ''), 600)}\n`) });
  cmd.showHelpAfterError(`  fix: see \`${path.join(' ')} --help\` for the usage`);
  for (const sub of cmd.commands) usageErrorsAsOneLine(sub, path);
}

function capture(io: CliIo): () => void {
  const out = process.stdout.write;
  const errw = process.stderr.write;
  const sink = (target: CliIo['stdout']) =>
    ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
      target.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') (done as () => void)();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = sink(io.stdout);
  process.stderr.write = sink(io.stderr);
  return () => {
    process.stdout.write = out;
    process.stderr.write = errw;
  };
}
