/* --init and --resume bring their own network (and, for --resume, optimizer and seed). Repeating a
 * value on the command line is a habit, and harmless when it agrees; a value that disagrees would
 * otherwise be silently ignored, so it is a usage error naming the option and both values. */
#include "agreement.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The differences found so far, as one line. */
typedef struct differences {
    char text[2048];
    size_t used;
} differences;

static void add(differences *d, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void add(differences *d, const char *format, ...)
{
    if (d->used >= sizeof d->text)
        return;
    if (d->used > 0)
        d->used += (size_t)snprintf(d->text + d->used, sizeof d->text - d->used, "; ");
    if (d->used >= sizeof d->text)
        return;
    va_list args;
    va_start(args, format);
    d->used += (size_t)vsnprintf(d->text + d->used, sizeof d->text - d->used, format, args);
    va_end(args);
}

static void layers_text(char *text, size_t size, const size_t *sizes, size_t count)
{
    size_t used = 0;
    for (size_t l = 0; l < count && used < size; l++)
        used += (size_t)snprintf(text + used, size - used, l == 0 ? "%zu" : ",%zu", sizes[l]);
}

static void compare_network(differences *d, const cli_network_options *n, const clprop_model *model)
{
    size_t layers = clprop_model_layer_count(model);
    size_t model_sizes[CLI_MAX_LAYERS + 1];
    for (size_t l = 0; l <= layers && l <= CLI_MAX_LAYERS; l++)
        model_sizes[l] = clprop_model_units(model, l);
    int same = n->size_count == layers + 1;
    for (size_t l = 0; same && l < n->size_count; l++)
        same = n->sizes[l] == model_sizes[l];
    if (n->size_count > 0 && !same) {
        char given[512], held[512];
        layers_text(given, sizeof given, n->sizes, n->size_count);
        layers_text(held, sizeof held, model_sizes, layers + 1 <= CLI_MAX_LAYERS ? layers + 1 : 0);
        add(d, "--layers %s, but it has %s", given, held);
    }
    for (size_t l = 1; same && l < layers; l++) /* per layer from --layers 8,12:relu,2 */
        if (n->layer_activation_given[l] &&
            clprop_model_activation(model, l) != n->layer_activation[l])
            add(d, "--layers gives hidden layer %zu %s, but it is %s", l,
                clprop_activation_name(n->layer_activation[l]),
                clprop_activation_name(clprop_model_activation(model, l)));
    for (size_t l = 1; n->hidden_given && l < layers; l++)
        if (!(same && n->layer_activation_given[l]) &&
            clprop_model_activation(model, l) != n->hidden) {
            add(d, "--activation %s, but its hidden layer %zu is %s",
                clprop_activation_name(n->hidden), l,
                clprop_activation_name(clprop_model_activation(model, l)));
            break;
        }
    if (n->output_given && clprop_model_activation(model, layers) != n->output)
        add(d, "--output %s, but its output layer is %s", clprop_activation_name(n->output),
            clprop_activation_name(clprop_model_activation(model, layers)));
    if (n->loss_given && clprop_model_loss(model) != n->loss)
        add(d, "--loss %s, but its loss is %s", clprop_loss_name(n->loss),
            clprop_loss_name(clprop_model_loss(model)));
    if (n->no_bias && clprop_model_has_bias(model))
        add(d, "--no-bias, but it has biases");
}

static void compare_scaling_side(differences *d, const train_options *o, unsigned bit,
                                 const char *side, clprop_scaling_kind given,
                                 clprop_scaling_kind held)
{
    if (!(o->given & bit) || given == held)
        return;
    if (held == CLPROP_SCALING_NONE) /* a model's scaling is kept whole, a side is not added */
        add(d, "--scale-%s %s, but it does not scale its %s", side, clprop_scaling_name(given),
            side);
    else
        add(d, "--scale-%s %s, but it scales its %s %s", side, clprop_scaling_name(given), side,
            clprop_scaling_name(held));
}

/* The scaling the model carries (its weights were trained on data scaled so), against
 * --scale-inputs and --scale-targets: a checkpoint's run goes on with its own scaling, so every
 * side given must name it ("none" included); a model given to --init without a scaling takes the
 * one asked for, measured on this run's data, so only a model that has one is compared. */
static void compare_scaling(differences *d, const train_options *o, const clprop_model *model)
{
    clprop_scaling held = {.input_kind = CLPROP_SCALING_NONE, .target_kind = CLPROP_SCALING_NONE};
    if (!clprop_model_scaling(model, &held) && o->resume == NULL)
        return;
    compare_scaling_side(d, o, GIVEN_SCALE_INPUTS, "inputs", o->scale_inputs, held.input_kind);
    compare_scaling_side(d, o, GIVEN_SCALE_TARGETS, "targets", o->scale_targets, held.target_kind);
}

static void compare_real(differences *d, const train_options *o, unsigned bit, const char *flag,
                         float given, float held)
{
    if ((o->given & bit) && given != held)
        add(d, "%s %g, but it has %g", flag, (double)given, (double)held);
}

/* A step schedule's zero fields as what they mean. */
static size_t step_every_of(const clprop_schedule *s)
{
    return s->step_every != 0 ? s->step_every : CLPROP_SCHEDULE_DEFAULT_STEP_EVERY;
}

static float step_factor_of(const clprop_schedule *s)
{
    return s->step_factor != 0.0f ? s->step_factor : (float)CLPROP_SCHEDULE_DEFAULT_STEP_FACTOR;
}

/* Each schedule option given against the checkpoint's run, the step's defaults as what they
 * mean; those not given are the run's (agreement_adopt). A step option on a run whose schedule
 * (the one given, else the run's) is not a step schedule has nothing to compare with. */
static void compare_schedule(differences *d, const train_options *o, const clprop_schedule *held)
{
    const clprop_schedule *given = &o->schedule;
    unsigned bits = o->given;
    clprop_schedule_kind kind = (bits & GIVEN_SCHEDULE_KIND) ? given->kind : held->kind;
    if ((bits & GIVEN_SCHEDULE_KIND) && given->kind != held->kind)
        add(d, "--schedule %s, but it has %s", clprop_schedule_name(given->kind),
            clprop_schedule_name(held->kind));
    if ((bits & GIVEN_WARMUP) && given->warmup_epochs != held->warmup_epochs)
        add(d, "--warmup %zu, but it has %zu", given->warmup_epochs, held->warmup_epochs);
    if ((bits & GIVEN_LR_FOR_BATCH) && given->reference_batch != held->reference_batch)
        add(d, "--lr-for-batch %zu, but it has %zu", given->reference_batch, held->reference_batch);
    if (kind != CLPROP_SCHEDULE_STEP && (bits & (GIVEN_STEP_EVERY | GIVEN_STEP_FACTOR))) {
        add(d, "%s, but its schedule is %s",
            (bits & GIVEN_STEP_EVERY) ? "--step-every" : "--step-factor",
            clprop_schedule_name(kind));
        return;
    }
    if ((bits & GIVEN_STEP_EVERY) && step_every_of(given) != step_every_of(held))
        add(d, "--step-every %zu, but it has %zu", step_every_of(given), step_every_of(held));
    if ((bits & GIVEN_STEP_FACTOR) && step_factor_of(given) != step_factor_of(held))
        add(d, "--step-factor %g, but it has %g", (double)step_factor_of(given),
            (double)step_factor_of(held));
}

/* The batch, rate, validation share and schedule the checkpoint's run used (checkpoints made
 * before they were kept have a batch of 0 and nothing to compare). */
static void compare_settings(differences *d, const train_options *o,
                             const clprop_training_state *progress)
{
    if (progress->batch == 0)
        return;
    if ((o->given & GIVEN_BATCH) && o->batch != progress->batch)
        add(d, "--batch %zu, but it has %llu", o->batch, (unsigned long long)progress->batch);
    compare_real(d, o, GIVEN_LR, "--lr", o->learning_rate, progress->learning_rate);
    compare_real(d, o, GIVEN_VALIDATION, "--validation", o->validation, progress->validation);
    compare_schedule(d, o, &progress->schedule);
}

/* The optimizer's own options against the run's optimizer: one that is not theirs has none
 * (its fields hold the defaults, unused). */
static void compare_optimizer_options(differences *d, const train_options *o,
                                      const clprop_optimizer *held)
{
    const clprop_optimizer *given = &o->optimizer;
    const char *name = clprop_optimizer_name(held->kind);
    if (held->kind == CLPROP_OPTIMIZER_MOMENTUM) {
        compare_real(d, o, GIVEN_MOMENTUM, "--momentum", given->momentum, held->momentum);
        if ((o->given & GIVEN_NESTEROV) && !held->nesterov)
            add(d, "--nesterov, but its momentum is not Nesterov's");
    } else if (o->given & (GIVEN_MOMENTUM | GIVEN_NESTEROV)) {
        add(d, "%s, but its optimizer is %s",
            (o->given & GIVEN_MOMENTUM) ? "--momentum" : "--nesterov", name);
    }
    if (held->kind == CLPROP_OPTIMIZER_ADAM) {
        compare_real(d, o, GIVEN_BETA1, "--beta1", given->beta1, held->beta1);
        compare_real(d, o, GIVEN_BETA2, "--beta2", given->beta2, held->beta2);
    } else if (o->given & (GIVEN_BETA1 | GIVEN_BETA2)) {
        add(d, "%s, but its optimizer is %s", (o->given & GIVEN_BETA1) ? "--beta1" : "--beta2",
            name);
    }
}

static void compare_run(differences *d, const train_options *o, const clprop_model *model,
                        const clprop_training_state *progress)
{
    clprop_optimizer held;
    if (clprop_model_optimizer(model, &held, NULL, NULL, NULL)) {
        const clprop_optimizer *given = &o->optimizer;
        if (o->optimizer_given && given->kind != held.kind)
            add(d, "--optimizer %s, but it has %s", clprop_optimizer_name(given->kind),
                clprop_optimizer_name(held.kind));
        else
            compare_optimizer_options(d, o, &held);
        compare_real(d, o, GIVEN_WEIGHT_DECAY, "--weight-decay", given->weight_decay,
                     held.weight_decay);
    }
    compare_settings(d, o, progress);
    /* --epochs counts from the run's start: a checkpoint already past it leaves nothing to do,
     * and one inside an epoch would be saved as a model half-way through that epoch */
    uint64_t reached = progress->epochs_done + (progress->samples_done > 0);
    if (o->epochs < reached)
        add(d, "--epochs %zu%s, but it has done %llu epoch%s%s", o->epochs,
            (o->given & GIVEN_EPOCHS) ? "" : " (the default; give --epochs N)",
            (unsigned long long)progress->epochs_done, progress->epochs_done == 1 ? "" : "s",
            progress->samples_done > 0 ? " and part of the next" : "");
    if ((o->given & GIVEN_SEED) && o->seed != progress->seed)
        add(d, "--seed %llu, but it has %llu", (unsigned long long)o->seed,
            (unsigned long long)progress->seed);
}

int agreement_check(const train_options *o, const clprop_model *model,
                    const clprop_training_state *progress)
{
    differences d = {.used = 0};
    compare_network(&d, &o->network, model);
    compare_scaling(&d, o, model);
    if (o->resume != NULL)
        compare_run(&d, o, model, progress);
    if (d.used == 0)
        return 1;
    const char *flag = o->resume != NULL ? "--resume" : "--init";
    cli_error("%s %s: the command line disagrees with it: %s", flag,
              o->resume != NULL ? o->resume : o->init, d.text);
    return 0;
}

void agreement_adopt(train_options *o, const clprop_training_state *progress)
{
    if (progress->batch == 0)
        return;
    if (!(o->given & GIVEN_BATCH))
        o->batch = (size_t)progress->batch;
    if (!(o->given & GIVEN_LR))
        o->learning_rate = progress->learning_rate;
    if (!(o->given & GIVEN_VALIDATION))
        o->validation = progress->validation;
    /* the run's schedule as it was kept: an option given meant the same (compare_schedule), and
     * a step factor given as 0.1 is a float where the run's default 0 means the double 0.1 */
    o->schedule = progress->schedule;
}

/* The options of the model's optimizer given on the command line, in place of what it held. */
static void apply_optimizer_options(const train_options *o, clprop_optimizer *held)
{
    const clprop_optimizer *given = &o->optimizer;
    if (o->given & GIVEN_MOMENTUM)
        held->momentum = given->momentum;
    if (o->given & GIVEN_NESTEROV)
        held->nesterov = 1;
    if (o->given & GIVEN_BETA1)
        held->beta1 = given->beta1;
    if (o->given & GIVEN_BETA2)
        held->beta2 = given->beta2;
    if (o->given & GIVEN_WEIGHT_DECAY)
        held->weight_decay = given->weight_decay;
}

int agreement_init_optimizer(const train_options *o, clprop_model *model)
{
    if (o->init == NULL || o->optimizer_given)
        return 1;
    clprop_optimizer held;
    uint64_t steps = 0;
    const float *state = NULL;
    size_t floats = 0;
    int carried = clprop_model_optimizer(model, &held, &steps, &state, &floats);
    const char *fix = NULL;
    const char *misfit =
        train_optimizer_option_misfit(o, carried ? held.kind : CLPROP_OPTIMIZER_SGD, &fix);
    if (misfit != NULL) {
        if (carried)
            cli_error("%s, and --init %s carries the %s optimizer: add %s, which starts that "
                      "one afresh",
                      misfit, o->init, clprop_optimizer_name(held.kind), fix);
        else
            cli_error("%s, and --init %s carries no optimizer (plain sgd then): add %s", misfit,
                      o->init, fix);
        return 0;
    }
    if (!carried)
        return 1;
    apply_optimizer_options(o, &held);
    if (clprop_model_set_optimizer(model, &held, steps, state, floats) != CLPROP_SUCCESS) {
        cli_error("--init %s: %s", o->init, clprop_model_message(model));
        return 0;
    }
    return 1;
}
