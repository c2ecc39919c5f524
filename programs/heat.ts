/**
 * 2-D heat equation, du/dt = a * laplacian(u), with an explicit 5-point stencil on an nx x ny grid
 * with a fixed boundary, block-decomposed over a P x Q Cartesian process grid (issue 4):
 *
 *     tsmpirun -n 4 programs/heat.ts --nx 2048 --ny 2048 --steps 500 --png heat.png
 *
 * Rank 0 prints the initial and final mean interior temperature (a reproducible reduction: bitwise
 * the same on every process grid), the time per step and the total. The final field is bitwise the
 * same for every number of ranks and grid, and equal to `--variant serial` (the plain loop);
 * `--checksum` prints a fingerprint to compare. The pieces are in programs/heat/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { computeDims, finalize, init, TsmpiError, type CartComm, type Comm } from "@tsmpi/runtime";
import { interiorChecksum, formatChecksum } from "./heat/checksum.ts";
import { blockOf, checkGrid, wholeBlock, type Block } from "./heat/decompose.ts";
import { fillBlock, initialField } from "./heat/field.ts";
import { gatherField } from "./heat/gather.ts";
import { HaloP2P } from "./heat/halo-p2p.ts";
import { writeFieldPng } from "./heat/heatmap.ts";
import { parseHeatOptions, USAGE, UsageError, type HeatOptions } from "./heat/options.ts";
import { createProgress } from "./heat/progress.ts";
import { reproducibleMean } from "./heat/reproducible-sum.ts";
import { runSerial } from "./heat/serial.ts";
import { DArrayHeat } from "./heat/variant-darray.ts";
import { SharedHeat } from "./heat/variant-shared.ts";

const USAGE_EXIT = 2;

const world = await init();

/** Rank 0 explains, every rank exits with `code`; the barrier lets rank 0 print before anyone exits. */
async function quit(message: string, code: number): Promise<never> {
  if (world.rank === 0) (code === 0 ? console.log : console.error)(message);
  await world.barrier();
  await finalize();
  process.exit(code);
}

let options: HeatOptions;
try {
  options = parseHeatOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  await quit(`heat: ${error.message}\n(see --help)`, USAGE_EXIT);
}
if (options!.help) await quit(USAGE, 0);
const opts = options!;
const { nx, ny, steps } = opts;

function report(lines: string[]): void {
  if (world.rank === 0) for (const line of lines) console.log(line);
}

function frameName(step: number): string {
  return join(opts.frames!, `frame-${String(step).padStart(6, "0")}.png`);
}

/** Prints what every variant prints, from rank 0, in the same format. */
function printSummary(initialMean: number, finalMean: number, seconds: number): void {
  report([
    `initial mean temperature ${initialMean}`,
    `final mean temperature ${finalMean} after ${steps} steps`,
    `time per step ${steps > 0 ? ((seconds * 1000) / steps).toFixed(3) : "-"} ms, total ${seconds.toFixed(3)} s`,
  ]);
}

/** --checksum and --png from the gathered final field (rank 0 only). */
function finishOutputs(full: Float64Array | undefined): void {
  if (full === undefined) return;
  if (opts.checksum) console.log(formatChecksum(interiorChecksum(full, nx, ny)));
  if (opts.png !== undefined) {
    writeFieldPng(opts.png, full, nx, ny);
    console.log(`wrote ${opts.png}`);
  }
}

/** A block-decomposed field that advances one step at a time: the p2p and darray variants. */
interface GridHeat {
  /** The current field's local block, ghost layer included ((nrows+2) x (ncols+2), row-major). */
  readonly field: Float64Array;
  step(): Promise<void>;
}

/** Hand-written nonblocking halo exchange (halo-p2p.ts) on two plain arrays. */
class P2PHeat implements GridHeat {
  #u: Float64Array;
  #next: Float64Array;
  readonly #halo: HaloP2P;

  constructor(cart: CartComm, block: Block) {
    this.#u = new Float64Array((block.nrows + 2) * block.width);
    fillBlock(this.#u, block);
    this.#next = this.#u.slice();
    this.#halo = new HaloP2P(cart, block);
  }

  get field(): Float64Array {
    return this.#u;
  }

  async step(): Promise<void> {
    await this.#halo.step(this.#u, this.#next);
    [this.#u, this.#next] = [this.#next, this.#u];
  }
}

/** The 2-D block-decomposed variants: `p2p` (hand-written exchange) and `darray` (DArray). */
async function runGrid(variant: "p2p" | "darray"): Promise<void> {
  const dims = opts.dims ?? (computeDims(world.size, 2) as [number, number]);
  if (dims[0] * dims[1] !== world.size) await quit(`heat: --dims ${dims.join("x")} needs ${dims[0] * dims[1]} ranks, the job has ${world.size}`, USAGE_EXIT);
  const problem = checkGrid(nx, ny, dims);
  if (problem !== undefined) await quit(`heat: ${problem}`, USAGE_EXIT);
  const cart = (await world.createCart(dims, [false, false])) as CartComm;
  const block: Block = blockOf(nx, ny, cart.dims, cart.coords);
  report([`heat: ${nx} x ${ny} points, ${steps} steps, ${world.size} rank${world.size === 1 ? "" : "s"} as ${dims.join(" x ")}, variant ${variant}`]);

  const heat: GridHeat = variant === "darray" ? await DArrayHeat.create(cart, block) : new P2PHeat(cart, block);
  const initialMean = await reproducibleMean(cart, heat.field, block);

  let frameMs = 0;
  const frame = async (step: number): Promise<void> => {
    const started = performance.now();
    const full = await gatherField(cart, heat.field, block);
    if (full !== undefined) writeFieldPng(frameName(step), full, nx, ny);
    frameMs += performance.now() - started;
  };
  if (opts.frames !== undefined) {
    if (cart.rank === 0) mkdirSync(opts.frames, { recursive: true });
    await frame(0);
  }

  const progress = createProgress(steps, cart.rank === 0);
  await cart.barrier();
  const started = performance.now();
  for (let step = 1; step <= steps; step++) {
    await heat.step();
    progress.update(step);
    if (opts.frames !== undefined && step % opts.every === 0) await frame(step);
  }
  await cart.barrier();
  const seconds = (performance.now() - started - frameMs) / 1000;
  progress.done();

  const finalMean = await reproducibleMean(cart, heat.field, block);
  printSummary(initialMean, finalMean, seconds);
  if (opts.frames !== undefined) report([`wrote frames to ${opts.frames}`]);
  if (opts.checksum || opts.png !== undefined) finishOutputs(await gatherField(cart, heat.field, block));
}

/** `@distributed for` over two SharedArrays (variant-shared.ts): every rank on one host. */
async function runShared(): Promise<void> {
  if (opts.dims !== undefined) await quit("heat: --dims is for --variant p2p; --variant shared splits rows over all ranks", USAGE_EXIT);
  let heat: SharedHeat;
  try {
    heat = await SharedHeat.create(world, nx, ny);
  } catch (error) {
    // Several hosts: every rank gets SharedArray's ERR_COMM; rank 0 says it once.
    if (!(error instanceof TsmpiError && error.code === "ERR_COMM")) throw error;
    await quit(`heat: --variant shared: ${error.message}`, 1);
  }
  const shared = heat!;
  report([`heat: ${nx} x ${ny} points, ${steps} steps, ${world.size} rank${world.size === 1 ? "" : "s"} sharing rows, variant shared`]);
  const initialMean = await shared.mean();

  // Rank 0 draws a frame from `current` while the others already compute the next step: that step
  // writes the other field, and the one after waits for rank 0 at the barrier.
  let frameMs = 0;
  const frame = (step: number): void => {
    if (world.rank !== 0) return;
    const started = performance.now();
    writeFieldPng(frameName(step), shared.current, nx, ny);
    frameMs += performance.now() - started;
  };
  if (opts.frames !== undefined) {
    if (world.rank === 0) mkdirSync(opts.frames, { recursive: true });
    frame(0);
  }

  const progress = createProgress(steps, world.rank === 0);
  await world.barrier();
  const started = performance.now();
  for (let step = 1; step <= steps; step++) {
    await shared.step();
    progress.update(step);
    if (opts.frames !== undefined && step % opts.every === 0) frame(step);
  }
  await world.barrier();
  const seconds = (performance.now() - started - frameMs) / 1000;
  progress.done();

  const finalMean = await shared.mean();
  printSummary(initialMean, finalMean, seconds);
  if (opts.frames !== undefined) report([`wrote frames to ${opts.frames}`]);
  // Every rank's last writes are behind the last step's barrier: rank 0 reads the whole field.
  finishOutputs(world.rank === 0 ? shared.current : undefined);
  await shared.free();
}

/** The plain loop of serial.ts on one rank: the reference the parallel variants must match. */
async function runSerialVariant(comm: Comm): Promise<void> {
  if (comm.size !== 1) await quit(`heat: --variant serial runs on one rank (tsmpirun -n 1), the job has ${comm.size}`, USAGE_EXIT);
  if (opts.frames !== undefined) await quit("heat: --frames is not supported with --variant serial", USAGE_EXIT);
  report([`heat: ${nx} x ${ny} points, ${steps} steps, 1 rank, variant serial`]);
  const whole = wholeBlock(nx, ny);
  const initialMean = await reproducibleMean(comm, initialField(nx, ny), whole);
  const started = performance.now();
  const full = runSerial(nx, ny, steps);
  const seconds = (performance.now() - started) / 1000;
  printSummary(initialMean, await reproducibleMean(comm, full, whole), seconds);
  finishOutputs(full);
}

switch (opts.variant) {
  case "p2p":
  case "darray":
    await runGrid(opts.variant);
    break;
  case "serial":
    await runSerialVariant(world);
    break;
  case "shared":
    await runShared();
    break;
}
await finalize();
