/** Runs the real `tsmpirun` CLI (bin/tsmpirun.js) as a child process; jobs.ts runs `launch()` instead. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./paths.ts";

const tsmpirunBin = join(repoRoot, "packages/launcher/bin/tsmpirun.js");

export interface TsmpirunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** What the job left in its private TMPDIR (the launcher must remove its job dir: expect []). */
  tmpLeftovers: string[];
}

export interface TsmpirunOptions {
  input?: string;
  env?: Record<string, string>;
  /** tsmpirun's working directory (default: the repository root). */
  cwd?: string;
}

export interface RunningTsmpirun {
  child: ChildProcess;
  /** Resolves once stdout matches `pattern`, with the match. */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Everything tsmpirun has printed on stdout so far. */
  stdoutSoFar(): string;
  /** Everything tsmpirun has printed on stderr so far. */
  stderrSoFar(): string;
  result: Promise<TsmpirunResult>;
}

/**
 * Starts the real `tsmpirun` CLI. Each run gets its own TMPDIR, so a test can check that the
 * job directory was removed without racing other test files.
 */
export function startTsmpirun(args: readonly string[], options: TsmpirunOptions = {}): RunningTsmpirun {
  const tmp = mkdtempSync(join(tmpdir(), "tsmpirun-test-"));
  const child = spawn(process.execPath, [tsmpirunBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env, TMPDIR: tmp },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const waiter of [...waiters]) {
      const match = stdout.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.on("error", () => undefined);
  if (options.input !== undefined) child.stdin.end(options.input);
  const result = new Promise<TsmpirunResult>((resolveResult) => {
    child.once("close", (exitCode, signal) => {
      const tmpLeftovers = readdirSync(tmp);
      rmSync(tmp, { recursive: true, force: true });
      resolveResult({ exitCode, signal, stdout, stderr, tmpLeftovers });
    });
  });
  return {
    child,
    result,
    stdoutSoFar: () => stdout,
    stderrSoFar: () => stderr,
    waitForStdout(pattern) {
      const match = stdout.match(pattern);
      if (match) return Promise.resolve(match);
      return new Promise((resolveMatch, reject) => {
        waiters.push({ pattern, resolve: resolveMatch });
        void result.then(() => reject(new Error(`tsmpirun ended before printing ${pattern}:\n${stdout}\n${stderr}`)));
      });
    },
  };
}

/** Runs `tsmpirun args...` to the end. Stdin is closed (or carries `input`). */
export function runTsmpirun(args: readonly string[], options: TsmpirunOptions = {}): Promise<TsmpirunResult> {
  const running = startTsmpirun(args, { ...options, input: options.input ?? "" });
  return running.result;
}
