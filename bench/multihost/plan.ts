/**
 * What bench/multihost measures, where and how often. The programs are the ones the single-host
 * parts run (bench/pingpong/tsmpi-pingpong.ts with bench/reference/pingpong.c, and
 * bench/collectives/tsmpi-collectives.ts with bench/reference/collectives.c), given the very same
 * plan as arguments, so that tsmpi and Open MPI are measured the same way here as there.
 */
import { cases, latencyPlan, parseOptions, streamPlan } from "../pingpong/common.ts";
import { MiB_F64, planFor, type PinMode, type PlannedCase } from "../collectives/plan.ts";

/** tsmpi with its default across hosts (CURVE), tsmpi with `--auth none`, and C + Open MPI over tcp. */
export type Impl = "tsmpi" | "tsmpi-noauth" | "ompi-c";
export const IMPLS: readonly Impl[] = ["tsmpi", "tsmpi-noauth", "ompi-c"];
export const NAMES: Record<Impl, string> = {
  tsmpi: "tsmpi (CURVE)",
  "tsmpi-noauth": "tsmpi --auth none",
  "ompi-c": "Open MPI C (tcp)",
};
export const isTsmpi = (impl: Impl): boolean => impl !== "ompi-c";

/** Which hosts a job runs on, how many ranks each, and what it measures there. */
export interface Layout {
  /** "2x1": 2 hosts, 1 rank each. */
  id: string;
  hosts: readonly string[];
  perHost: number;
  bench: "pingpong" | "allreduce";
}

export const PINGPONG: Layout = { id: "2x1", hosts: ["n1", "n2"], perHost: 1, bench: "pingpong" };
export const ALLREDUCE_3: Layout = { id: "3x1", hosts: ["n1", "n2", "n3"], perHost: 1, bench: "allreduce" };
export const ALLREDUCE_6: Layout = { id: "3x2", hosts: ["n1", "n2", "n3"], perHost: 2, bench: "allreduce" };

export const ranksOf = (layout: Layout): number => layout.hosts.length * layout.perHost;
export const layoutLabel = (layout: Layout): string =>
  `${layout.hosts.length} hosts x ${layout.perHost} rank${layout.perHost === 1 ? "" : "s"} (n = ${ranksOf(layout)})`;
/** `--host` for tsmpirun and mpirun alike: `n1,n2`, or `n1:2,n2:2` (slots) for more than one rank per host. */
export const hostList = (layout: Layout): string => layout.hosts.map((h) => (layout.perHost === 1 ? h : `${h}:${layout.perHost}`)).join(",");

/** Rank r's host as the layout means it: by slot, the first `perHost` ranks on the first host. */
export const expectedHosts = (layout: Layout): string[] => layout.hosts.flatMap((h) => Array<string>(layout.perHost).fill(h));

const KiB = 1024;
const MiB = 1024 * KiB;
export const PINGPONG_SIZES = [8, 64 * KiB, MiB];

/** The arguments of bench/pingpong/tsmpi-pingpong.ts: three sizes, typed arrays only. */
export function pingpongArgs(quick: boolean, reps: number, pin: PinMode): string[] {
  return [...(quick ? ["--quick"] : []), "--no-object", `--sizes=${PINGPONG_SIZES.join(",")}`, `--reps=${reps}`, ...(pin === "spread" ? ["--pin=0,1"] : [])];
}

/** The same plan for bench/reference/pingpong.c, as bench/pingpong/suite.ts hands it over. */
export function pingpongReferenceArgs(programArgs: readonly string[]): string[] {
  const parsed = parseOptions(programArgs);
  const planned = cases(parsed).map((c) => {
    const l = latencyPlan(c, parsed.quick);
    const s = streamPlan(c, parsed.quick);
    return [c.bytes, l.iterations, l.warmup, s.window, s.windows, s.warmupWindows].join(":");
  });
  return [`--cases=${planned.join(",")}`, `--reps=${parsed.reps}`, ...programArgs.filter((a) => a.startsWith("--pin="))];
}

/** Allreduce of one float64 (8 B) and of 1 MiB, with bench/collectives' iterations for this rank count. */
export function allreducePlan(np: number, quick: boolean): PlannedCase[] {
  return planFor(np, quick).filter((c) => c.op === "allreduce" && (c.count === 1 || c.count === MiB_F64));
}

export const allreduceLabel = (count: number): string => (count === MiB_F64 ? "1 MiB" : `${count * 8} B`);
export { MiB_F64 };
