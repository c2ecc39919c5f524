/**
 * Peak memory per rank and wire-up at scale: runs `tsmpirun` jobs with every rank preloading
 * hwm-hook.mjs (its VmHWM and CPU time at exit) and the launcher under /usr/bin/time (its max RSS),
 * TSMPIRUN_TRACE=1 for the wire-up phases. Cases: hello at np 1/16/32/64, the launch-many fixture
 * (barrier + allreduce) at np 16/32/64, heat 2048x2048 20 steps at np 4/16. The measuring is in
 * bench/launch/peak-memory.ts (also part "launch" of `pnpm bench`, bench/launch/part.ts).
 *
 *   node --import tsx bench/launch/memory.ts [--reps=2] [--out=FILE] [--only=hello,many,heat]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, loadNow, machineFacts, progress } from "../lib/machine.ts";
import { ALL_CASES, measureMemory, MEMORY_METHOD, memoryTable } from "./peak-memory.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const reps = Number(value("reps") ?? 2);
const only = value("only")?.split(",");
const out = resolve(root, value("out") ?? "bench/results/launch-memory.md");
const cases = ALL_CASES.filter((c) => only === undefined || only.includes(c.group));

const facts = machineFacts(root);
const result = await measureMemory({ root, cases, reps });
const rows = memoryTable(result);
const command = `node --import tsx bench/launch/memory.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const report = `# Launch at scale and peak memory per rank

Reproduce: \`${command}\`

- machine: ${describeMachine(facts, loadNow())}
- ${reps} repetitions per case; cells are median (min–max) where a spread is shown; ${result.seconds.toFixed(0)} s in all
- ${MEMORY_METHOD}
- launcher max RSS: \`/usr/bin/time -f %M\` of tsmpirun itself; spawned → fence: TSMPIRUN_TRACE=1 phases

${rows}
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
process.stdout.write(`${rows}\n`);
progress(`wrote ${relative(root, out)} (${result.seconds.toFixed(0)} s)`);
