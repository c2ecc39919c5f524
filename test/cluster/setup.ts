/**
 * The test cluster (test/cluster/up.sh) for the suite: started once before the tests when this
 * machine can make it (root, `ip`, sshd) and it is not up already, and stopped afterwards only
 * if this run started it. Tests that need it check for it themselves (test/helpers/cluster.ts)
 * and skip with the reason, except under CI=true, where a cluster that cannot be made fails the run.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

function clusterIsUp(): boolean {
  try {
    return execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).includes("tsmpi-n1");
  } catch {
    return false;
  }
}

/** Why the cluster cannot be made here, or undefined if it can. */
function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const tool of ["/usr/sbin/ip", "/usr/sbin/sshd"]) if (!existsSync(tool)) return `${tool} is missing (apt-get install iproute2 openssh-server)`;
  return undefined;
}

/** Returns the teardown: a no-op when this run did not start the cluster. */
export function startTestCluster(): () => void {
  if (clusterIsUp()) return () => undefined;
  const missing = missingPrerequisite();
  if (missing !== undefined) {
    if (process.env.CI === "true") throw new Error(`the multi-host tests need their test cluster, and it cannot be made: ${missing}`);
    process.stderr.write(`test cluster: not started (${missing}); multi-host tests will be skipped\n`);
    return () => undefined;
  }
  execFileSync("bash", [join(here, "down.sh")], { stdio: "ignore" });
  execFileSync("bash", [join(here, "up.sh")], { stdio: ["ignore", "inherit", "inherit"] });
  return () => execFileSync("bash", [join(here, "down.sh")], { stdio: "inherit" });
}
