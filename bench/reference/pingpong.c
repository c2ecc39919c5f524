/*
 * Open MPI reference for bench/pingpong: half round-trip latency (MPI_Send/MPI_Recv) and streaming
 * bandwidth (rank 0 MPI_Isends a window of messages and waits for them, rank 1 MPI_Recvs them one by
 * one and sends one ack) of float64 payloads between 2 ranks, with the plan bench/pingpong/common.ts
 * computes for tsmpi and the zeromq.js floor (bench/pingpong/suite.ts passes it as --cases). Typed
 * payloads only: the small-object case has no C counterpart. Rank 0 prints one JSON line
 * (`ProgramResult`, impl "ompi-c") on stdout.
 *
 * Built and started by bench/pingpong/suite.ts; by hand:
 *   mpicc -O2 -o /tmp/pingpong bench/reference/pingpong.c
 *   mpirun --allow-run-as-root --oversubscribe --bind-to none -n 2 /tmp/pingpong \
 *     --cases=8:200:100:256:8:1,4194304:15:7:8:2:1 --reps=5 [--pin=0,1]
 *   (--cases=bytes:iterations:warmup:window:windows:warmupWindows,...)
 */
#define _GNU_SOURCE
#include <mpi.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING 1
#define STREAM 2
#define ACK 3
#define MAX_CASES 64

typedef struct {
  long bytes, iterations, warmup, window, windows, warmup_windows;
} Case;

static int rank;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median_of(const double *values, long n) {
  double *sorted = malloc(n * sizeof(double));
  memcpy(sorted, values, n * sizeof(double));
  qsort(sorted, n, sizeof(double), cmp_double);
  double m = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  free(sorted);
  return m;
}

/* `--pin=a,b`: rank 0 on cpu a, rank 1 on cpu b, set before MPI_Init so every thread inherits it. */
static const char *pin_self(const char *pin) {
  static char text[32];
  const char *r = getenv("OMPI_COMM_WORLD_RANK");
  if (pin == NULL || r == NULL) return "unpinned";
  int cpus[2];
  if (sscanf(pin, "%d,%d", &cpus[0], &cpus[1]) != 2) return "unpinned";
  int cpu = cpus[atoi(r) == 0 ? 0 : 1];
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
  snprintf(text, sizeof text, "cpu %d", cpu);
  return text;
}

static void latency(const Case *c, int reps, double *samples) {
  long n = c->bytes / 8;
  double *data = malloc(n * sizeof(double));
  for (long i = 0; i < n; i++) data[i] = 1.0;
  int peer = 1 - rank;
  if (rank == 1) {
    for (long i = 0; i < c->warmup + reps * c->iterations; i++) {
      MPI_Recv(data, (int)n, MPI_DOUBLE, peer, PING, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(data, (int)n, MPI_DOUBLE, peer, PING, MPI_COMM_WORLD);
    }
  } else {
    double *trips = malloc(c->iterations * sizeof(double));
    for (long i = 0; i < c->warmup; i++) {
      MPI_Send(data, (int)n, MPI_DOUBLE, peer, PING, MPI_COMM_WORLD);
      MPI_Recv(data, (int)n, MPI_DOUBLE, peer, PING, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    for (int r = 0; r < reps; r++) {
      for (long i = 0; i < c->iterations; i++) {
        double t0 = MPI_Wtime();
        MPI_Send(data, (int)n, MPI_DOUBLE, peer, PING, MPI_COMM_WORLD);
        MPI_Recv(data, (int)n, MPI_DOUBLE, peer, PING, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        trips[i] = (MPI_Wtime() - t0) * 1e6 / 2;
      }
      samples[r] = median_of(trips, c->iterations);
    }
    free(trips);
  }
  free(data);
}

static void one_window(const Case *c, double *data, MPI_Request *requests) {
  long n = c->bytes / 8;
  int ack = 0;
  if (rank == 1) {
    for (long i = 0; i < c->window; i++) MPI_Recv(data, (int)n, MPI_DOUBLE, 0, STREAM, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Send(&ack, 1, MPI_INT, 0, ACK, MPI_COMM_WORLD);
    return;
  }
  for (long i = 0; i < c->window; i++) MPI_Isend(data, (int)n, MPI_DOUBLE, 1, STREAM, MPI_COMM_WORLD, &requests[i]);
  MPI_Waitall((int)c->window, requests, MPI_STATUSES_IGNORE);
  MPI_Recv(&ack, 1, MPI_INT, 1, ACK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* MB/s (1e6 bytes per second). */
static void bandwidth(const Case *c, int reps, double *samples) {
  long n = c->bytes / 8;
  double *data = malloc(n * sizeof(double));
  for (long i = 0; i < n; i++) data[i] = 2.0;
  MPI_Request *requests = malloc(c->window * sizeof(MPI_Request));
  for (long w = 0; w < c->warmup_windows; w++) one_window(c, data, requests);
  for (int r = 0; r < reps; r++) {
    double t0 = MPI_Wtime();
    for (long w = 0; w < c->windows; w++) one_window(c, data, requests);
    double seconds = MPI_Wtime() - t0;
    samples[r] = (double)c->window * c->windows * c->bytes / seconds / 1e6;
  }
  free(requests);
  free(data);
}

static void print_samples(const char *key, const double *samples, int reps) {
  printf("\"%s\":[", key);
  for (int r = 0; r < reps; r++) printf("%s%.3f", r ? "," : "", samples[r]);
  printf("]");
}

static void label_of(long bytes, char *out, size_t size) {
  if (bytes >= 1048576 && bytes % 1048576 == 0) snprintf(out, size, "%ld MiB", bytes / 1048576);
  else if (bytes >= 1024 && bytes % 1024 == 0) snprintf(out, size, "%ld KiB", bytes / 1024);
  else snprintf(out, size, "%ld B", bytes);
}

int main(int argc, char **argv) {
  const char *cases_arg = NULL, *pin = NULL;
  int reps = 5;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--cases=", 8) == 0) cases_arg = argv[i] + 8;
    else if (strncmp(argv[i], "--reps=", 7) == 0) reps = atoi(argv[i] + 7);
    else if (strncmp(argv[i], "--pin=", 6) == 0) pin = argv[i] + 6;
  }
  if (cases_arg == NULL || reps < 1) {
    fprintf(stderr, "usage: pingpong --cases=bytes:iterations:warmup:window:windows:warmupWindows,... [--reps=N] [--pin=a,b]\n");
    return 2;
  }
  Case cases[MAX_CASES];
  int ncases = 0;
  char *copy = strdup(cases_arg), *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok != NULL && ncases < MAX_CASES; tok = strtok_r(NULL, ",", &save)) {
    Case *c = &cases[ncases];
    if (sscanf(tok, "%ld:%ld:%ld:%ld:%ld:%ld", &c->bytes, &c->iterations, &c->warmup, &c->window, &c->windows, &c->warmup_windows) != 6 ||
        c->bytes < 8 || c->bytes % 8 != 0 || c->iterations < 1 || c->window < 1 || c->windows < 1) {
      fprintf(stderr, "pingpong: bad case '%s'\n", tok);
      return 2;
    }
    ncases++;
  }
  free(copy);

  const char *pinned = pin_self(pin);
  int size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) {
    if (rank == 0) fprintf(stderr, "pingpong needs exactly 2 ranks, got %d\n", size);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  double *lat = malloc(reps * sizeof(double)), *bw = malloc(reps * sizeof(double));
  if (rank == 0) printf("{\"impl\":\"ompi-c\",\"pid\":0,\"pinned\":\"%s\",\"node\":\"\",\"cases\":[", pinned);
  for (int k = 0; k < ncases; k++) {
    const Case *c = &cases[k];
    latency(c, reps, lat);
    bandwidth(c, reps, bw);
    if (rank == 0) {
      char label[32];
      label_of(c->bytes, label, sizeof label);
      printf("%s{\"label\":\"%s\",\"bytes\":%ld,\"wireBytes\":%ld,", k ? "," : "", label, c->bytes, c->bytes);
      print_samples("latencyUs", lat, reps);
      printf(",");
      print_samples("bandwidth", bw, reps);
      printf("}");
      fprintf(stderr, "  ompi-c %s: %.1f us, %.0f MB/s\n", label, median_of(lat, reps), median_of(bw, reps));
    }
  }
  if (rank == 0) {
    printf("]}\n");
    fflush(stdout);
  }
  free(lat);
  free(bw);
  MPI_Finalize();
  return 0;
}
