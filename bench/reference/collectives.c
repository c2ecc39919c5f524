/*
 * Open MPI reference for bench/collectives: MPI_Allreduce (SUM, float64), MPI_Bcast (float64 from
 * rank 0) and MPI_Barrier, with the same iteration scheme as bench/collectives/tsmpi-collectives.ts
 * (see bench/collectives/plan.ts): per case, `warmup` calls, then `reps` samples, each a barrier and
 * `iterations` timed calls; a sample is the mean time per call, the maximum over ranks. After timing,
 * one more call on fresh buffers is checked against the closed form. Rank 0 prints one JSON line per
 * case on stdout.
 *
 * Built and started by bench/collectives/run.ts; by hand:
 *   mpicc -O2 -o /tmp/collectives bench/reference/collectives.c
 *   mpirun --allow-run-as-root --oversubscribe --bind-to none -n 4 /tmp/collectives \
 *     --cases=allreduce:1:10:100,allreduce:131072:2:10,bcast:131072:2:10,barrier:0:10:100 --reps=5
 */
#define _GNU_SOURCE
#include <mpi.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char op[16];
  long count, warmup, iterations;
} Case;

static int rank, size;

/* x[i] on rank r is r + 1 + (i & 7): integers, so the sum is exact in any order. */
static double contribution(int r, long i) { return (double)(r + 1 + (i & 7)); }
static double expected_sum(int n, long i) { return (double)n * (n + 1) / 2 + (double)n * (i & 7); }
static double pattern(long i) { return (double)(i % 251) + 0.5; }

/* Pins before MPI_Init so that every thread Open MPI starts inherits the mask. */
static void pin_self(const char *mode, int cpus) {
  const char *r = getenv("OMPI_COMM_WORLD_RANK");
  if (mode == NULL || strcmp(mode, "none") == 0 || r == NULL) return;
  int cpu = strcmp(mode, "same") == 0 ? 0 : atoi(r) % cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void run_case(const Case *c, int reps, const char *pinned) {
  long n = c->count > 0 ? c->count : 1;
  double *send = malloc(n * sizeof(double)), *recv = malloc(n * sizeof(double));
  int is_allreduce = strcmp(c->op, "allreduce") == 0, is_bcast = strcmp(c->op, "bcast") == 0;
  for (long i = 0; i < n; i++) {
    send[i] = is_bcast ? (rank == 0 ? pattern(i) : 0.0) : contribution(rank, i);
    recv[i] = 0.0;
  }
#define CALL()                                                                      \
  do {                                                                              \
    if (is_allreduce) MPI_Allreduce(send, recv, (int)c->count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); \
    else if (is_bcast) MPI_Bcast(send, (int)c->count, MPI_DOUBLE, 0, MPI_COMM_WORLD);  \
    else MPI_Barrier(MPI_COMM_WORLD);                                               \
  } while (0)
  for (long w = 0; w < c->warmup; w++) CALL();
  double *samples = malloc(reps * sizeof(double));
  for (int r = 0; r < reps; r++) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (long i = 0; i < c->iterations; i++) CALL();
    double per_call = (MPI_Wtime() - t0) / (double)c->iterations * 1e6, slowest;
    MPI_Allreduce(&per_call, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    samples[r] = slowest;
  }
  /* The check: one more call on fresh buffers. */
  int bad = 0;
  if (is_allreduce) {
    for (long i = 0; i < n; i++) recv[i] = 0.0;
    CALL();
    for (long i = 0; i < c->count; i++) bad |= recv[i] != expected_sum(size, i);
  } else if (is_bcast) {
    if (rank != 0) for (long i = 0; i < n; i++) send[i] = 0.0;
    CALL();
    for (long i = 0; i < c->count; i++) bad |= send[i] != pattern(i);
  } else {
    CALL();
  }
  int any_bad;
  MPI_Allreduce(&bad, &any_bad, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
  if (rank == 0) {
    double *sorted = malloc(reps * sizeof(double));
    memcpy(sorted, samples, reps * sizeof(double));
    qsort(sorted, reps, sizeof(double), cmp_double);
    double median = reps % 2 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
    printf("{\"impl\":\"ompi-c\",\"op\":\"%s\",\"count\":%ld,\"np\":%d,\"warmup\":%ld,\"iterations\":%ld,"
           "\"pinned\":\"%s\",\"median_us\":%.3f,\"min_us\":%.3f,\"max_us\":%.3f,\"samples_us\":[",
           c->op, c->count, size, c->warmup, c->iterations, pinned, median, sorted[0], sorted[reps - 1]);
    for (int r = 0; r < reps; r++) printf("%s%.3f", r ? "," : "", samples[r]);
    printf("],\"check\":\"%s\"}\n", any_bad ? "FAILED" : "ok");
    fflush(stdout);
    fprintf(stderr, "  ompi-c n=%d %s %ld: %.1f us%s\n", size, c->op, c->count, median, any_bad ? " CHECK FAILED" : "");
    free(sorted);
  }
  free(samples);
  free(send);
  free(recv);
}

int main(int argc, char **argv) {
  const char *cases_arg = NULL, *pin = "none";
  int reps = 5;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--cases=", 8) == 0) cases_arg = argv[i] + 8;
    else if (strncmp(argv[i], "--reps=", 7) == 0) reps = atoi(argv[i] + 7);
    else if (strncmp(argv[i], "--pin=", 6) == 0) pin = argv[i] + 6;
  }
  if (cases_arg == NULL || reps < 1) {
    fprintf(stderr, "usage: collectives --cases=op:count:warmup:iterations,... [--reps=N] [--pin=none|spread|same]\n");
    return 2;
  }
  pin_self(pin, (int)sysconf(_SC_NPROCESSORS_ONLN));
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  char *copy = strdup(cases_arg), *save = NULL;
  int failed = 0;
  for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    Case c;
    memset(&c, 0, sizeof c);
    if (sscanf(tok, "%15[^:]:%ld:%ld:%ld", c.op, &c.count, &c.warmup, &c.iterations) != 4 || c.iterations < 1 ||
        (strcmp(c.op, "allreduce") && strcmp(c.op, "bcast") && strcmp(c.op, "barrier"))) {
      if (rank == 0) fprintf(stderr, "collectives: bad case '%s'\n", tok);
      failed = 1;
      continue;
    }
    run_case(&c, reps, pin);
  }
  free(copy);
  MPI_Finalize();
  return failed ? 2 : 0;
}
