/**
 * The command router: declares commands, options and examples. Each command's work is a plain function in its
 * own file that tests call directly.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; description: string };

export function buildProgram(): Command {
  const program = new Command('opml')
    .description(pkg.description)
    .version(pkg.version)
    .showHelpAfterError('(run `opml --help` for usage)')
    .exitOverride();
  return program;
}
