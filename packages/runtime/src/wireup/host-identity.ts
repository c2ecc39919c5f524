/**
 * Which host a process runs on, as far as shared memory and Unix sockets are concerned. The host
 * name is not enough: containers and network namespaces on one machine may share /dev/shm and
 * files while being separate hosts to the network (and a host name can repeat). The kernel's boot
 * id tells machines apart; the network and mount namespaces tell apart "hosts" on one machine.
 * The digest is FNV-1a, not a cryptographic hash: it only tells hosts apart, and loading node:crypto
 * is a noticeable part of every rank's start (its code and the heap it takes).
 */
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

let cached: string | undefined;

/** A short hex digest; equal for two processes exactly when they may use ipc and shared memory. */
export function hostIdentity(): string {
  cached ??= fnv1a64(identityParts().join("\n"));
  return cached;
}

const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** The 64-bit FNV-1a hash of `text`'s UTF-8 bytes, as 16 hex digits. */
function fnv1a64(text: string): string {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of Buffer.from(text, "utf8")) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  return hash.toString(16).padStart(16, "0");
}

function identityParts(): string[] {
  const read = (what: () => string): string => {
    try {
      return what();
    } catch {
      return "";
    }
  };
  const bootId = read(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());
  // Without /proc (not Linux) the host name is the best there is.
  if (bootId === "") return [hostname()];
  return [bootId, read(() => readlinkSync("/proc/self/ns/net")), read(() => readlinkSync("/proc/self/ns/mnt"))];
}
