import { spawn } from "node:child_process";
import { hostname } from "node:os";
import type { HostBackend, RankProcessSpec } from "./host.ts";

export const localHost: HostBackend = {
  hostname: hostname(),

  spawnRank(spec: RankProcessSpec) {
    return spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: spec.stdio,
      // Own process group: the launcher can end the rank with everything it started, and a
      // Ctrl-C on the terminal reaches only tsmpirun, which then ends the job in order.
      detached: true,
    });
  },

  signalRankGroup(pid: number, signal: NodeJS.Signals) {
    try {
      process.kill(-pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
      throw error;
    }
  },
};
