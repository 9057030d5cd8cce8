/**
 * Errors the CLI reports to people: a one-line message, a hint with the fix, and the exit code it maps to.
 */

export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  INPUT: 3,
  CHAIN: 4,
  DISPUTE_LOST: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class OpmlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.INPUT,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'OpmlError';
  }
}

export { PRINTABLE_MAX, printable } from '../models/errors.ts';
