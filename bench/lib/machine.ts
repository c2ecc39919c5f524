/** The machine facts every bench/results/*.md file states, so that figures can be compared later. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

export interface MachineFacts {
  cpus: number;
  model: string;
  memoryGiB: number;
  node: string;
  load: string;
  commit: string;
  dirty: boolean;
}

export function machineFacts(root: string): MachineFacts {
  const git = (...args: string[]): string => {
    try {
      return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "";
    }
  };
  return {
    cpus: availableParallelism(),
    model: cpus()[0]?.model.trim() ?? "unknown cpu",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    load: loadNow(),
    commit: git("rev-parse", "--short", "HEAD") || "unknown",
    dirty: git("status", "--porcelain", "--", "packages") !== "",
  };
}

/** One line for a results file; `loadAtEnd` (1, 5, 15 min) when the run is over. */
export function describeMachine(m: MachineFacts, loadAtEnd?: string): string {
  return (
    `${m.cpus} cpus (\`nproc\`), ${m.model}, ${m.memoryGiB} GiB, node ${m.node}; ` +
    `load average ${m.load} at start${loadAtEnd === undefined ? "" : `, ${loadAtEnd} at the end`}; ` +
    `tsmpi at commit ${m.commit}${m.dirty ? " with uncommitted changes under packages/" : ""}`
  );
}

export const loadNow = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");

/** Set by bench/run.ts so that every progress line says which part and how long into the run. */
let progressPrefix: (() => string) | undefined;
export function setProgressPrefix(prefix: (() => string) | undefined): void {
  progressPrefix = prefix;
}

export function progress(message: string): void {
  if (process.env.BENCH_QUIET !== "1") process.stderr.write(`${progressPrefix?.() ?? ""}${message}\n`);
}

/**
 * A fingerprint of the sources a tsmpi run is built from (every file under packages/{runtime,launcher}/src):
 * the launcher bundles the working tree at each launch, so a run taken while someone edits it can
 * mix versions; compare the fingerprint before and after each launch.
 */
export function sourceFingerprint(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  for (const pkg of ["runtime", "launcher"]) walk(join(root, "packages", pkg, "src"));
  return hash.digest("hex").slice(0, 12);
}
