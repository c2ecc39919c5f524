/**
 * Process groups (MPI_Group; mpi4py's `MPI.Group`): an ordered set of processes, held locally as
 * their world ranks. Making and comparing groups never communicates; `Comm.create` and
 * `Comm.createGroup` turn one into a communicator.
 */
import { IDENT, PROC_NULL, SIMILAR, UNDEFINED, UNEQUAL } from "../constants.ts";
import { badArgument, noSuchRank, rankOutOfRange, wrongGroup, type CallSite } from "../errors.ts";

/** A range of group ranks as MPI writes it: `[first, last, stride]`, `last` included. */
export type RankRange = readonly [first: number, last: number, stride: number];

/** The world ranks of a group's members, in group order, for the runtime's own modules. */
let membersOf: (group: Group) => readonly number[];

/** The holder of `Group.EMPTY`, which no process holds in particular. */
const NO_HOLDER = -1;
/**
 * `Group.EMPTY`, made on first use: a static field that constructs the class would run before
 * tsc's output binds the class's name (its alias is set after the class body).
 */
let empty: Group | undefined;

/**
 * An ordered set of processes (MPI_Group; mpi4py's `MPI.Group`). A process's rank in the group is
 * its position in that order. `comm.group` gives a communicator's group; `incl`, `excl`,
 * `rangeIncl`, `rangeExcl`, `union`, `intersection` and `difference` make new groups from old ones,
 * and `comm.create(group)` or `comm.createGroup(group)` a communicator of its members. Groups are
 * local objects: nothing here communicates, and every process may make whatever groups it likes.
 *
 * @example
 * ```ts
 * const evens = world.group.rangeIncl([[0, world.size - 1, 2]]); // mpi4py: group.Range_incl([(0, size - 1, 2)])
 * const evenComm = await world.create(evens); // undefined on the odd ranks
 * ```
 */
export class Group {
  readonly #members: readonly number[];
  /** The world rank of the process that holds the group. */
  readonly #self: number;

  static {
    membersOf = (group) => group.#members;
  }

  /**
   * The group with no members (MPI_GROUP_EMPTY), the same as `group.incl([])` of any group: its
   * size is 0, its rank `UNDEFINED`, and it is there before `init()`. `comm.create(Group.EMPTY)`
   * gives `undefined` on every rank.
   */
  static get EMPTY(): Group {
    return (empty ??= new Group([], NO_HOLDER));
  }

  /** @internal Groups come from `comm.group` and from other groups. */
  constructor(members: readonly number[], self: number) {
    this.#members = Object.freeze([...members]);
    this.#self = self;
  }

  /** Number of processes in the group (MPI_Group_size). */
  get size(): number {
    return this.#members.length;
  }

  /** This process's rank in the group, or `UNDEFINED` if it is not a member (MPI_Group_rank). */
  get rank(): number {
    const rank = this.#members.indexOf(this.#self);
    return rank < 0 ? UNDEFINED : rank;
  }

  /**
   * The group of the members at `ranks`, in that order (MPI_Group_incl): rank i of the new group is
   * rank `ranks[i]` of this one. Each must be a rank of this group (ERR_RANK), none twice (ERR_RANK).
   */
  incl(ranks: readonly number[]): Group {
    this.#checkRanks("incl", "ranks", ranks);
    return this.#derived(ranks.map((rank) => this.#members[rank]!));
  }

  /**
   * The group without the members at `ranks`, the others in their order here (MPI_Group_excl).
   * Each must be a rank of this group (ERR_RANK), none twice (ERR_RANK).
   */
  excl(ranks: readonly number[]): Group {
    this.#checkRanks("excl", "ranks", ranks);
    const excluded = new Set(ranks);
    return this.#derived(this.#members.filter((_, rank) => !excluded.has(rank)));
  }

  /**
   * `incl` of the ranks that `ranges` spell out (MPI_Group_range_incl; mpi4py's `Range_incl`):
   * `[first, last, stride]` stands for first, first + stride, ... up to `last` (included when it is
   * reached). `first` and `last` must be ranks of this group (ERR_RANK), `stride` a nonzero integer
   * that leads from `first` towards `last` (ERR_ARG), and no rank may come twice (ERR_RANK).
   */
  rangeIncl(ranges: readonly RankRange[]): Group {
    const ranks = this.#expandRanges("rangeIncl", ranges);
    return this.#derived(ranks.map((rank) => this.#members[rank]!));
  }

  /** `excl` of the ranks that `ranges` spell out, checked as in `rangeIncl` (MPI_Group_range_excl). */
  rangeExcl(ranges: readonly RankRange[]): Group {
    const excluded = new Set(this.#expandRanges("rangeExcl", ranges));
    return this.#derived(this.#members.filter((_, rank) => !excluded.has(rank)));
  }

  /** This group's members, then those of `other` that are not in it, each in their order (MPI_Group_union). */
  union(other: Group): Group {
    const members = new Set(this.#members);
    return this.#derived([...this.#members, ...this.#other("union", other).filter((member) => !members.has(member))], other);
  }

  /** The members of this group that are also in `other`, in their order here (MPI_Group_intersection). */
  intersection(other: Group): Group {
    const theirs = new Set(this.#other("intersection", other));
    return this.#derived(this.#members.filter((member) => theirs.has(member)), other);
  }

  /** The members of this group that are not in `other`, in their order here (MPI_Group_difference). */
  difference(other: Group): Group {
    const theirs = new Set(this.#other("difference", other));
    return this.#derived(this.#members.filter((member) => !theirs.has(member)), other);
  }

  /** `a.union(b)`, in mpi4py's form `Group.Union(a, b)`. */
  static union(a: Group, b: Group): Group {
    return Group.#checked("union", a).union(b);
  }

  /** `a.intersection(b)`, in mpi4py's form `Group.Intersection(a, b)`. */
  static intersection(a: Group, b: Group): Group {
    return Group.#checked("intersection", a).intersection(b);
  }

  /** `a.difference(b)`, in mpi4py's form `Group.Difference(a, b)`. */
  static difference(a: Group, b: Group): Group {
    return Group.#checked("difference", a).difference(b);
  }

  /**
   * The rank in `other` of each process at `ranks` here (MPI_Group_translate_ranks): `UNDEFINED` for
   * one that is not in `other`, PROC_NULL for PROC_NULL. Without `ranks`, every rank of this group.
   * Each must be a rank of this group or PROC_NULL (ERR_RANK).
   */
  translateRanks(ranks: readonly number[] | undefined, other: Group): number[] {
    const theirs = this.#other("translateRanks", other);
    const given = ranks ?? this.#members.map((_, rank) => rank);
    this.#checkRanks("translateRanks", "ranks", given, true);
    return given.map((rank) => {
      if (rank === PROC_NULL) return PROC_NULL;
      const translated = theirs.indexOf(this.#members[rank]!);
      return translated < 0 ? UNDEFINED : translated;
    });
  }

  /** `a.translateRanks(ranks, b)`, in mpi4py 3's form `Group.Translate_ranks(a, ranks, b)`. */
  static translateRanks(a: Group, ranks: readonly number[] | undefined, b: Group): number[] {
    return Group.#checked("translateRanks", a).translateRanks(ranks, b);
  }

  /**
   * How this group relates to `other` (MPI_Group_compare): `IDENT` for the same members in the same
   * order, `SIMILAR` for the same members in another order, `UNEQUAL` otherwise.
   */
  compare(other: Group): number {
    const theirs = this.#other("compare", other);
    const mine = this.#members;
    if (mine.length === theirs.length && mine.every((member, rank) => theirs[rank] === member)) return IDENT;
    const members = new Set(mine);
    return mine.length === theirs.length && theirs.every((member) => members.has(member)) ? SIMILAR : UNEQUAL;
  }

  /** `a.compare(b)`, in mpi4py 3's form `Group.Compare(a, b)`. */
  static compare(a: Group, b: Group): number {
    return Group.#checked("compare", a).compare(b);
  }

  /** Held by this group's process, or by `other`'s when this one is `EMPTY` (held by none). */
  #derived(members: readonly number[], other?: Group): Group {
    return new Group(members, this.#self === NO_HOLDER && other !== undefined ? other.#self : this.#self);
  }

  /** Errors name this process's rank in the group, when it has one. */
  #site(call: string): CallSite {
    const rank = this.rank;
    return { rank: rank === UNDEFINED ? undefined : rank, call };
  }

  #other(call: string, other: unknown): readonly number[] {
    if (!(other instanceof Group)) throw wrongGroup(this.#site(call), `other must be a Group (got ${other === null ? "null" : typeof other})`, "other");
    return other.#members;
  }

  static #checked(call: string, group: unknown): Group {
    if (!(group instanceof Group)) throw wrongGroup({ call }, `a must be a Group (got ${group === null ? "null" : typeof group})`, "a");
    return group;
  }

  /** `translating`: translateRanks also takes PROC_NULL, and a rank more than once. */
  #checkRanks(call: string, argument: string, ranks: unknown, translating = false): asserts ranks is readonly number[] {
    const site = this.#site(call);
    if (!Array.isArray(ranks)) throw badArgument(site, argument, ranks, "an array of ranks of the group");
    const seen = new Map<number, number>();
    ranks.forEach((rank: unknown, index) => {
      if (translating && rank === PROC_NULL) return;
      if (!Number.isInteger(rank) || (rank as number) < 0 || (rank as number) >= this.size) {
        throw rankOutOfRange(site, `${argument}[${index}]`, rank, this.size, translating ? " or PROC_NULL" : "");
      }
      const earlier = seen.get(rank as number);
      if (earlier !== undefined && !translating) {
        throw noSuchRank(site, `${argument}[${index}]`, `rank ${String(rank)} is at ${argument}[${earlier}] already: a group holds each process once`);
      }
      seen.set(rank as number, index);
    });
  }

  /** The ranks `ranges` spell out, in order, checked as MPICH checks them. */
  #expandRanges(call: string, ranges: unknown): number[] {
    const site = this.#site(call);
    if (!Array.isArray(ranges)) throw badArgument(site, "ranges", ranges, "an array of [first, last, stride] triples");
    const ranks: number[] = [];
    const seen = new Map<number, number>();
    ranges.forEach((range: unknown, index) => {
      const argument = `ranges[${index}]`;
      if (!Array.isArray(range) || range.length !== 3 || !range.every((n) => Number.isInteger(n))) {
        throw badArgument(site, argument, range, "a [first, last, stride] triple of integers");
      }
      const [first, last, stride] = range as [number, number, number];
      for (const [name, rank] of [["first", first], ["last", last]] as const) {
        if (rank < 0 || rank >= this.size) throw rankOutOfRange(site, `${argument}: ${name}`, rank, this.size);
      }
      if (stride === 0 || (stride > 0 && first > last) || (stride < 0 && first < last)) {
        throw badArgument(site, `${argument}: stride`, stride, first === last ? "a nonzero integer" : `a ${first < last ? "positive" : "negative"} integer, leading from ${first} to ${last}`);
      }
      for (let rank = first; stride > 0 ? rank <= last : rank >= last; rank += stride) {
        const earlier = seen.get(rank);
        if (earlier !== undefined) {
          throw noSuchRank(site, argument, `rank ${rank} is in ranges[${earlier}] already: a group holds each process once`);
        }
        seen.set(rank, index);
        ranks.push(rank);
      }
    });
    return ranks;
  }
}

/** The world ranks of `group`'s members, in group order. Internal to the runtime, not part of its API. */
export function groupMembers(group: Group): readonly number[] {
  return membersOf(group);
}
