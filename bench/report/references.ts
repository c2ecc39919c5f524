/**
 * Before the parts run: installs the references with bench/reference/install.sh when that is
 * possible (root or passwordless sudo, apt-get present) and asked for, then detects what is there.
 * Never fails: whatever is missing is skipped by the parts, and this says why in the report.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { progress } from "../lib/machine.ts";
import { runProcess } from "../lib/run-process.ts";
import { detectReferences, PYTHON, type References } from "../reference/references.ts";

export interface PreparedReferences {
  references: References;
  /** What the install step did, one line. */
  install: string;
  /** `Python 3.11.2` of Debian's /usr/bin/python3, if there is one. */
  python: string | undefined;
  seconds: number;
}

const succeeds = (command: string, args: string[]): boolean => {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
};

const allFound = (r: References): boolean => r.mpirun.ok && r.mpicc.ok && r.mpi4py.ok;

export async function prepareReferences(root: string, install: boolean): Promise<PreparedReferences> {
  const started = performance.now();
  let references = detectReferences();
  let note: string;
  if (allFound(references)) note = "Open MPI and mpi4py already installed";
  else if (!install) note = "not installed by this run (--quick and --no-install skip the install; `bash bench/reference/install.sh` or `--install` installs them)";
  else if (!succeeds("sh", ["-c", "command -v apt-get"])) note = "not installed: no apt-get on this machine";
  else if (process.getuid?.() !== 0 && !succeeds("sudo", ["-n", "true"])) note = "not installed: needs root or passwordless sudo for apt-get";
  else {
    progress("installing the references (bench/reference/install.sh)");
    const run = await runProcess("bash", [join(root, "bench/reference/install.sh")], { cwd: root, timeoutSeconds: 600 });
    references = detectReferences();
    note = run.code === 0 ? `bench/reference/install.sh ran (${run.seconds.toFixed(0)} s)` : `bench/reference/install.sh failed (exit ${run.code ?? run.signal}): ${run.stderr.trim().split("\n").slice(-1)[0] ?? ""}`;
  }
  let python: string | undefined;
  try {
    python = execFileSync(PYTHON, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    python = undefined;
  }
  return { references, install: note, python, seconds: (performance.now() - started) / 1000 };
}
