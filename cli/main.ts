/**
 * Entry point of the `opml` command and the one place that exits the process: cli/run.ts does the work and
 * returns the exit code (0 ok, 2 usage, 3 input, 4 chain, 5 dispute lost, 1 a bug).
 */
import { classify, failureText, runCli } from './run.ts';

// An error thrown outside the command's promise (a timer, a stream) gets the same one-line treatment.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    const c = classify(err);
    process.stderr.write(failureText(c, err));
    process.exit(c.exitCode);
  });
}

process.exitCode = await runCli(process.argv);
