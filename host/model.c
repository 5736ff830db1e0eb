/* The model: a network's shape and parameters in host memory, and optionally the optimizer state
 * and training progress that let training continue. Its shape is checked once, when it is set, and
 * what it carries when it is attached, so the file writers, the accessors and the network copies
 * can trust it. */
#include "model_internal.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input_file.h"
#include "optimizer.h"

clprop_model *clprop_model_new_handle(void)
{
    return calloc(1, sizeof(clprop_model));
}

/* ---- Shape ----------------------------------------------------------------------------------- */

static clprop_activation activation_of(const clprop_net_desc *desc, size_t layer)
{
    return desc->activations != NULL ? desc->activations[layer - 1] : CLPROP_ACTIVATION_SIGMOID;
}

static clprop_status check_units(clprop_message *message, const char *where,
                                 const clprop_net_desc *desc)
{
    for (size_t layer = 0; layer <= desc->layer_count; layer++) {
        size_t units = desc->sizes[layer];
        if (units < 1 || units > CLPROP_MODEL_MAX_UNITS)
            return clprop_fail(message, CLPROP_ERROR_FORMAT,
                               "%s: layer %zu has %zu units, expected 1 to %u", where, layer, units,
                               CLPROP_MODEL_MAX_UNITS);
    }
    return CLPROP_SUCCESS;
}

static clprop_status check_activations(clprop_message *message, const char *where,
                                       const clprop_net_desc *desc)
{
    for (size_t layer = 1; layer <= desc->layer_count; layer++) {
        clprop_activation activation = activation_of(desc, layer);
        if (clprop_activation_name(activation) == NULL)
            return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: layer %zu: unknown activation %d",
                               where, layer, (int)activation);
        if (activation != CLPROP_ACTIVATION_SOFTMAX)
            continue;
        /* Softmax couples a layer's units, which only the output delta y − t of cross-entropy
         * accounts for; clprop has no backward pass for it anywhere else. */
        if (layer != desc->layer_count)
            return clprop_fail(message, CLPROP_ERROR_FORMAT,
                               "%s: layer %zu: softmax is only allowed on the output layer (%zu)",
                               where, layer, desc->layer_count);
        if (desc->loss != CLPROP_LOSS_CROSS_ENTROPY)
            return clprop_fail(message, CLPROP_ERROR_FORMAT,
                               "%s: layer %zu: softmax needs the cross-entropy loss \"ce\", not "
                               "\"%s\"", where, layer, clprop_loss_name(desc->loss));
    }
    /* and cross-entropy's delta y − t is its gradient only through a softmax */
    if (desc->loss == CLPROP_LOSS_CROSS_ENTROPY &&
        activation_of(desc, desc->layer_count) != CLPROP_ACTIVATION_SOFTMAX)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: the cross-entropy loss \"ce\" needs a softmax output layer, not %s",
                           where, clprop_activation_name(activation_of(desc, desc->layer_count)));
    return CLPROP_SUCCESS;
}

clprop_status clprop_model_check_shape(clprop_message *message, const char *where,
                                       const clprop_net_desc *desc)
{
    if (desc->layer_count < 1 || desc->layer_count > CLPROP_MODEL_MAX_LAYERS)
        return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: %zu layers, expected 1 to %d", where,
                           desc->layer_count, CLPROP_MODEL_MAX_LAYERS);
    if (desc->sizes == NULL)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT, "%s: no layer sizes", where);
    if (clprop_loss_name(desc->loss) == NULL)
        return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: unknown loss %d", where,
                           (int)desc->loss);
    clprop_status status = check_units(message, where, desc);
    if (status != CLPROP_SUCCESS)
        return status;
    return check_activations(message, where, desc);
}

size_t clprop_model_layer_parameters(size_t inputs, size_t outputs, int has_bias)
{
    return outputs * inputs + (has_bias ? outputs : 0);
}

size_t clprop_model_count_parameters(const clprop_net_desc *desc)
{
    size_t count = 0;
    for (size_t layer = 1; layer <= desc->layer_count; layer++)
        count += clprop_model_layer_parameters(desc->sizes[layer - 1], desc->sizes[layer],
                                               !desc->no_bias);
    return count;
}

/* Whether the parameter count of a checked shape fits size_t. With the limits on layers and
 * units it always does where size_t has 64 bits; this guards smaller machines. */
static int parameter_count_fits(const clprop_net_desc *desc)
{
    size_t total = 0;
    for (size_t layer = 1; layer <= desc->layer_count; layer++) {
        size_t inputs = desc->sizes[layer - 1], outputs = desc->sizes[layer];
        if (inputs > (SIZE_MAX / sizeof(float) - outputs) / outputs)
            return 0;
        size_t count = clprop_model_layer_parameters(inputs, outputs, !desc->no_bias);
        if (count > SIZE_MAX / sizeof(float) - total)
            return 0;
        total += count;
    }
    return 1;
}

/* The optimizer state is sized by the shape, so it goes with it. */
static void release_progress(clprop_model *model)
{
    free(model->optimizer_state);
    model->optimizer_state = NULL;
    model->optimizer_floats = 0;
    model->optimizer_steps = 0;
    model->has_optimizer = 0;
    model->has_training_state = 0;
    model->interrupted = (clprop_pass_result){0};
    model->interrupted_seconds = 0.0;
    model->epoch_samples = 0;
    clprop_scaling_copy_free(&model->scaling);
}

static void release_shape(clprop_model *model)
{
    release_progress(model);
    free(model->units);
    free(model->activations);
    free(model->dropout);
    model->dropout = NULL;
    model->dropout_seed = 0;
    free(model->parameters);
    free(model->weights);
    free(model->biases);
    model->units = NULL;
    model->activations = NULL;
    model->parameters = NULL;
    model->weights = NULL;
    model->biases = NULL;
    model->layer_count = 0;
    model->parameter_count = 0;
}

/* Points weights[layer] and biases[layer] at their pieces of the one parameter allocation. */
static void carve_parameters(clprop_model *model)
{
    float *next = model->parameters;
    for (size_t layer = 1; layer <= model->layer_count; layer++) {
        model->weights[layer] = next;
        next += model->units[layer] * model->units[layer - 1];
        if (model->has_bias) {
            model->biases[layer] = next;
            next += model->units[layer];
        }
    }
}

clprop_status clprop_model_set_shape(clprop_model *model, const clprop_net_desc *desc,
                                     const char *where)
{
    release_shape(model);
    clprop_status status = clprop_model_check_shape(&model->message, where, desc);
    if (status != CLPROP_SUCCESS)
        return status;
    if (!parameter_count_fits(desc))
        return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: the parameters do not fit in this machine's address space", where);
    size_t layers = desc->layer_count, count = clprop_model_count_parameters(desc);
    model->units = malloc((layers + 1) * sizeof *model->units);
    model->activations = malloc(layers * sizeof *model->activations);
    model->weights = calloc(layers + 1, sizeof *model->weights);
    model->biases = calloc(layers + 1, sizeof *model->biases);
    model->parameters = calloc(count, sizeof *model->parameters);
    if (model->units == NULL || model->activations == NULL || model->weights == NULL ||
        model->biases == NULL || model->parameters == NULL) {
        release_shape(model);
        return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory for %zu parameters (%zu bytes)", where, count,
                           count * sizeof(float));
    }
    model->layer_count = layers;
    model->parameter_count = count;
    model->has_bias = !desc->no_bias;
    model->loss = desc->loss;
    memcpy(model->units, desc->sizes, (layers + 1) * sizeof *model->units);
    for (size_t layer = 1; layer <= layers; layer++)
        model->activations[layer - 1] = activation_of(desc, layer);
    carve_parameters(model);
    return CLPROP_SUCCESS;
}

clprop_net_desc clprop_model_desc(const clprop_model *model)
{
    clprop_net_desc desc = {
        .layer_count = model->layer_count,
        .sizes = model->units,
        .activations = model->activations,
        .no_bias = !model->has_bias,
        .loss = model->loss,
    };
    return desc;
}

/* ---- Optimizer and training progress -------------------------------------------------------- */

clprop_model_optimizer_problem clprop_model_check_optimizer(const clprop_model *model,
                                                            const clprop_optimizer *optimizer,
                                                            uint64_t floats,
                                                            clprop_optimizer *resolved,
                                                            char *problem, size_t problem_size)
{
    const char *why;
    if (clprop_optimizer_name(optimizer->kind) == NULL) {
        snprintf(problem, problem_size, "unknown optimizer %d", (int)optimizer->kind);
        return CLPROP_MODEL_OPTIMIZER_BAD_KIND;
    }
    if (clprop_optimizer_resolve(optimizer, resolved, &why) != CLPROP_SUCCESS) {
        snprintf(problem, problem_size, "%s: %s", clprop_optimizer_name(optimizer->kind), why);
        return CLPROP_MODEL_OPTIMIZER_BAD_SETTINGS;
    }
    resolved->nesterov = resolved->nesterov != 0;
    /* parameter_count < 2^62 (the shape limits), so the product fits. */
    size_t slots = clprop_optimizer_slots(resolved->kind);
    uint64_t want = (uint64_t)slots * model->parameter_count;
    if (floats != want) {
        snprintf(problem, problem_size, "%" PRIu64 " floats of %s state, expected %" PRIu64
                 " (%zu per parameter, %zu parameters)", floats,
                 clprop_optimizer_name(resolved->kind), want, slots, model->parameter_count);
        return CLPROP_MODEL_OPTIMIZER_BAD_SIZE;
    }
    return CLPROP_MODEL_OPTIMIZER_FINE;
}

size_t clprop_model_first_non_finite(const float *values, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(values[i]))
            return i;
    return count;
}

void clprop_model_attach_optimizer(clprop_model *model, const clprop_optimizer *resolved,
                                   uint64_t steps, float *state, size_t floats)
{
    free(model->optimizer_state);
    model->has_optimizer = 1;
    model->optimizer = *resolved;
    model->optimizer_steps = steps;
    model->optimizer_state = floats > 0 ? state : NULL;
    model->optimizer_floats = floats;
    if (floats == 0)
        free(state);
}

int clprop_model_check_training_state(const clprop_training_state *state, char *problem,
                                      size_t problem_size)
{
    if (isnan(state->best_loss) || (isinf(state->best_loss) && state->best_loss < 0)) {
        snprintf(problem, problem_size, "the best loss is %g, expected a number or +inf",
                 state->best_loss);
        return 0;
    }
    const clprop_schedule *schedule = &state->schedule;
    if (state->batch == 0) { /* made before the run's settings were kept: all of them 0 */
        if (state->learning_rate != 0.0f || state->validation != 0.0f || schedule->kind != 0 ||
            schedule->step_factor != 0.0f || schedule->warmup_epochs != 0 ||
            schedule->step_every != 0 || schedule->reference_batch != 0) {
            snprintf(problem, problem_size, "the run's settings have no batch size");
            return 0;
        }
        return 1;
    }
    if (state->batch > UINT32_MAX) { /* a data set holds at most that many samples */
        snprintf(problem, problem_size,
                 "the run's batch of %" PRIu64 " is more than a data set "
                 "holds (%" PRIu32 " samples at most)",
                 state->batch, UINT32_MAX);
        return 0;
    }
    if (!(isfinite(state->learning_rate) && state->learning_rate > 0.0f) ||
        !(state->validation >= 0.0f && state->validation < 1.0f) ||
        clprop_schedule_name(schedule->kind) == NULL ||
        !(schedule->step_factor >= 0.0f && schedule->step_factor <= 1.0f)) {
        snprintf(problem, problem_size,
                 "the run's settings are out of range: learning rate %g, validation share %g, "
                 "schedule %d with step factor %g",
                 (double)state->learning_rate, (double)state->validation, (int)schedule->kind,
                 (double)schedule->step_factor);
        return 0;
    }
    return 1;
}

/* ---- Creating and loading -------------------------------------------------------------------- */

clprop_status clprop_model_create(const clprop_net_desc *desc, clprop_model **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    *out = clprop_model_new_handle();
    if (*out == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    if (desc == NULL)
        return clprop_fail(&(*out)->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_create: desc is NULL");
    clprop_status status = clprop_model_set_shape(*out, desc, "clprop_model_create");
    /* A shape passed by the caller is a bad argument, not a bad file. */
    return status == CLPROP_ERROR_FORMAT ? CLPROP_ERROR_INVALID_ARGUMENT : status;
}

/* The first byte that is not JSON white space (after an optional UTF-8 byte order mark), or EOF. */
static int first_significant_byte(FILE *file)
{
    unsigned char head[3];
    size_t got = fread(head, 1, sizeof head, file);
    if (clprop_byte_order_mark_length(head, got) == 0)
        rewind(file);
    int byte;
    while ((byte = getc(file)) == ' ' || byte == '\t' || byte == '\n' || byte == '\r')
        continue;
    return byte;
}

/* Binary files start with the magic, JSON exports with '{', FANN networks with "FANN_"; file names
 * are no guide. */
static clprop_status read_by_content(clprop_model *model, FILE *file, const char *path)
{
    unsigned char head[CLPROP_MODEL_MAGIC_SIZE];
    size_t got = fread(head, 1, sizeof head, file);
    if (ferror(file))
        return clprop_fail(&model->message, CLPROP_ERROR_IO, "%s: cannot read: %s", path,
                           strerror(errno));
    rewind(file);
    if (got == sizeof head && memcmp(head, CLPROP_MODEL_MAGIC, sizeof head) == 0)
        return clprop_model_read_binary(model, file, path);
    if (got == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_FORMAT,
                           "%s: file is empty (not a clprop model file)", path);
    if (got < sizeof head && memcmp(head, CLPROP_MODEL_MAGIC, got) == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_FORMAT,
                           "%s: byte 0: file ends early (expected the %d-byte magic \"%s\")", path,
                           CLPROP_MODEL_MAGIC_SIZE, CLPROP_MODEL_MAGIC);
    size_t fann = strlen(CLPROP_MODEL_FANN_PREFIX);
    size_t marked = clprop_byte_order_mark_length(head, got); /* the FANN reader's lines drop it */
    if (got >= marked + fann && memcmp(head + marked, CLPROP_MODEL_FANN_PREFIX, fann) == 0)
        return clprop_model_read_fann(model, path);
    int first = first_significant_byte(file);
    rewind(file);
    if (first == '{')
        return clprop_model_read_json(model, file, path);
    if (first == '[' || first == '"')
        return clprop_fail(&model->message, CLPROP_ERROR_FORMAT,
                           "%s: a JSON %s, not a model: a model's JSON export is one object "
                           "({\"format\": \"clprop-model\", ...})",
                           path, first == '[' ? "array" : "string");
    return clprop_fail(&model->message, CLPROP_ERROR_FORMAT,
                       "%s: wrong magic (not a clprop model file: neither its binary magic "
                       "\"%s\", nor a JSON object, nor a FANN network)",
                       path, CLPROP_MODEL_MAGIC);
}

/* A regular, non-empty file (input_file.h), as a stream. */
static clprop_status open_input(clprop_model *model, const char *path, FILE **file)
{
    int descriptor;
    uint64_t size;
    CLPROP_CHECK(clprop_input_open(path, &model->message, &descriptor, &size));
    *file = fdopen(descriptor, "rb");
    if (*file == NULL) {
        close(descriptor);
        return clprop_fail(&model->message, CLPROP_ERROR_IO, "%s: cannot open: %s", path,
                           strerror(errno));
    }
    return CLPROP_SUCCESS;
}

clprop_status clprop_model_load(const char *path, clprop_model **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_model *model = clprop_model_new_handle();
    *out = model;
    if (model == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    if (path == NULL)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_load: path is NULL");
    FILE *file;
    clprop_status status = open_input(model, path, &file);
    if (status != CLPROP_SUCCESS)
        return status;
    status = read_by_content(model, file, path);
    fclose(file); /* read-only: nothing to lose if closing fails */
    if (status != CLPROP_SUCCESS)
        release_shape(model); /* a half-read model must not look usable */
    return status;
}

void clprop_model_destroy(clprop_model *model)
{
    if (model == NULL)
        return;
    release_shape(model);
    free(model);
}

const char *clprop_model_message(const clprop_model *model)
{
    return model != NULL ? model->message.text : "out of host memory (no model handle)";
}

/* ---- Accessors: 0 or NULL for a layer the model does not have -------------------------------- */

size_t clprop_model_layer_count(const clprop_model *model)
{
    return model != NULL ? model->layer_count : 0;
}

size_t clprop_model_units(const clprop_model *model, size_t layer)
{
    if (model == NULL || model->layer_count == 0 || layer > model->layer_count)
        return 0;
    return model->units[layer];
}

clprop_activation clprop_model_activation(const clprop_model *model, size_t layer)
{
    if (model == NULL || layer < 1 || layer > model->layer_count)
        return CLPROP_ACTIVATION_SIGMOID;
    return model->activations[layer - 1];
}

int clprop_model_has_bias(const clprop_model *model)
{
    return model != NULL && model->has_bias;
}

clprop_loss clprop_model_loss(const clprop_model *model)
{
    return model != NULL ? model->loss : CLPROP_LOSS_MSE;
}

float clprop_model_dropout(const clprop_model *model, size_t layer)
{
    if (model == NULL || model->dropout == NULL || layer < 1 || layer > model->layer_count)
        return 0.0f;
    return model->dropout[layer - 1];
}

uint64_t clprop_model_dropout_seed(const clprop_model *model)
{
    return model != NULL && model->dropout != NULL ? model->dropout_seed : 0;
}

int clprop_model_attach_dropout(clprop_model *model, const float *rates, uint64_t seed,
                                size_t *bad)
{
    size_t hidden = model->layer_count - 1, any = 0;
    for (size_t l = 0; rates != NULL && l < hidden; l++) {
        if (!(rates[l] >= 0.0f && rates[l] < 1.0f)) {
            *bad = l;
            return -1;
        }
        any += rates[l] > 0.0f;
    }
    free(model->dropout);
    model->dropout = NULL;
    model->dropout_seed = 0;
    if (any == 0)
        return 1;
    if ((model->dropout = calloc(model->layer_count, sizeof *model->dropout)) == NULL)
        return 0;
    for (size_t l = 0; l < hidden; l++)
        model->dropout[l] = rates[l];
    model->dropout_seed = seed;
    return 1;
}

float *clprop_model_weights(clprop_model *model, size_t layer)
{
    if (model == NULL || layer < 1 || layer > model->layer_count)
        return NULL;
    return model->weights[layer];
}

float *clprop_model_biases(clprop_model *model, size_t layer)
{
    if (model == NULL || layer < 1 || layer > model->layer_count)
        return NULL;
    return model->biases[layer];
}

/* ---- Optimizer and training progress: the public calls --------------------------------------- */

#define SET_OPTIMIZER "clprop_model_set_optimizer"

/* Everything is checked before the model changes, so a refused call leaves what it carried. */
clprop_status clprop_model_set_optimizer(clprop_model *model, const clprop_optimizer *optimizer,
                                         uint64_t steps, const float *state, size_t floats)
{
    if (model == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (model->layer_count == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           SET_OPTIMIZER ": the model has no layers (its creation failed)");
    if (optimizer == NULL)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           SET_OPTIMIZER ": optimizer is NULL");
    clprop_optimizer resolved;
    char problem[256];
    if (clprop_model_check_optimizer(model, optimizer, floats, &resolved, problem,
                                     sizeof problem) != CLPROP_MODEL_OPTIMIZER_FINE)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT, SET_OPTIMIZER ": %s",
                           problem);
    const char *why;
    if (!clprop_optimizer_steps_go_on(steps, &why))
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           SET_OPTIMIZER ": %" PRIu64 " steps%s", steps, why);
    if (floats > 0 && state == NULL)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           SET_OPTIMIZER ": state is NULL, expected %zu floats", floats);
    CLPROP_CHECK(clprop_optimizer_check_state(&model->message, SET_OPTIMIZER, resolved.kind, state,
                                              floats, model->units, model->layer_count,
                                              model->has_bias));
    float *copy = NULL;
    if (floats > 0) {
        copy = malloc(floats * sizeof *copy);
        if (copy == NULL)
            return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                               SET_OPTIMIZER ": out of host memory for %zu floats", floats);
        memcpy(copy, state, floats * sizeof *copy);
    }
    clprop_model_attach_optimizer(model, &resolved, steps, copy, floats);
    return CLPROP_SUCCESS;
}

int clprop_model_optimizer(const clprop_model *model, clprop_optimizer *optimizer,
                           uint64_t *steps, const float **state, size_t *floats)
{
    if (model == NULL || !model->has_optimizer)
        return 0;
    if (optimizer != NULL)
        *optimizer = model->optimizer;
    if (steps != NULL)
        *steps = model->optimizer_steps;
    if (state != NULL)
        *state = model->optimizer_state;
    if (floats != NULL)
        *floats = model->optimizer_floats;
    return 1;
}

clprop_status clprop_model_set_training_state(clprop_model *model,
                                              const clprop_training_state *state)
{
    if (model == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (model->layer_count == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_set_training_state: the model has no layers (its "
                           "creation failed)");
    if (state == NULL)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_set_training_state: state is NULL");
    char problem[256];
    if (!clprop_model_check_training_state(state, problem, sizeof problem))
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_set_training_state: %s", problem);
    model->training_state = *state;
    model->has_training_state = 1;
    model->interrupted = (clprop_pass_result){0}; /* they went with the state it replaces */
    model->interrupted_seconds = 0.0;
    model->epoch_samples = 0;
    return CLPROP_SUCCESS;
}

void clprop_model_set_epoch_samples(clprop_model *model, uint64_t samples)
{
    model->epoch_samples = samples;
}

uint64_t clprop_model_epoch_samples(const clprop_model *model)
{
    return model->epoch_samples;
}

int clprop_model_training_state(const clprop_model *model, clprop_training_state *state)
{
    if (model == NULL || !model->has_training_state)
        return 0;
    if (state != NULL)
        *state = model->training_state;
    return 1;
}

/* The first of the figures (in the file's order: loss, MSE, correct, seconds) out of range, or
 * -1 when none is. The loss may be below 0: cross-entropy on targets below 0 (the command warns,
 * and trains). Loss and MSE are means of float32 values the device computed, so within FLT_MAX:
 * a larger one, finite as a double, would make the resumed epoch's figure infinite. */
static int first_bad_figure(const clprop_pass_result *figures, double seconds)
{
    if (!(fabs(figures->loss) <= FLT_MAX))
        return 0;
    if (!(figures->mse >= 0.0 && figures->mse <= FLT_MAX))
        return 1;
    if (figures->correct > figures->samples)
        return 2;
    if (!(isfinite(seconds) && seconds >= 0.0))
        return 3;
    return -1;
}

int clprop_model_check_interrupted_epoch(const clprop_training_state *state,
                                         const clprop_pass_result *figures, double seconds,
                                         int *bad_figure, char *problem, size_t problem_size)
{
    *bad_figure = -1;
    if (state->samples_done == 0) {
        snprintf(problem, problem_size, "no epoch was interrupted (no samples done)");
        return 0;
    }
    if (figures->samples != state->samples_done) {
        snprintf(problem, problem_size,
                 "the interrupted epoch's figures are of %zu samples, but %llu were trained",
                 figures->samples, (unsigned long long)state->samples_done);
        return 0;
    }
    if ((*bad_figure = first_bad_figure(figures, seconds)) >= 0) {
        snprintf(problem, problem_size,
                 "the interrupted epoch's figures are out of range: loss %g, MSE %g, %zu correct "
                 "of %zu, %g s",
                 figures->loss, figures->mse, figures->correct, figures->samples, seconds);
        return 0;
    }
    return 1;
}

clprop_status clprop_model_set_interrupted_epoch(clprop_model *model,
                                                 const clprop_pass_result *figures,
                                                 double seconds)
{
    if (model == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (figures == NULL || !model->has_training_state)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_set_interrupted_epoch: %s",
                           figures == NULL ? "figures is NULL"
                                           : "the model carries no training state to go with");
    char problem[256];
    int bad_figure;
    if (!clprop_model_check_interrupted_epoch(&model->training_state, figures, seconds,
                                              &bad_figure, problem, sizeof problem))
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_set_interrupted_epoch: %s", problem);
    model->interrupted = *figures;
    model->interrupted_seconds = seconds;
    return CLPROP_SUCCESS;
}

int clprop_model_interrupted_epoch(const clprop_model *model, clprop_pass_result *figures,
                                   double *seconds)
{
    if (model == NULL || model->interrupted.samples == 0)
        return 0;
    if (figures != NULL)
        *figures = model->interrupted;
    if (seconds != NULL)
        *seconds = model->interrupted_seconds;
    return 1;
}

clprop_status clprop_model_set_scaling(clprop_model *model, const clprop_scaling *scaling)
{
    if (model == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (model->layer_count == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_set_scaling: the model has no layers (its creation "
                           "failed)");
    char problem[256];
    if (!clprop_scaling_check(scaling, model->units[0], model->units[model->layer_count],
                              model->activations[model->layer_count - 1], problem,
                              sizeof problem))
        return clprop_fail(&model->message, CLPROP_ERROR_MISMATCH,
                           "clprop_model_set_scaling: %s", problem);
    if (clprop_scaling_copy_from(&model->scaling, scaling) != 0)
        return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "clprop_model_set_scaling: out of host memory");
    return CLPROP_SUCCESS;
}

int clprop_model_scaling(const clprop_model *model, clprop_scaling *scaling)
{
    if (model == NULL || !clprop_scaling_present(&model->scaling))
        return 0;
    if (scaling != NULL)
        *scaling = model->scaling.view;
    return 1;
}
