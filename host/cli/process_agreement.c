/* Under mpirun every process runs its own command line; they must all train the same run. A
 * process whose settings differ (--epochs 2 in one, 5 in another; another --early-stop, --lr,
 * optimizer, --allreduce; a data set of another size) would leave the others waiting in a sum
 * for good, or train replicas that drift apart without a word. Each process hashes what its
 * run depends on; one sum compares the hashes, and all decide alike. */
#include <stdint.h>
#include <string.h>

#include "agreement.h"
#include "cli.h"

/* FNV-1a over the bytes of each value in turn. */
static void mix(uint64_t *hash, const void *value, size_t size)
{
    const unsigned char *bytes = value;
    for (size_t i = 0; i < size; i++)
        *hash = (*hash ^ bytes[i]) * 1099511628211u;
}

#define MIX(hash, value) mix((hash), &(value), sizeof(value))

static void mix_network(uint64_t *h, const cli_network_options *n)
{
    MIX(h, n->size_count);
    for (size_t l = 0; l < n->size_count; l++) {
        MIX(h, n->sizes[l]);
        MIX(h, n->layer_activation[l]);
        MIX(h, n->layer_activation_given[l]);
    }
    MIX(h, n->hidden);
    MIX(h, n->output);
    MIX(h, n->loss);
    MIX(h, n->no_bias);
}

static void mix_optimizer(uint64_t *h, const clprop_optimizer *o)
{
    MIX(h, o->kind);
    MIX(h, o->momentum);
    MIX(h, o->nesterov);
    MIX(h, o->beta1);
    MIX(h, o->beta2);
    MIX(h, o->epsilon);
    MIX(h, o->weight_decay);
}

static void mix_schedule(uint64_t *h, const clprop_schedule *s)
{
    MIX(h, s->kind);
    MIX(h, s->step_factor);
    MIX(h, s->warmup_epochs);
    MIX(h, s->step_every);
    MIX(h, s->reference_batch);
}

/* What the run depends on. Left out: the files only the first process writes or reads (--save,
 * --log, --checkpoint, --test), the device each process picks, and the data's paths (one file
 * may sit in another place on each host): the data are compared by their shape. */
static uint64_t run_fingerprint(const train_options *o, const clprop_data *data)
{
    uint64_t h = 14695981039346656037u;
    mix_network(&h, &o->network);
    mix_optimizer(&h, &o->optimizer);
    mix_schedule(&h, &o->schedule);
    MIX(&h, o->weight_init);
    MIX(&h, o->optimizer_given);
    MIX(&h, o->epochs);
    MIX(&h, o->batch);
    MIX(&h, o->learning_rate);
    MIX(&h, o->seed);
    MIX(&h, o->validation);
    MIX(&h, o->patience);
    MIX(&h, o->target_loss);
    MIX(&h, o->target_accuracy);
    MIX(&h, o->regression);
    MIX(&h, o->dropout_count);
    for (size_t l = 0; l < o->dropout_count; l++)
        MIX(&h, o->dropout[l]);
    MIX(&h, o->scale_inputs);
    MIX(&h, o->scale_targets);
    MIX(&h, o->allreduce);
    MIX(&h, o->shard);
    int from_init = o->init != NULL, from_resume = o->resume != NULL;
    MIX(&h, from_init);
    MIX(&h, from_resume);
    size_t shape[3] = {clprop_data_samples(data), clprop_data_inputs(data),
                       clprop_data_outputs(data)};
    MIX(&h, shape);
    clprop_target_kind kind = clprop_data_target_kind(data);
    MIX(&h, kind);
    return h;
}

int agreement_across_processes(const clprop_collective *collective, const train_options *o,
                               const clprop_data *data, int *usage_error)
{
    if (collective == NULL)
        return 1;
    uint64_t print = run_fingerprint(o, data);
    /* the hash in 16-bit pieces c and their squares, summed: every process holds the same piece
     * exactly when (Σc)² = N·Σc² (exact in doubles: N·Σc² < 2^53 for N < 2^21) */
    double sums[8];
    for (int i = 0; i < 4; i++) {
        double piece = (double)((print >> (16 * i)) & 0xffffu);
        sums[i] = piece;
        sums[4 + i] = piece * piece;
    }
    if (collective->sum_doubles(collective->user, sums, 8) != CLPROP_SUCCESS) {
        cli_error("comparing the processes' settings failed: %s",
                  collective->message != NULL ? collective->message(collective->user) : "");
        return 0;
    }
    double processes = (double)collective->size;
    for (int i = 0; i < 4; i++)
        if (sums[i] * sums[i] != processes * sums[4 + i]) {
            if (collective->rank == 0)
                cli_error("the %zu processes were not started with the same run: their training "
                          "options or their data's samples, inputs and outputs differ; give every "
                          "process the same command line and data",
                          collective->size);
            *usage_error = 1;
            return 0;
        }
    return 1;
}
