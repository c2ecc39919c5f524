// A rank program as a user writes it in a project of their own: TypeScript in a subfolder,
// a local module, and an npm dependency of the project (is-number).
import isNumber from "is-number";
import { finalize, init, Op } from "@tsmpi/runtime";
import { partialSum } from "./lib/partial-sum.ts";

const world = await init();
const n = Number(process.argv[2] ?? "1000");
if (!isNumber(n)) throw new Error(`not a number: ${process.argv[2]}`);
const total = await world.allreduce(partialSum(n, world.rank, world.size), Op.SUM);
if (world.rank === 0) console.log(`sum of 1..${n} on ${world.size} ranks = ${total}`);
if (process.argv.includes("--fail") && world.rank === world.size - 1) {
  failHere();
}
await finalize();

function failHere(): never {
  throw new Error(`rank ${world.rank} failed on purpose`);
}
