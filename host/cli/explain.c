#include "explain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* ---- the targets ---- */

void explain_read_targets(const clprop_data *data, targets_summary *out)
{
    *out = (targets_summary){.kind = clprop_data_target_kind(data)};
    size_t samples = clprop_data_samples(data), outputs = clprop_data_outputs(data);
    const float *t = clprop_data_target_values(data);
    double *mean = calloc(outputs, sizeof *mean);
    if (t == NULL || samples == 0 || mean == NULL) {
        free(mean);
        return;
    }
    out->min = out->max = t[0];
    for (size_t s = 0; s < samples; s++)
        for (size_t o = 0; o < outputs; o++) {
            float value = t[s * outputs + o];
            out->min = value < out->min ? value : out->min;
            out->max = value > out->max ? value : out->max;
            mean[o] += value;
        }
    for (size_t o = 0; o < outputs; o++)
        mean[o] /= (double)samples;
    /* E = ½·Σ(y − t)² per sample: for the constant answer y = mean, half the summed variances */
    double squares = 0.0;
    for (size_t s = 0; s < samples; s++)
        for (size_t o = 0; o < outputs; o++) {
            double d = t[s * outputs + o] - mean[o];
            squares += d * d;
        }
    out->mean_loss_mse = 0.5 * squares / (double)samples;
    /* E = −Σ t·log y: for the constant answer y = mean (the class shares), their entropy */
    for (size_t o = 0; out->min >= 0.0f && o < outputs; o++)
        if (mean[o] > 0.0)
            out->mean_loss_ce -= mean[o] * log(mean[o]);
    free(mean);
}

/* What the output activation can give: [low, high]; 0 for any value. */
static int output_range(clprop_activation output, double *low, double *high)
{
    switch (output) {
    case CLPROP_ACTIVATION_SIGMOID:
    case CLPROP_ACTIVATION_SOFTMAX:
        *low = 0.0, *high = 1.0;
        return 1;
    case CLPROP_ACTIVATION_TANH:
        *low = -1.0, *high = 1.0;
        return 1;
    case CLPROP_ACTIVATION_RELU:
        *low = 0.0, *high = HUGE_VAL;
        return 1;
    default:
        return 0;
    }
}

void explain_check_target_range(const char *path, const targets_summary *targets,
                                clprop_activation output)
{
    double low, high;
    if (!output_range(output, &low, &high) || (targets->min >= low && targets->max <= high))
        return;
    char shown[512], range[64];
    if (isinf(high))
        snprintf(range, sizeof range, "%g and above", low);
    else
        snprintf(range, sizeof range, "%g to %g", low, high);
    cli_error("warning: %s: the targets run from %g to %g, beyond what a %s output gives (%s): "
              "the network cannot reach them; --output linear can (or scale the targets)",
              cli_quote(path, shown, sizeof shown), (double)targets->min, (double)targets->max,
              clprop_activation_name(output), range);
}

/* ---- the network line ---- */

static const char *treatment_text(target_treatment treatment)
{
    switch (treatment) {
    case TREAT_VALUES_BY_REQUEST:
        return "one-hot targets fitted as values (--regression)";
    case TREAT_LABELS:
        return "classes from labels";
    case TREAT_ONE_HOT:
        return "classes from one-hot targets";
    case TREAT_ONE_HOT_SYMMETRIC:
        return "classes from one-hot -1/1 targets";
    case TREAT_ONE_HOT_SYMMETRIC_TANH:
        return "classes from one-hot -1/1 targets (a tanh output: softmax needs 0/1 targets)";
    default:
        return "regression";
    }
}

void explain_network(const clprop_net *net, const run_settings *settings)
{
    size_t layers = clprop_net_layer_count(net), parameters = 0;
    printf("network %zu", clprop_net_units(net, 0));
    for (size_t l = 1; l <= layers; l++) {
        size_t units = clprop_net_units(net, l);
        printf("-%zu(%s)", units, clprop_activation_name(clprop_net_activation(net, l)));
        parameters += clprop_net_units(net, l - 1) * units + (clprop_net_has_bias(net) ? units : 0);
    }
    printf(", %zu parameters, loss %s, %s; %zu training samples, batch %zu", parameters,
           clprop_loss_name(clprop_net_loss(net)), treatment_text(settings->treatment),
           settings->samples, settings->batch);
    if (settings->optimizer != CLPROP_OPTIMIZER_RPROP) /* iRPROP− keeps its own step sizes */
        printf(", learning rate %g", (double)settings->learning_rate);
    putchar('\n');
}

/* ---- whether it learned ---- */

void explain_record_epoch(learning_record *record, double training_loss)
{
    if (record->epochs++ == 0)
        record->first_loss = training_loss;
    record->last_loss = training_loss;
}

/* The usual remedies, as one line: more steps, another rate, an adaptive optimizer. */
static void suggest_remedies(const run_settings *settings)
{
    size_t steps =
        settings->batch > 0 ? (settings->samples + settings->batch - 1) / settings->batch : 0;
    char more[160];
    snprintf(more, sizeof more, "more --epochs (each was %zu step%s: %zu samples, batch %zu)",
             steps, steps == 1 ? "" : "s", settings->samples, settings->batch);
    switch (settings->optimizer) {
    case CLPROP_OPTIMIZER_ADAM:
        cli_error("try another --lr (this run's was %g) or %s", (double)settings->learning_rate,
                  more);
        break;
    case CLPROP_OPTIMIZER_RPROP:
        cli_error("try %s or --optimizer adam --lr 0.01", more);
        break;
    default:
        cli_error("try a larger --lr (this run's was %g), %s, or --optimizer adam --lr 0.01",
                  (double)settings->learning_rate, more);
    }
}

void explain_learning(const learning_record *record, const targets_summary *targets,
                      clprop_loss loss, int fresh_weights, const run_settings *settings)
{
    if (record->epochs < EXPLAIN_MIN_EPOCHS)
        return;
    double constant =
        loss == CLPROP_LOSS_CROSS_ENTROPY ? targets->mean_loss_ce : targets->mean_loss_mse;
    /* 3% and 1%: the epochs' figures are measured on the batches as they train, a little noisy */
    int no_better = constant > 0.0 && record->last_loss >= 0.97 * constant;
    int unmoved = fresh_weights && record->last_loss >= 0.99 * record->first_loss;
    if (no_better)
        cli_error("the network has not learned: its training loss went from %.5f to %.5f in %zu "
                  "epochs, no better than always answering the targets' mean (loss %.5f)",
                  record->first_loss, record->last_loss, record->epochs, constant);
    else if (unmoved)
        cli_error("the training loss hardly moved in %zu epochs (from %.5f to %.5f): the network "
                  "is learning slowly, if at all",
                  record->epochs, record->first_loss, record->last_loss);
    if (no_better || unmoved)
        suggest_remedies(settings);
}
