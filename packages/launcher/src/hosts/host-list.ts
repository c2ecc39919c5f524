/**
 * The hosts of a job and their slots (how many ranks each takes before it is oversubscribed),
 * from `--host`, `--hostfile` or a Slurm allocation. One rule for both forms: a host with no count
 * has 1 slot (Open MPI's different defaults for the two confuse its users).
 */
import { readFileSync } from "node:fs";

export interface HostSlots {
  name: string;
  slots: number;
  /** Where the count came from, for the table of an oversubscription error. */
  source: string;
}

/** `n1:2,n2` (a comma-separated list; `:N` slots, none = 1). */
export function parseHostList(list: string): HostSlots[] {
  const hosts = list.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  if (hosts.length === 0) throw new RangeError("--host needs at least one host name");
  return merge(hosts.map((entry) => parseEntry(entry, "--host", "--host")));
}

/** A hostfile: one host per line, `n1 slots=4` or `n1:4` or `n1`; `#` starts a comment. */
export function parseHostfile(file: string): HostSlots[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RangeError(`--hostfile: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const hosts: HostSlots[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const where = `${file} line ${index + 1}`;
    const [name, ...words] = line.split(/\s+/);
    if (words.length === 0) {
      hosts.push(parseEntry(name!, where, `--hostfile ${where}`));
      return;
    }
    let slots = 1;
    for (const word of words) {
      const match = /^(?:slots|max_slots|max-slots)=(\d+)$/.exec(word);
      if (match === null) throw new RangeError(`--hostfile ${where}: expected "host slots=N", got ${JSON.stringify(line)}`);
      if (word.startsWith("slots=")) slots = positive(match[1]!, `--hostfile ${where}`);
    }
    hosts.push({ name: name!, slots, source: where });
  });
  if (hosts.length === 0) throw new RangeError(`--hostfile ${file} names no host`);
  return merge(hosts);
}

function parseEntry(entry: string, source: string, what: string): HostSlots {
  const match = /^([^:\s]+)(?::(\S+))?$/.exec(entry);
  if (match === null) throw new RangeError(`${what}: expected "host" or "host:slots", got ${JSON.stringify(entry)}`);
  return { name: match[1]!, slots: match[2] === undefined ? 1 : positive(match[2], what), source };
}

function positive(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what}: slots must be a positive integer, got ${text}`);
  return value;
}

/** A host named twice gets the sum of its slots, at its first position. */
function merge(hosts: HostSlots[]): HostSlots[] {
  const byName = new Map<string, HostSlots>();
  for (const host of hosts) {
    const known = byName.get(host.name);
    if (known === undefined) byName.set(host.name, { ...host });
    else {
      known.slots += host.slots;
      known.source = `${known.source}, ${host.source}`;
    }
  }
  return [...byName.values()];
}
