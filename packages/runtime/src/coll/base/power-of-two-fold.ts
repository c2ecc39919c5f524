/**
 * Folding a communicator to a power of two, for the algorithms that pair ranks by bit (recursive
 * doubling and halving, Rabenseifner): of `size` ranks, the largest power of two `pof2` take part
 * in the exchange rounds; the first `2 * rem` ranks (rem = size - pof2) pair up, each even rank
 * handing its data to the odd one above it before the rounds and taking the result back after
 * (MPICH's and Open MPI's non-power-of-two handling). Written once here for every algorithm.
 * @internal
 */
export interface PowerOfTwoFold {
  /** The largest power of two not above the size. */
  readonly pof2: number;
  /** Ranks beyond it: the first 2 * rem ranks pair up. */
  readonly rem: number;
  /** Exchange rounds among the pof2 ranks: log2(pof2). */
  readonly rounds: number;
  /** This rank's number among the pof2 that take part, or -1 if it hands its data over. */
  readonly newRank: number;
  /**
   * The rank this one pairs with in the fold: the odd rank above a folded even rank, the even
   * rank below an odd one; undefined for ranks from 2 * rem up.
   */
  readonly foldPartner: number | undefined;
  /** The real rank of new rank `j`. */
  realRank(j: number): number;
}

export function largestPowerOfTwoAtMost(n: number): number {
  let pof2 = 1;
  while (pof2 * 2 <= n) pof2 *= 2;
  return pof2;
}

export function powerOfTwoFold(rank: number, size: number): PowerOfTwoFold {
  const pof2 = largestPowerOfTwoAtMost(size);
  const rem = size - pof2;
  const paired = rank < 2 * rem;
  const newRank = paired ? (rank % 2 === 0 ? -1 : rank >> 1) : rank - rem;
  const foldPartner = paired ? (rank % 2 === 0 ? rank + 1 : rank - 1) : undefined;
  return {
    pof2,
    rem,
    rounds: Math.log2(pof2),
    newRank,
    foldPartner,
    realRank: (j) => (j < rem ? 2 * j + 1 : j + rem),
  };
}
