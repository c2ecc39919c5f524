/**
 * The address a rank's tcp socket binds to: the local address the kernel would use to reach the
 * rendezvous, which is one peers on other hosts can reach. Binding "the first interface" picks
 * docker0 or virbr0 on many machines (Open MPI's long-standing multi-homed hangs); binding every
 * interface would publish an address that may mean nothing to the peer.
 * node:dgram and node:dns are loaded here only, not at every rank's start (most ranks never bind tcp).
 */
import { isIP } from "node:net";

/** The source address of the route towards `host` (a connected UDP socket sends nothing). */
export async function routeSourceAddress(host: string): Promise<string> {
  const [{ createSocket }, { lookup }] = await Promise.all([import("node:dgram"), import("node:dns/promises")]);
  const target = isIP(host) !== 0 ? host : (await lookup(host, { family: 4 })).address;
  const socket = createSocket(isIP(target) === 6 ? "udp6" : "udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(9, target, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}

/** The source address of the route towards the host of a `tcp://host:port` endpoint. */
export function routeSourceAddressTowards(endpoint: string): Promise<string> {
  const host = endpointHost(endpoint);
  if (host === undefined) return Promise.reject(new Error(`cannot choose a tcp address from rendezvous ${endpoint}`));
  return routeSourceAddress(host);
}

/** The host part of a `tcp://host:port` endpoint. */
function endpointHost(endpoint: string): string | undefined {
  const match = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):\d+$/.exec(endpoint);
  return match?.[1]?.replace(/^\[|\]$/g, "");
}
