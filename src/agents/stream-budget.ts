// An agent's event stream is hostile input: a process the entrant starts can write into it. Each line is
// bounded where it is read (src/sandbox), and this bounds how much of the stream a kind keeps at all.

/** Bytes of stream lines a kind folds into its transcript before it only takes small (control) lines. */
export const STREAM_BUDGET_BYTES = 32 * 1024 * 1024;
/** After the budget: lines up to this size still pass (results, usage, retries are small)... */
export const SMALL_LINE_BYTES = 4096;
/** ...but no more than this many of them. */
export const SMALL_LINES_AFTER_BUDGET = 10_000;

/** Whether to hand a line on; counts what it let through. `dropped` says whether anything was refused. */
export function streamBudget(budget = STREAM_BUDGET_BYTES): { admit(line: string): boolean; readonly dropped: number } {
  let used = 0;
  let small = 0;
  let dropped = 0;
  return {
    admit(line) {
      const bytes = Buffer.byteLength(line);
      if (used + bytes <= budget) {
        used += bytes;
        return true;
      }
      if (bytes <= SMALL_LINE_BYTES && small < SMALL_LINES_AFTER_BUDGET) {
        small += 1;
        return true;
      }
      dropped += 1;
      return false;
    },
    get dropped() {
      return dropped;
    },
  };
}
