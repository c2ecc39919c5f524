/** Where the rank programs the tests run live: the one place that builds their paths. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Absolute path of `test/fixtures/<name>` (".ts" added when missing). */
export function fixture(name: string): string {
  return join(repoRoot, "test/fixtures", name.includes(".") ? name : `${name}.ts`);
}

/** Absolute path of the example program `programs/<name>`. */
export function exampleProgram(name: string): string {
  return join(repoRoot, "programs", name);
}
