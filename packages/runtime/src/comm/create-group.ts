/**
 * MPI_Comm_create_group: only the members of the group call it, so the context ids must be agreed
 * among them without the rest of the parent. As in dup, each member proposes the lowest id it has
 * never used and the maximum is unused on every member; here the members' proposals go to the
 * group's rank 0, which answers each with the maximum (or with the mismatch it saw).
 *
 * Those messages travel on a context of the parent's that nothing else uses: the parent's id,
 * negated, below the ids communicators take. Their tag is the call's tag and their source the
 * sender's world rank, so calls on one parent with different tags (which MPI lets overlap) never
 * take each other's messages, and calls with the same tag take them in the order both sides made
 * the calls, as MPI requires. Disjoint parents that share a context id have no process in common.
 */
import { assertUsable, makeCore, type CommCore } from "../core/comm-core.ts";
import { adoptContextId, proposeContextId } from "../core/context-id.ts";
import { CollectiveId } from "../core/collective-ids.ts";
import { decodeMessage, encodeForSend } from "../core/payload.ts";
import { operationsInProgress } from "../engine/operations.ts";
import { collectiveMismatch, wrongGroup } from "../errors.ts";
import { checkSendTag } from "../p2p/validate.ts";
import type { Group } from "./group.ts";
import { groupFingerprint, membersInParent } from "./create.ts";

const CALL = "createGroup";

/** A member's contribution, and rank 0's answer. */
type Proposal = readonly [context: number, groupPrint: number];
type Answer = { context: number } | { mismatch: string };

/** The context of the parent's createGroup agreements. */
function agreementContext(parent: CommCore): number {
  return -2 - parent.p2pContext;
}

/** Arguments are checked on each caller before anything is sent: a bad one fails that call only. */
export async function createGroupCore(parent: CommCore, group: Group, tag: number): Promise<CommCore> {
  assertUsable(parent, CALL);
  const site = { rank: parent.rank, call: CALL };
  const members = membersInParent(parent, group, CALL);
  checkSendTag({ rank: parent.rank, size: parent.size }, CALL, tag);
  const rank = members.indexOf(parent.engine.worldRank);
  if (rank < 0) throw wrongGroup(site, "this rank is not in group: only the group's members call createGroup");
  const proposal: Proposal = [proposeContextId(parent.engine), groupFingerprint(members)];
  // Listed while it waits, for tsmpirun's state report: a member waits for rank 0, rank 0 for all.
  const leader = rank === 0 ? -1 : parent.group.indexOf(members[0]!);
  const operation = operationsInProgress.begin(CALL, parent.p2pContext, parent.size, leader, tag);
  const agreeing = rank === 0 ? gatherProposals(parent, members, tag, proposal) : propose(parent, members[0]!, tag, proposal);
  const answer = await operationsInProgress.track(agreeing, operation);
  if ("mismatch" in answer) throw collectiveMismatch(site, answer.mismatch, "group");
  adoptContextId(parent.engine, answer.context);
  return makeCore(parent.engine, { rank, group: members, context: answer.context });
}

async function propose(parent: CommCore, leader: number, tag: number, proposal: Proposal): Promise<Answer> {
  await post(parent, leader, tag, proposal);
  return receive<Answer>(parent, leader, tag);
}

async function gatherProposals(parent: CommCore, members: readonly number[], tag: number, own: Proposal): Promise<Answer> {
  const others = members.slice(1);
  const proposals = await Promise.all(others.map((member) => receive<Proposal>(parent, member, tag)));
  const astray = proposals.findIndex(([, print]) => print !== own[1]);
  const answer: Answer =
    astray < 0
      ? { context: Math.max(own[0], ...proposals.map(([context]) => context)) }
      : {
          mismatch:
            `world rank ${others[astray]} passed another group than the group's rank 0 (world rank ${members[0]}); ` +
            "every member must pass the same group",
        };
  await Promise.all(others.map((member) => post(parent, member, tag, answer)));
  return answer;
}

function post(parent: CommCore, worldDest: number, tag: number, data: unknown): Promise<void> {
  const { engine } = parent;
  const envelope = { context: agreementContext(parent), source: engine.worldRank, tag, collective: CollectiveId.createGroup, sequence: 0, signature: 0 };
  return engine.post(worldDest, envelope, encodeForSend(parent, CALL, data));
}

async function receive<T>(parent: CommCore, worldSource: number, tag: number): Promise<T> {
  const message = await parent.engine.receive(agreementContext(parent), { source: worldSource, tag });
  return decodeMessage<T>(parent, CALL, message);
}
