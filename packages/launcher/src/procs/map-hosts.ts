/**
 * Which host each rank runs on (Open MPI's rmaps across nodes): `slot` and `core` fill each host's
 * slots in turn, `node` deals ranks to the hosts round robin. More ranks than slots is an error
 * unless oversubscribing is allowed, then the extra ranks are dealt round robin.
 */
import type { HostSlots } from "../hosts/host-list.ts";
import type { MapBy } from "./binding.ts";

export type HostMapping = { ok: true; hostOf: number[] } | { ok: false; message: string };

export function mapRanksToHosts(np: number, hosts: readonly HostSlots[], mapBy: MapBy, oversubscribe: boolean): HostMapping {
  const total = hosts.reduce((sum, host) => sum + host.slots, 0);
  if (np > total && !oversubscribe) return { ok: false, message: oversubscriptionTable(np, hosts, total) };
  const hostOf: number[] = [];
  if (mapBy === "node") {
    const used = hosts.map(() => 0);
    for (let next = 0; hostOf.length < Math.min(np, total); next = (next + 1) % hosts.length) {
      if (used[next]! < hosts[next]!.slots) {
        used[next]!++;
        hostOf.push(next);
      }
    }
  } else {
    hosts.forEach((host, index) => {
      for (let slot = 0; slot < host.slots && hostOf.length < np; slot++) hostOf.push(index);
    });
  }
  for (let next = 0; hostOf.length < np; next = (next + 1) % hosts.length) hostOf.push(next);
  return { ok: true, hostOf };
}

function oversubscriptionTable(np: number, hosts: readonly HostSlots[], total: number): string {
  const nameWidth = Math.max(4, ...hosts.map((host) => host.name.length));
  const slotWidth = Math.max(5, ...hosts.map((host) => String(host.slots).length));
  const rows = hosts.map((host) => `  ${host.name.padEnd(nameWidth)}  ${String(host.slots).padStart(slotWidth)}  ${host.source}`);
  return [
    `tsmpirun: ${np} ranks do not fit in the ${total} slot${total === 1 ? "" : "s"} of ${hosts.length} host${hosts.length === 1 ? "" : "s"}; no ranks were started`,
    `  ${"host".padEnd(nameWidth)}  ${"slots".padStart(slotWidth)}  from`,
    ...rows,
    "Ask for fewer ranks, add slots (--host n1:4, or \"n1 slots=4\" in the hostfile), or allow it with --oversubscribe.",
  ].join("\n");
}
