/* clprop-bench train: end-to-end training speed of the Fashion-MNIST network 784-256-128-10
 * (sigmoid hidden layers, softmax output with cross-entropy, plain SGD at rate 0.1 — what
 * `clprop train --layers 784,256,128,10` builds) on the real data, kept as bytes on the device.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench train [--device SPEC] [--json] [--quick] [--epochs N]
 *                                        [--batches B,B,...]
 *        POCL_DEVICES="pthread pthread" ./build-bench/clprop-bench train --devices 0,1
 *                                        [--batches 1024,4096]   (data parallelism)
 *
 * Every measurement runs in a process of its own: this same binary, started by posix_spawn with
 * a hidden command. The parent never touches OpenCL (PoCL hangs in a child forked from a process
 * that has); it only prepares, starts, times and reports:
 *   startup    process start to the end of the first batch, on a 32-sample copy of the data:
 *              cold with POCL_CACHE_DIR a fresh empty folder, then warm with the same folder
 *   clprop train  the command itself on those 32 samples, warm: the whole process, one batch
 *   train-one  one batch size: load the 60000 images, open the device, build the network and
 *              upload the data (its start-up); a warm-up of the epoch's last batches (PoCL
 *              compiles each kernel for each launch shape the first time it runs); then whole
 *              epochs, timed — training samples/s
 * Peak host memory is each process's ru_maxrss, from wait4. The training itself is checked:
 * after the timed epoch the loss must be below ln 10, a uniform guess's (not with --quick).
 *
 * --devices LIST trains through the library's run (clprop_trainer) with a replica of the network
 * on every device of the list, each step's batch split equally and the gradients summed on the
 * host (host/train.c's team): the rows are then whole epochs after one whole warm-up epoch, and
 * start-up is not measured. `--devices 0` is the same path on one device, the fair baseline. */
#define _DEFAULT_SOURCE   /* wait4, beside the POSIX the build asks for */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bench.h"
#include "context.h" /* the launch counter */
#include "environment.h"

extern char **environ;

#define DEFAULT_DATA_DIR "/usr/share/datasets/fashion-mnist"
#define IMAGES_FILE "train-images-idx3-ubyte.gz"
#define LABELS_FILE "train-labels-idx1-ubyte.gz"
#define LEARNING_RATE 0.1f
#define SEED 1
#define STARTUP_SAMPLES 32 /* the copy of the data start-up runs on: one batch of 32 */
#define WARM_REPEATS 3     /* warm start-ups are short and noisy: the median of 3 */
#define WARMUP_BATCHES 3   /* full batches of warm-up, besides the epoch's last partial one */
#define QUICK_SAMPLES 2048 /* --quick trains on the first 2048 images */
#define MAX_EPOCHS 100

static const size_t network[] = {784, 256, 128, 10};
static const clprop_activation activations[] = {
    CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_SOFTMAX};
#define NETWORK_LAYERS 3
static const size_t default_batches[] = {32, 256, 1024};
#define MAX_BATCHES 16
#define MAX_BATCH 65536
#define MAX_DEVICES 8 /* --devices: at most this many (the library's team takes 8) */

typedef struct train_options {
    const char *device;   /* NULL: the default device */
    const char *devices;  /* --devices LIST: a replica on each (comma-separated selectors) */
    const char *data_dir; /* holds the IDX images and labels */
    int json, quick;
    int memory;    /* the peak-memory report against the data's size, instead of the timings */
    size_t epochs; /* timed epochs per batch size */
    size_t batches[MAX_BATCHES], batch_count; /* the batch sizes timed, in order */
    /* the children's own */
    size_t batch;      /* train-one */
    size_t samples;    /* train-one: the training set cut, or repeated, to this many; 0: as is */
    int plain;         /* train-one: --data DIR holds uncompressed images-idx3-ubyte and
                          labels-idx1-ubyte, loaded as they are (memory-mapped) */
    double spawned_at; /* CLOCK_MONOTONIC when the parent started this process */
} train_options;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: clprop-bench train [--device SPEC] [--json] [--quick] [--epochs N]\n"
            "                          [--batches B,B,...] [--data DIR] [--memory]\n"
            "                          [--devices LIST]\n"
            "\n"
            "Trains the Fashion-MNIST network 784-256-128-10 (sigmoid, softmax + cross-entropy,\n"
            "plain SGD) on the real data at batches 32, 256 and 1024 (--batches) and reports\n"
            "samples/s over whole epochs after a warm-up; the start-up to the first batch, cold\n"
            "(an empty PoCL kernel cache) and warm, and that of `clprop train`; and each\n"
            "process's peak host memory. Every measurement runs in a fresh process.\n"
            "\n"
            "  --device SPEC  an index, \"P:D\", \"gpu\", \"cpu\" or part of the device name\n"
            "  --devices LIST data parallelism: selectors as --device, comma-separated, at most\n"
            "                 %d; a replica on each, every batch split equally, the gradients\n"
            "                 summed (the library's run; only the training rows, after a whole\n"
            "                 warm-up epoch; --devices 0 is the one-device baseline)\n"
            "  --json         one JSON object per line\n"
            "  --quick        the first %d images, no cold start-up, the PoCL cache as found:\n"
            "                 the smoke test\n"
            "  --epochs N     timed epochs per batch size (default 1)\n"
            "  --batches LIST the batch sizes timed, comma-separated, each 1 to %d, at most\n"
            "                 %d (default 32,256,1024; a GPU wants larger ones too)\n"
            "  --memory       instead: each process's peak memory training one epoch at batch\n"
            "                 256 on 10,000, 60,000 and 600,000 samples (the training set\n"
            "                 repeated), against the data's raw size: loaded from the gzip\n"
            "                 files and repeated in memory, then from uncompressed IDX files of\n"
            "                 that many samples written to a temporary folder (memory-mapped)\n"
            "  --data DIR     where %s and\n"
            "                 %s are (default %s)\n",
            MAX_DEVICES, QUICK_SAMPLES, MAX_BATCH, MAX_BATCHES, IMAGES_FILE, LABELS_FILE,
            DEFAULT_DATA_DIR);
}

/* One line, as the other commands' usage errors (bench/main.c). */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "clprop-bench: train: %s \"%s\" (see clprop-bench train --help)\n", what, arg);
    return 2;
}

/* A whole number from 1 to max, or 0. */
static size_t parse_count(const char *text, size_t max)
{
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < 1 || value > max)
        return 0;
    return value;
}

/* "256,1024,4096" into o->batches; 0 when it is not a list of 1 to MAX_BATCHES counts. */
static int parse_batches(const char *text, train_options *o)
{
    char copy[256];
    if (strlen(text) >= sizeof copy)
        return 0;
    strcpy(copy, text);
    o->batch_count = 0;
    for (char *item = copy, *comma; item != NULL; item = comma != NULL ? comma + 1 : NULL) {
        comma = strchr(item, ',');
        if (comma != NULL)
            *comma = '\0';
        size_t batch = parse_count(item, MAX_BATCH);
        if (batch == 0 || o->batch_count == MAX_BATCHES)
            return 0;
        o->batches[o->batch_count++] = batch;
    }
    return 1;
}

/* Whether a --devices list has 1 to MAX_DEVICES selectors, none empty. */
static int devices_list_ok(const char *text)
{
    size_t count = 1;
    for (const char *p = text; *p != '\0'; p++)
        count += *p == ',';
    return text[0] != '\0' && text[strlen(text) - 1] != ',' && strstr(text, ",,") == NULL &&
           count <= MAX_DEVICES;
}

/* Fills options from the arguments after the command; returns -1 to go on, else an exit
 * status. --batch and --spawned-at are the child processes' own. */
static int parse_options(int argc, char **argv, train_options *o)
{
    static const char *const valued[] = {"--device",  "--data",    "--epochs",     "--batch",
                                         "--batches", "--samples", "--spawned-at", "--devices"};
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (strcmp(arg, "--json") == 0) {
            o->json = 1;
            continue;
        }
        if (strcmp(arg, "--quick") == 0) {
            o->quick = 1;
            continue;
        }
        if (strcmp(arg, "--memory") == 0) {
            o->memory = 1;
            continue;
        }
        if (strcmp(arg, "--plain") == 0) {
            o->plain = 1;
            continue;
        }
        size_t v = 0;
        while (v < sizeof valued / sizeof *valued && strcmp(arg, valued[v]) != 0)
            v++;
        if (v == sizeof valued / sizeof *valued)
            return usage_error("unknown option", arg);
        if (i + 1 == argc)
            return usage_error("a value is missing after", arg);
        const char *value = argv[++i];
        char *end;
        if (strcmp(arg, "--device") == 0) {
            o->device = value;
        } else if (strcmp(arg, "--devices") == 0) {
            if (!devices_list_ok(value))
                return usage_error("--devices: not a list of 1 to 8 device selectors:", value);
            o->devices = value;
        } else if (strcmp(arg, "--data") == 0) {
            o->data_dir = value;
        } else if (strcmp(arg, "--epochs") == 0) {
            if ((o->epochs = parse_count(value, MAX_EPOCHS)) == 0)
                return usage_error("--epochs: not a count from 1 to 100:", value);
        } else if (strcmp(arg, "--batch") == 0) {
            if ((o->batch = parse_count(value, MAX_BATCH)) == 0)
                return usage_error("--batch: not a count from 1 to 65536:", value);
        } else if (strcmp(arg, "--batches") == 0) {
            if (!parse_batches(value, o))
                return usage_error("--batches: not a list of 1 to 16 counts from 1 to 65536:",
                                   value);
        } else if (strcmp(arg, "--samples") == 0) {
            if ((o->samples = parse_count(value, 100000000)) == 0)
                return usage_error("--samples: not a count from 1 to 10^8:", value);
        } else {
            o->spawned_at = strtod(value, &end);
            if (*end != '\0')
                return usage_error("--spawned-at: not a time:", value);
        }
    }
    if (o->device != NULL && o->devices != NULL)
        return usage_error("--device and --devices both choose devices; give one:", o->device);
    return -1;
}

/* ==== the children: each prints "key value" lines on stdout for the parent ==== */

static void put(const char *key, double value)
{
    printf("%s %.9g\n", key, value);
}

static int child_failed(const char *what, clprop_status status, const char *message)
{
    fprintf(stderr, "clprop-bench: %s failed (%s): %s\n", what, clprop_status_name(status),
            message != NULL ? message : "out of memory");
    return 0;
}

/* A network being trained, and what it trains on. */
typedef struct trainer {
    clprop_data *data;
    clprop_context *context;
    clprop_net *net;
    clprop_device_data *device_data;
    size_t samples;
    clprop_context *replicas[MAX_DEVICES]; /* --devices: the contexts after the first */
    size_t replica_count;
} trainer;

static void trainer_close(trainer *t)
{
    clprop_device_data_destroy(t->device_data);
    clprop_net_destroy(t->net);
    for (size_t d = 0; d < t->replica_count; d++)
        clprop_context_destroy(t->replicas[d]);
    clprop_context_destroy(t->context);
    clprop_data_destroy(t->data);
}

/* The data set in images and labels cut to its first `keep` samples, or repeated up to `keep`
 * (0: as it is). */
static int load_data(trainer *t, const char *images, const char *labels, size_t keep)
{
    clprop_data_source source = {.path = images,
                                 .labels_path = labels,
                                 .format = CLPROP_DATA_IDX,
                                 .classes = network[NETWORK_LAYERS]};
    clprop_status status = clprop_data_load(&source, &t->data);
    if (status != CLPROP_SUCCESS)
        return child_failed("loading the data", status, clprop_data_message(t->data));
    t->samples = clprop_data_samples(t->data);
    if (keep == 0 || keep == t->samples)
        return 1;
    size_t *indices = bench_alloc(keep * sizeof *indices);
    for (size_t i = 0; i < keep; i++)
        indices[i] = i % t->samples;
    clprop_data *subset = NULL;
    status = clprop_data_subset(t->data, indices, keep, &subset);
    free(indices);
    clprop_data_destroy(t->data);
    t->data = subset;
    t->samples = keep;
    if (status != CLPROP_SUCCESS)
        return child_failed("taking part of the data", status, clprop_data_message(subset));
    return 1;
}

/* "0,1,gpu" into its selectors (devices_list_ok checked it); returns their count. */
static size_t split_devices(const char *list, char selectors[][64])
{
    size_t count = 0;
    for (const char *p = list; count < MAX_DEVICES; count++) {
        size_t length = strcspn(p, ",");
        snprintf(selectors[count], 64, "%.*s", (int)length, p);
        if (p[length] == '\0')
            return count + 1;
        p += length + 1;
    }
    return count;
}

static int open_context(const char *selector, clprop_context **out)
{
    clprop_context_desc desc = {.device = selector, .gemm = CLPROP_GEMM_NATIVE};
    char problem[256];
    if (!environment_context_desc(&desc, problem, sizeof problem))
        return child_failed("reading the environment", CLPROP_ERROR_INVALID_ARGUMENT, problem);
    clprop_status status = clprop_context_create(&desc, out);
    if (status != CLPROP_SUCCESS)
        return child_failed("opening the device", status, clprop_context_message(*out));
    return 1;
}

/* The stages of start-up after the data are in host memory, each timed. */
static int open_device_and_network(trainer *t, const train_options *o)
{
    double start = now_seconds();
    clprop_device_info devices[64];
    size_t count = 0;
    char message[512] = "";
    clprop_status status = clprop_devices_list(devices, 64, &count, message, sizeof message);
    if (status != CLPROP_SUCCESS)
        return child_failed("listing the devices", status, message);
    double listed = now_seconds();
    put("devices_s", listed - start);

    char selectors[MAX_DEVICES][64];
    size_t device_count = o->devices != NULL ? split_devices(o->devices, selectors) : 1;
    if (!open_context(o->devices != NULL ? selectors[0] : o->device, &t->context))
        return 0;
    for (; t->replica_count + 1 < device_count; t->replica_count++)
        if (!open_context(selectors[t->replica_count + 1], &t->replicas[t->replica_count]))
            return 0;
    double built = now_seconds();
    put("build_s", built - listed);
    printf("device %s", clprop_context_device(t->context)->name);
    for (size_t d = 0; d < t->replica_count; d++)
        printf(", %s", clprop_context_device(t->replicas[d])->name);
    printf("\n");

    clprop_net_desc net = {.layer_count = NETWORK_LAYERS,
                           .sizes = network,
                           .activations = activations,
                           .no_bias = 0,
                           .loss = CLPROP_LOSS_CROSS_ENTROPY,
                           .seed = SEED,
                           .init = CLPROP_INIT_AUTO};
    status = clprop_net_create(t->context, &net, &t->net);
    if (status != CLPROP_SUCCESS)
        return child_failed("creating the network", status, clprop_net_message(t->net));
    if (o->devices != NULL) /* the run (clprop_trainer) puts the data on every device */
        return put("net_s", now_seconds() - built), 1;
    status = clprop_device_data_create(t->context, t->data, &t->device_data);
    if (status != CLPROP_SUCCESS)
        return child_failed("uploading the data", status,
                            clprop_device_data_message(t->device_data));
    put("net_s", now_seconds() - built);
    put("resident", clprop_device_data_resident(t->device_data));
    return 1;
}

/* Trains from position `first` of the epoch's order (the order drawn from seed) to its end. */
static int train_from(trainer *t, size_t batch, size_t first, uint64_t seed,
                      clprop_pass_result *result)
{
    clprop_epoch_desc options = {.batch = batch,
                                    .learning_rate = LEARNING_RATE,
                                    .shuffle_seed = seed,
                                    .first_sample = first};
    clprop_status status = clprop_net_train_epoch(t->net, t->device_data, &options, result);
    if (status != CLPROP_SUCCESS)
        return child_failed("training", status, clprop_net_message(t->net));
    return 1;
}

static void images_and_labels(const char *dir, const char *images_name, const char *labels_name,
                              char *images, char *labels, size_t size)
{
    snprintf(images, size, "%s/%s", dir, images_name);
    snprintf(labels, size, "%s/%s", dir, labels_name);
}

/* `clprop-bench startup --data DIR`: the trainer's start-up on a small copy of the data, to the
 * end of its first batch. */
static int startup_command(const train_options *o)
{
    double entered = now_seconds();
    put("exec_s", entered - o->spawned_at);
    char images[4200], labels[4200];
    images_and_labels(o->data_dir, "images-idx3-ubyte", "labels-idx1-ubyte", images, labels,
                      sizeof images);
    trainer t = {0};
    int ok = load_data(&t, images, labels, 0);
    double loaded = now_seconds();
    if (ok)
        put("load_s", loaded - entered);
    ok = ok && open_device_and_network(&t, o);
    double ready = now_seconds();
    clprop_pass_result result;
    ok = ok && train_from(&t, STARTUP_SAMPLES, 0, SEED, &result);
    if (ok) {
        double done = now_seconds();
        put("first_batch_s", done - ready);
        put("startup_s", done - o->spawned_at);
    }
    trainer_close(&t);
    return ok ? 0 : 1;
}

/* User and system CPU time of this process so far, all its threads. */
static double cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec * 1e-6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec * 1e-6;
}

/* Seconds this process's threads have run, and have waited runnable for a CPU, so far
 * (/proc/self/task/N/schedstat; zero where it is not there). */
static void scheduler_seconds(double *ran, double *waited)
{
    *ran = *waited = 0.0;
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(tasks)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", entry->d_name);
        FILE *file = fopen(path, "r");
        unsigned long long run = 0, wait = 0;
        if (file == NULL)
            continue;
        if (fscanf(file, "%llu %llu", &run, &wait) == 2) {
            *ran += (double)run * 1e-9;
            *waited += (double)wait * 1e-9;
        }
        fclose(file);
    }
    closedir(tasks);
}

/* The system's load average over the last minute (NAN where /proc/loadavg is not there). */
static double load_average(void)
{
    double load = NAN;
    FILE *file = fopen("/proc/loadavg", "r");
    if (file != NULL) {
        if (fscanf(file, "%lf", &load) != 1)
            load = NAN;
        fclose(file);
    }
    return load;
}

/* Where the warm-up starts: the epoch's last WARMUP_BATCHES full batches and the partial one
 * after them, so the timed epochs launch nothing PoCL has not compiled yet. */
static size_t warmup_start(size_t samples, size_t batch)
{
    size_t warmup = WARMUP_BATCHES * batch + samples % batch;
    return warmup < samples ? samples - warmup : 0;
}

/* --devices: what the run's epochs measured; the first epoch is the warm-up. */
typedef struct team_timing {
    double cpu_after_warmup, ran_after_warmup, waited_after_warmup, seconds;
    clprop_pass_result last;
} team_timing;

static int on_team_epoch(void *user, const clprop_epoch_report *report)
{
    team_timing *timing = user;
    if (report->epoch == 1) {
        timing->cpu_after_warmup = cpu_seconds();
        scheduler_seconds(&timing->ran_after_warmup, &timing->waited_after_warmup);
    } else {
        timing->seconds += report->seconds;
    }
    timing->last = report->train;
    return 0;
}

/* --devices: one warm-up epoch and o->epochs timed ones through the library's run, a replica of
 * the network on each device, each batch split equally, the gradients summed on the host. */
static int train_team(trainer *t, const train_options *o, double ready)
{
    team_timing timing = {0};
    clprop_trainer_desc params = {.epochs = 1 + o->epochs,
                                  .batch = o->batch,
                                  .learning_rate = LEARNING_RATE,
                                  .seed = SEED,
                                  .on_epoch = on_team_epoch,
                                  .user = &timing,
                                  .replicas = t->replicas,
                                  .replica_count = t->replica_count};
    clprop_trainer *run = NULL;
    clprop_status status = clprop_trainer_create(t->net, t->data, &params, &run);
    if (status == CLPROP_SUCCESS) {
        put("resident", clprop_trainer_data_resident(run));
        put("upload_s", now_seconds() - ready);
        status = clprop_trainer_run(run);
    }
    if (status != CLPROP_SUCCESS) {
        child_failed("training on the devices", status, clprop_trainer_message(run));
        clprop_trainer_destroy(run);
        return 0;
    }
    clprop_trainer_destroy(run);
    double ran, waited;
    scheduler_seconds(&ran, &waited);
    ran -= timing.ran_after_warmup;
    waited -= timing.waited_after_warmup;
    size_t steps = (t->samples + o->batch - 1) / o->batch * o->epochs;
    put("devices", (double)(t->replica_count + 1));
    put("cores_busy", (cpu_seconds() - timing.cpu_after_warmup) / timing.seconds);
    put("cpu_wait_share", ran + waited > 0.0 ? waited / (ran + waited) : NAN);
    put("samples", (double)(t->samples * o->epochs));
    put("steps", (double)steps);
    put("epoch_s", timing.seconds / (double)o->epochs);
    put("samples_per_s", (double)(t->samples * o->epochs) / timing.seconds);
    put("loss", timing.last.loss);
    put("accuracy", (double)timing.last.correct / (double)timing.last.samples);
    put("load_average", load_average());
    return 1;
}

/* `clprop-bench train-one --batch B`: start-up, warm-up, then o->epochs timed epochs. */
static int train_one_command(const train_options *o)
{
    char images[4200], labels[4200];
    if (o->plain)
        images_and_labels(o->data_dir, "images-idx3-ubyte", "labels-idx1-ubyte", images, labels,
                          sizeof images);
    else
        images_and_labels(o->data_dir, IMAGES_FILE, LABELS_FILE, images, labels, sizeof images);
    double entered = now_seconds();
    trainer t = {0};
    int ok = load_data(&t, images, labels, o->plain          ? 0
                                           : o->samples != 0 ? o->samples
                                           : o->quick        ? QUICK_SAMPLES
                                                             : 0);
    if (ok)
        put("load_s", now_seconds() - entered);
    ok = ok && open_device_and_network(&t, o);
    double ready = now_seconds();
    if (ok)
        put("startup_s", ready - o->spawned_at);
    if (o->devices != NULL) {
        ok = ok && train_team(&t, o, ready);
        trainer_close(&t);
        return ok ? 0 : 1;
    }

    clprop_pass_result result = {0};
    ok = ok && train_from(&t, o->batch, warmup_start(t.samples, o->batch), SEED, &result);
    double warm = now_seconds();
    if (ok)
        put("warmup_s", warm - ready);
    double cpu_before = cpu_seconds(), ran_before, waited_before;
    scheduler_seconds(&ran_before, &waited_before);
    unsigned long long launches_before = ok ? t.context->launches : 0;
    for (size_t e = 0; ok && e < o->epochs; e++)
        ok = train_from(&t, o->batch, 0, SEED + 1 + e, &result);
    if (ok) {
        double seconds = now_seconds() - warm;
        /* how many cores the process kept busy: 2 on two cores is compute-bound work, less is
         * waiting (launches, synchronisation, other processes on the machine) */
        put("cores_busy", (cpu_seconds() - cpu_before) / seconds);
        /* of the time the threads had work, the share they waited for a CPU: other work on the
         * machine taking the cores (0 on a quiet machine) */
        double ran, waited;
        scheduler_seconds(&ran, &waited);
        ran -= ran_before;
        waited -= waited_before;
        put("cpu_wait_share", ran + waited > 0.0 ? waited / (ran + waited) : NAN);
        size_t steps = (t.samples + o->batch - 1) / o->batch * o->epochs;
        put("samples", (double)(t.samples * o->epochs));
        put("steps", (double)steps);
        /* every kernel a step enqueues, the epoch's evaluation passes included when there are
         * any; CLBlast's own launches are not seen */
        put("launches_per_step", (double)(t.context->launches - launches_before) / (double)steps);
        put("epoch_s", seconds / (double)o->epochs);
        put("samples_per_s", (double)(t.samples * o->epochs) / seconds);
        put("loss", result.loss);
        put("accuracy", (double)result.correct / (double)result.samples);
        put("load_average", load_average());
    }
    trainer_close(&t);
    return ok ? 0 : 1;
}

/* ==== the parent ==== */

#define CHILD_MAX_KEYS 32

/* What one child process said and what the parent saw of it. */
typedef struct child_report {
    char keys[CHILD_MAX_KEYS][32];
    char values[CHILD_MAX_KEYS][256];
    size_t count;
    double wall_s;      /* posix_spawn to exit */
    double peak_rss_mb; /* ru_maxrss */
} child_report;

/* The parent's working state: a temporary folder with the small copy of the data, the PoCL
 * cache and the children's stderr, and the environment children get. */
typedef struct run {
    const train_options *options;
    char self[4096], clprop[4096]; /* this binary; `clprop` beside it ("" when absent) */
    char dir[4096], cache[4200], log[4200];
    char cache_variable[4300];
    char **environment;
    int plain; /* children load the uncompressed files in their --data folder (--plain) */
    int failures;
} run;

static double report_number(const child_report *r, const char *key)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->keys[i], key) == 0)
            return strtod(r->values[i], NULL);
    return NAN;
}

static const char *report_text(const child_report *r, const char *key)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->keys[i], key) == 0)
            return r->values[i];
    return "?";
}

/* "key value" lines into the report. */
static void parse_report(char *text, child_report *report)
{
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *space = strchr(line, ' ');
        if (space == NULL || report->count == CHILD_MAX_KEYS)
            continue;
        *space = '\0';
        snprintf(report->keys[report->count], sizeof report->keys[0], "%s", line);
        snprintf(report->values[report->count], sizeof report->values[0], "%s", space + 1);
        report->count++;
    }
}

/* Copies the child's stderr to ours, indented (after a failure). */
static void show_log(const run *r)
{
    FILE *log = fopen(r->log, "r");
    if (log == NULL)
        return;
    char line[1024];
    while (fgets(line, sizeof line, log) != NULL)
        fprintf(stderr, "  | %s", line);
    fclose(log);
}

/* Runs argv (argv[0] a path) with stdout into a pipe and stderr into the log, waits for it; 1 when
 * it exited with status 0. */
static int run_child(run *r, char *const argv[], child_report *report)
{
    memset(report, 0, sizeof *report);
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "clprop-bench: pipe: %s\n", strerror(errno));
        return 0;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, r->log, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    double start = now_seconds();
    pid_t pid;
    int error = posix_spawn(&pid, argv[0], &actions, NULL, argv, r->environment);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (error != 0) {
        close(fds[0]);
        fprintf(stderr, "clprop-bench: cannot start %s: %s\n", argv[0], strerror(error));
        return 0;
    }
    char text[CHILD_MAX_KEYS * 300];
    size_t used = 0;
    ssize_t got;
    while ((got = read(fds[0], text + used, sizeof text - 1 - used)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        used += (size_t)got;
        if (used == sizeof text - 1) { /* more than a report: drain the rest */
            char sink[4096];
            while (read(fds[0], sink, sizeof sink) > 0)
                ;
            break;
        }
    }
    close(fds[0]);
    text[used] = '\0';
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR)
        ;
    report->wall_s = now_seconds() - start;
    report->peak_rss_mb = (double)usage.ru_maxrss / 1024.0; /* Linux gives kilobytes */
    parse_report(text, report);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 1;
    fprintf(stderr, "clprop-bench: %s %s %s (its stderr follows)\n", argv[0], argv[1],
            WIFEXITED(status) ? "failed" : "was killed");
    show_log(r);
    r->failures++;
    return 0;
}

/* One of this binary's hidden commands, with the options every child gets. */
static int run_self(run *r, const char *command, const char *data_dir, size_t batch,
                    size_t samples, child_report *report)
{
    char spawned[32], batch_text[24], epochs_text[24], samples_text[24];
    snprintf(batch_text, sizeof batch_text, "%zu", batch);
    snprintf(epochs_text, sizeof epochs_text, "%zu", r->options->epochs);
    char *argv[24];
    size_t n = 0;
    argv[n++] = r->self;
    argv[n++] = (char *)command;
    argv[n++] = "--data";
    argv[n++] = (char *)data_dir;
    argv[n++] = "--batch";
    argv[n++] = batch_text;
    argv[n++] = "--epochs";
    argv[n++] = epochs_text;
    if (r->options->device != NULL) {
        argv[n++] = "--device";
        argv[n++] = (char *)r->options->device;
    }
    if (r->options->devices != NULL) {
        argv[n++] = "--devices";
        argv[n++] = (char *)r->options->devices;
    }
    if (r->options->quick)
        argv[n++] = "--quick";
    if (r->plain)
        argv[n++] = "--plain";
    if (samples != 0) {
        snprintf(samples_text, sizeof samples_text, "%zu", samples);
        argv[n++] = "--samples";
        argv[n++] = samples_text;
    }
    argv[n++] = "--spawned-at"; /* last, so it is taken as late as it can be */
    argv[n++] = spawned;
    argv[n] = NULL;
    snprintf(spawned, sizeof spawned, "%.9f", now_seconds());
    return run_child(r, argv, report);
}

/* ---- the temporary folder ---- */

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Writes the first `count` images and labels of the gzip'd IDX pair as plain IDX files into
 * r->dir ("images-idx3-ubyte", "labels-idx1-ubyte"). */
static int write_small_copy(const run *r, size_t count)
{
    const char *names[2][2] = {{IMAGES_FILE, "images-idx3-ubyte"},
                               {LABELS_FILE, "labels-idx1-ubyte"}};
    for (int f = 0; f < 2; f++) {
        char from[4200], to[4200];
        snprintf(from, sizeof from, "%s/%s", r->options->data_dir, names[f][0]);
        snprintf(to, sizeof to, "%s/%s", r->dir, names[f][1]);
        gzFile in = gzopen(from, "rb");
        if (in == NULL) {
            fprintf(stderr, "clprop-bench: cannot open %s\n", from);
            return 0;
        }
        /* images: magic, count, rows, columns; labels: magic, count */
        size_t header = f == 0 ? 16 : 8, item = f == 0 ? 784 : 1;
        size_t bytes = header + count * item;
        unsigned char *buffer = bench_alloc(bytes);
        int got = gzread(in, buffer, (unsigned)bytes);
        gzclose(in);
        FILE *out = got == (int)bytes ? fopen(to, "wb") : NULL;
        if (out != NULL) {
            buffer[4] = buffer[5] = 0; /* the count, big-endian */
            buffer[6] = (unsigned char)(count >> 8);
            buffer[7] = (unsigned char)count;
            if (fwrite(buffer, 1, bytes, out) != bytes)
                got = -1;
            if (fclose(out) != 0)
                got = -1;
        }
        free(buffer);
        if (out == NULL || got != (int)bytes) {
            fprintf(stderr, "clprop-bench: cannot copy the first %zu samples of %s to %s\n", count,
                    from, to);
            return 0;
        }
    }
    return 1;
}

/* The environment with POCL_CACHE_DIR replaced by r->cache (left as it is with --quick). */
static int make_environment(run *r)
{
    size_t count = 0;
    while (environ[count] != NULL)
        count++;
    r->environment = bench_alloc((count + 2) * sizeof *r->environment);
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (r->options->quick || strncmp(environ[i], "POCL_CACHE_DIR=", 15) != 0)
            r->environment[n++] = environ[i];
    if (!r->options->quick) {
        snprintf(r->cache_variable, sizeof r->cache_variable, "POCL_CACHE_DIR=%s", r->cache);
        r->environment[n++] = r->cache_variable;
    }
    r->environment[n] = NULL;
    return 1;
}

static int open_run(run *r)
{
    ssize_t length = readlink("/proc/self/exe", r->self, sizeof r->self - 1);
    if (length <= 0) {
        fprintf(stderr, "clprop-bench: cannot find its own executable (/proc/self/exe)\n");
        return 0;
    }
    r->self[length] = '\0';
    snprintf(r->clprop, sizeof r->clprop, "%s", r->self);
    char *slash = strrchr(r->clprop, '/');
    snprintf(slash + 1, sizeof r->clprop - (size_t)(slash + 1 - r->clprop), "clprop");
    if (access(r->clprop, X_OK) != 0)
        r->clprop[0] = '\0';

    const char *tmp = getenv("TMPDIR");
    snprintf(r->dir, sizeof r->dir, "%s/clprop-bench-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(r->dir) == NULL) {
        fprintf(stderr, "clprop-bench: cannot make a folder %s: %s\n", r->dir, strerror(errno));
        return 0;
    }
    snprintf(r->cache, sizeof r->cache, "%s/pocl-cache", r->dir);
    snprintf(r->log, sizeof r->log, "%s/child-stderr.log", r->dir);
    if (mkdir(r->cache, 0700) != 0) {
        fprintf(stderr, "clprop-bench: cannot make %s: %s\n", r->cache, strerror(errno));
        return 0;
    }
    return make_environment(r) && write_small_copy(r, STARTUP_SAMPLES);
}

static void close_run(run *r)
{
    if (r->dir[0] != '\0' && strstr(r->dir, "XXXXXX") == NULL)
        nftw(r->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(r->environment);
}

/* ---- measurements and their reports ---- */

static void json_number(const char *name, double value)
{
    if (isfinite(value))
        printf(",\"%s\":%.6g", name, value);
    else
        printf(",\"%s\":null", name);
}

/* Start-up, `cache` being "cold", "warm" or "as found" (--quick). */
static void print_startup(const run *r, const char *cache, const child_report *c)
{
    static const char *const stages[] = {"exec_s",  "load_s", "devices_s",
                                         "build_s", "net_s",  "first_batch_s"};
    if (r->options->json) {
        printf("{\"startup\":\"%s\",\"startup_s\":%.6g", cache, report_number(c, "startup_s"));
        for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
            json_number(stages[i], report_number(c, stages[i]));
        json_number("process_s", c->wall_s);
        json_number("peak_rss_mb", c->peak_rss_mb);
        printf(",\"samples\":%d,\"batch\":%d}\n", STARTUP_SAMPLES, STARTUP_SAMPLES);
    } else {
        printf("  %-9s %8.3f", cache, report_number(c, "startup_s"));
        for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
            printf(" %8.3f", report_number(c, stages[i]));
        printf(" %9.3f %8.0f\n", c->wall_s, c->peak_rss_mb);
    }
    fflush(stdout);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Cold (not with --quick), then warm: the warm report with the median start-up of
 * WARM_REPEATS. */
static void measure_startup(run *r)
{
    int quick = r->options->quick;
    if (!r->options->json) {
        printf("start-up: process start to the end of the first batch of %d, on a %d-sample copy "
               "of the data (seconds)\n",
               STARTUP_SAMPLES, STARTUP_SAMPLES);
        printf("  %-9s %8s %8s %8s %8s %8s %8s %8s %9s %8s\n", "cache", "total", "exec", "load",
               "devices", "build", "net", "1st batch", "process", "RSS MB");
    }
    child_report report, warm[WARM_REPEATS];
    if (!quick && run_self(r, "startup", r->dir, STARTUP_SAMPLES, 0, &report))
        print_startup(r, "cold", &report);
    size_t repeats = quick ? 1 : WARM_REPEATS, done = 0;
    double totals[WARM_REPEATS];
    for (size_t i = 0; i < repeats; i++) {
        if (run_self(r, "startup", r->dir, STARTUP_SAMPLES, 0, &warm[done])) {
            totals[done] = report_number(&warm[done], "startup_s");
            done++;
        }
    }
    if (done == 0)
        return;
    double sorted[WARM_REPEATS];
    memcpy(sorted, totals, done * sizeof *totals);
    qsort(sorted, done, sizeof *sorted, compare_doubles);
    for (size_t i = 0; i < done; i++)
        if (totals[i] == sorted[done / 2]) {
            print_startup(r, quick ? "as-found" : "warm", &warm[i]);
            break;
        }
}

/* `clprop train` on the small copy, warm: the whole process, its one batch and its exit
 * included. The median of WARM_REPEATS (1 with --quick). */
static void measure_clprop_train(run *r)
{
    if (r->clprop[0] == '\0') {
        if (!r->options->json)
            printf("  clprop train: no `clprop` beside clprop-bench, not measured\n");
        return;
    }
    char images[4200], labels[4200];
    images_and_labels(r->dir, "images-idx3-ubyte", "labels-idx1-ubyte", images, labels,
                      sizeof images);
    char *argv[16];
    size_t n = 0;
    argv[n++] = r->clprop;
    argv[n++] = "train";
    argv[n++] = "--data";
    argv[n++] = images;
    argv[n++] = "--labels";
    argv[n++] = labels;
    argv[n++] = "--layers";
    argv[n++] = "784,256,128,10";
    argv[n++] = "--epochs";
    argv[n++] = "1";
    argv[n++] = "--batch";
    argv[n++] = "32";
    if (r->options->device != NULL) {
        argv[n++] = "--device";
        argv[n++] = (char *)r->options->device;
    }
    argv[n] = NULL;
    size_t repeats = r->options->quick ? 1 : WARM_REPEATS, done = 0;
    double walls[WARM_REPEATS], rss = 0.0;
    for (size_t i = 0; i < repeats; i++) {
        child_report report;
        if (run_child(r, argv, &report)) {
            walls[done++] = report.wall_s;
            rss = report.peak_rss_mb;
        }
    }
    if (done == 0)
        return;
    qsort(walls, done, sizeof *walls, compare_doubles);
    if (r->options->json)
        printf("{\"startup\":\"clprop train\",\"startup_s\":%.6g,\"peak_rss_mb\":%.6g,"
               "\"samples\":%d,\"batch\":%d,\"runs\":%zu}\n",
               walls[done / 2], rss, STARTUP_SAMPLES, STARTUP_SAMPLES, done);
    else
        printf("  clprop train --epochs 1 --batch %d on the same %d samples, warm: the whole "
               "process %.3f s (median of %zu), peak RSS %.0f MB\n",
               STARTUP_SAMPLES, STARTUP_SAMPLES, walls[done / 2], done, rss);
    fflush(stdout);
}

static void print_training_header(const run *r, const child_report *first)
{
    if (r->options->json)
        return;
    printf("\ntraining on %s: %s images, %zu timed epoch(s) after a warm-up of %s\n",
           report_text(first, "device"), r->options->quick ? "the first 2048" : "all",
           r->options->epochs,
           r->options->devices != NULL ? "one whole epoch; a replica on each device, every batch "
                                         "split equally, the gradients summed on the host"
                                       : "the epoch's last batches");
    printf("  start-up = process start to ready to train: load %s, open the device%s (warm "
           "cache), network%s\n",
           IMAGES_FILE, r->options->devices != NULL ? "s" : "",
           r->options->devices != NULL ? " (the upload is in the run)" : ", upload");
    printf("  cores = CPU time / wall time over the timed epochs; waited = the share of its "
           "threads'\n  runnable time spent waiting for a CPU (other work on the machine); load "
           "= the load average after\n");
    printf("  %5s %10s %8s %6s %8s %6s %6s %10s %8s %8s %8s %7s %6s\n", "batch", "samples/s",
           "epoch s", "steps", "ms/step", "cores", "waited", "start-up s", "load s", "RSS MB",
           "loss", "acc", "load");
}

static void print_training(const run *r, size_t batch, const child_report *c)
{
    double steps = report_number(c, "steps") / (double)r->options->epochs;
    double epoch = report_number(c, "epoch_s");
    if (r->options->json) {
        printf("{\"batch\":%zu,\"samples_per_s\":%.6g,\"startup_s\":%.6g,\"peak_rss_mb\":%.6g",
               batch, report_number(c, "samples_per_s"), report_number(c, "startup_s"),
               c->peak_rss_mb);
        json_number("epoch_s", epoch);
        json_number("samples", report_number(c, "samples") / (double)r->options->epochs);
        json_number("steps", steps);
        json_number("ms_per_step", epoch / steps * 1e3);
        json_number("launches_per_step", report_number(c, "launches_per_step"));
        json_number("load_s", report_number(c, "load_s"));
        json_number("warmup_s", report_number(c, "warmup_s"));
        json_number("loss", report_number(c, "loss"));
        json_number("accuracy", report_number(c, "accuracy"));
        json_number("cores_busy", report_number(c, "cores_busy"));
        json_number("cpu_wait_share", report_number(c, "cpu_wait_share"));
        json_number("load_average", report_number(c, "load_average"));
        printf(",\"epochs\":%zu,\"device\":\"%s\"}\n", r->options->epochs,
               report_text(c, "device"));
    } else {
        printf("  %5zu %10.0f %8.2f %6.0f %8.3f %6.2f %6.2f %10.3f %8.3f %8.0f %8.4f %7.4f "
               "%6.2f\n",
               batch, report_number(c, "samples_per_s"), epoch, steps, epoch / steps * 1e3,
               report_number(c, "cores_busy"), report_number(c, "cpu_wait_share"),
               report_number(c, "startup_s"), report_number(c, "load_s"), c->peak_rss_mb,
               report_number(c, "loss"), report_number(c, "accuracy"),
               report_number(c, "load_average"));
    }
    fflush(stdout);
}

/* The check on the training itself: it must have learnt something. */
static void check_learning(run *r, size_t batch, const child_report *c)
{
    double loss = report_number(c, "loss");
    if (r->options->quick || loss < log(10.0))
        return;
    fprintf(stderr,
            "clprop-bench: batch %zu: the loss after the timed epoch is %g, not below ln 10 = "
            "%.4f (a uniform guess): the training is wrong\n",
            batch, loss, log(10.0));
    r->failures++;
}

static void measure_training(run *r)
{
    int header = 0;
    for (size_t b = 0; b < r->options->batch_count; b++) {
        size_t batch = r->options->batches[b];
        child_report report;
        if (!run_self(r, "train-one", r->options->data_dir, batch, 0, &report))
            continue;
        if (!header)
            print_training_header(r, &report);
        header = 1;
        print_training(r, batch, &report);
        check_learning(r, batch, &report);
    }
}

/* The whole gzip'd IDX file at path (header bytes, then `item` bytes per sample) in memory;
 * *count is the header's sample count. NULL after saying why. */
static unsigned char *read_whole_gzip(const char *path, size_t header, size_t item, size_t *count)
{
    gzFile in = gzopen(path, "rb");
    unsigned char head[16];
    if (in == NULL || gzread(in, head, (unsigned)header) != (int)header) {
        fprintf(stderr, "clprop-bench: cannot read %s\n", path);
        if (in != NULL)
            gzclose(in);
        return NULL;
    }
    *count = (size_t)head[4] << 24 | (size_t)head[5] << 16 | (size_t)head[6] << 8 | head[7];
    size_t bytes = header + *count * item;
    unsigned char *all = bench_alloc(bytes);
    memcpy(all, head, header);
    int got = gzread(in, all + header, (unsigned)(bytes - header));
    gzclose(in);
    if (got != (int)(bytes - header)) {
        fprintf(stderr, "clprop-bench: %s ends early\n", path);
        free(all);
        return NULL;
    }
    return all;
}

/* Writes the IDX file `to`: source's header with the count set to `count`, then source's
 * `available` samples repeated up to `count`. */
static int write_repeated(const char *to, const unsigned char *source, size_t header, size_t item,
                          size_t available, size_t count)
{
    FILE *out = fopen(to, "wb");
    if (out == NULL)
        return 0;
    unsigned char head[16];
    memcpy(head, source, header);
    for (int b = 0; b < 4; b++)
        head[4 + b] = (unsigned char)(count >> (24 - 8 * b));
    int ok = fwrite(head, 1, header, out) == header;
    for (size_t done = 0; ok && done < count;) {
        size_t piece = count - done < available ? count - done : available;
        ok = fwrite(source + header, item, piece, out) == piece;
        done += piece;
    }
    return fclose(out) == 0 && ok;
}

/* The training set repeated to `count` samples as uncompressed IDX files images-idx3-ubyte and
 * labels-idx1-ubyte in a new folder r->dir/plain-COUNT, written into `folder`. */
static int write_plain_copy(const run *r, size_t count, char *folder, size_t size)
{
    snprintf(folder, size, "%s/plain-%zu", r->dir, count);
    const char *names[2][2] = {{IMAGES_FILE, "images-idx3-ubyte"},
                               {LABELS_FILE, "labels-idx1-ubyte"}};
    int ok = mkdir(folder, 0700) == 0;
    for (int f = 0; ok && f < 2; f++) {
        char from[4200], to[4400];
        snprintf(from, sizeof from, "%s/%s", r->options->data_dir, names[f][0]);
        snprintf(to, sizeof to, "%s/%s", folder, names[f][1]);
        size_t header = f == 0 ? 16 : 8, item = f == 0 ? 784 : 1, available = 0;
        unsigned char *source = read_whole_gzip(from, header, item, &available);
        ok = source != NULL && available > 0 &&
             write_repeated(to, source, header, item, available, count);
        free(source);
    }
    if (!ok)
        fprintf(stderr, "clprop-bench: cannot write %zu samples as plain IDX files in %s\n",
                count, folder);
    return ok;
}

static void remove_plain_copy(const char *folder)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/images-idx3-ubyte", folder);
    remove(path);
    snprintf(path, sizeof path, "%s/labels-idx1-ubyte", folder);
    remove(path);
    rmdir(folder);
}

#define MEMORY_COUNTS 3

/* One row of the memory report: a fresh process training one epoch on `count` samples. */
static void measure_memory_row(run *r, size_t count, const char *source, double *raw,
                               double *peak)
{
    child_report report;
    char folder[4300];
    int ok = 1;
    if (r->plain)
        ok = write_plain_copy(r, count, folder, sizeof folder);
    ok = ok && run_self(r, "train-one", r->plain ? folder : r->options->data_dir, 256, count,
                        &report);
    if (r->plain)
        remove_plain_copy(folder);
    if (!ok)
        return;
    *raw = (double)count * (double)(network[0] + 1) / 1e6;
    *peak = report.peak_rss_mb;
    if (r->options->json)
        printf("{\"memory_samples\":%zu,\"source\":\"%s\",\"raw_mb\":%.6g,\"peak_rss_mb\":%.6g,"
               "\"resident\":%g}\n",
               count, source, *raw, *peak, report_number(&report, "resident"));
    else
        printf("  %8zu %10.1f %14.1f %10.2f\n", count, *raw, *peak, *peak / *raw);
}

/* Peak memory against the data's size: one epoch at batch 256 on 10,000, 60,000 and 600,000
 * samples (the training set repeated), each in a fresh process, twice: loaded from the gzip files
 * and repeated in memory (clprop_data_subset), then from uncompressed IDX files holding that many
 * samples, which the loader maps. The raw size is what the files hold: a byte a pixel and a byte
 * a label. The slope between the smallest and the largest run is what memory grows by per byte
 * of data; the constant part (PoCL, LLVM, the kernels, the network) does not grow with it. On a
 * device whose memory is the host's the samples' buffers are the host's own arrays, so the least
 * it can be is about 1 — the pixels once — plus the one-hot targets (40 bytes a sample), the
 * labels, the order and the per-sample figures. From the gzip files the 60,000 samples loaded
 * are still held while the repeated copy is made, which adds 47 MB to the 600,000 row. */
static void measure_memory(run *r)
{
    static const size_t counts[MEMORY_COUNTS] = {10000, 60000, 600000};
    static const char *const sources[2] = {"gzip", "mapped"};
    /* a first process compiles the kernels into the run's fresh PoCL cache, which takes memory of
     * its own: it is not measured */
    child_report warm_up;
    run_self(r, "train-one", r->options->data_dir, 256, counts[0], &warm_up);
    for (int plain = 0; plain < 2; plain++) {
        r->plain = plain;
        double raw[MEMORY_COUNTS] = {0}, peak[MEMORY_COUNTS] = {0};
        if (!r->options->json)
            printf("%speak memory, one epoch at batch 256 (the training set repeated for "
                   "600,000), %s:\n  %8s %10s %14s %10s\n",
                   plain ? "\n" : "",
                   plain ? "from uncompressed IDX files of that many samples, memory-mapped"
                         : "from the gzip files, repeated in memory",
                   "samples", "raw MB", "peak RSS MB", "peak/raw");
        for (size_t i = 0; i < MEMORY_COUNTS; i++)
            measure_memory_row(r, counts[i], sources[plain], &raw[i], &peak[i]);
        if (raw[0] > 0 && raw[2] > 0) {
            double slope = (peak[2] - peak[0]) / (raw[2] - raw[0]);
            if (r->options->json)
                printf("{\"source\":\"%s\",\"memory_bytes_per_raw_byte\":%.4g}\n",
                       sources[plain], slope);
            else
                printf("  memory grows by %.2f bytes per byte of data (10,000 to 600,000 "
                       "samples)\n", slope);
        }
    }
    r->plain = 0;
    fflush(stdout);
}

static int train_command(const train_options *o)
{
    run r = {.options = o};
    int ok = open_run(&r);
    if (ok && o->memory) {
        measure_memory(&r);
    } else if (ok) {
        if (!o->json)
            printf("clprop-bench train: Fashion-MNIST %zu-%zu-%zu-%zu, sigmoid hidden, softmax + "
                   "cross-entropy, plain SGD at %.2g, from %s\nPoCL kernel cache: %s\n\n",
                   network[0], network[1], network[2], network[3], (double)LEARNING_RATE,
                   o->data_dir, o->quick ? "as found (--quick)" : "a fresh folder, cold then warm");
        if (o->devices == NULL) { /* start-up is a one-device figure */
            measure_startup(&r);
            measure_clprop_train(&r);
        }
        measure_training(&r);
    }
    close_run(&r);
    if (ok && r.failures == 0)
        return 0;
    if (ok)
        fprintf(stderr, "clprop-bench: %d measurement(s) failed (see above)\n", r.failures);
    return 1;
}

/* ==== entry ==== */

int bench_train_handles(const char *command)
{
    return strcmp(command, "train") == 0 || strcmp(command, "startup") == 0 ||
           strcmp(command, "train-one") == 0;
}

int bench_train_main(int argc, char **argv)
{
    train_options options = {.data_dir = DEFAULT_DATA_DIR, .epochs = 1, .batch = STARTUP_SAMPLES};
    options.batch_count = sizeof default_batches / sizeof *default_batches;
    memcpy(options.batches, default_batches, sizeof default_batches);
    int status = parse_options(argc - 1, argv + 1, &options);
    if (status >= 0)
        return status;
    if (options.spawned_at == 0.0)
        options.spawned_at = now_seconds();
    if (strcmp(argv[0], "startup") == 0)
        return startup_command(&options);
    if (strcmp(argv[0], "train-one") == 0)
        return train_one_command(&options);
    return train_command(&options);
}
