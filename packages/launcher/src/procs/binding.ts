/**
 * Process placement (Open MPI's rmaps + hwloc binding, reduced to one host): `mapBy` picks the cpu
 * of each rank, `bindTo` says whether the rank is confined to it. A rank is started as
 * `taskset -c CPU node ...`: taskset sets the affinity and then execs node (same pid), so every
 * thread the rank later creates (V8's, libuv's, ZeroMQ's I/O thread) inherits it and there is no
 * window in which the rank runs unbound. taskset is util-linux (always there on Debian); without
 * it the launcher warns once and runs unbound.
 *
 * Default (`bindTo` undefined): `none`, unlike Open MPI (core for np <= 2). Measured in
 * bench/results/launch.md ("Binding"): on this shared 2-core VM, binding ranks 0/1 to cores 0/1
 * never lowered 8 B ping-pong latency (load 6-8: 100/88 us bound vs 88/91 us unbound; load 13-15:
 * 98-233 us bound vs 66-70 us unbound) nor raised 1 MiB bandwidth: binding forces a cross-core
 * wake-up on every message and keeps a rank on a core another tenant is using, while unbound ranks
 * are often put on one core by the scheduler, the cheap case. `--bind-to core` stays available
 * (it helped an oversubscribed heat run at np 4: 17-19 vs 19-27 ms a step).
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { delimiter, join } from "node:path";

export type BindTo = "core" | "none";
/**
 * `core`: rank r on the (r mod cpus)-th cpu, round robin (Open MPI's --map-by core).
 * `slot`: the cpus are filled in order with ceil(np / cpus) consecutive ranks each, so neighbouring
 * ranks share a core when oversubscribed (Open MPI's --map-by slot fills a slot list in order);
 * identical to `core` when np <= cpus.
 * Across hosts (procs/map-hosts.ts) `core` and `slot` fill each host's slots in turn and `node`
 * deals ranks to the hosts round robin; within a host `node` places like `core`.
 */
export type MapBy = "core" | "slot" | "node";

export const BIND_TO = ["core", "none"] as const;
export const MAP_BY = ["core", "slot", "node"] as const;

/** Where each rank goes: `cpus[rank]` is its cpu, or undefined when ranks are not bound. */
export interface Placement {
  bindTo: BindTo;
  mapBy: MapBy;
  /** Why the binding is what it is (printed by --report-bindings and kept in results). */
  reason: string;
  cpus: (number | undefined)[];
}

/**
 * The cpus this launcher may run on (its own affinity, e.g. under `taskset` or a cgroup cpuset),
 * from /proc/self/status; every cpu `availableParallelism()` counts when that cannot be read.
 */
export function allowedCpus(): number[] {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
    if (list !== undefined) return parseCpuList(list);
  } catch {
    // not Linux
  }
  return Array.from({ length: availableParallelism() }, (_, cpu) => cpu);
}

/** `0-2,5` -> [0, 1, 2, 5] (the kernel's cpu list format). */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const [low, high] = part.split("-").map(Number);
    if (low === undefined || !Number.isInteger(low)) continue;
    for (let cpu = low; cpu <= (high ?? low); cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The cpu index (into `available`) of `rank` under `mapBy`. */
export function mapRank(rank: number, np: number, cpuCount: number, mapBy: MapBy): number {
  if (mapBy === "slot") return Math.min(cpuCount - 1, Math.floor(rank / Math.ceil(np / cpuCount)));
  return rank % cpuCount;
}

export function placeRanks(
  np: number,
  options: { bindTo: BindTo | undefined; mapBy: MapBy | undefined },
  available: readonly number[] = allowedCpus(),
  tasksetFound: () => boolean = hasTaskset,
): Placement {
  const mapBy = options.mapBy ?? "core";
  let bindTo: BindTo;
  let reason: string;
  if (options.bindTo !== undefined) {
    bindTo = options.bindTo;
    reason = `--bind-to ${bindTo} asked for`;
  } else {
    bindTo = "none";
    reason = "default (see bench/results/launch.md)";
  }
  if (bindTo === "core" && !tasksetFound()) {
    warnOnce("tsmpirun: taskset (util-linux) not found; ranks run unbound");
    bindTo = "none";
    reason = "taskset not found";
  }
  const cpus = Array.from({ length: np }, (_, rank) =>
    bindTo === "none" ? undefined : available[mapRank(rank, np, available.length, mapBy)],
  );
  return { bindTo, mapBy, reason, cpus };
}

/** `command args` started bound to `cpu` (taskset execs the command: the pid stays the rank's). */
export function boundCommand(command: string, args: readonly string[], cpu: number | undefined): { command: string; args: string[] } {
  if (cpu === undefined) return { command, args: [...args] };
  return { command: tasksetPath ?? "taskset", args: ["-c", String(cpu), command, ...args] };
}

let tasksetPath: string | undefined;
let tasksetSearched = false;

export function hasTaskset(): boolean {
  if (!tasksetSearched) {
    tasksetSearched = true;
    for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(delimiter)) {
      const candidate = join(dir, "taskset");
      try {
        accessSync(candidate, constants.X_OK);
        tasksetPath = candidate;
        break;
      } catch {
        // keep looking
      }
    }
  }
  return tasksetPath !== undefined;
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(message);
}
