/**
 * The Slurm allocation tsmpirun runs in (salloc, sbatch): its hosts from SLURM_JOB_NODELIST and
 * their slots from SLURM_TASKS_PER_NODE, as Open MPI's ras/slurm reads them.
 */
import type { HostSlots } from "./host-list.ts";

export interface SlurmAllocation {
  hosts: HostSlots[];
  /** SLURM_NTASKS: the default rank count. */
  ntasks: number | undefined;
  /** Cpus of each host in the allocation (SLURM_JOB_CPUS_PER_NODE), by host name. */
  cpus: Map<string, number>;
}

/**
 * The allocation, or undefined when not inside one. Inside a job step (tsmpirun started by srun)
 * the task variables describe that step, not the allocation: then the slots are the allocation's
 * cpus per host (SLURM_JOB_CPUS_PER_NODE) and there is no default rank count besides them.
 */
export function slurmAllocation(env: NodeJS.ProcessEnv = process.env): SlurmAllocation | undefined {
  const nodelist = env.SLURM_JOB_NODELIST ?? env.SLURM_NODELIST;
  if (env.SLURM_JOB_ID === undefined || nodelist === undefined || nodelist === "") return undefined;
  const names = expandNodelist(nodelist);
  const inStep = env.SLURM_STEP_ID !== undefined;
  const slotVariable = inStep ? "SLURM_JOB_CPUS_PER_NODE" : "SLURM_TASKS_PER_NODE";
  const tasks = expandCounts(env[slotVariable] ?? "", names.length);
  const cpuCounts = expandCounts(env.SLURM_JOB_CPUS_PER_NODE ?? "", names.length);
  const ntasks = inStep ? Number.NaN : Number(env.SLURM_NTASKS ?? env.SLURM_NPROCS);
  return {
    hosts: names.map((name, index) => ({ name, slots: tasks[index] ?? 1, source: slotVariable })),
    ntasks: Number.isInteger(ntasks) && ntasks > 0 ? ntasks : undefined,
    cpus: new Map(names.flatMap((name, index) => (cpuCounts[index] === undefined ? [] : [[name, cpuCounts[index]!] as const]))),
  };
}

/** `n[1-3,5],gpu[01-02]` -> n1 n2 n3 n5 gpu01 gpu02 (zero padding kept). */
export function expandNodelist(list: string): string[] {
  const names: string[] = [];
  for (const part of splitTopLevel(list)) {
    const match = /^([^[]*)\[([^\]]+)\](.*)$/.exec(part);
    if (match === null) {
      names.push(part);
      continue;
    }
    const [, prefix, ranges, suffix] = match as unknown as [string, string, string, string];
    for (const range of ranges.split(",")) {
      const [low, high = low] = range.split("-") as [string, string?];
      const width = low.length;
      for (let n = Number(low); n <= Number(high); n++) {
        for (const rest of suffix === "" ? [""] : expandNodelist(suffix)) names.push(`${prefix}${String(n).padStart(width, "0")}${rest}`);
      }
    }
  }
  return names;
}

/** `2(x3),1` -> [2, 2, 2, 1] (SLURM_TASKS_PER_NODE's format), padded with undefined to `count`. */
export function expandCounts(text: string, count: number): (number | undefined)[] {
  const counts: number[] = [];
  for (const part of text.split(",").filter((entry) => entry !== "")) {
    const match = /^(\d+)(?:\(x(\d+)\))?$/.exec(part);
    if (match === null) continue;
    for (let i = 0; i < Number(match[2] ?? 1); i++) counts.push(Number(match[1]));
  }
  return Array.from({ length: count }, (_, index) => counts[index]);
}

/** Splits at commas outside brackets. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of list) {
    if (char === "[") depth++;
    if (char === "]") depth--;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  if (current !== "") parts.push(current);
  return parts;
}
