/**
 * Which host a process runs on, as far as shared memory and Unix sockets are concerned. The host
 * name is not enough: containers and network namespaces on one machine may share /dev/shm and
 * files while being separate hosts to the network (and a host name can repeat). The kernel's boot
 * id tells machines apart; the network and mount namespaces tell apart "hosts" on one machine.
 */
import { createHash } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

let cached: string | undefined;

/** A short hex digest; equal for two processes exactly when they may use ipc and shared memory. */
export function hostIdentity(): string {
  cached ??= createHash("sha256").update(identityParts().join("\n")).digest("hex").slice(0, 16);
  return cached;
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
