/**
 * Finds the reference implementations the benchmarks compare against (Open MPI's mpicc/mpirun,
 * mpi4py + numpy for Debian's /usr/bin/python3), builds the C programs into a temporary directory,
 * and says how to start them. A missing reference is a note in the report, never a failure:
 * `bash bench/reference/install.sh` installs them all.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { runProcess } from "../lib/run-process.ts";

/** Debian's python: mpi4py and numpy are installed for it, not for a pyenv python3 on PATH. */
export const PYTHON = "/usr/bin/python3";

export interface References {
  /** Open MPI version line, or why it is missing. */
  mpirun: { ok: true; version: string } | { ok: false; why: string };
  mpicc: { ok: true; version: string } | { ok: false; why: string };
  mpi4py: { ok: true; version: string } | { ok: false; why: string };
}

const tryRun = (command: string, args: string[]): string | undefined => {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
};

const INSTALL_HINT = "run `bash bench/reference/install.sh`";

export function detectReferences(): References {
  const mpirun = tryRun("mpirun", ["--version"])?.split("\n")[0];
  const mpicc = tryRun("mpicc", ["--showme:version"])?.split("\n")[0];
  const py = tryRun(PYTHON, ["-c", "import mpi4py, numpy; print(f'mpi4py {mpi4py.__version__}, numpy {numpy.__version__}')"]);
  return {
    mpirun: mpirun ? { ok: true, version: mpirun } : { ok: false, why: `mpirun not found (${INSTALL_HINT})` },
    mpicc: mpicc ? { ok: true, version: mpicc } : { ok: false, why: `mpicc not found (${INSTALL_HINT})` },
    mpi4py: py ? { ok: true, version: py } : { ok: false, why: `mpi4py or numpy missing for ${PYTHON} (${INSTALL_HINT})` },
  };
}

/** Compiles one C reference with mpicc -O2 into a temporary build directory; returns the binary. */
export function buildC(source: string): string {
  const dir = join(tmpdir(), `tsmpi-bench-${process.getuid?.() ?? 0}`);
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, basename(source, ".c"));
  execFileSync("mpicc", ["-O2", "-o", binary, source], { stdio: ["ignore", "ignore", "pipe"] });
  return binary;
}

/** The first line of an error's message (mpicc and launch failures are long). */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

/** Why the C + Open MPI reference cannot run here, or undefined if it can. */
export function missingC(references: References): string | undefined {
  if (!references.mpicc.ok) return references.mpicc.why;
  if (!references.mpirun.ok) return references.mpirun.why;
  return undefined;
}

/** Why the mpi4py reference cannot run here, or undefined if it can. */
export function missingMpi4py(references: References): string | undefined {
  if (!references.mpi4py.ok) return references.mpi4py.why;
  if (!references.mpirun.ok) return references.mpirun.why;
  return undefined;
}

/** Builds the C reference `source` if Open MPI is there: its binary, or why there is none. */
export function prepareC(references: References, source: string): { binary: string } | { why: string } {
  const missing = missingC(references);
  if (missing !== undefined) return { why: missing };
  try {
    return { binary: buildC(source) };
  } catch (error) {
    return { why: `mpicc failed: ${firstLine(error)}` };
  }
}

/**
 * `mpirun` arguments for `np` ranks on this machine: root needs --allow-run-as-root, more ranks than
 * cores need --oversubscribe, and --bind-to none so that Open MPI's own default (bind to core for
 * np <= 2, to socket above) does not differ from what tsmpi gets; a program that is asked to pin
 * (`--pin=...`) pins itself, the same way for every implementation.
 */
export function mpirunArgs(np: number): string[] {
  const asRoot = process.getuid?.() === 0 ? ["--allow-run-as-root"] : [];
  return [...asRoot, "--oversubscribe", "--bind-to", "none", "-n", String(np)];
}

/**
 * Environment for mpirun. Open MPI's shared-memory transport copies large messages with CMA
 * (process_vm_readv), which some containers forbid; `probeSingleCopy` finds out once.
 */
export function mpiEnv(singleCopy: boolean): NodeJS.ProcessEnv {
  return singleCopy ? { ...process.env } : { ...process.env, OMPI_MCA_btl_vader_single_copy_mechanism: "none" };
}

/**
 * Runs `binary` (a C reference taking `--cases=`) at np = 2 on one 1 MiB bcast: true if Open MPI's
 * CMA single copy works here, false if it had to be turned off.
 */
export async function probeSingleCopy(binary: string, cwd: string): Promise<boolean> {
  const run = await runProcess("mpirun", [...mpirunArgs(2), binary, "--cases=bcast:131072:1:1", "--reps=1"], {
    cwd,
    env: mpiEnv(true),
    timeoutSeconds: 60,
    forwardStderr: false,
  });
  return run.code === 0 && !/single.copy|process_vm|CMA/i.test(run.stderr);
}
