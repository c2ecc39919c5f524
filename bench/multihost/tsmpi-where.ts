/**
 * Where the ranks of a bench/multihost job run: rank 0 prints one JSON line, `{"hosts":[...]}`, the
 * host name of every rank in rank order, so that the part can check the placement before it
 * measures anything. By hand:
 *   node packages/launcher/bin/tsmpirun.js --host n1,n2 --ssh-command "ssh -F /var/tmp/tsmpi-cluster/ssh/ssh_config" \
 *     -n 2 bench/multihost/tsmpi-where.ts
 */
import { hostname } from "node:os";
import { init } from "@tsmpi/runtime";

const world = await init();
const hosts = await world.gather(hostname(), 0);
if (world.rank === 0) process.stdout.write(`${JSON.stringify({ hosts })}\n`);
