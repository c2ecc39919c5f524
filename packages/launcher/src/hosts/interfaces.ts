import { networkInterfaces } from "node:os";

/** This host's IPv4 address on interface `iface`: a name like eth0, or a CIDR like 10.0.0.0/8. */
export function interfaceAddress(iface: string): string | undefined {
  const [network, bits] = iface.split("/");
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family !== "IPv4") continue;
      if (name === iface) return entry.address;
      if (bits !== undefined && network !== undefined && inNetwork(entry.address, network, Number(bits))) return entry.address;
    }
  }
  return undefined;
}

/** This host's own addresses (every interface, IPv4 and IPv6). */
export function ownAddresses(): Set<string> {
  return new Set(Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address)));
}

function inNetwork(address: string, network: string, bits: number): boolean {
  const toNumber = (text: string): number => text.split(".").reduce((value, part) => value * 256 + Number(part), 0);
  const size = 2 ** (32 - bits);
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(network) / size);
}
