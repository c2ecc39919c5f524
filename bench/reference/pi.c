/*
 * Open MPI reference for bench/pi: programs/pi.ts's two methods in C, the same algorithms so that
 * the results can be compared exactly, not just roughly:
 *
 * - darts: rank r throws evenPart(N, size, r) darts (programs/pi/split.ts) with its own mulberry32
 *   stream, seeded as programs/pi/random.ts's streamFor(seed, r) does; a hit is x*x + y*y < 1 in
 *   doubles; the hit counts (integers) are summed on rank 0 with MPI_Reduce. Same seed, N and rank
 *   count: the same hit count as pi.ts, to the dart.
 * - series: pi = 4 * sum_{i=0..N} (-1)^i / (2i+1); rank r sums its evenPart(N + 1, size, r) share of
 *   the indices smallest terms first (programs/pi/series.ts, the same loop: the same bits per rank),
 *   and the partial sums are combined with MPI_Allreduce (the order of that sum is Open MPI's: the
 *   last bits may differ from pi.ts's at n > 1).
 *
 * Timing as pi.ts: a barrier, then the clock runs until the result is on rank 0. Rank 0 prints
 * pi.ts's own lines ("darts: ... hits H", "darts: pi ~ E ... time T s", "series: ...") so that
 * bench/pi/output.ts reads every implementation the same way.
 *
 *   mpicc -O2 -o /tmp/pi bench/reference/pi.c
 *   mpirun --oversubscribe --bind-to none -n 4 /tmp/pi --method=darts --n=10000000 --seed=20261124
 */
/* x*x + y*y must round twice, as in JavaScript: no fused multiply-add (GCC fuses by default where
 * the target has FMA; baseline x86-64 has none, but other targets do). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* programs/pi/split.ts evenPart: the first n % parts parts get one more item. */
/* Math.PI, for the error column (no libm: buildC links none). */
static const double PI = 3.141592653589793;

static void even_part(long long n, int parts, int index, long long *start, long long *count) {
  long long base = n / parts, extra = n % parts;
  *start = index * base + (index < extra ? index : extra);
  *count = base + (index < extra ? 1 : 0);
}

/* programs/pi/random.ts mulberry32, in uint32 arithmetic (Math.imul and `| 0` wrap mod 2^32 too). */
static double mulberry32(uint32_t *state) {
  *state += 0x6d2b79f5u;
  uint32_t s = *state;
  uint32_t t = (s ^ (s >> 15)) * (1u | s);
  t = (t + (t ^ (t >> 7)) * (61u | t)) ^ t;
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

/* streamFor(seed, id): `seed ^ ...` takes the seed mod 2^32 (ToInt32), as the cast here does. */
static uint32_t stream_seed(long long seed, int id) {
  uint32_t s = (uint32_t)seed;
  return ((s ^ 0x9e3779b9u) * 0x85ebca6bu) ^ ((uint32_t)(id + 1) * 0xc2b2ae35u);
}

/* programs/pi/darts.ts countHits. */
static long long count_hits(uint32_t state, long long darts) {
  long long hits = 0;
  for (long long i = 0; i < darts; i++) {
    double x = mulberry32(&state);
    double y = mulberry32(&state);
    if (x * x + y * y < 1) hits++;
  }
  return hits;
}

/* programs/pi/series.ts seriesPart: sum_{i=start}^{stop-1} (-1)^i / (2i+1), smallest terms first. */
static double series_part(long long start, long long stop) {
  double sum = 0;
  for (long long i = stop - 1; i >= start; i--) sum += (i % 2 == 0 ? 1.0 : -1.0) / (double)(2 * i + 1);
  return sum;
}

int main(int argc, char **argv) {
  const char *method = "both";
  long long n = 10000000, seed = 20261124;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--method=", 9) == 0) method = argv[i] + 9;
    else if (strncmp(argv[i], "--n=", 4) == 0) n = atoll(argv[i] + 4);
    else if (strncmp(argv[i], "--seed=", 7) == 0) seed = atoll(argv[i] + 7);
  }
  if (n < 1 || (strcmp(method, "darts") != 0 && strcmp(method, "series") != 0 && strcmp(method, "both") != 0)) {
    fprintf(stderr, "usage: pi [--method=darts|series|both] [--n=N] [--seed=S]\n");
    return 2;
  }
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *ranks = size == 1 ? "rank" : "ranks";
  long long start, count;

  if (strcmp(method, "series") != 0) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    even_part(n, size, rank, &start, &count);
    long long mine = count_hits(stream_seed(seed, rank), count), hits = 0;
    MPI_Reduce(&mine, &hits, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      double seconds = MPI_Wtime() - t0;
      double estimate = 4.0 * (double)hits / (double)n;
      printf("darts: %lld darts on %d %s, seed %lld, one stream per rank, hits %lld\n", n, size, ranks, seed, hits);
      printf("darts: pi ~ %.17g  error %.3e  time %.6f s\n", estimate, estimate - PI, seconds);
      fflush(stdout);
    }
  }

  if (strcmp(method, "darts") != 0) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    even_part(n + 1, size, rank, &start, &count);
    double mine = series_part(start, start + count), sum = 0;
    MPI_Allreduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) {
      double seconds = MPI_Wtime() - t0;
      double estimate = 4 * sum;
      printf("series: i = 0..%lld on %d %s\n", n, size, ranks);
      printf("series: pi ~ %.17g  error %.3e  time %.6f s\n", estimate, estimate - PI, seconds);
      fflush(stdout);
    }
  }
  MPI_Finalize();
  return 0;
}
