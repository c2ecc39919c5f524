/**
 * The parts of `pnpm bench`, in the order they run, and where each one's module is. A part's module
 * exports `part: BenchPart` (bench/report/part.ts). Parts written inside their own bench folder
 * (bench/heat/part.ts, bench/pi/part.ts, bench/launch/part.ts) are found when they appear; until
 * then, or when the module does not load, the report says why and the run goes on.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { runProcess } from "../lib/run-process.ts";
import type { BenchPart, PartOptions, PartResult } from "./part.ts";

export interface PartEntry {
  name: string;
  /** Heading used when the module could not be loaded (the module's own `title` wins otherwise). */
  title: string;
  /** Relative to bench/. */
  module: string;
  /** Seconds to aim for in a full run (all of them: under 15 minutes on 2 cores) and in --quick. */
  budget: { full: number; quick: number };
}

export const PARTS: readonly PartEntry[] = [
  { name: "pingpong", title: "Ping-pong", module: "report/pingpong.ts", budget: { full: 90, quick: 10 } },
  { name: "collectives", title: "Collectives", module: "report/collectives.ts", budget: { full: 420, quick: 15 } },
  { name: "heat", title: "Heat equation (heat.ts time per step)", module: "heat/part.ts", budget: { full: 240, quick: 15 } },
  { name: "pi", title: "pi.ts time against rank count", module: "pi/part.ts", budget: { full: 90, quick: 8 } },
  { name: "launch", title: "Launch time, memory per rank, idle CPU", module: "launch/part.ts", budget: { full: 120, quick: 15 } },
];

/** The part, or why there is none (module missing, no `part` export, import failed). */
export async function loadPart(benchDir: string, entry: PartEntry): Promise<BenchPart | string> {
  const path = join(benchDir, entry.module);
  if (!existsSync(path)) {
    const folder = dirname(path);
    const cli = join(folder, "run.ts");
    if (existsSync(cli)) return cliPart(benchDir, entry, cli);
    return existsSync(folder)
      ? `bench/${entry.module} not found: bench/${dirname(entry.module)}/ exists but does not export a part yet (\`export const part: BenchPart\`, see bench/report/part.ts)`
      : `bench/${entry.module} not found: this part is not written yet`;
  }
  let mod: { part?: unknown; default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as typeof mod;
  } catch (error) {
    return `bench/${entry.module} failed to load: ${(error as Error).message.split("\n")[0]}`;
  }
  const candidate = (mod.part ?? mod.default) as Partial<BenchPart> | undefined;
  if (candidate === undefined || typeof candidate.run !== "function") return `bench/${entry.module} does not export \`part\` with a run(options) function`;
  return { name: candidate.name ?? entry.name, title: candidate.title ?? entry.title, run: candidate.run.bind(candidate) };
}

/**
 * Until a folder has its part.ts, its command line (bench/<name>/run.ts) stands in: run with
 * `--quick` when quick and `--out=<outDir>/cli/<name>.md` (the convention of every bench run.ts), its
 * markdown embedded as it is. No charts and no target verdicts: those need the part module.
 */
function cliPart(benchDir: string, entry: PartEntry, cli: string): BenchPart {
  const root = dirname(benchDir);
  return {
    name: entry.name,
    title: entry.title,
    async run(options: PartOptions): Promise<PartResult> {
      // A folder of its own: bench/results/<name>.md may be a colleague's hand-written record.
      const out = join(options.outDir, "cli", `${entry.name}.md`);
      mkdirSync(dirname(out), { recursive: true });
      const args = ["--import", "tsx", cli, ...(options.quick ? ["--quick"] : []), `--out=${out}`];
      const before = existsSync(out) ? statSync(out).mtimeMs : 0;
      const run = await runProcess(process.execPath, args, { cwd: root, timeoutSeconds: Math.max(120, options.budgetSeconds * 3) });
      if (run.timedOut) throw new Error(`bench/${relative(benchDir, cli)} timed out`);
      if (run.code !== 0) throw new Error(`bench/${relative(benchDir, cli)} exited with ${run.code ?? run.signal}: ${run.stderr.trim().split("\n").slice(-2).join(" / ")}`);
      const wrote = existsSync(out) && statSync(out).mtimeMs > before;
      // Its own "# Title" goes: the part has a heading in REPORT.md; deeper headings move down two.
      const markdown = wrote
        ? readFileSync(out, "utf8")
            .replace(/^# .*\n+/, "")
            .replace(/^(#{1,4}) /gm, "$1## ")
        : `(bench/${relative(benchDir, cli)} wrote no ${relative(root, out)}; its stdout:)\n\n\`\`\`\n${run.stdout.trim()}\n\`\`\``;
      return {
        method: [`run through its command line, \`node --import tsx ${relative(root, cli)}${options.quick ? " --quick" : ""}\` (${run.seconds.toFixed(0)} s)`],
        sections: [{ title: "Its report", markdown }],
        charts: [],
        targets: [],
        notes: [`no bench/${entry.module} yet: no plots and no target verdicts from this part (export \`part: BenchPart\` from it, see bench/report/part.ts)`],
        files: wrote ? [relative(root, out)] : [],
      };
    },
  };
}
