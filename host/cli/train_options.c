#include "train_options.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_usage(FILE *out)
{
    fputs(
        "usage: clprop train --data FILE [options]\n"
        "\n"
        "Trains a network by backpropagation and reports every epoch.\n"
        "\n"
        "data (FANN .data/.train/.test, CSV, or IDX images with labels, gzip or not):\n"
        "  --data FILE            training data\n"
        "  --labels FILE          IDX labels for IDX images in --data\n"
        "  --targets K            CSV: the last K columns are the targets\n"
        "  --label-column N|last  CSV: column N (from 1) holds class labels 0..C-1 (one-hot)\n"
        "  --test FILE            test data, evaluated after every epoch (same format options)\n"
        "  --test-labels FILE     IDX labels for IDX images in --test\n"
        "  --validation FRACTION  hold out this share of the training data (drawn from --seed)\n"
        "                         and report its loss every epoch\n"
        "  --scale-inputs KIND    standard ((x - mean)/deviation), minmax ((x - min)/(max - min))\n"
        "                         or none (default): measured on the training part (after\n"
        "                         --validation holds its share out), saved in the model and\n"
        "                         applied by eval and predict, so data are never scaled by hand\n"
        "  --scale-targets KIND   the same for regression targets; predict gives outputs back\n"
        "                         in the data's units\n"
        "network:\n"
        "  --layers N0,N1,...,NL  units per layer, input first; the first and last must match\n"
        "                         the data (default: inputs,32,outputs of the data); a hidden\n"
        "                         size may name its activation: 784,512:relu,256:tanh,10\n"
        "  --activation NAME      hidden layers without their own: sigmoid (default), tanh,\n"
        "                         relu, leaky-relu or linear\n"
        "  --output NAME          output layer: any of those, or softmax (default: softmax for\n"
        "                         classes, tanh for -1/1 one-hot rows, else linear)\n"
        "  --weight-init NAME     auto (default: glorot for sigmoid, tanh and linear layers, he\n"
        "                         for relu and leaky-relu), glorot or he\n"
        "  --loss mse|ce          squared error, or cross-entropy with softmax (default: ce\n"
        "                         with softmax, else mse)\n"
        "  --regression           class labels and one-hot targets (every row one 1, the rest\n"
        "                         0 or -1) are values to fit, not classes: a linear output\n"
        "                         with mse\n"
        "  --no-bias              no biases\n"
        "  --init MODEL           start from a model file or JSON export (defines the layers,\n"
        "                         and the optimizer with its state when the model has one:\n"
        "                         its own options, --momentum or --beta1, change its values;\n"
        "                         --optimizer starts one afresh)\n"
        "  --dropout P[,P...]     inverted dropout while training: each hidden layer drops a\n"
        "                         unit with probability P (one P for all, or one per hidden\n"
        "                         layer; 0 <= P < 1); never in eval and predict (default none)\n"
        "training:\n"
        "  --epochs N             passes over the data (default 10); with --resume, the total\n"
        "                         counted from the start of the original run\n"
        "  --batch B              samples per step; the last one may be smaller (default 32)\n"
        "  --lr A                 learning rate (default 0.1); plain SGD steps\n"
        "                         W <- W - (A/B)*sum(delta*x^T)\n"
        "  --optimizer NAME       sgd (default), momentum, adam (AdamW) or rprop (iRPROP-, for\n"
        "                         full batches; it ignores --lr)\n"
        "  --momentum M           momentum's mu (default 0.9)\n"
        "  --nesterov             momentum: Nesterov's form\n"
        "  --beta1 B1, --beta2 B2 Adam's moment decays (default 0.9, 0.999)\n"
        "  --weight-decay W       L2 decay (decoupled for Adam) (default 0)\n"
        "  --schedule NAME        constant (default), step or cosine learning rate\n"
        "  --warmup EPOCHS        linear warm-up first: epoch e <= EPOCHS trains at\n"
        "                         rate*e/EPOCHS (default 0)\n"
        "  --lr-for-batch B0      linear scaling (Goyal et al. 2017): --lr is the rate for\n"
        "                         batch B0, and the run trains at A*B/B0 (with --batch B)\n"
        "  --step-every N         step: epochs between decays (default 10)\n"
        "  --step-factor F        step: the factor (default 0.1)\n"
        "  --early-stop PATIENCE  stop when the validation loss has not improved for PATIENCE\n"
        "                         epochs, and keep the best model (needs --validation)\n"
        "  --target-loss X        stop after the first epoch whose loss is at most X\n"
        "  --target-accuracy A    stop after the first epoch whose accuracy is at least A (0 to\n"
        "                         1; classifiers); both watch the validation share when there\n"
        "                         is one, else the training figures\n"
        "  --seed S               weights, shuffling and the validation split (default 1)\n"
        "  --device SPEC          index, P:D, gpu, cpu or part of a name ($CLPROP_DEVICE)\n"
        "  --gemm BACKEND         native (default), clblast, or auto: the faster one on this\n"
        "                         device, measured once and remembered\n"
        "  --devices LIST         several devices (selectors as --device, comma-separated; all:\n"
        "                         every GPU, else every CPU): a replica of the network on each,\n"
        "                         every batch split among them, the gradients summed\n"
        "  --shares W,...         each device's share of a batch (default: equal)\n"
        "  --allreduce KIND       under mpirun: whole (default; one sum of every gradient a\n"
        "                         step) or layers (a sum per layer, begun while the backward\n"
        "                         pass computes the layers below; the same sums, added\n"
        "                         in the same order for 2 and 4 processes)\n"
        "  --shard                under mpirun: each process keeps only its part of the\n"
        "                         training set (samples / processes, in file order; an\n"
        "                         uncompressed IDX file is read only there) and shuffles it\n"
        "                         alone; --batch must be a multiple of the processes\n"
        "output:\n"
        "  --save MODEL           write the trained model (atomically) when training ends\n"
        "  --log FILE.csv         per-epoch figures as CSV\n"
        "  --checkpoint FILE      where checkpoints go (weights, optimizer state, epoch and\n"
        "                         random state, written atomically); Ctrl-C writes one too\n"
        "  --checkpoint-every N   write it every N epochs (default: only on Ctrl-C)\n"
        "  --resume FILE          continue a checkpointed run exactly where it stopped\n"
        "\n"
        "A line first shows the network (each layer's units and activation), its loss and\n"
        "whether the targets are classes. Each epoch prints the training loss (and accuracy, for\n"
        "classifiers, measured on each batch before its step), the validation and test loss and\n"
        "accuracy, samples per second and the time. Targets the output layer cannot reach, and a\n"
        "run whose loss ends no better than always answering the targets' mean, are warned of on\n"
        "stderr with what to change. Ctrl-C (or SIGTERM, SIGHUP) finishes the batch in\n"
        "progress, writes the checkpoint (to --checkpoint, else a new\n"
        "clprop-interrupted[-N].clprop) and exits with 128 + the signal's number (130 for\n"
        "Ctrl-C).\n",
        out);
}

static int parse_optimizer_name(const char *text, clprop_optimizer_kind *out)
{
    if (clprop_optimizer_from_name(text, out))
        return 1;
    char shown[128];
    cli_error("--optimizer: expected sgd, momentum, adam or rprop, not \"%s\"",
              cli_quote(text, shown, sizeof shown));
    return 0;
}

static int parse_schedule_name(const char *text, clprop_schedule_kind *out)
{
    if (clprop_schedule_from_name(text, out))
        return 1;
    char shown[128];
    cli_error("--schedule: expected constant, step or cosine, not \"%s\"",
              cli_quote(text, shown, sizeof shown));
    return 0;
}

static int parse_scaling_name(const char *flag, const char *text, clprop_scaling_kind *out)
{
    if (clprop_scaling_from_name(text, out))
        return 1;
    char shown[128];
    cli_error("%s: expected standard, minmax or none, not \"%s\"", flag,
              cli_quote(text, shown, sizeof shown));
    return 0;
}

static int parse_allreduce_name(const char *text, clprop_allreduce *out)
{
    if (strcmp(text, "whole") == 0 || strcmp(text, "layers") == 0) {
        *out = text[0] == 'w' ? CLPROP_ALLREDUCE_WHOLE : CLPROP_ALLREDUCE_LAYERS;
        return 1;
    }
    char shown[128];
    cli_error("--allreduce: expected whole or layers, not \"%s\"",
              cli_quote(text, shown, sizeof shown));
    return 0;
}

/* Options that name things: files, the network's shape. */
static int take_shape_option(int argc, char **argv, int *i, train_options *o, int *bad)
{
    const char *value = NULL;
    if (strcmp(argv[*i], "--regression") == 0)
        return o->regression = 1;
    if (cli_take_data_option(argc, argv, i, &o->data, bad) ||
        cli_take_network_option(argc, argv, i, &o->network, bad) ||
        cli_option_value(argc, argv, i, "--test", &o->test.path, bad) ||
        cli_option_value(argc, argv, i, "--test-labels", &o->test.labels, bad) ||
        cli_option_value(argc, argv, i, "--init", &o->init, bad) ||
        cli_option_value(argc, argv, i, "--save", &o->save, bad) ||
        cli_option_value(argc, argv, i, "--log", &o->log, bad) ||
        cli_option_value(argc, argv, i, "--checkpoint", &o->checkpoint, bad) ||
        cli_option_value(argc, argv, i, "--resume", &o->resume, bad) ||
        cli_option_value(argc, argv, i, "--devices", &o->devices, bad) ||
        cli_option_value(argc, argv, i, "--shares", &o->shares, bad))
        return 1;
    if (cli_option_value(argc, argv, i, "--weight-init", &value, bad)) {
        *bad = *bad || !cli_parse_weight_init("--weight-init", value, &o->weight_init);
        return 1;
    }
    return 0;
}

/* The numeric options: where each value goes and what it may be. */
typedef struct numeric_option {
    const char *flag;
    size_t offset;   /* into train_options, of a size_t (whole) or a float (real) */
    int whole;       /* 1: a count from 1, 0: a real number within range */
    cli_range range; /* real numbers only */
    int given_bit;   /* recorded in train_options.given, for --resume's comparison; 0 for none */
} numeric_option;

#define COUNT(flag, field, bit)                                                                    \
    {                                                                                              \
        flag, offsetof(train_options, field), 1, {0, 0, 0, 0}, bit                                 \
    }
#define REAL(flag, field, range, bit)                                                              \
    {                                                                                              \
        flag, offsetof(train_options, field), 0, range, bit                                        \
    }
static const cli_range above_zero = {0, FLT_MAX, 1, 0}, open_unit = {0, 1, 1, 1},
                       half_open_unit = {0, 1, 1, 0}, closed_unit = {0, 1, 0, 0};

static const numeric_option numeric_options[] = {
    COUNT("--epochs", epochs, GIVEN_EPOCHS),
    COUNT("--batch", batch, GIVEN_BATCH),
    REAL("--lr", learning_rate, above_zero, GIVEN_LR),
    REAL("--momentum", optimizer.momentum, open_unit, GIVEN_MOMENTUM),
    REAL("--beta1", optimizer.beta1, open_unit, GIVEN_BETA1),
    REAL("--beta2", optimizer.beta2, open_unit, GIVEN_BETA2),
    REAL("--weight-decay", optimizer.weight_decay, closed_unit, GIVEN_WEIGHT_DECAY),
    COUNT("--warmup", schedule.warmup_epochs, GIVEN_WARMUP),
    COUNT("--lr-for-batch", schedule.reference_batch, GIVEN_LR_FOR_BATCH),
    COUNT("--step-every", schedule.step_every, GIVEN_STEP_EVERY),
    REAL("--step-factor", schedule.step_factor, half_open_unit, GIVEN_STEP_FACTOR),
    REAL("--validation", validation, open_unit, GIVEN_VALIDATION),
    COUNT("--early-stop", patience, 0),
    REAL("--target-loss", target_loss, above_zero, 0),
    REAL("--target-accuracy", target_accuracy, half_open_unit, 0),
    COUNT("--checkpoint-every", checkpoint_every, 0),
};

static int take_numeric_option(int argc, char **argv, int *i, train_options *o, int *bad)
{
    for (size_t k = 0; k < sizeof numeric_options / sizeof *numeric_options; k++) {
        const numeric_option *n = &numeric_options[k];
        const char *value = NULL;
        if (!cli_option_value(argc, argv, i, n->flag, &value, bad))
            continue;
        void *field = (char *)o + n->offset;
        *bad = *bad || !(n->whole ? cli_parse_count(n->flag, value, field)
                                  : cli_parse_real(n->flag, value, n->range, field));
        o->given |= n->given_bit;
        return 1;
    }
    return 0;
}

/* --dropout P or P1,P2,...: each rate from 0 up to below 1. */
static int parse_dropout(const char *text, train_options *o)
{
    static const cli_range rate = {0, 1, 0, 1};
    const char *at = text;
    o->dropout_count = 0;
    while (1) {
        size_t length = strcspn(at, ",");
        char piece[64];
        if (length >= sizeof piece || o->dropout_count == CLI_MAX_LAYERS) {
            char shown[128];
            cli_error("--dropout: expected rates like 0.5 or 0.2,0.4, not \"%s\"",
                      cli_quote(text, shown, sizeof shown));
            return 0;
        }
        memcpy(piece, at, length);
        piece[length] = '\0';
        if (!cli_parse_real("--dropout", piece, rate, &o->dropout[o->dropout_count++]))
            return 0;
        if (at[length] == '\0')
            return 1;
        at += length + 1;
    }
}

/* Options that say how to train. */
static int take_training_option(int argc, char **argv, int *i, train_options *o, int *bad)
{
    const char *v = NULL;
    if (strcmp(argv[*i], "--shard") == 0)
        return o->shard = 1;
    if (strcmp(argv[*i], "--nesterov") == 0) {
        o->given |= GIVEN_NESTEROV;
        return o->optimizer.nesterov = 1;
    }
    if (take_numeric_option(argc, argv, i, o, bad))
        return 1;
    if (cli_option_value(argc, argv, i, "--seed", &v, bad)) {
        *bad = *bad || !cli_parse_seed("--seed", v, &o->seed);
        o->given |= GIVEN_SEED;
    } else if (cli_option_value(argc, argv, i, "--optimizer", &v, bad)) {
        *bad = *bad || !parse_optimizer_name(v, &o->optimizer.kind);
        o->optimizer_given = 1;
    } else if (cli_option_value(argc, argv, i, "--scale-inputs", &v, bad)) {
        *bad = *bad || !parse_scaling_name("--scale-inputs", v, &o->scale_inputs);
        o->given |= GIVEN_SCALE_INPUTS;
    } else if (cli_option_value(argc, argv, i, "--scale-targets", &v, bad)) {
        *bad = *bad || !parse_scaling_name("--scale-targets", v, &o->scale_targets);
        o->given |= GIVEN_SCALE_TARGETS;
    } else if (cli_option_value(argc, argv, i, "--allreduce", &v, bad)) {
        *bad = *bad || !parse_allreduce_name(v, &o->allreduce);
    } else if (cli_option_value(argc, argv, i, "--dropout", &v, bad)) {
        *bad = *bad || !parse_dropout(v, o);
    } else if (cli_option_value(argc, argv, i, "--schedule", &v, bad)) {
        *bad = *bad || !parse_schedule_name(v, &o->schedule.kind);
        o->given |= GIVEN_SCHEDULE_KIND;
    } else {
        return 0;
    }
    return 1;
}

/* Combinations that cannot work; each reported as one usage line. */
static const char *impossible_combination(const train_options *o)
{
    if (o->data.path == NULL)
        return "train: --data FILE is required (see clprop train --help)";
    if (o->network.output_given && o->network.output == CLPROP_ACTIVATION_SOFTMAX &&
        o->network.loss_given && o->network.loss != CLPROP_LOSS_CROSS_ENTROPY)
        return "train: --output softmax goes with --loss ce";
    if (o->network.hidden_given && o->network.hidden == CLPROP_ACTIVATION_SOFTMAX)
        return "--activation: softmax is for the output layer only (--output softmax)";
    /* (an output not given is settled once the data's targets are known; the library says) */
    const char *softmax_units =
        o->network.output_given ? cli_softmax_units_problem(&o->network) : NULL;
    if (softmax_units != NULL)
        return softmax_units;
    /* with --resume the validation share may come from the checkpoint: the library checks then */
    if (o->patience > 0 && o->validation == 0.0f && o->resume == NULL)
        return "--early-stop needs --validation FRACTION: it watches the validation loss";
    if (o->checkpoint_every > 0 && o->checkpoint == NULL)
        return "--checkpoint-every needs --checkpoint FILE";
    /* (with --resume the batch and rate may come from the checkpoint: the library checks then) */
    if (o->resume == NULL && o->schedule.reference_batch != 0) {
        float scaled = clprop_schedule_scaled_rate(&o->schedule, o->learning_rate, o->batch);
        if (!(scaled > 0.0f && isfinite(scaled)))
            return "--lr-for-batch: --lr scaled linearly to --batch is beyond single precision";
    }
    if (o->resume != NULL && o->init != NULL)
        return "train: --resume and --init both name the starting network; give one";
    if (o->devices != NULL && o->network.device != NULL)
        return "train: --device and --devices both choose devices; give one";
    if (o->shares != NULL && o->devices == NULL)
        return "--shares needs --devices LIST: a share for each of them";
    /* a model for --resume or --init may bring its scaling, which is then kept and not measured:
     * the library tells (host/trainer.c) */
    if (o->shard && o->resume == NULL && o->init == NULL &&
        (o->scale_inputs != CLPROP_SCALING_NONE || o->scale_targets != CLPROP_SCALING_NONE))
        return "--shard: scaling is measured on the training set, and each process holds "
               "only its part; scale the data beforehand (--scale-inputs, --scale-targets)";
    if (o->allreduce == CLPROP_ALLREDUCE_LAYERS && o->devices != NULL)
        return "--allreduce layers takes one device per process, not --devices";
    return NULL;
}

const char *train_optimizer_option_misfit(const train_options *o, clprop_optimizer_kind kind,
                                          const char **fix)
{
    static const struct {
        unsigned given;
        clprop_optimizer_kind owner;
        const char *problem, *fix;
    } options[] = {
        {GIVEN_MOMENTUM, CLPROP_OPTIMIZER_MOMENTUM, "--momentum is the momentum optimizer's",
         "--optimizer momentum"},
        {GIVEN_NESTEROV, CLPROP_OPTIMIZER_MOMENTUM, "--nesterov is the momentum optimizer's",
         "--optimizer momentum"},
        {GIVEN_BETA1, CLPROP_OPTIMIZER_ADAM, "--beta1 is Adam's", "--optimizer adam"},
        {GIVEN_BETA2, CLPROP_OPTIMIZER_ADAM, "--beta2 is Adam's", "--optimizer adam"},
    };
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        if ((o->given & options[i].given) && kind != options[i].owner) {
            *fix = options[i].fix;
            return options[i].problem;
        }
    *fix = NULL;
    return NULL;
}

/* Options that belong to a choice the command line did not make: said, not silently ignored.
 * With --resume the run's optimizer and schedule come from the checkpoint: agreement.c compares
 * the options given with it. */
static const char *option_without_its_choice(const train_options *o)
{
    if (o->test.labels != NULL && o->test.path == NULL)
        return "--test-labels needs --test FILE: the images they label";
    if (o->resume != NULL)
        return NULL;
    /* sgd unless --optimizer; with --init and no --optimizer the model's optimizer, known once
     * it is loaded (agreement_init_optimizer) */
    const char *fix = NULL;
    const char *misfit = o->init != NULL && !o->optimizer_given
                             ? NULL
                             : train_optimizer_option_misfit(o, o->optimizer.kind, &fix);
    if (misfit != NULL) {
        static char problem[128];
        snprintf(problem, sizeof problem, "%s: add %s", misfit, fix);
        return problem;
    }
    int step = o->schedule.kind == CLPROP_SCHEDULE_STEP;
    if (o->schedule.step_every != 0 && !step)
        return "--step-every is the step schedule's: add --schedule step";
    if (o->schedule.step_factor != 0.0f && !step)
        return "--step-factor is the step schedule's: add --schedule step";
    return NULL;
}

static int check_combinations(const train_options *o)
{
    const char *problem = impossible_combination(o);
    if (problem == NULL)
        problem = option_without_its_choice(o);
    if (problem != NULL)
        cli_error("%s", problem);
    return problem == NULL;
}

int train_parse_arguments(int argc, char **argv, train_options *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 10;
    o->batch = 32;
    o->learning_rate = 0.1f;
    o->seed = 1;
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (!take_shape_option(argc, argv, &i, o, &bad) &&
            !take_training_option(argc, argv, &i, o, &bad)) {
            cli_unknown_option("train", argv[i]);
            return EXIT_USAGE;
        }
    }
    return bad || !check_combinations(o) ? EXIT_USAGE : -1;
}
