/**
 * The state report (Open MPI's --report-state-on-timeout): asks every running rank over the
 * rendezvous what it is blocked in, waits a moment for the answers, and words one block per rank.
 */
import type { RankStateReport, RendezvousServer, ReportedOperation } from "@tsmpi/runtime/internal/wireup";

/** How long a rank has to answer before it is reported as not answering. */
const ANSWER_MS = 1000;

/** What the launcher itself knows of a rank, for ranks that cannot answer. */
export interface RankStanding {
  rank: number;
  hostname: string;
  /** Set once it has exited: how ("exited with code 0"). */
  exited: string | undefined;
  /** Still in init(): it cannot answer before wire-up completes. */
  inWireup: boolean;
}

/** Collects the ranks' answers; one per supervised job. */
export class StateReporter {
  #nextRequest = 1;
  readonly #waiting = new Map<number, { answers: Map<number, RankStateReport>; expected: number; done: () => void }>();

  constructor(private readonly server: RendezvousServer) {}

  /** The rendezvous's `onState`. */
  answer(rank: number, request: number, state: RankStateReport): void {
    const waiting = this.#waiting.get(request);
    if (waiting === undefined) return;
    waiting.answers.set(rank, state);
    if (waiting.answers.size === waiting.expected) waiting.done();
  }

  /** Asks the ranks that can answer, and words the report (lines starting `tsmpirun: `). */
  async report(heading: string, ranks: RankStanding[]): Promise<string> {
    const asked = ranks.filter((rank) => rank.exited === undefined && !rank.inWireup);
    const request = this.#nextRequest++;
    const answers = new Map<number, RankStateReport>();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ANSWER_MS);
      this.#waiting.set(request, { answers, expected: asked.length, done: () => (clearTimeout(timer), resolve()) });
      if (asked.length === 0) resolve();
      for (const { rank } of asked) this.server.requestState(rank, request);
    });
    this.#waiting.delete(request);
    const lines = [`tsmpirun: ${heading}`];
    for (const standing of ranks) lines.push(...describeRank(standing, answers.get(standing.rank)));
    return lines.join("\n");
  }
}

function describeRank(standing: RankStanding, state: RankStateReport | undefined): string[] {
  const who = `tsmpirun: rank ${standing.rank} on ${state?.host || standing.hostname}`;
  if (standing.exited !== undefined) return [`${who}: ${standing.exited}`];
  if (standing.inWireup) return [`${who}: in init(), waiting for wire-up to complete`];
  if (state === undefined) return [`${who}: not answering (busy without returning to its event loop, or stuck outside tsmpi)`];
  const blocked = state.operations.filter((operation) => !operation.request);
  const pending = state.operations.filter((operation) => operation.request);
  const lines = [
    blocked.length === 0
      ? `${who} (pid ${state.pid}): not blocked in a tsmpi call`
      : `${who} (pid ${state.pid}): blocked in ${describeOperation(blocked[blocked.length - 1]!)}`,
  ];
  for (const operation of blocked.slice(0, -1).reverse()) lines.push(`tsmpirun:     within ${describeOperation(operation)}`);
  lines.push(`tsmpirun:     pending requests: ${pending.length === 0 ? "none" : ""}`);
  for (const operation of pending) lines.push(`tsmpirun:       ${describeOperation(operation)}`);
  for (const held of state.heldFailures) lines.push(`tsmpirun:     note: ${held}`);
  for (const operation of state.operations) {
    if (operation.stack === undefined) continue;
    lines.push(`tsmpirun:     ${operation.call} called at:`, ...operation.stack.split("\n").map((frame) => `tsmpirun:       ${frame}`));
  }
  return lines;
}

function describeOperation(operation: ReportedOperation): string {
  const waited = `waiting ${(operation.waitedMs / 1000).toFixed(1)} s`;
  if (operation.communicator === undefined) return `${operation.call} (${waited})`;
  if (operation.sequence !== undefined) {
    const waits = operation.waitingFor.map(({ source, step }) => `${source === -1 ? "any rank" : `rank ${source}`} (step ${step})`);
    const forWhom = waits.length === 0 ? "" : `, waiting for a message from ${waits.join(", ")}`;
    return `${operation.call} #${operation.sequence} on ${operation.communicator} (algorithm ${operation.algorithm})${forWhom} (${waited})`;
  }
  const source = operation.source === -1 ? "ANY_SOURCE" : `rank ${operation.source}`;
  const tag = operation.tag === -1 ? "ANY_TAG" : String(operation.tag);
  // A synchronous send waits for its destination to match it; its `source` is that rank.
  const direction = /^i?ssend$/.test(operation.call) ? "to" : "from";
  return `${operation.call} ${direction} ${source}, tag ${tag}, on ${operation.communicator} (${waited})`;
}
