/**
 * An actor's persisted state: a small JSON file rewritten atomically (write to a temporary file, then rename),
 * so a process killed at any moment leaves either the old or the new state, never a torn one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, OpmlError } from '../errors.ts';

/** The chain and game contract a state file belongs to. */
export interface Binding {
  chainId: number;
  game: string;
}

export class Store<T extends object> {
  constructor(
    readonly file: string,
    private state: T,
  ) {}

  /** Open `file`, or start it with `initial` when it does not exist yet. */
  static open<T extends object>(file: string, initial: T): Store<T> {
    if (!existsSync(file)) {
      const s = new Store(file, initial);
      s.save();
      return s;
    }
    try {
      return new Store(file, JSON.parse(readFileSync(file, 'utf8')) as T);
    } catch {
      throw new OpmlError(`the state file ${file} is not valid JSON`, ExitCode.INPUT, 'restore it from a backup or move it away to start over');
    }
  }

  /**
   * Open `file` for the game `binding` names: a new file records it, and a file recorded for another chain or
   * game contract is refused (its ids mean nothing here, and using it could skip a result unchecked).
   */
  static openBound<T extends object>(file: string, initial: T, binding: Binding): Store<T & Binding> {
    const store = Store.open<T & Binding>(file, { ...initial, ...binding });
    const got = store.get();
    if (got.chainId !== binding.chainId || String(got.game).toLowerCase() !== binding.game.toLowerCase()) {
      throw new OpmlError(
        `the state file ${file} belongs to chain ${got.chainId ?? '?'}, game ${got.game ?? '?'}, not chain ${binding.chainId}, game ${binding.game}`,
        ExitCode.INPUT,
        'move it away (or pass --state with a new file) to start fresh on this game',
      );
    }
    return store;
  }

  get(): T {
    return this.state;
  }

  update(change: (s: T) => void): void {
    change(this.state);
    this.save();
  }

  /** Delete the file (for state that never came to matter, e.g. a submission that was not posted). */
  discard(): void {
    rmSync(this.file, { force: true });
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
