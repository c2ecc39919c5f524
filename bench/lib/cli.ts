/**
 * The benchmark CLIs' `--name` / `--name=value` options (no dependency: the bench runs under tsx
 * with nothing but the workspace installed).
 */
export interface CliOptions {
  /** The raw argument for `--name` or `--name=...`, if given. */
  option(name: string): string | undefined;
  /** What follows `--name=`; undefined for a bare `--name` or none. */
  value(name: string): string | undefined;
  /** An integer option of at least `min`, or `fallback` when absent; anything else throws. */
  integer(name: string, fallback: number, min?: number): number;
}

export function cliOptions(argv: readonly string[]): CliOptions {
  const option = (name: string): string | undefined => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const value = (name: string): string | undefined => {
    const found = option(name);
    return found?.includes("=") ? found.slice(found.indexOf("=") + 1) : undefined;
  };
  const integer = (name: string, fallback: number, min = 0): number => {
    const text = value(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`);
    return n;
  };
  return { option, value, integer };
}
