/**
 * A rank whose tsmpirun has died (SIGKILL, a crash) must not live on: ranks run in their own
 * process groups, so nothing else would end them. The check is cheap and unref'd, so it never
 * keeps a finished program alive.
 */
const CHECK_INTERVAL_MS = 500;

export function exitWhenOrphaned(rank: number): void {
  const launcher = process.ppid;
  setInterval(() => {
    if (process.ppid === launcher) return;
    process.stderr.write(`tsmpi: rank ${rank}: tsmpirun (pid ${launcher}) is gone; exiting\n`);
    process.exit(1);
  }, CHECK_INTERVAL_MS).unref();
}
