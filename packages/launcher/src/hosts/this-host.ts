import { hostname } from "node:os";
import { ownAddresses } from "./interfaces.ts";

/**
 * Whether a host name given in `--host`/`--hostfile` means the launcher's own host: its ranks then
 * start without ssh. Only names that are certain are matched (no DNS look-up, which may be slow or
 * absent): localhost, this host's name with or without its domain, and its own addresses.
 */
export function isThisHost(name: string): boolean {
  const own = hostname();
  if (name === "localhost" || name === own || name === own.split(".")[0] || own === name.split(".")[0]) return true;
  return ownAddresses().has(name);
}
