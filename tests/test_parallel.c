/* Data parallelism: a run whose batches are split among two devices of this process (PoCL's
 * POCL_DEVICES="pthread pthread", set for this test by tests/CMakeLists.txt), or among two
 * "processes" joined by a collective (two threads here; the MPI build's collective is tested
 * under mpirun), trains the same network as one device with the same global batch: weights
 * within 1e-5 relative after several epochs, for SGD and Adam, with equal and unequal shares,
 * and with dropout (its masks go by a sample's place in the whole batch, not in a device's part).
 * Per-layer sums (CLPROP_ALLREDUCE_LAYERS) give the whole-store sums' network bit for bit.
 * Sharded data (each process its own part): one process trains as without a collective, bit for
 * bit; two hold the same network and learn; what sharding needs is checked. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"
#define EPOCHS 4
#define BOUND 1e-5

static const size_t sizes[] = {8, 12, 2};
static const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID,
                                                CLPROP_ACTIVATION_LINEAR};

/* The hidden layer's dropout rate in the networks made: the dropout tests set it (each test runs in
 * a process of its own). */
static float hidden_dropout = 0.0f;
/* How the "processes" sum their gradients (the per-layer tests set it). */
static clprop_allreduce allreduce = CLPROP_ALLREDUCE_WHOLE;
/* With a collective: each "process" trains on its own part of the data (the sharding tests). */
static int sharded = 0;
/* The whole set as one batch, no validation share (every step sees every sample); and the set
 * made of 384 copies of its first sample (any shuffle then gives the same batch). */
static int whole_batches = 0, identical_samples = 0;

/* Samples [rank·m, (rank+1)·m) of the data, m = samples / size (as clprop train --shard). */
static clprop_data *part_of(const clprop_data *data, size_t rank, size_t size)
{
    size_t m = clprop_data_samples(data) / size, indices[1024];
    cr_assert_leq(m, 1024);
    for (size_t i = 0; i < m; i++)
        indices[i] = rank * m + i;
    clprop_data *part = NULL;
    cr_assert_eq(clprop_data_subset(data, indices, m, &part), CLPROP_SUCCESS);
    return part;
}

static clprop_net *make_net(clprop_context *context, clprop_optimizer_kind optimizer)
{
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 5,
                            .dropout = &hidden_dropout};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    clprop_optimizer chosen = {.kind = optimizer};
    cr_assert_eq(clprop_net_set_optimizer(net, &chosen), CLPROP_SUCCESS);
    return net;
}

static clprop_data *load_diabetes(void)
{
    clprop_data_source source = {.path = DIABETES};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s", clprop_data_message(data));
    return data;
}

static clprop_trainer_desc params(clprop_optimizer_kind optimizer)
{
    /* 384 samples: six steps of 60 and a last one of 24, which the split leaves odd */
    return (clprop_trainer_desc){.epochs = EPOCHS,
                                 .batch = 60,
                                 .learning_rate = optimizer == CLPROP_OPTIMIZER_ADAM ? 0.01f : 0.5f,
                                 .seed = 7,
                                 .validation = 0.1f};
}

typedef struct weights {
    float w1[8 * 12], b1[12], w2[12 * 2], b2[2];
    double loss;
} weights;

static void read_weights(clprop_net *net, weights *out)
{
    cr_assert_eq(clprop_net_get_weights(net, 1, out->w1, out->b1), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 2, out->w2, out->b2), CLPROP_SUCCESS);
}

/* The report of the last epoch: its training loss. */
static int keep_loss(void *user, const clprop_epoch_report *report)
{
    ((weights *)user)->loss = report->train.loss;
    return 0;
}

/* Trains on the first device, with the given replica contexts. */
static void train(clprop_optimizer_kind optimizer, clprop_context *const *replicas, size_t count,
                  const double *shares, const clprop_collective *collective, weights *out)
{
    clprop_context *context = test_context_with((clprop_context_desc){.device = "0"});
    clprop_data *data = load_diabetes();
    if (identical_samples) {
        size_t firsts[384] = {0};
        clprop_data *copies = NULL;
        cr_assert_eq(clprop_data_subset(data, firsts, 384, &copies), CLPROP_SUCCESS);
        clprop_data_destroy(data);
        data = copies;
    }
    if (collective != NULL && sharded) {
        clprop_data *part = part_of(data, collective->rank, collective->size);
        clprop_data_destroy(data);
        data = part;
    }
    clprop_net *net = make_net(context, optimizer);
    clprop_trainer_desc p = params(optimizer);
    p.replicas = replicas;
    p.replica_count = count;
    p.shares = shares;
    p.collective = collective;
    p.allreduce = collective != NULL ? allreduce : CLPROP_ALLREDUCE_WHOLE;
    p.sharded = collective != NULL && sharded;
    if (whole_batches) {
        p.batch = clprop_data_samples(data) * (collective != NULL && sharded ? collective->size : 1);
        p.validation = 0.0f;
    }
    p.on_epoch = keep_loss;
    p.user = out;
    clprop_trainer *trainer = NULL;
    cr_assert_eq(clprop_trainer_create(net, data, &p, &trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(trainer));
    clprop_data_destroy(data);
    cr_assert_eq(clprop_trainer_run(trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(trainer));
    read_weights(net, out);
    clprop_trainer_destroy(trainer);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

static void expect_close(const float *got, const float *want, size_t count, const char *what)
{
    double *wide = malloc(count * sizeof *wide);
    for (size_t i = 0; i < count; i++)
        wide[i] = want[i];
    test_assert_close(what, got, wide, count, BOUND);
    free(wide);
}

static void expect_same_network(const weights *got, const weights *want)
{
    expect_close(got->w1, want->w1, 8 * 12, "layer 1 weights");
    expect_close(got->b1, want->b1, 12, "layer 1 biases");
    expect_close(got->w2, want->w2, 12 * 2, "layer 2 weights");
    expect_close(got->b2, want->b2, 2, "layer 2 biases");
    cr_expect(fabs(got->loss - want->loss) <= 1e-6 * fabs(want->loss), "loss %.9g, want %.9g",
              got->loss, want->loss);
}

/* Two devices of this process against one, for an optimizer and the shares given. */
static void check_two_devices(clprop_optimizer_kind optimizer, const double *shares)
{
    weights alone, split;
    train(optimizer, NULL, 0, NULL, NULL, &alone);
    clprop_context *second = test_context_with((clprop_context_desc){.device = "1"});
    cr_assert_str_eq(clprop_context_device(second)->name,
                     clprop_context_device(second)->name); /* it exists */
    train(optimizer, &second, 1, shares, NULL, &split);
    clprop_context_destroy(second);
    expect_same_network(&split, &alone);
    /* not trivially equal: the run changed the weights */
    weights initial;
    clprop_context *context = test_context();
    clprop_net *net = make_net(context, optimizer);
    read_weights(net, &initial);
    cr_expect(memcmp(initial.w1, alone.w1, sizeof initial.w1) != 0, "training changed nothing");
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

Test(parallel, two_devices_train_as_one_with_sgd, .timeout = 120)
{
    check_two_devices(CLPROP_OPTIMIZER_SGD, NULL);
}

Test(parallel, two_devices_train_as_one_with_adam, .timeout = 120)
{
    check_two_devices(CLPROP_OPTIMIZER_ADAM, NULL);
}

Test(parallel, unequal_shares_train_as_one, .timeout = 120)
{
    const double shares[] = {1.0, 3.0};
    check_two_devices(CLPROP_OPTIMIZER_ADAM, shares);
}

Test(parallel, two_devices_train_as_one_with_dropout, .timeout = 120)
{
    weights without;
    train(CLPROP_OPTIMIZER_ADAM, NULL, 0, NULL, NULL, &without);
    hidden_dropout = 0.3f;
    const double shares[] = {1.0, 3.0};
    check_two_devices(CLPROP_OPTIMIZER_ADAM, shares);
    weights with;
    train(CLPROP_OPTIMIZER_ADAM, NULL, 0, NULL, NULL, &with);
    cr_expect(memcmp(with.w1, without.w1, sizeof with.w1) != 0, "dropout changed nothing");
}

/* A trainer of `net` on `data` with `p` is refused with `want`, its message saying `says`. */
static void expect_refused(clprop_net *net, const clprop_data *data, const clprop_trainer_desc *p,
                           clprop_status want, const char *says)
{
    clprop_trainer *trainer = NULL;
    cr_expect_eq(clprop_trainer_create(net, data, p, &trainer), want, "%s", says);
    cr_expect(strstr(clprop_trainer_message(trainer), says) != NULL, "%s: %s", says,
              clprop_trainer_message(trainer));
    clprop_trainer_destroy(trainer);
}

Test(parallel, a_share_that_is_not_positive_is_refused)
{
    clprop_context *context = test_context_with((clprop_context_desc){.device = "0"});
    clprop_context *second = test_context_with((clprop_context_desc){.device = "1"});
    clprop_data *data = load_diabetes();
    clprop_net *net = make_net(context, CLPROP_OPTIMIZER_SGD);
    const double shares[] = {1.0, 0.0};
    clprop_trainer_desc p = params(CLPROP_OPTIMIZER_SGD);
    p.replicas = &second;
    p.replica_count = 1;
    p.shares = shares;
    expect_refused(net, data, &p, CLPROP_ERROR_INVALID_ARGUMENT, "device 1's share");
    clprop_net_destroy(net);
    clprop_data_destroy(data);
    clprop_context_destroy(second);
    clprop_context_destroy(context);
}

/* ---- Two "processes" as two threads, joined by a collective ------------------------------------
 */

typedef struct meeting {
    pthread_barrier_t barrier;
    const void *values[2]; /* each side's array, while both sum */
    double doubles[64];
} meeting;

typedef struct side {
    meeting *meeting;
    size_t rank;
    clprop_collective collective;
    clprop_optimizer_kind optimizer;
    weights result;
    size_t started; /* sums begun without waiting (per layer) */
} side;

/* Both sides publish their arrays, each sums rank 0's then rank 1's (the same order on both),
 * then both wait until neither reads the other's array any more. */
static clprop_status sum_floats(void *user, float *values, size_t count)
{
    side *me = user;
    meeting *m = me->meeting;
    m->values[me->rank] = values;
    pthread_barrier_wait(&m->barrier);
    const float *first = m->values[0], *second = m->values[1];
    float *sum = malloc(count * sizeof *sum);
    for (size_t i = 0; i < count; i++)
        sum[i] = first[i] + second[i];
    pthread_barrier_wait(&m->barrier);
    memcpy(values, sum, count * sizeof *sum);
    free(sum);
    return CLPROP_SUCCESS;
}

static clprop_status sum_doubles(void *user, double *values, size_t count)
{
    side *me = user;
    meeting *m = me->meeting;
    m->values[me->rank] = values;
    pthread_barrier_wait(&m->barrier);
    const double *first = m->values[0], *second = m->values[1];
    double sum[8];
    for (size_t i = 0; i < count && i < 8; i++)
        sum[i] = first[i] + second[i];
    pthread_barrier_wait(&m->barrier);
    memcpy(values, sum, count * sizeof *sum);
    return CLPROP_SUCCESS;
}

/* A sum "begun": done at once here (a valid way to begin one), and counted. */
static clprop_status start_sum_floats(void *user, float *values, size_t count)
{
    ((side *)user)->started++;
    return sum_floats(user, values, count);
}

static clprop_status finish_sums(void *user)
{
    (void)user;
    return CLPROP_SUCCESS;
}

static void *run_side(void *user)
{
    side *me = user;
    me->collective = (clprop_collective){.rank = me->rank,
                                         .size = 2,
                                         .user = me,
                                         .sum_floats = sum_floats,
                                         .sum_doubles = sum_doubles,
                                         .start_sum_floats = start_sum_floats,
                                         .finish_sums = finish_sums};
    train(me->optimizer, NULL, 0, NULL, &me->collective, &me->result);
    return NULL;
}

/* Two "processes" training: their networks (bit for bit the same, checked) in *out, and the
 * sums begun per layer in *started. */
static void train_two_processes(clprop_optimizer_kind optimizer, weights *out, size_t *started)
{
    /* The kernels compiled once on this thread first: LLVM, compiling for PoCL, gives the thread
     * that compiles an alternate signal stack of its own, and AddressSanitizer then fails to
     * free its own when that thread ends. The threads below find them in PoCL's cache. */
    clprop_context_destroy(test_context_with((clprop_context_desc){.device = "0"}));
    meeting m;
    pthread_barrier_init(&m.barrier, NULL, 2);
    side sides[2] = {{.meeting = &m, .rank = 0, .optimizer = optimizer},
                     {.meeting = &m, .rank = 1, .optimizer = optimizer}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, run_side, &sides[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&m.barrier);
    /* the two processes hold the same network, bit for bit */
    cr_expect_arr_eq(&sides[0].result, &sides[1].result, sizeof sides[0].result,
                     "the processes' networks differ");
    *out = sides[0].result;
    *started = sides[0].started;
}

static void check_two_processes(clprop_optimizer_kind optimizer)
{
    weights alone, together;
    size_t started = 0;
    train(optimizer, NULL, 0, NULL, NULL, &alone);
    train_two_processes(optimizer, &together, &started);
    expect_same_network(&together, &alone);
}

/* A sum per layer, begun from the top layer down (two layers, 6 steps an epoch: 5 of 60 and
 * one of 46 of the 346 training samples), gives the one sum's network bit for bit. */
static void check_per_layer_sums(clprop_optimizer_kind optimizer)
{
    weights whole, layers;
    size_t started = 0;
    train_two_processes(optimizer, &whole, &started);
    cr_expect_eq(started, 0, "sums begun without CLPROP_ALLREDUCE_LAYERS");
    allreduce = CLPROP_ALLREDUCE_LAYERS;
    train_two_processes(optimizer, &layers, &started);
    cr_expect_eq(started, 2 * 6 * EPOCHS, "%zu sums begun", started);
    cr_expect_arr_eq(&layers, &whole, sizeof whole, "per-layer sums changed the network");
}

Test(parallel, per_layer_sums_train_as_one_sum_with_sgd, .timeout = 120)
{
    check_per_layer_sums(CLPROP_OPTIMIZER_SGD);
}

Test(parallel, per_layer_sums_train_as_one_sum_with_adam_and_dropout, .timeout = 120)
{
    hidden_dropout = 0.3f;
    check_per_layer_sums(CLPROP_OPTIMIZER_ADAM);
}

/* ---- Sharded data ------------------------------------------------------------------------------ */

/* A collective of one process: its sums are its own values. */
static clprop_status sum_alone(void *user, float *values, size_t count)
{
    (void)user, (void)values, (void)count;
    return CLPROP_SUCCESS;
}

static clprop_status sum_doubles_alone(void *user, double *values, size_t count)
{
    (void)user, (void)values, (void)count;
    return CLPROP_SUCCESS;
}

/* One process with sharded data holds the whole set as its part: it trains as a run without a
 * collective, bit for bit (its shuffle, steps, update and figures are the plain run's). */
Test(parallel, one_sharded_process_trains_as_a_plain_run, .timeout = 120)
{
    weights plain, alone;
    train(CLPROP_OPTIMIZER_ADAM, NULL, 0, NULL, NULL, &plain);
    clprop_collective one = {
        .rank = 0, .size = 1, .sum_floats = sum_alone, .sum_doubles = sum_doubles_alone};
    sharded = 1;
    train(CLPROP_OPTIMIZER_ADAM, NULL, 0, NULL, &one, &alone);
    cr_expect_arr_eq(&alone, &plain, sizeof plain, "sharding changed a one-process run");
}

/* Two processes, each with its half: the same network in both (checked bit for bit), and it
 * learns: its last epoch's loss is below the first epoch's of a plain run from the same start. */
Test(parallel, two_sharded_processes_hold_one_network_that_learns, .timeout = 120)
{
    weights together, first_epoch;
    size_t started = 0;
    sharded = 1;
    train_two_processes(CLPROP_OPTIMIZER_ADAM, &together, &started);
    clprop_context *context = test_context_with((clprop_context_desc){.device = "0"});
    clprop_data *data = load_diabetes();
    clprop_net *net = make_net(context, CLPROP_OPTIMIZER_ADAM);
    clprop_trainer_desc p = params(CLPROP_OPTIMIZER_ADAM);
    p.epochs = 1;
    p.on_epoch = keep_loss;
    p.user = &first_epoch;
    clprop_trainer *trainer = NULL;
    cr_assert_eq(clprop_trainer_create(net, data, &p, &trainer), CLPROP_SUCCESS);
    cr_assert_eq(clprop_trainer_run(trainer), CLPROP_SUCCESS);
    cr_expect_lt(together.loss, first_epoch.loss, "sharded: %g after %d epochs, one epoch %g",
                 together.loss, EPOCHS, first_epoch.loss);
    clprop_trainer_destroy(trainer);
    clprop_net_destroy(net);
    clprop_data_destroy(data);
    clprop_context_destroy(context);
}

/* With the whole set as one batch every step sees every sample however the parts split it, so
 * two sharded processes train as one plain run (within 1e-5: the sums go in another order) and
 * report its loss: the update's batch and the epoch's figures count both parts. */
Test(parallel, sharded_processes_with_whole_batches_train_as_one, .timeout = 120)
{
    weights plain, parts;
    size_t started = 0;
    whole_batches = 1;
    train(CLPROP_OPTIMIZER_ADAM, NULL, 0, NULL, NULL, &plain);
    sharded = 1;
    train_two_processes(CLPROP_OPTIMIZER_ADAM, &parts, &started);
    expect_same_network(&parts, &plain);
}

/* Dropout's masks go by a sample's place in the whole step, not in a process's part: with
 * identical samples (any shuffle gives the same batch) two sharded processes draw the plain run's
 * masks and train its network. */
Test(parallel, sharded_processes_draw_the_whole_steps_masks, .timeout = 120)
{
    weights plain, parts;
    size_t started = 0;
    whole_batches = identical_samples = 1;
    hidden_dropout = 0.5f;
    train(CLPROP_OPTIMIZER_SGD, NULL, 0, NULL, NULL, &plain);
    sharded = 1;
    train_two_processes(CLPROP_OPTIMIZER_SGD, &parts, &started);
    expect_same_network(&parts, &plain);
}

/* No collective, a batch that does not divide among the processes, scaling to fit, and parts of
 * different sizes are refused. (The last: a "partner" whose sums add nothing makes the sizes
 * n and 0, which differ.) */
Test(parallel, sharding_without_what_it_needs_is_refused)
{
    clprop_context *context = test_context_with((clprop_context_desc){.device = "0"});
    clprop_data *data = load_diabetes();
    clprop_net *net = make_net(context, CLPROP_OPTIMIZER_SGD);
    clprop_collective two = {
        .rank = 0, .size = 2, .sum_floats = sum_alone, .sum_doubles = sum_doubles_alone};
    clprop_collective one = two;
    one.size = 1;
    const clprop_status invalid = CLPROP_ERROR_INVALID_ARGUMENT;
    struct {
        const clprop_collective *collective;
        size_t batch;
        clprop_scaling_kind scale;
        clprop_status status;
        const char *says;
    } cases[] = {
        {NULL, 60, CLPROP_SCALING_NONE, invalid, "need a collective"},
        {&two, 61, CLPROP_SCALING_NONE, invalid, "batch (61) must be a multiple of the 2"},
        {&one, 60, CLPROP_SCALING_STANDARD, invalid, "scale the data beforehand"},
        {&two, 60, CLPROP_SCALING_NONE, CLPROP_ERROR_MISMATCH, "parts differ in size"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        clprop_trainer_desc p = params(CLPROP_OPTIMIZER_SGD);
        p.collective = cases[i].collective;
        p.batch = cases[i].batch;
        p.scale_inputs = cases[i].scale;
        p.sharded = 1;
        expect_refused(net, data, &p, cases[i].status, cases[i].says);
    }
    clprop_net_destroy(net);
    clprop_data_destroy(data);
    clprop_context_destroy(context);
}

/* Per-layer sums need a collective that begins sums, and one device per process. */
Test(parallel, per_layer_sums_without_what_they_need_are_refused)
{
    clprop_context *context = test_context_with((clprop_context_desc){.device = "0"});
    clprop_context *second = test_context_with((clprop_context_desc){.device = "1"});
    clprop_data *data = load_diabetes();
    clprop_net *net = make_net(context, CLPROP_OPTIMIZER_SGD);
    side me = {.rank = 0};
    clprop_collective blocking_only = {
        .rank = 0, .size = 1, .user = &me, .sum_floats = sum_floats, .sum_doubles = sum_doubles};
    clprop_collective full = blocking_only;
    full.start_sum_floats = start_sum_floats;
    full.finish_sums = finish_sums;
    struct {
        const clprop_collective *collective;
        size_t replicas;
        clprop_allreduce kind;
        const char *says;
    } cases[] = {{NULL, 0, CLPROP_ALLREDUCE_LAYERS, "need a collective that can begin"},
                 {&blocking_only, 0, CLPROP_ALLREDUCE_LAYERS, "need a collective that can begin"},
                 {&full, 1, CLPROP_ALLREDUCE_LAYERS, "one device per process, not 2"},
                 {&full, 0, (clprop_allreduce)7, "unknown all-reduce kind 7"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        clprop_trainer_desc p = params(CLPROP_OPTIMIZER_SGD);
        p.collective = cases[i].collective;
        p.replicas = &second;
        p.replica_count = cases[i].replicas;
        p.allreduce = cases[i].kind;
        expect_refused(net, data, &p, CLPROP_ERROR_INVALID_ARGUMENT, cases[i].says);
    }
    clprop_net_destroy(net);
    clprop_data_destroy(data);
    clprop_context_destroy(second);
    clprop_context_destroy(context);
}

Test(parallel, two_processes_train_as_one_with_sgd, .timeout = 120)
{
    check_two_processes(CLPROP_OPTIMIZER_SGD);
}

Test(parallel, two_processes_train_as_one_with_adam, .timeout = 120)
{
    check_two_processes(CLPROP_OPTIMIZER_ADAM);
}

Test(parallel, two_processes_train_as_one_with_dropout, .timeout = 120)
{
    hidden_dropout = 0.3f;
    check_two_processes(CLPROP_OPTIMIZER_ADAM);
}

/* ---- The command: clprop train --devices ----------------------------------------------------- */

Test(parallel, the_command_trains_on_two_devices_as_on_one, .timeout = 120)
{
    char *dir = test_make_temp_dir(), args[8192];
    const char *common = "train --data " DIABETES " --layers 8,12,2 --batch 60 --epochs 3 "
                         "--seed 4 --optimizer adam --lr 0.01";
    const char *runs[] = {"--device 0", "--devices 0,1", "--devices 0,1 --shares 2,1"};
    for (size_t r = 0; r < 3; r++) {
        snprintf(args, sizeof args, "%s %s --save %s/run%zu.clprop", common, runs[r], dir, r);
        char *out = NULL, *err = NULL;
        cr_assert_eq(test_run_command(args, &out, &err), 0, "%s: %s", args, err);
        if (r > 0)
            cr_expect(strstr(out, "(a replica on each)") != NULL, "%s", out);
        free(out), free(err);
    }
    for (size_t r = 1; r < 3; r++) {
        char got[4200], want[4200];
        snprintf(got, sizeof got, "%s/run%zu.clprop", dir, r);
        snprintf(want, sizeof want, "%s/run0.clprop", dir);
        test_assert_models_close(got, want, BOUND);
    }
    test_remove_tree(dir);
    free(dir);
}

Test(parallel, bad_device_lists_are_usage_errors)
{
    const struct {
        const char *args, *message;
    } cases[] = {
        {"--devices 0,,1", "--devices: expected a comma-separated list"},
        {"--devices 0,1 --shares 1", "--shares: 1 shares for 2 devices"},
        {"--devices 0,1 --shares 1,-2", "--shares"},
        {"--devices 0,1 --device 0", "--device and --devices both choose devices"},
        {"--shares 1,1", "--shares needs --devices"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char args[512];
        snprintf(args, sizeof args, "train --data %s %s", DIABETES, cases[i].args);
        char *out = NULL, *err = NULL;
        cr_expect_eq(test_run_command(args, &out, &err), 2, "%s", args);
        cr_expect(strstr(err, cases[i].message) != NULL, "%s: %s", args, err);
        free(out), free(err);
    }
}
