// Preloaded into every rank by bench/launch/memory.ts (NODE_OPTIONS=--import): at exit, appends this
// process's peak resident set (VmHWM) and CPU time to $TSMPI_BENCH_HWM_FILE, one JSON line per rank.
import { appendFileSync, readFileSync } from "node:fs";

const file = process.env.TSMPI_BENCH_HWM_FILE;
if (file) {
  process.on("exit", () => {
    const status = readFileSync("/proc/self/status", "utf8");
    const kb = (field) => Number(new RegExp(`^${field}:\\s*(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    const { user, system } = process.cpuUsage();
    appendFileSync(file, `${JSON.stringify({ rank: Number(process.env.TSMPI_RANK), pid: process.pid, hwmKiB: kb("VmHWM"), rssKiB: kb("VmRSS"), cpuMs: (user + system) / 1000 })}\n`);
  });
}
