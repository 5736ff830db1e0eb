/* clprop-bench-allreduce: what the all-reduce of a network's gradients costs a training step
 * under MPI — the MPI_Allreduce (MPI_SUM, in place, float) that clprop's collective
 * (host/mpi/mpi_collective.c) runs once a step over the whole gradient store, plus its stop
 * float. No OpenCL: only the host's sum, which is what crosses the network between hosts.
 *
 * Build: with the main build when CMake finds MPI (apt-get install libopenmpi-dev):
 *          cmake --build build -j2 --target clprop-bench-allreduce
 * Run:   mpirun -np 2 build/clprop-bench-allreduce [--layers 784,256,128,10] [--align 16]
 *                                                   [--repeats N] [--json] [--quick]
 *        (as root: mpirun --allow-run-as-root; more ranks than cores: --oversubscribe; TCP
 *        loopback instead of shared memory on one host: --mca btl self,tcp)
 *
 * It prints the gradient store's size for the network (the layout of host/net_store.c: every
 * tensor rounded up to `align` floats, which is the device's CL_DEVICE_MEM_BASE_ADDR_ALIGN in
 * floats and at least 16), then times MPI_Allreduce of that store and of a ladder of sizes from
 * 1 float to 4 Mi floats: the median and the fastest of --repeats calls after a warm-up, each
 * call's time the slowest rank's. "busbw" is nccl-tests' bus bandwidth, 2(N−1)/N · bytes / time:
 * what each link carried per second in a ring, comparable across rank counts. The first check is
 * the sum itself: every rank contributes rank+1 in every float and must get N(N+1)/2 back. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAYERS 16
#define MAX_REPEATS 10000

typedef struct options {
    size_t sizes[MAX_LAYERS + 1], size_count; /* the network's layer widths, input first */
    size_t align;                             /* floats a tensor is rounded up to */
    int repeats, json, quick;
} options;

/* The floats of host/net_store.c's parameter store (and so of its gradients): each layer's
 * weights, then its biases, each rounded up to a multiple of `align`. */
static size_t store_floats(const options *o)
{
    size_t at = 0;
    for (size_t l = 1; l < o->size_count; l++) {
        at += (o->sizes[l - 1] * o->sizes[l] + o->align - 1) / o->align * o->align;
        at += (o->sizes[l] + o->align - 1) / o->align * o->align;
    }
    return at;
}

static int parse_layers(const char *text, options *o)
{
    o->size_count = 0;
    for (const char *p = text; *p != '\0';) {
        char *end = NULL;
        unsigned long long value = strtoull(p, &end, 10);
        if (end == p || value == 0 || value > 1000000 || o->size_count > MAX_LAYERS ||
            (*end != ',' && *end != '\0'))
            return 0;
        o->sizes[o->size_count++] = (size_t)value;
        p = *end == ',' ? end + 1 : end;
    }
    return o->size_count >= 2;
}

static int parse_options(int argc, char **argv, options *o)
{
    static const size_t default_sizes[] = {784, 256, 128, 10};
    memcpy(o->sizes, default_sizes, sizeof default_sizes);
    o->size_count = 4;
    o->align = 16;
    o->repeats = 50;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(argv[i], "--json") == 0) {
            o->json = 1;
        } else if (strcmp(argv[i], "--quick") == 0) {
            o->quick = 1;
            o->repeats = 5;
        } else if (strcmp(argv[i], "--layers") == 0 && i + 1 < argc) {
            if (!parse_layers(value, o))
                return fprintf(stderr, "--layers: not a list of 2 to %d widths: %s\n",
                               MAX_LAYERS + 1, value), 0;
            i++;
        } else if (strcmp(argv[i], "--align") == 0 && i + 1 < argc) {
            o->align = (size_t)strtoul(value, NULL, 10);
            if (o->align == 0 || o->align > 4096)
                return fprintf(stderr, "--align: not a count from 1 to 4096: %s\n", value), 0;
            i++;
        } else if (strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) {
            o->repeats = atoi(value);
            if (o->repeats < 1 || o->repeats > MAX_REPEATS)
                return fprintf(stderr, "--repeats: not a count from 1 to %d: %s\n", MAX_REPEATS,
                               value), 0;
            i++;
        } else {
            fprintf(stderr, "usage: mpirun -np N clprop-bench-allreduce [--layers N0,N1,...] "
                            "[--align A] [--repeats N] [--json] [--quick]\n");
            return 0;
        }
    }
    return 1;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Checks the sum once, then times `repeats` calls (after 3 untimed); each call's time is the
 * slowest rank's, since a step waits for the last. Fills the median and the fastest. Returns 0
 * when the sum was wrong. */
static int time_allreduce(float *values, size_t count, int repeats, int rank, int ranks,
                          double *median, double *fastest)
{
    for (size_t i = 0; i < count; i++)
        values[i] = (float)(rank + 1);
    MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    float want = (float)(ranks * (ranks + 1) / 2);
    int wrong = 0;
    for (size_t i = 0; i < count && !wrong; i++)
        wrong = values[i] != want;
    MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (wrong)
        return 0;
    double times[MAX_REPEATS];
    for (int r = -3; r < repeats; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double mine = MPI_Wtime() - start, slowest = 0.0;
        MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (r >= 0)
            times[r] = slowest;
    }
    qsort(times, (size_t)repeats, sizeof *times, compare_doubles);
    *median = times[repeats / 2];
    *fastest = times[0];
    return 1;
}

static void report(const options *o, const char *what, size_t count, int ranks, double median,
                   double fastest)
{
    double bytes = (double)count * sizeof(float);
    double busbw = ranks > 1 ? 2.0 * (ranks - 1) / ranks * bytes / median / 1e9 : 0.0;
    if (o->json)
        printf("{\"what\":\"%s\",\"ranks\":%d,\"floats\":%zu,\"bytes\":%.0f,\"median_us\":%.2f,"
               "\"fastest_us\":%.2f,\"busbw_gbs\":%.3f}\n",
               what, ranks, count, bytes, median * 1e6, fastest * 1e6, busbw);
    else
        printf("%-10s %10zu floats %11.0f B  median %10.1f us  fastest %10.1f us  busbw %7.3f "
               "GB/s\n",
               what, count, bytes, median * 1e6, fastest * 1e6, busbw);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    options o = {.size_count = 0};
    if (!parse_options(argc, argv, &o)) {
        MPI_Finalize();
        return 2;
    }
    size_t store = store_floats(&o) + 1; /* the gradients, and the float that carries stops */
    size_t largest = o.quick ? (size_t)1 << 18 : (size_t)1 << 22;
    size_t room = store > largest ? store : largest;
    float *values = malloc(room * sizeof *values);
    if (values == NULL) {
        fprintf(stderr, "clprop-bench-allreduce: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rank == 0 && !o.json) {
        printf("%d ranks; network", ranks);
        for (size_t l = 0; l < o.size_count; l++)
            printf("%c%zu", l == 0 ? ' ' : '-', o.sizes[l]);
        printf(": gradient store %zu floats (tensors aligned to %zu) + 1 stop float\n",
               store - 1, o.align);
    }
    int ok = 1;
    double median = 0.0, fastest = 0.0;
    ok = time_allreduce(values, store, o.repeats, rank, ranks, &median, &fastest);
    if (ok && rank == 0)
        report(&o, "gradients", store, ranks, median, fastest);
    for (size_t count = 1; ok && count <= largest; count *= o.quick ? 64 : 4) {
        ok = time_allreduce(values, count, o.repeats, rank, ranks, &median, &fastest);
        if (ok && rank == 0)
            report(&o, "ladder", count, ranks, median, fastest);
    }
    if (!ok && rank == 0)
        fprintf(stderr, "clprop-bench-allreduce: MPI_Allreduce returned a wrong sum\n");
    free(values);
    MPI_Finalize();
    return ok ? 0 : 1;
}
