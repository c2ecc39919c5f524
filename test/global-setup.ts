/**
 * Tests run the packages as users get them: `tsmpirun` and `launch()` from the compiled dist/ of
 * each package. `tsc -b` is incremental, so this costs ~1 s when nothing changed, and a test run
 * never sees JavaScript older than the sources.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export default function buildPackages(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}
