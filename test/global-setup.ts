/**
 * Tests run the packages as users get them: `tsmpirun` and `launch()` from the compiled dist/ of
 * each package. The build is incremental, so this costs ~1 s when nothing changed, and a test run
 * never sees JavaScript older than the sources (nor output of sources that are gone). The
 * multi-host tests get their three namespace hosts here (test/cluster/setup.ts).
 */
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestCluster } from "./cluster/setup.ts";

export default function setup(): () => void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
  return startTestCluster();
}
