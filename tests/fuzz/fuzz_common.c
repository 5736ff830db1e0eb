/* The harnesses' shared pieces: the input as a file, and checks of what a load hands back. */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void fuzz_fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fputs("clprop fuzz check failed: ", stderr);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    abort();
}

/* ---- The input as a file ------------------------------------------------------------------- */

static char fallback_path[64]; /* the /tmp file used when there is no memfd, removed at exit */

static void remove_fallback(void)
{
    unlink(fallback_path);
}

void fuzz_file_init(fuzz_file *file, const char *name)
{
    if (file->path[0] != '\0')
        return;
    file->descriptor = memfd_create(name, MFD_CLOEXEC);
    if (file->descriptor >= 0) {
        snprintf(file->path, sizeof file->path, "/proc/self/fd/%d", file->descriptor);
        if (access(file->path, R_OK) == 0)
            return;
        close(file->descriptor); /* no /proc to name it by */
    }
    char path[64];
    snprintf(path, sizeof path, "/tmp/clprop-fuzz-%d-%.16s-XXXXXX", (int)getpid(), name);
    file->descriptor = mkstemp(path);
    if (file->descriptor < 0)
        fuzz_fail("cannot create a file for the input: %s", strerror(errno));
    snprintf(file->path, sizeof file->path, "%s", path);
    if (fallback_path[0] == '\0') {
        snprintf(fallback_path, sizeof fallback_path, "%s", path);
        atexit(remove_fallback);
    }
}

void fuzz_file_write(fuzz_file *file, const uint8_t *data, size_t size)
{
    if (ftruncate(file->descriptor, 0) != 0)
        fuzz_fail("%s: cannot truncate: %s", file->path, strerror(errno));
    size_t done = 0;
    while (done < size) {
        ssize_t put = pwrite(file->descriptor, data + done, size - done, (off_t)done);
        if (put <= 0)
            fuzz_fail("%s: cannot write: %s", file->path, strerror(errno));
        done += (size_t)put;
    }
}

/* ---- Failures ------------------------------------------------------------------------------ */

/* A file's content may only ever produce the library's own errors, never an OpenCL code, success
 * in disguise, or an error without a message. */
static void check_failure(clprop_status status, const char *message, const char *what)
{
    if (status > CLPROP_ERROR_INVALID_ARGUMENT || status < CLPROP_ERROR_CLBLAST)
        fuzz_fail("%s: unexpected status %d (%s)", what, (int)status, clprop_status_name(status));
    if (message == NULL || message[0] == '\0')
        fuzz_fail("%s: %s without a message", what, clprop_status_name(status));
    if (strlen(message) >= 4096)
        fuzz_fail("%s: message is not terminated within its buffer", what);
}

/* ---- Data sets ----------------------------------------------------------------------------- */

void fuzz_check_data(clprop_status status, clprop_data *data)
{
    if (status != CLPROP_SUCCESS) {
        if (data == NULL && status == CLPROP_ERROR_OUT_OF_HOST_MEMORY)
            return;
        check_failure(status, clprop_data_message(data), "clprop_data_load");
        if (clprop_data_samples(data) != 0 || clprop_data_input_values(data) != NULL ||
            clprop_data_labels(data) != NULL || clprop_data_input_bytes(data) != NULL)
            fuzz_fail("clprop_data_load failed (%s) but left a data set behind",
                      clprop_status_name(status));
        clprop_data_destroy(data);
        return;
    }
    size_t samples = clprop_data_samples(data), inputs = clprop_data_inputs(data),
           outputs = clprop_data_outputs(data);
    const float *input_values = clprop_data_input_values(data);
    const float *target_values = clprop_data_target_values(data);
    if (samples == 0 || inputs == 0 || outputs == 0 || input_values == NULL ||
        target_values == NULL)
        fuzz_fail("loaded an empty data set: %zu samples, %zu inputs, %zu outputs", samples,
                  inputs, outputs);
    const uint8_t *bytes = clprop_data_input_bytes(data);
    for (size_t i = 0; i < samples * inputs; i++) {
        if (!isfinite(input_values[i]))
            fuzz_fail("input value %zu is %g", i, (double)input_values[i]);
        if (bytes != NULL && input_values[i] != (float)bytes[i] / 255.0f)
            fuzz_fail("input value %zu is %g but its byte is %u", i, (double)input_values[i],
                      (unsigned)bytes[i]);
    }
    for (size_t i = 0; i < samples * outputs; i++)
        if (!isfinite(target_values[i]))
            fuzz_fail("target value %zu is %g", i, (double)target_values[i]);
    const uint32_t *labels = clprop_data_labels(data);
    if (clprop_data_has_labels(data) != (labels != NULL))
        fuzz_fail("has_labels says %d but labels is %p", clprop_data_has_labels(data),
                  (const void *)labels);
    for (size_t s = 0; labels != NULL && s < samples; s++) {
        if (labels[s] >= outputs)
            fuzz_fail("sample %zu: label %u but only %zu outputs", s, (unsigned)labels[s], outputs);
        for (size_t o = 0; o < outputs; o++)
            if (target_values[s * outputs + o] != (o == labels[s] ? 1.0f : 0.0f))
                fuzz_fail("sample %zu: targets are not the one-hot row of label %u", s,
                          (unsigned)labels[s]);
    }
    clprop_data_destroy(data);
}

/* ---- Models -------------------------------------------------------------------------------- */

/* Reads every parameter (ASan sees a short array); 1 when all are finite. */
static int check_parameters(clprop_model *model)
{
    size_t layers = clprop_model_layer_count(model);
    int finite = 1;
    for (size_t layer = 1; layer <= layers; layer++) {
        size_t outputs = clprop_model_units(model, layer);
        size_t count = outputs * clprop_model_units(model, layer - 1);
        const float *weights = clprop_model_weights(model, layer);
        const float *biases = clprop_model_biases(model, layer);
        if (weights == NULL || (clprop_model_has_bias(model) != (biases != NULL)))
            fuzz_fail("layer %zu: weights %p, biases %p with has_bias %d", layer,
                      (const void *)weights, (const void *)biases, clprop_model_has_bias(model));
        for (size_t i = 0; i < count; i++)
            finite &= isfinite(weights[i]) != 0;
        for (size_t i = 0; biases != NULL && i < outputs; i++)
            finite &= isfinite(biases[i]) != 0;
    }
    return finite;
}

static void check_shape(const clprop_model *model)
{
    size_t layers = clprop_model_layer_count(model);
    if (layers < 1 || layers > 1024)
        fuzz_fail("loaded a model of %zu layers", layers);
    for (size_t layer = 0; layer <= layers; layer++) {
        size_t units = clprop_model_units(model, layer);
        if (units < 1 || units > (1u << 24))
            fuzz_fail("layer %zu has %zu units", layer, units);
        if (layer > 0 && clprop_activation_name(clprop_model_activation(model, layer)) == NULL)
            fuzz_fail("layer %zu has activation %d", layer,
                      (int)clprop_model_activation(model, layer));
    }
    if (clprop_loss_name(clprop_model_loss(model)) == NULL)
        fuzz_fail("loaded loss %d", (int)clprop_model_loss(model));
}

static void check_optimizer(const clprop_model *model)
{
    clprop_optimizer optimizer;
    const float *state = NULL;
    size_t floats = 0;
    if (!clprop_model_optimizer(model, &optimizer, NULL, &state, &floats))
        return;
    if (clprop_optimizer_name(optimizer.kind) == NULL)
        fuzz_fail("loaded optimizer kind %d", (int)optimizer.kind);
    if (floats > 0 && state == NULL)
        fuzz_fail("%zu floats of optimizer state but no state", floats);
    for (size_t i = 0; i < floats; i++)
        if (!isfinite(state[i]))
            fuzz_fail("optimizer state float %zu is %g", i, (double)state[i]);
    clprop_training_state progress;
    if (clprop_model_training_state(model, &progress) && isnan(progress.best_loss))
        fuzz_fail("loaded a best loss of NaN");
    clprop_pass_result part;
    double seconds = 0.0;
    if (clprop_model_interrupted_epoch(model, &part, &seconds) &&
        (!clprop_model_training_state(model, &progress) || part.samples != progress.samples_done ||
         part.correct > part.samples || !isfinite(part.loss) || !(part.mse >= 0.0) ||
         !isfinite(part.mse) || !(seconds >= 0.0) || !isfinite(seconds)))
        fuzz_fail("loaded an interrupted epoch's figures that do not fit: %zu samples, loss %g, "
                  "MSE %g, %zu correct, %g s",
                  part.samples, part.loss, part.mse, part.correct, seconds);
}

static int same_parameters(clprop_model *a, clprop_model *b)
{
    size_t layers = clprop_model_layer_count(a);
    if (clprop_model_layer_count(b) != layers || clprop_model_loss(a) != clprop_model_loss(b) ||
        clprop_model_has_bias(a) != clprop_model_has_bias(b))
        return 0;
    for (size_t layer = 0; layer <= layers; layer++) {
        if (clprop_model_units(a, layer) != clprop_model_units(b, layer))
            return 0;
        if (layer == 0)
            continue;
        if (clprop_model_activation(a, layer) != clprop_model_activation(b, layer))
            return 0;
        size_t outputs = clprop_model_units(a, layer);
        size_t count = outputs * clprop_model_units(a, layer - 1);
        if (memcmp(clprop_model_weights(a, layer), clprop_model_weights(b, layer),
                   count * sizeof(float)) != 0)
            return 0;
        if (clprop_model_has_bias(a) &&
            memcmp(clprop_model_biases(a, layer), clprop_model_biases(b, layer),
                   outputs * sizeof(float)) != 0)
            return 0;
    }
    return 1;
}

/* Export to JSON, load that, and compare bit for bit. */
static void check_json_round_trip(clprop_model *model)
{
    static fuzz_file export_file;
    fuzz_file_init(&export_file, "clprop-export");
    FILE *out = fopen(export_file.path, "w");
    if (out == NULL)
        fuzz_fail("%s: cannot open for the export: %s", export_file.path, strerror(errno));
    clprop_status status = clprop_model_write_json(model, out);
    fclose(out);
    if (status != CLPROP_SUCCESS)
        fuzz_fail("the JSON export of a loaded model with finite weights failed: %s: %s",
                  clprop_status_name(status), clprop_model_message(model));
    clprop_model *again = NULL;
    status = clprop_model_load(export_file.path, &again);
    if (status != CLPROP_SUCCESS)
        fuzz_fail("the JSON export of a loaded model does not load: %s: %s",
                  clprop_status_name(status), clprop_model_message(again));
    if (!same_parameters(model, again))
        fuzz_fail("the JSON export of a loaded model loads back different");
    clprop_model_destroy(again);
}

void fuzz_check_model(clprop_status status, clprop_model *model)
{
    if (status != CLPROP_SUCCESS) {
        if (model == NULL && status == CLPROP_ERROR_OUT_OF_HOST_MEMORY)
            return;
        check_failure(status, clprop_model_message(model), "clprop_model_load");
        if (clprop_model_layer_count(model) != 0 || clprop_model_optimizer(model, NULL, NULL,
                                                                           NULL, NULL))
            fuzz_fail("clprop_model_load failed (%s) but left a model behind",
                      clprop_status_name(status));
        clprop_model_destroy(model);
        return;
    }
    check_shape(model);
    check_optimizer(model);
    if (check_parameters(model))
        check_json_round_trip(model);
    clprop_model_destroy(model);
}
