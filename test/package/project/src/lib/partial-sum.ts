/** The sum of this rank's cyclic share of 1..n. */
export function partialSum(n: number, rank: number, size: number): number {
  let sum = 0;
  for (let i = rank + 1; i <= n; i += size) sum += i;
  return sum;
}
