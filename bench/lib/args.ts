// Quick mode (`--quick` or BENCH_QUICK=1): the fewest repetitions and smallest inputs that still run every
// code path and print every figure, so CI can catch a bench that no longer runs without paying for a measurement.
export const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** Positional argument `index`; when absent, `quickValue` in quick mode, otherwise `fullValue`. */
export function arg(index: number, fullValue: string, quickValue: string): string {
  return positional[index] ?? (quick ? quickValue : fullValue);
}
