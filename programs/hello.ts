/**
 * Hello from every rank: `tsmpirun -n 4 programs/hello.ts`.
 */
import { hostname } from "node:os";
import { finalize, init } from "@tsmpi/runtime";

const world = await init();
console.log(`hello from rank ${world.rank} of ${world.size} on ${hostname()} (pid ${process.pid})`);
await finalize();
