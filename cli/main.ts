/**
 * Entry point of the `opml` command and the one place that exits the process.
 */
import { CommanderError } from 'commander';
import { ExitCode, OpmlError } from './errors.ts';
import { buildProgram } from './program.ts';

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    if (err instanceof OpmlError) {
      process.stderr.write(`opml: ${err.message}\n${err.hint ? `  fix: ${err.hint}\n` : ''}`);
      return err.exitCode;
    }
    process.stderr.write(`opml: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.INTERNAL;
  }
}

process.exitCode = await main(process.argv);
