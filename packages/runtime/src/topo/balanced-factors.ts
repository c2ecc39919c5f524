/**
 * The factor search behind `computeDims`: the decomposition MPICH's MPI_Dims_create returns
 * (src/mpi/topo/dims_create.c, after Träff and Lübbe, "Specification Guideline Violations by
 * MPI_Dims_create", EuroMPI'15), written anew so that a program ported from MPICH gets the same
 * grid. MPICH's idea of "balanced" is the smallest spread, largest minus smallest dimension, as
 * found by its pruned search: 34425 in 3-D is 51 x 27 x 25 (spread 26), not 45 x 45 x 17 (whose
 * largest dimension is smaller, but whose spread is 28). Ties, pruning and the shortcuts for large
 * primes and prime powers are kept as MPICH has them, since each can change the answer.
 *
 * Cost: trial division up to the square root (46,341 steps for 2^31-1), then a search over the
 * divisors below the relevant roots; microseconds for the sizes MPI programs use.
 * Internal to the runtime, not part of its API.
 */

interface Factor {
  prime: number;
  count: number;
}

/** Prime factors of `n` in increasing order. */
function factorise(n: number): Factor[] {
  const factors: Factor[] = [];
  let rest = n;
  for (let p = 2; p * p <= rest; p += p === 2 ? 1 : 2) {
    if (rest % p !== 0) continue;
    let count = 0;
    while (rest % p === 0) {
      rest /= p;
      count++;
    }
    factors.push({ prime: p, count });
  }
  if (rest > 1) factors.push({ prime: rest, count: 1 });
  return factors;
}

/** The divisors of the product of `factors`, except 1 and the product itself, increasing. */
function properDivisors(factors: readonly Factor[]): number[] {
  let divisors = [1];
  for (const { prime, count } of factors) {
    const next: number[] = [];
    for (const d of divisors) for (let power = 0, x = d; power <= count; power++, x *= prime) next.push(x);
    divisors = next;
  }
  divisors.sort((a, b) => a - b);
  return divisors.slice(1, -1);
}

/**
 * A first guess to beat: primes from the largest down, one per dimension, then each further one
 * to the last dimension it keeps in non-increasing order (100 in 3-D: 5 x 5 x 4, not 10 x 5 x 2).
 */
function roundRobinGuess(factors: readonly Factor[], count: number): number[] {
  const dims = new Array<number>(count).fill(1);
  let filled = 0;
  for (let i = factors.length - 1; i >= 0; i--) {
    const { prime, count: times } = factors[i]!;
    for (let t = 0; t < times; t++) {
      if (filled < count) {
        dims[filled++] = prime;
        continue;
      }
      let at = count - 1;
      while (at > 0 && dims[at]! * prime > dims[at - 1]!) at--;
      dims[at]! *= prime;
    }
  }
  return dims;
}

interface Search {
  /** Dimensions being tried, filled from the smallest (index count-1) towards index 0. */
  trying: number[];
  /** The best decomposition so far, non-increasing. */
  best: number[];
  /** Its spread as the search measures it (largest minus the smallest tried). */
  spread: number;
}

/**
 * Chooses dimensions `index` down to 0 of `search.trying` from `divisors` (sorted, each at least
 * the dimension after it), multiplying to `n`. The spread bound is read once on entry, as MPICH
 * reads it, so a better result found deeper prunes only the later calls.
 */
function searchBalance(n: number, index: number, divisors: readonly number[], search: Search): void {
  const count = search.trying.length;
  const smallest = search.trying[count - 1]!;
  const bound = search.spread;
  if (index === 0) {
    if (n - smallest <= bound) {
      for (let i = 1; i < count; i++) search.best[i] = search.trying[i]!;
      search.best[0] = n;
      search.spread = n - smallest;
    }
    return;
  }
  if (index === 1) {
    // The pair (n / f, f) with f the largest candidate not above the square root of n.
    let k = 1;
    while (k < divisors.length && n / divisors[k]! >= divisors[k]!) k++;
    const f = divisors[k - 1]!;
    const q = n / f;
    if (q < f) return;
    const spread = count === 2 ? q - f : q - smallest;
    if (spread <= bound) {
      for (let i = 2; i < count; i++) search.best[i] = search.trying[i]!;
      search.best[0] = q;
      search.best[1] = f;
      search.spread = q - smallest;
    }
    return;
  }
  const top = index === count - 1;
  for (let k = 0; k < divisors.length; k++) {
    const f = divisors[k]!;
    if (!top && f - smallest > bound) break;
    const q = n / f;
    const next: number[] = [];
    let least: number;
    if (q % f === 0) {
      next.push(f);
      least = f;
    } else if (k + 1 < divisors.length) {
      least = divisors[k + 1]!;
    } else {
      break;
    }
    if (!top && least - smallest > bound) break;
    // The index dimensions still to choose are all >= least, so least^index must fit in q.
    let power = least * least;
    let left = index - 1;
    while (left > 0 && power <= q) {
      power *= least;
      left--;
    }
    if (left > 0) break;
    search.trying[index] = f;
    for (let kk = k + 1; kk < divisors.length; kk++) {
      const d = divisors[kk]!;
      if (d * d > q) break;
      if (q % d === 0) next.push(d);
    }
    if (next.length > 0) searchBalance(q, index - 1, next, search);
  }
}

/** MPICH's decomposition of `n` (>= 1) into `count` (>= 2) dimensions, non-increasing. */
export function mpichBalancedFactors(n: number, count: number): number[] {
  const factors = factorise(n);
  let primes = factors.reduce((sum, f) => sum + f.count, 0);
  // A prime above the square root of what is left must be a dimension of its own: take those
  // first, largest first (MPICH never takes the smallest prime factor this way).
  const chosen: number[] = [];
  let rest = n;
  while (factors.length > 1 && chosen.length < count - 1) {
    const last = factors[factors.length - 1]!;
    if (last.count !== 1 || last.prime * last.prime <= rest) break;
    chosen.push(last.prime);
    factors.pop();
    rest /= last.prime;
    primes--;
  }
  const left = count - chosen.length;
  if (primes <= left) {
    for (let i = factors.length - 1; i >= 0; i--) for (let t = 0; t < factors[i]!.count; t++) chosen.push(factors[i]!.prime);
    while (chosen.length < count) chosen.push(1);
    return chosen;
  }
  if (left === 1) return [...chosen, rest];
  if (factors.length === 1) {
    // A prime power: dealt round robin, the earlier dimensions taking the extra factors.
    const { prime, count: times } = factors[0]!;
    const dims = new Array<number>(left).fill(1);
    for (let t = 0; t < times; t++) dims[t % left]! *= prime;
    return [...chosen, ...dims];
  }
  if (factors.every((f) => f.count % left === 0)) {
    const side = factors.reduce((x, f) => x * f.prime ** (f.count / left), 1);
    return [...chosen, ...new Array<number>(left).fill(side)];
  }
  const divisors = properDivisors(factors);
  const guess = roundRobinGuess(factors, left);
  const all = [...chosen, ...guess];
  // MPICH measures the first guess's spread over all dimensions, large primes included.
  const search: Search = { trying: new Array<number>(left).fill(0), best: guess, spread: all[0]! - all[count - 1]! };
  search.trying[left - 1] = divisors[0]!;
  searchBalance(rest, left - 1, divisors, search);
  return [...chosen, ...search.best];
}
