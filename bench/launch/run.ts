/**
 * Launch time: `tsmpirun -n N programs/hello.ts` start to exit beside `mpirun -n N python3 hello.py`
 * (mpi4py), N = 1, 4, 16, in one run, interleaved (tsmpirun, mpirun, tsmpirun, ...: this shared
 * machine drifts), each cell the median of the repetitions with min–max; the load average is
 * recorded with every sample. With TSMPIRUN_TRACE=1 the launcher prints its phases, so the table
 * also splits tsmpirun's time into: launcher loaded, bundle ready, ranks spawned, fence, exit.
 * The measuring is in bench/launch/time.ts (also part "launch" of `pnpm bench`, bench/launch/part.ts).
 *
 *   node --import tsx bench/launch/run.ts                 N = 1, 4, 16; 7 repetitions
 *   node --import tsx bench/launch/run.ts --quick         N = 1, 16; 3 repetitions
 *   options: --np=1,4,16 --reps=N --out=FILE --baseline=PATH/tsmpirun.js (adds a column, e.g. an
 *            older launcher extracted with `git archive`) --no-cache (TSMPIRUN_CACHE=0 column)
 *            --no-shm (TSMPI_SHM=0 column: ranks without the same-host queues)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, loadNow, machineFacts, progress } from "../lib/machine.ts";
import { launchTimeTable, measureLaunchTime, mpirunAvailable, phaseTable } from "./time.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const quick = flag("quick");
const nps = (value("np") ?? (quick ? "1,16" : "1,4,16")).split(",").map(Number);
const reps = Number(value("reps") ?? (quick ? 3 : 7));
const out = resolve(root, value("out") ?? "bench/results/launch-time.md");

const mpirunFound = await mpirunAvailable(root);
if (!mpirunFound) progress("mpirun or mpi4py for /usr/bin/python3 not found (bash bench/reference/install.sh): no reference column");

const facts = machineFacts(root);
const result = await measureLaunchTime({ root, nps, reps, mpirun: mpirunFound, noCache: flag("no-cache"), noShm: flag("no-shm"), baseline: value("baseline") });
const rows = launchTimeTable(result);
const phaseRows = phaseTable(result);

const command = `node --import tsx bench/launch/run.ts${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`;
const report = `# Launch time: tsmpirun vs mpirun + mpi4py

Reproduce: \`${command}\`

- machine: ${describeMachine(facts, loadNow())}
- ${reps} repetitions, interleaved per N (${result.variants.join(", ")}); cells are median (min–max) seconds, start to exit of the whole command; ${result.seconds.toFixed(0)} s in all
- tsmpirun: \`node packages/launcher/bin/tsmpirun.js -n N programs/hello.ts\` (default binding; the launcher runs from its compiled dist/, the program bundle is cached after the first run)
- mpirun: \`mpirun --allow-run-as-root --oversubscribe -n N /usr/bin/python3 hello.py\` (mpi4py hello, Open MPI's defaults)${mpirunFound ? "" : "; **not run**: mpirun or mpi4py for /usr/bin/python3 not found"}

${rows}

tsmpirun phases (TSMPIRUN_TRACE=1), median ms since the launcher process started:

${phaseRows}
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
process.stdout.write(`${rows}\n\n${phaseRows}\n`);
progress(`wrote ${relative(root, out)} (${result.seconds.toFixed(0)} s)`);
