/**
 * Runs the tsmpi ping-pong (through the launcher) and the bare zeromq.js floor in one invocation,
 * interleaved (tsmpi, zmq, tsmpi, zmq, ...: this shared 2-core machine drifts), pools every sample,
 * prints a markdown table on stdout and writes it, with the command and the machine, to
 * bench/results/pingpong.md.
 *
 *   pnpm bench:pingpong              full run, unpinned, 3 rounds
 *   pnpm bench:pingpong --quick      3 sizes, 2 rounds (< 30 s)
 *   pnpm bench:pingpong --pin        both ends on cpu 0 (same as --pin=same); --pin=split: cpu 0 / cpu 1
 *   options: --rounds=N --sizes=8,4096 --out=FILE --launcher=launch|mini --reps=N
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { median, ratio, spread } from "../lib/stats.ts";
import type { CaseResult } from "./common.ts";
import { runPingpongSuite } from "./suite.ts";
import { cliOptions } from "../lib/cli.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argv = process.argv.slice(2);
const { option, value } = cliOptions(argv);

const quick = option("quick") !== undefined;
const rounds = Number(value("rounds") ?? (quick ? 2 : 3));
const pinMode = option("pin") === undefined ? "none" : (value("pin") ?? "same");
if (!["none", "same", "split"].includes(pinMode)) throw new Error(`--pin must be same or split, got ${pinMode}`);
const pinArg = pinMode === "same" ? ["--pin=0,0"] : pinMode === "split" ? ["--pin=0,1"] : [];
const passThrough = argv.filter((a) => a === "--quick" || a === "--no-object" || a.startsWith("--sizes=") || a.startsWith("--reps="));
const programArgs = [...passThrough, ...pinArg];
const out = resolve(root, value("out") ?? "bench/results/pingpong.md");
let launcherMode = value("launcher") ?? "launch";

const log = (message: string): void => void process.stderr.write(`${message}\n`);

const started = performance.now();
const load = loadavg()[0]!.toFixed(2);
const suite = await runPingpongSuite({ root, rounds, programArgs, launcher: launcherMode === "mini" ? "mini" : "launch" });
const { pooled, pinnedAs } = suite;
launcherMode = suite.launcher;
const seconds = (performance.now() - started) / 1000;


const rows: string[] = [
  "| payload | tsmpi latency (us) | zmq latency (us) | tsmpi/zmq | tsmpi bandwidth | zmq bandwidth | tsmpi/zmq |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const [label, t] of pooled.tsmpi) {
  const z = pooled.zmq.get(label)!;
  const unit = t.bytes === 0 ? "kmsg/s" : "MB/s";
  rows.push(
    `| ${label} | ${spread(t.latencyUs)} | ${spread(z.latencyUs)} | ${ratio(median(t.latencyUs), median(z.latencyUs))} | ` +
      `${spread(t.bandwidth)} ${unit} | ${spread(z.bandwidth)} ${unit} | ${ratio(median(t.bandwidth), median(z.bandwidth))} |`,
  );
}
const table = rows.join("\n");

const verdicts: string[] = [];
const t8 = pooled.tsmpi.get("8 B");
const z8 = pooled.zmq.get("8 B");
if (t8 && z8) {
  const r = median(t8.latencyUs) / median(z8.latencyUs);
  verdicts.push(`- 8 B latency: tsmpi/zmq = ${r.toFixed(2)}x (target <= 1.5x): ${r <= 1.5 ? "met" : "NOT met"}`);
}
const t4 = pooled.tsmpi.get("4 MiB");
const z4 = pooled.zmq.get("4 MiB");
if (t4 && z4) {
  const r = median(t4.bandwidth) / median(z4.bandwidth);
  verdicts.push(`- 4 MiB bandwidth: tsmpi/zmq = ${r.toFixed(2)}x (target >= 0.8x): ${r >= 0.8 ? "met" : "NOT met"}`);
}

const samplesPer = (m: Map<string, CaseResult>): number => [...m.values()][0]?.latencyUs.length ?? 0;
const command = `pnpm bench:pingpong${argv.length > 0 ? ` ${argv.join(" ")}` : ""}   # = node --import tsx bench/pingpong/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const report = `# Ping-pong: tsmpi vs bare zeromq.js

Reproduce (from the repository root): \`${command}\`

- machine: ${availableParallelism()} cpus (\`nproc\`), ${cpus()[0]?.model ?? "unknown cpu"}, node ${process.version}, load average ${load} at start
- pinning: ${pinMode === "none" ? "none (the scheduler places both processes)" : pinMode === "same" ? "both ends on cpu 0 (`taskset -a -c -p 0`, every thread)" : "side 0 on cpu 0, side 1 on cpu 1 (`taskset -a -c -p`, every thread)"}; tsmpi ${pinnedAs.tsmpi}, zmq ${pinnedAs.zmq} (rank/side 0)
- tsmpi started by: ${launcherMode === "launch" ? "`launch()` from @tsmpi/launcher (ranks run the esbuild bundle under plain node)" : "packages/runtime/mini-launch.mjs (dev launcher, tsx)"}, transport ipc
- zmq floor: PUSH/PULL pair per direction over ipc, HWM 0, one frame per message (no header), no copy on send; object = JSON
- ${rounds} round(s), interleaved tsmpi, zmq, tsmpi, zmq...; ${samplesPer(pooled.tsmpi)} samples per cell (repetitions x rounds), ${seconds.toFixed(0)} s in all
- latency: half round trip, each sample the median of one repetition's round trips; cells are median (min–max) over samples
- bandwidth: rank 0 isends a window of messages (about 32 MiB or 256 messages), rank 1 receives them and acks once; MB/s = 1e6 bytes/s; the object row is in thousands of messages per second

${table}

${verdicts.join("\n")}
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
process.stdout.write(`${table}\n\n${verdicts.join("\n")}\n`);
log(`wrote ${relative(root, out)} (${seconds.toFixed(1)} s)`);
