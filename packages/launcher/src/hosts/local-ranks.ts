import type { ChildProcess } from "node:child_process";
import { spawnRank, type RankLaunchSpec } from "../procs/spawn.ts";
import { killLeftovers, terminateRank } from "../procs/terminate.ts";
import { localHost } from "./local.ts";
import type { RankChild, RankHost } from "./rank-host.ts";

/** The ranks of a job on tsmpirun's own host, started as its children (no agent in between). */
export class LocalRanks implements RankHost {
  readonly hostname = localHost.hostname;
  readonly #children: { child: ChildProcess; exited: Promise<void>; done: boolean }[] = [];

  start(specs: readonly RankLaunchSpec[]): RankChild[] {
    return specs.map((spec) => {
      const child = spawnRank(localHost, spec);
      const entry = { child, exited: Promise.resolve(), done: false };
      entry.exited = new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.once("error", () => child.pid === undefined && resolve());
      }).then(() => {
        entry.done = true;
      });
      this.#children.push(entry);
      return child;
    });
  }

  async endAll(graceMs: number): Promise<void> {
    await Promise.all(
      this.#children
        .filter((entry) => !entry.done && entry.child.pid !== undefined)
        .map((entry) => terminateRank(localHost, entry.child.pid!, entry.exited, graceMs)),
    );
  }

  killLeftovers(): void {
    for (const { child } of this.#children) if (child.pid !== undefined) killLeftovers(localHost, child.pid);
  }
}
