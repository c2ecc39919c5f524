/**
 * bench/results/REPORT.md from one run of bench/run.ts: how to reproduce it, the machine and its
 * load, the references, issue 5's targets met or missed with their figures, then one section per part
 * (method, plots, tables of medians with spread, notes). A part that failed gets a note.
 */
import { describeMachine, type MachineFacts } from "../lib/machine.ts";
import type { References } from "../reference/references.ts";
import type { PartResult } from "./part.ts";
import { TARGETS, verdictMark } from "./targets.ts";

export interface PartRecord {
  name: string;
  title: string;
  status: "ok" | "failed" | "not selected";
  seconds: number;
  loadAtStart: string;
  result?: PartResult;
  /** How it failed. */
  why?: string;
  /** Plot files written for it, relative to the report's folder. */
  plots: Array<{ file: string; title: string }>;
}

export interface RunRecord {
  command: string;
  quick: boolean;
  date: string;
  facts: MachineFacts;
  loadAtEnd: string;
  pin: "none" | "spread";
  references: References;
  referencesInstall: string;
  python: string | undefined;
  parts: PartRecord[];
  seconds: number;
  /** Seconds the run should take (60 for --quick, 900 in full). */
  limitSeconds: number;
}

const refText = (r: { ok: true; version: string } | { ok: false; why: string }): string => (r.ok ? r.version : r.why);

export function renderReport(run: RunRecord): string {
  const out: string[] = [];
  out.push(`# tsmpi benchmark report${run.quick ? " (--quick: reduced set, smoke figures only)" : ""}`, "");
  out.push(`Reproduce (from the repository root): \`${run.command}\``, "");
  if (run.quick) {
    out.push(
      "This is the reduced `--quick` set CI runs so that the suite cannot rot: few samples, n = 16 not run; its figures are not meant to be quoted and no target is judged where its case was not run.",
      "",
    );
  }
  out.push("## Run", "");
  out.push(`- date: ${run.date}; ${run.seconds.toFixed(0)} s in all (limit ${run.limitSeconds} s${run.seconds > run.limitSeconds ? ": **over the limit**" : ""})`);
  out.push(`- machine: ${describeMachine(run.facts, run.loadAtEnd)} (a shared machine: other work shows up as load and as outliers; ratios are taken within this run)`);
  out.push(
    `- references: ${refText(run.references.mpirun)}; ${refText(run.references.mpicc)}; python ${run.python ?? "missing"} (/usr/bin/python3) with ${refText(run.references.mpi4py)}; install step: ${run.referencesInstall}`,
  );
  out.push(
    `- pinning: ${run.pin === "none" ? "none: the scheduler places every process (tsmpi, zeromq.js, and Open MPI with `--bind-to none`)" : "spread: rank r on cpu r mod nproc, every implementation pinning itself the same way (Open MPI with `--bind-to none`)"}`,
  );
  out.push("", "| part | status | time (s) | load average at its start |", "| --- | --- | ---: | --- |");
  for (const p of run.parts) out.push(`| ${p.name} | ${p.status}${p.status === "failed" ? " (see its section)" : ""} | ${p.status === "ok" || p.status === "failed" ? p.seconds.toFixed(1) : "–"} | ${p.loadAtStart || "–"} |`);

  out.push("", "## Targets (issues 5 and 12; ratios of medians within this run)", "", "| target | figures | verdict |", "| --- | --- | --- |");
  for (const target of TARGETS) {
    const record = run.parts.find((p) => p.name === target.part);
    const found = record?.result?.targets.find((t) => t.id === target.id);
    const figures =
      found?.figures ?? (record === undefined || record.status !== "ok" ? `part ${target.part} ${record?.status ?? "not selected"}` : `part ${target.part} did not report it`);
    out.push(`| ${target.text} | ${figures} | ${verdictMark(found?.verdict ?? "not measured")} |`);
  }

  for (const p of run.parts) {
    out.push("", `## ${p.title}`, "");
    if (p.result === undefined) {
      out.push(`Not in this run: ${p.status}${p.why !== undefined ? ` — ${p.why}` : ""}.`);
      continue;
    }
    const r = p.result;
    for (const line of r.method) out.push(`- ${line}`);
    if (p.plots.length > 0) out.push("", p.plots.map((plot) => `![${plot.title}](${plot.file})`).join("\n"));
    for (const section of r.sections) out.push("", `### ${section.title}`, "", section.markdown);
    if (r.files !== undefined && r.files.length > 0) out.push("", `Details: ${r.files.map((f) => `\`${f}\``).join(", ")}`);
    if (r.notes.length > 0) out.push("", "Notes:", ...r.notes.map((n) => `- ${n}`));
  }
  return `${out.join("\n")}\n`;
}
