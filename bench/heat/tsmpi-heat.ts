/**
 * tsmpi side of bench/heat: programs/heat.ts's own pieces (HaloP2P over a computeDims CartComm,
 * SharedHeat, or DArrayHeat over the same CartComm and blocks), timed like bench/reference/heat.c and heat.py: `warmup` steps, then `reps` samples of
 * `steps` steps between barriers (ms per step on rank 0); then the final interior's checksum as
 * heat.ts --checksum prints it (row-major sum, SHA-256 of its bits). Rank 0 prints one JSON line.
 * Started by run.ts through `launch()`; by hand:
 *   node packages/launcher/bin/tsmpirun.js -n 4 bench/heat/tsmpi-heat.ts --variant=p2p|shared|darray --nx=256 --ny=256 --warmup=5 --steps=20 --reps=3
 */
import { computeDims, finalize, init, type CartComm } from "@tsmpi/runtime";
import { interiorChecksum } from "../../programs/heat/checksum.ts";
import { blockOf, type Block } from "../../programs/heat/decompose.ts";
import { fillBlock } from "../../programs/heat/field.ts";
import { gatherField } from "../../programs/heat/gather.ts";
import { HaloP2P } from "../../programs/heat/halo-p2p.ts";
import { DArrayHeat } from "../../programs/heat/variant-darray.ts";
import { SharedHeat } from "../../programs/heat/variant-shared.ts";

const argv = process.argv.slice(2);
const value = (name: string, fallback: string): string => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const variant = value("variant", "p2p");
const [nx, ny, warmup, steps, reps] = ["nx", "ny", "warmup", "steps", "reps"].map((k) => Number(value(k, k === "nx" || k === "ny" ? "2048" : k === "reps" ? "3" : k === "warmup" ? "5" : "20"))) as [
  number,
  number,
  number,
  number,
  number,
];
if (variant !== "p2p" && variant !== "shared" && variant !== "darray") throw new Error(`tsmpi-heat: --variant=p2p|shared|darray, got ${variant}`);

const world = await init();

/** A variant as the timing loop sees it: one collective step, then the full field on rank 0. */
interface Runner {
  dims: string;
  step(): Promise<void>;
  final(): Promise<Float64Array | undefined>;
  free(): Promise<void>;
}

/** The 2-D Cartesian grid and this rank's block, as heat.ts's runGrid makes them. */
async function grid(): Promise<{ dims: [number, number]; cart: CartComm; block: Block }> {
  const dims = computeDims(world.size, 2) as [number, number];
  const cart = (await world.createCart(dims, [false, false])) as CartComm;
  return { dims, cart, block: blockOf(nx, ny, cart.dims, cart.coords) };
}

async function p2p(): Promise<Runner> {
  const { dims, cart, block } = await grid();
  let u = new Float64Array((block.nrows + 2) * block.width);
  fillBlock(u, block);
  let next = u.slice();
  const halo = new HaloP2P(cart, block);
  return {
    dims: dims.join("x"),
    async step() {
      await halo.step(u, next);
      [u, next] = [next, u];
    },
    final: () => gatherField(cart, u, block),
    free: async () => {},
  };
}

/** DArray's block split is decompose.ts's (DArrayHeat.create checks it), so the same dims label. */
async function darray(): Promise<Runner> {
  const { dims, cart, block } = await grid();
  const heat = await DArrayHeat.create(cart, block);
  return {
    dims: dims.join("x"),
    step: () => heat.step(),
    // `field` is the current array (the two swap every step): read it after the last step.
    final: () => gatherField(cart, heat.field, block),
    free: async () => heat.free(),
  };
}

async function shared(): Promise<Runner> {
  const heat = await SharedHeat.create(world, nx, ny);
  return {
    dims: `${world.size} row blocks`,
    step: () => heat.step(),
    final: async () => (world.rank === 0 ? heat.current.slice() : undefined),
    free: () => heat.free(),
  };
}

const runner = variant === "p2p" ? await p2p() : variant === "darray" ? await darray() : await shared();
const samples: number[] = [];
for (let sample = -1; sample < reps; sample++) {
  const count = sample < 0 ? warmup : steps;
  await world.barrier();
  const started = performance.now();
  for (let s = 0; s < count; s++) await runner.step();
  await world.barrier();
  if (sample >= 0) samples.push((performance.now() - started) / Math.max(steps, 1));
}
const full = await runner.final();
await runner.free();
if (full !== undefined) {
  const { sum, sha256 } = interiorChecksum(full, nx, ny);
  const line = { impl: `tsmpi-${variant}`, np: world.size, dims: runner.dims, nx, ny, warmup, steps, reps, total_steps: warmup + reps * steps, ms_per_step: samples, sum, sha256 };
  console.log(JSON.stringify(line));
}
await finalize();
