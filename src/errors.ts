/**
 * An error the user can act on: bad input, a missing prerequisite. The CLI prints its message
 * (no stack) and exits non-zero. Messages name the file, the key or flag, and what was expected.
 */
export class TourneyError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TourneyError';
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
