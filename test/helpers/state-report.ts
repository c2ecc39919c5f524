/** Reading tsmpirun's state report (--timeout, SIGUSR1) in tests. */

/** The report's block of one rank: its first line and the indented lines after it. */
export function blockOf(stderr: string, rank: number): string {
  const lines = stderr.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`tsmpirun: rank ${rank} on `));
  if (start < 0) return "";
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith("tsmpirun:     ")) end++;
  return lines.slice(start, end).join("\n");
}
