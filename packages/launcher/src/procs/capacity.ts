/**
 * How many ranks this host can start at all, so that `tsmpirun -n 100000` says so in one line
 * instead of forking until the kernel refuses (200,000 lines of spawn errors, exit 127).
 * Oversubscription is not the question here (16 ranks on 2 cores run fine): each bound is a
 * resource that every rank process takes and that the kernel or this launcher cannot stretch.
 */
import { readFileSync } from "node:fs";

/**
 * Memory a rank takes that it shares with no other rank: its V8 heap, the runtime and the
 * program's bundle. Peak resident size per rank is ~56 MiB (bench/results/launch-memory.md), of
 * which node's text and zeromq's library are shared; the bound uses the smaller, private part.
 */
const PRIVATE_MIB_PER_RANK = 32;
/** Threads of a rank process: the main thread, V8's platform workers, libuv's pool, ZeroMQ's I/O thread. */
const THREADS_PER_RANK = 12;
/** File descriptors the launcher holds per rank: the stdout and stderr pipes (stdin for rank 0 only). */
const LAUNCHER_FDS_PER_RANK = 2;
/** Descriptors the launcher itself keeps open besides the ranks' pipes (rendezvous, job files, stdio). */
const LAUNCHER_FDS_RESERVED = 64;

export interface Capacity {
  /** The most ranks this host can start. */
  ranks: number;
  /** The resource that sets the bound, in words, with its figures. */
  limitedBy: string;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The soft value of one line of /proc/self/limits ("Max processes", "Max open files"), or Infinity. */
function softLimit(limits: string, name: string): number {
  const line = limits.split("\n").find((entry) => entry.startsWith(name));
  const soft = line?.slice(name.length).trim().split(/\s+/)[0];
  return soft === undefined || soft === "unlimited" || !/^\d+$/.test(soft) ? Number.POSITIVE_INFINITY : Number(soft);
}

/** The bound on ranks of this host, from memory, processes, threads and the launcher's descriptors. */
export function localCapacity(): Capacity {
  const limits = readOr("/proc/self/limits");
  const availableKiB = Number(/^MemAvailable:\s+(\d+) kB/m.exec(readOr("/proc/meminfo"))?.[1] ?? Number.NaN);
  const threadsMax = Number(readOr("/proc/sys/kernel/threads-max").trim() || Number.NaN);
  const bounds: Capacity[] = [];
  if (Number.isFinite(availableKiB)) {
    bounds.push({
      ranks: Math.floor(availableKiB / 1024 / PRIVATE_MIB_PER_RANK),
      limitedBy: `memory: ${(availableKiB / 1024 / 1024).toFixed(1)} GiB available, ~${PRIVATE_MIB_PER_RANK} MiB per rank`,
    });
  }
  const processes = softLimit(limits, "Max processes");
  if (Number.isFinite(processes)) bounds.push({ ranks: processes, limitedBy: `processes: ulimit -u is ${processes}` });
  if (Number.isFinite(threadsMax)) {
    bounds.push({ ranks: Math.floor(threadsMax / THREADS_PER_RANK), limitedBy: `threads: kernel.threads-max is ${threadsMax}, ~${THREADS_PER_RANK} per rank` });
  }
  const files = softLimit(limits, "Max open files");
  if (Number.isFinite(files)) {
    bounds.push({
      ranks: Math.floor((files - LAUNCHER_FDS_RESERVED) / LAUNCHER_FDS_PER_RANK),
      limitedBy: `open files: ulimit -n is ${files}, ${LAUNCHER_FDS_PER_RANK} per rank in tsmpirun`,
    });
  }
  bounds.sort((a, b) => a.ranks - b.ranks);
  return bounds[0] ?? { ranks: Number.POSITIVE_INFINITY, limitedBy: "nothing known" };
}
