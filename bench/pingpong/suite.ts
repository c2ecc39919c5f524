/**
 * The ping-pong benchmark as a function, so that run.ts (its command line) and bench/run.ts (the
 * whole suite) can both call it: `rounds` rounds of tsmpi, the bare zeromq.js floor and, when asked
 * and installed, Open MPI C (bench/reference/pingpong.c) and mpi4py (bench/reference/pingpong.py,
 * once with numpy buffers, once pickled), interleaved (this shared 2-core machine drifts), every
 * sample pooled per implementation and payload.
 */
import { join } from "node:path";
import { jsonLines, runProcess } from "../lib/run-process.ts";
import { progress } from "../lib/machine.ts";
import { detectReferences, missingMpi4py, mpiEnv, mpirunArgs, prepareC, PYTHON, type References } from "../reference/references.ts";
import { cases, latencyPlan, parseOptions, streamPlan, type CaseResult, type ProgramResult } from "./common.ts";

export type PingpongImpl = ProgramResult["impl"];

export interface PingpongSuiteOptions {
  root: string;
  rounds: number;
  /** Arguments every program gets (common.ts parseOptions: --quick, --sizes=, --reps=, --pin=a,b, --no-object). */
  programArgs: readonly string[];
  /** Implementations, in the order of the first round; default tsmpi and zmq. */
  impls?: readonly PingpongImpl[];
  /** "launch": `launch()` from @tsmpi/launcher, falling back to "mini" (packages/runtime/mini-launch.mjs). */
  launcher?: "launch" | "mini";
  timeoutSeconds?: number;
}

export interface PingpongSuiteResult {
  pooled: Record<PingpongImpl, Map<string, CaseResult>>;
  /** How each implementation's rank 0 was pinned ("unpinned", "cpu 0"). */
  pinnedAs: Partial<Record<PingpongImpl, string>>;
  /** The launcher tsmpi was started with in the end. */
  launcher: "launch" | "mini";
  references: References | undefined;
  /** Why an implementation produced nothing (missing reference, failed run). */
  notes: string[];
  seconds: number;
}

const TSMPI_PROGRAM = "bench/pingpong/tsmpi-pingpong.ts";
/** The references: a failed run of one is a note, not a failure of the suite. */
const REFERENCE_NAMES: Partial<Record<PingpongImpl, string>> = { "ompi-c": "Open MPI C", "mpi4py-buf": "mpi4py buffer", mpi4py: "mpi4py pickle" };

function parseResult(stdout: string, what: string): ProgramResult {
  const result = jsonLines<ProgramResult>(stdout)[0];
  if (result === undefined) throw new Error(`${what} printed no result:\n${stdout}`);
  return result;
}

export async function runPingpongSuite(options: PingpongSuiteOptions): Promise<PingpongSuiteResult> {
  const started = performance.now();
  const { root, programArgs } = options;
  const timeoutSeconds = options.timeoutSeconds ?? 600;
  let launcher = options.launcher ?? "launch";
  const notes: string[] = [];
  const impls = [...(options.impls ?? ["tsmpi", "zmq"])];

  let references: References | undefined;
  let cBinary: string | undefined;
  let env = mpiEnv(true);
  if (impls.some((impl) => REFERENCE_NAMES[impl] !== undefined)) references = detectReferences();
  if (impls.includes("ompi-c") && references !== undefined) {
    const built = prepareC(references, join(root, "bench/reference/pingpong.c"));
    if ("binary" in built) cBinary = built.binary;
    else {
      notes.push(`Open MPI C skipped: ${built.why}`);
      impls.splice(impls.indexOf("ompi-c"), 1);
    }
  }
  for (const py of ["mpi4py-buf", "mpi4py"] as const) {
    if (!impls.includes(py) || references === undefined) continue;
    const missing = missingMpi4py(references);
    if (missing === undefined) continue;
    notes.push(`${REFERENCE_NAMES[py]} skipped: ${missing}`);
    impls.splice(impls.indexOf(py), 1);
  }
  // The references get the very plan tsmpi and zmq compute for themselves from the same arguments;
  // the object case (bytes 0) only where it can travel: pickled.
  const parsed = parseOptions(programArgs);
  const casesArg = (withObject: boolean): string =>
    cases(parsed)
      .filter((c) => withObject || c.bytes > 0)
      .map((c) => {
        const l = latencyPlan(c, parsed.quick);
        const s = streamPlan(c, parsed.quick);
        return [c.bytes, l.iterations, l.warmup, s.window, s.windows, s.warmupWindows].join(":");
      })
      .join(",");
  const referencePin = programArgs.filter((a) => a.startsWith("--pin="));

  const runTsmpi = async (): Promise<ProgramResult> => {
    if (launcher === "launch") {
      try {
        const { launch } = await import("@tsmpi/launcher");
        const job = await launch({ np: 2, program: TSMPI_PROGRAM, args: programArgs, cwd: root, timeout: timeoutSeconds });
        for (const r of job.ranks) for (const line of r.stderr.split("\n")) if (line !== "") progress(line);
        if (job.exitCode !== 0) throw new Error(job.failure ?? `exit code ${job.exitCode}`);
        return parseResult(job.ranks[0]?.stdout ?? "", "tsmpi rank 0");
      } catch (error) {
        progress(`launch() from @tsmpi/launcher failed (${(error as Error).message}); using packages/runtime/mini-launch.mjs`);
        launcher = "mini";
      }
    }
    const run = await runProcess(process.execPath, [join(root, "packages/runtime/mini-launch.mjs"), "2", TSMPI_PROGRAM, ...programArgs], { cwd: root, timeoutSeconds });
    if (run.code !== 0) throw new Error(`mini-launch exited with ${run.code}`);
    return parseResult(run.stdout, "tsmpi rank 0");
  };
  const runZmq = async (): Promise<ProgramResult> => {
    const run = await runProcess(process.execPath, ["--import", "tsx", join(root, "bench/pingpong/zmq-pingpong.ts"), ...programArgs], { cwd: root, timeoutSeconds });
    if (run.code !== 0) throw new Error(`zmq-pingpong exited with ${run.code ?? run.signal}`);
    return parseResult(run.stdout, "zmq-pingpong");
  };
  /** A reference under mpirun at np = 2; its progress lines start with `  <impl>`. */
  const runReference = async (impl: PingpongImpl, program: readonly string[]): Promise<ProgramResult> => {
    const args = [...mpirunArgs(2), ...program, `--reps=${parsed.reps}`, ...referencePin];
    let run = await runProcess("mpirun", args, { cwd: root, env, timeoutSeconds, forwardStderr: false });
    if (run.code !== 0 && /single.copy|process_vm|CMA/i.test(run.stderr)) {
      // Some containers forbid CMA (process_vm_readv); Open MPI then copies through shared memory.
      notes.push(`Open MPI's CMA single copy failed here: the ${REFERENCE_NAMES[impl]} ping-pong and the references after it ran with OMPI_MCA_btl_vader_single_copy_mechanism=none`);
      env = mpiEnv(false);
      run = await runProcess("mpirun", args, { cwd: root, env, timeoutSeconds, forwardStderr: false });
    }
    for (const line of run.stderr.split("\n")) if (line.startsWith(`  ${impl} `)) progress(line);
    if (run.timedOut) throw new Error(`timed out after ${timeoutSeconds} s`);
    if (run.code !== 0) throw new Error(`mpirun exited with ${run.code ?? run.signal}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}`);
    return parseResult(run.stdout, `${REFERENCE_NAMES[impl]} ping-pong`);
  };
  const pingpongPy = join(root, "bench/reference/pingpong.py");
  const runners: Record<PingpongImpl, () => Promise<ProgramResult>> = {
    tsmpi: runTsmpi,
    zmq: runZmq,
    "ompi-c": () => runReference("ompi-c", [cBinary!, `--cases=${casesArg(false)}`]),
    "mpi4py-buf": () => runReference("mpi4py-buf", [PYTHON, pingpongPy, "--api=buffer", `--cases=${casesArg(false)}`]),
    mpi4py: () => runReference("mpi4py", [PYTHON, pingpongPy, "--api=pickle", `--cases=${casesArg(true)}`]),
  };

  const pooled: PingpongSuiteResult["pooled"] = { tsmpi: new Map(), zmq: new Map(), "ompi-c": new Map(), "mpi4py-buf": new Map(), mpi4py: new Map() };
  const pinnedAs: PingpongSuiteResult["pinnedAs"] = {};
  const pool = (result: ProgramResult): void => {
    pinnedAs[result.impl] = result.pinned;
    for (const c of result.cases) {
      const into = pooled[result.impl].get(c.label);
      if (into === undefined) pooled[result.impl].set(c.label, { ...c, latencyUs: [...c.latencyUs], bandwidth: [...c.bandwidth] });
      else {
        into.latencyUs.push(...c.latencyUs);
        into.bandwidth.push(...c.bandwidth);
      }
    }
  };

  for (let round = 1; round <= options.rounds; round++) {
    for (const impl of impls) {
      progress(`round ${round}/${options.rounds}: ${impl}`);
      // tsmpi and the floor fail the run, as run.ts always did; a reference becomes a note.
      const reference = REFERENCE_NAMES[impl];
      if (reference === undefined) {
        pool(await runners[impl]());
        continue;
      }
      try {
        pool(await runners[impl]());
      } catch (error) {
        const note = `${reference} round ${round}: ${(error as Error).message.split("\n")[0]}`;
        notes.push(note);
        progress(`  ${note}`);
      }
    }
  }
  return { pooled, pinnedAs, launcher, references, notes, seconds: (performance.now() - started) / 1000 };
}
