/* The JSON export of a model, and reading it back.
 *
 * The export is one line:
 *   {"format":"clprop-model","version":1,"loss":"mse","layers":[{"inputs":2,"outputs":2,
 *    "activation":"linear","bias":false,"weights":[[0.11,0.21],[0.12,0.08]]},...]}
 * where "weights" holds `outputs` rows of `inputs` numbers, and a layer with "bias":true adds
 * "biases":[...] with `outputs` numbers. Each number is the shortest decimal that reads back as
 * exactly the same float32, so export then import changes no bit.
 *
 * Writing streams with fprintf (no copy of the model in memory). Reading holds the text once and
 * walks it in place (json_text.h), so it needs the text, the model, and nothing that grows with
 * the document's shape. Keys the reader does not know are ignored, so later versions can add some
 * without breaking it.
 */
#include "model_internal.h"
#include "input_file.h"
#include "json_text.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define JSON_FORMAT_NAME "clprop-model"
#define JSON_VERSION 1

/* ---- Writing --------------------------------------------------------------------------------- */

/* The shortest "%.Ng" that reads back as exactly `value`, both through strtof and through strtod
 * then a cast to float, because JSON readers (cJSON among them) parse numbers as double. From 6
 * digits on, the first precision that works is the shortest; "%.17g" is the exact double, which
 * always works. */
static void format_float(char *text, size_t size, float value)
{
    for (int precision = 6; precision <= 9; precision++) {
        snprintf(text, size, "%.*g", precision, (double)value);
        if (strtof(text, NULL) == value && (float)strtod(text, NULL) == value)
            return;
    }
    snprintf(text, size, "%.17g", (double)value);
}

static void write_numbers(FILE *out, const float *values, size_t count)
{
    char text[32];
    putc('[', out);
    for (size_t i = 0; i < count; i++) {
        format_float(text, sizeof text, values[i]);
        fprintf(out, i == 0 ? "%s" : ",%s", text);
    }
    putc(']', out);
}

static void write_layer(FILE *out, const clprop_model *model, size_t layer)
{
    size_t inputs = model->units[layer - 1], outputs = model->units[layer];
    fprintf(out, "{\"inputs\":%zu,\"outputs\":%zu,\"activation\":\"%s\",\"bias\":%s,\"weights\":[",
            inputs, outputs, clprop_activation_name(model->activations[layer - 1]),
            model->has_bias ? "true" : "false");
    for (size_t row = 0; row < outputs; row++) {
        if (row > 0)
            putc(',', out);
        write_numbers(out, model->weights[layer] + row * inputs, inputs);
    }
    putc(']', out);
    if (model->has_bias) {
        fputs(",\"biases\":", out);
        write_numbers(out, model->biases[layer], outputs);
    }
    putc('}', out);
}

/* "inputs" or "targets": {"kind":...,"offset":[...],"scale":[...]} */
static void write_scaling_side(FILE *out, const char *name, clprop_scaling_kind kind,
                               const float *offset, const float *scale, size_t count)
{
    fprintf(out, "\"%s\":{\"kind\":\"%s\",\"offset\":", name, clprop_scaling_name(kind));
    write_numbers(out, offset, count);
    fputs(",\"scale\":", out);
    write_numbers(out, scale, count);
    putc('}', out);
}

/* ,"scaling":{"inputs":{...},"targets":{...}}, each side only when it is scaled */
static void write_scaling(FILE *out, const clprop_model *model)
{
    const clprop_scaling *s = &model->scaling.view;
    if (!clprop_scaling_present(&model->scaling))
        return;
    fputs(",\"scaling\":{", out);
    if (s->input_kind != CLPROP_SCALING_NONE)
        write_scaling_side(out, "inputs", s->input_kind, s->input_offset, s->input_scale,
                           s->inputs);
    if (s->target_kind != CLPROP_SCALING_NONE) {
        if (s->input_kind != CLPROP_SCALING_NONE)
            putc(',', out);
        write_scaling_side(out, "targets", s->target_kind, s->target_offset, s->target_scale,
                           s->outputs);
    }
    putc('}', out);
}

static void write_document(FILE *out, const clprop_model *model)
{
    fprintf(out, "{\"format\":\"" JSON_FORMAT_NAME "\",\"version\":%d,\"loss\":\"%s\",\"layers\":[",
            JSON_VERSION, clprop_loss_name(model->loss));
    for (size_t layer = 1; layer <= model->layer_count; layer++) {
        if (layer > 1)
            putc(',', out);
        write_layer(out, model, layer);
    }
    putc(']', out);
    write_scaling(out, model);
    fputs("}\n", out);
}

static clprop_status check_finite_values(clprop_model *model, size_t layer, const char *what,
                                        const float *values, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(values[i]))
            return clprop_fail(&model->message, CLPROP_ERROR_NOT_FINITE,
                               "JSON export: layer %zu: %s %zu is %g, which JSON cannot hold",
                               layer, what, i, (double)values[i]);
    }
    return CLPROP_SUCCESS;
}

/* JSON has no NaN or infinity; refuse before writing anything rather than stop halfway. */
static clprop_status check_finite(clprop_model *model)
{
    for (size_t layer = 1; layer <= model->layer_count; layer++) {
        size_t outputs = model->units[layer];
        clprop_status status = check_finite_values(model, layer, "weight", model->weights[layer],
                                                   outputs * model->units[layer - 1]);
        if (status == CLPROP_SUCCESS && model->has_bias)
            status = check_finite_values(model, layer, "bias", model->biases[layer], outputs);
        if (status != CLPROP_SUCCESS)
            return status;
    }
    return CLPROP_SUCCESS;
}

clprop_status clprop_model_write_json(clprop_model *model, FILE *out)
{
    if (model == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (out == NULL || model->layer_count == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "JSON export: %s", out == NULL ? "out is NULL" : "the model is empty");
    clprop_status status = check_finite(model);
    if (status != CLPROP_SUCCESS)
        return status;
    /* Numbers need a '.' whatever locale the program chose; uselocale changes this thread only. */
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "JSON export: cannot make the C locale: %s", strerror(errno));
    locale_t previous = uselocale(c_locale);
    write_document(out, model);
    uselocale(previous);
    freelocale(c_locale);
    if (fflush(out) != 0 || ferror(out))
        return clprop_fail(&model->message, CLPROP_ERROR_IO, "cannot write the JSON export: %s",
                           strerror(errno));
    return CLPROP_SUCCESS;
}

/* ---- Reading --------------------------------------------------------------------------------- */

/* The whole file as NUL-terminated text: one allocation of the file's size, so the text costs what
 * the file holds; a file over the limit is refused before anything is read. */
static clprop_status read_text(clprop_message *message, FILE *file, const char *path, char **text,
                               size_t *length)
{
    struct stat info;
    if (fstat(fileno(file), &info) != 0)
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: cannot stat: %s", path,
                           strerror(errno));
    uint64_t size = (uint64_t)info.st_size;
    if (size > CLPROP_MODEL_MAX_JSON_BYTES)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: %" PRIu64 " bytes, more than the %u MiB a JSON model may have "
                           "(it is read whole into memory): use the binary model file instead",
                           path, size, CLPROP_MODEL_MAX_JSON_BYTES >> 20);
    char *buffer = malloc((size_t)size + 1);
    if (buffer == NULL)
        return clprop_fail(message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory for %" PRIu64 " bytes of JSON", path, size);
    size_t used = fread(buffer, 1, (size_t)size, file);
    if (ferror(file) || used < size) {
        free(buffer);
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: byte %zu: cannot read: %s", path, used,
                           ferror(file) ? strerror(errno) : "the file shrank while being read");
    }
    buffer[used] = '\0';
    *text = buffer;
    *length = used;
    return CLPROP_SUCCESS;
}

/* What the reader knows while it goes through the document (checked JSON text, values named by
 * their offsets: json_text.h); messages name `path`. */
typedef struct json_reader {
    clprop_message *message;
    const char *path;
    const char *text;
} json_reader;

static size_t member(const json_reader *reader, size_t object, const char *key)
{
    return clprop_json_member(reader->text, object, key);
}

static clprop_json_type type_of(const json_reader *reader, size_t value)
{
    return clprop_json_type_of(reader->text, value);
}

static int is_number(const json_reader *reader, size_t value)
{
    return type_of(reader, value) == CLPROP_JSON_NUMBER;
}

static double number(const json_reader *reader, size_t value)
{
    return clprop_json_number(reader->text, value);
}

/* A whole number from 1 to `limit`, or 0. */
static size_t count_value(const json_reader *reader, size_t item, size_t limit)
{
    if (!is_number(reader, item))
        return 0;
    double value = number(reader, item);
    if (!(value >= 1 && value <= (double)limit) || value != floor(value))
        return 0;
    return (size_t)value;
}

static clprop_status check_format_name(const json_reader *reader, size_t root)
{
    size_t format = member(reader, root, "format");
    if (type_of(reader, format) != CLPROP_JSON_STRING)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: \"format\" is %s, expected \"" JSON_FORMAT_NAME "\"", reader->path,
                           format == CLPROP_JSON_NONE ? "missing" : "not a string");
    if (clprop_json_string_is(reader->text, format, JSON_FORMAT_NAME))
        return CLPROP_SUCCESS;
    /* One byte more than a message shows, so clprop_quote sees that the name goes on. */
    char name[CLPROP_QUOTE_BYTES + 2], shown[CLPROP_QUOTE_SIZE];
    size_t length = clprop_json_string(reader->text, format, name, sizeof name);
    clprop_quote(shown, name, length < sizeof name ? length : sizeof name - 1);
    return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                       "%s: \"format\" is \"%s\", expected \"" JSON_FORMAT_NAME "\"", reader->path,
                       shown);
}

static clprop_status read_header_fields(const json_reader *reader, size_t root, clprop_loss *loss)
{
    CLPROP_CHECK(check_format_name(reader, root));
    size_t version = member(reader, root, "version");
    if (is_number(reader, version) && number(reader, version) > JSON_VERSION)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: \"version\" %g is newer than this clprop reads (%d)", reader->path,
                           number(reader, version), JSON_VERSION);
    if (!is_number(reader, version) || number(reader, version) != JSON_VERSION)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: \"version\" is missing or not %d", reader->path, JSON_VERSION);
    size_t loss_item = member(reader, root, "loss");
    char name[32];
    if (type_of(reader, loss_item) != CLPROP_JSON_STRING ||
        clprop_json_string(reader->text, loss_item, name, sizeof name) >= sizeof name ||
        !clprop_loss_from_name(name, loss))
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: \"loss\" is missing or unknown (expected \"mse\" or \"ce\")",
                           reader->path);
    return CLPROP_SUCCESS;
}

static clprop_status check_bias_fields(const json_reader *reader, size_t item, size_t layer,
                                       int *has_bias)
{
    clprop_json_type bias = type_of(reader, member(reader, item, "bias"));
    if (bias != CLPROP_JSON_TRUE && bias != CLPROP_JSON_FALSE)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"bias\" is missing or not true/false", reader->path,
                           layer);
    int this_bias = bias == CLPROP_JSON_TRUE;
    if (layer == 1)
        *has_bias = this_bias;
    else if (this_bias != *has_bias)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"bias\" is %s but layer 1's is %s (a clprop network "
                           "has biases on every layer or on none)", reader->path, layer,
                           this_bias ? "true" : "false", *has_bias ? "true" : "false");
    int has_biases = member(reader, item, "biases") != CLPROP_JSON_NONE;
    if (this_bias && !has_biases)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"bias\" is true but \"biases\" is missing",
                           reader->path, layer);
    if (!this_bias && has_biases)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"biases\" given but \"bias\" is false", reader->path,
                           layer);
    return CLPROP_SUCCESS;
}

/* `array` is a JSON array of `count` entries; `what` names it in messages. */
static clprop_status check_length(const json_reader *reader, size_t layer, const char *what,
                                  size_t array, size_t count)
{
    if (type_of(reader, array) != CLPROP_JSON_ARRAY)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: %s is not an array", reader->path, layer, what);
    size_t found = clprop_json_count(reader->text, array);
    if (found != count)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: %s has %zu numbers, expected %zu", reader->path, layer,
                           what, found, count);
    return CLPROP_SUCCESS;
}

/* The layer's "weights" (outputs rows of inputs entries) and "biases" hold exactly what its shape
 * needs. Checked with the shape, before the model allocates its parameters from it: otherwise a
 * few bytes claiming 2^24 × 2^24 units ask for a petabyte, and the parameters a document can
 * make the reader allocate are no longer bounded by the entries it holds. */
static clprop_status check_arrays(const json_reader *reader, size_t item, size_t layer,
                                  size_t inputs, size_t outputs, int has_bias)
{
    size_t weights = member(reader, item, "weights");
    if (type_of(reader, weights) != CLPROP_JSON_ARRAY)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"weights\" is missing or not an array", reader->path,
                           layer);
    size_t rows = clprop_json_count(reader->text, weights);
    if (rows != outputs)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"weights\" has %zu rows, expected %zu", reader->path,
                           layer, rows, outputs);
    size_t row_index = 0;
    CLPROP_JSON_FOR_EACH(row, reader->text, weights) {
        char what[64];
        snprintf(what, sizeof what, "\"weights\" row %zu", row_index++);
        CLPROP_CHECK(check_length(reader, layer, what, row, inputs));
    }
    if (!has_bias)
        return CLPROP_SUCCESS;
    return check_length(reader, layer, "\"biases\"", member(reader, item, "biases"), outputs);
}

static clprop_status read_activation(const json_reader *reader, size_t item, size_t layer,
                                     clprop_activation *activation)
{
    size_t value = member(reader, item, "activation");
    char name[32];
    size_t length = type_of(reader, value) == CLPROP_JSON_STRING
                        ? clprop_json_string(reader->text, value, name, sizeof name)
                        : sizeof name;
    /* a "\u0000" inside would end the name early: "sigmoid\u0000x" is no activation */
    if (length >= sizeof name || strlen(name) != length ||
        !clprop_activation_from_name(name, activation)) {
        char known[128] = "";
        for (int a = 0; clprop_activation_name((clprop_activation)a) != NULL; a++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s\"%s\"",
                     a == 0 ? "" : ", ", clprop_activation_name((clprop_activation)a));
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"activation\" is missing or unknown (expected one of "
                           "%s)",
                           reader->path, layer, known);
    }
    return CLPROP_SUCCESS;
}

/* One layer's inputs, outputs, activation and bias flag, into the description being built. */
static clprop_status read_layer_shape(const json_reader *reader, size_t item, size_t layer,
                                      size_t *sizes, clprop_activation *activations, int *has_bias)
{
    if (type_of(reader, item) != CLPROP_JSON_OBJECT)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT, "%s: layer %zu is not an object",
                           reader->path, layer);
    const char *keys[2] = {"inputs", "outputs"};
    size_t counts[2];
    for (int k = 0; k < 2; k++) {
        counts[k] = count_value(reader, member(reader, item, keys[k]), CLPROP_MODEL_MAX_UNITS);
        if (counts[k] == 0)
            return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                               "%s: layer %zu: \"%s\" is missing or not a whole number from 1 "
                               "to %u", reader->path, layer, keys[k], CLPROP_MODEL_MAX_UNITS);
    }
    if (layer > 1 && counts[0] != sizes[layer - 1])
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: layer %zu: \"inputs\" is %zu but layer %zu has %zu outputs",
                           reader->path, layer, counts[0], layer - 1, sizes[layer - 1]);
    sizes[layer - 1] = counts[0];
    sizes[layer] = counts[1];
    CLPROP_CHECK(read_activation(reader, item, layer, &activations[layer - 1]));
    CLPROP_CHECK(check_bias_fields(reader, item, layer, has_bias));
    return check_arrays(reader, item, layer, counts[0], counts[1], *has_bias);
}

/* Reads the shape of every layer, checks it as a whole, and gives the model that shape. */
static clprop_status read_shape(const json_reader *reader, clprop_model *model, size_t layers,
                                clprop_loss loss)
{
    size_t layer_count = clprop_json_count(reader->text, layers);
    if (layer_count < 1 || layer_count > CLPROP_MODEL_MAX_LAYERS)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: \"layers\" has %zu entries, expected 1 to %d", reader->path,
                           layer_count, CLPROP_MODEL_MAX_LAYERS);
    size_t *sizes = malloc((layer_count + 1) * sizeof *sizes);
    clprop_activation *activations = malloc(layer_count * sizeof *activations);
    clprop_status status = CLPROP_SUCCESS;
    if (sizes == NULL || activations == NULL)
        status = clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                             "%s: out of host memory for the layer table", reader->path);
    int has_bias = 0;
    size_t layer = 1;
    CLPROP_JSON_FOR_EACH(item, reader->text, layers) {
        if (status != CLPROP_SUCCESS)
            break;
        status = read_layer_shape(reader, item, layer++, sizes, activations, &has_bias);
    }
    clprop_net_desc desc = {.layer_count = layer_count, .sizes = sizes, .activations = activations,
                            .no_bias = !has_bias, .loss = loss};
    if (status == CLPROP_SUCCESS)
        status = clprop_model_set_shape(model, &desc, reader->path);
    free(sizes);
    free(activations);
    return status;
}

/* `count` finite float32 numbers from a JSON array; `what` names it in messages. */
static clprop_status read_numbers(const json_reader *reader, size_t layer, const char *what,
                                  size_t array, float *values, size_t count)
{
    CLPROP_CHECK(check_length(reader, layer, what, array, count));
    size_t i = 0;
    CLPROP_JSON_FOR_EACH(item, reader->text, array) {
        if (!is_number(reader, item))
            return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                               "%s: layer %zu: %s, entry %zu is not a number", reader->path, layer,
                               what, i);
        double value = number(reader, item);
        values[i] = (float)value;
        /* JSON has no NaN or infinity, but a number beyond float32's range becomes infinite. */
        if (!isfinite(values[i]))
            return clprop_fail(reader->message, CLPROP_ERROR_NOT_FINITE,
                               "%s: layer %zu: %s, entry %zu is %g, beyond float32 (a weight or "
                               "bias must be finite)", reader->path, layer, what, i, value);
        i++;
    }
    return CLPROP_SUCCESS;
}

static clprop_status read_weights(const json_reader *reader, clprop_model *model, size_t layer,
                                  size_t item)
{
    /* check_arrays has seen that they hold what the shape needs */
    size_t inputs = model->units[layer - 1], outputs = model->units[layer];
    size_t row_index = 0;
    CLPROP_JSON_FOR_EACH(row, reader->text, member(reader, item, "weights")) {
        char what[64];
        snprintf(what, sizeof what, "\"weights\" row %zu", row_index);
        CLPROP_CHECK(read_numbers(reader, layer, what, row,
                                  model->weights[layer] + row_index * inputs, inputs));
        row_index++;
    }
    if (!model->has_bias)
        return CLPROP_SUCCESS;
    return read_numbers(reader, layer, "\"biases\"", member(reader, item, "biases"),
                        model->biases[layer], outputs);
}

/* One side of "scaling": its kind and `count` finite offsets and scales into values. */
static clprop_status read_scaling_side(const json_reader *reader, size_t side, const char *name,
                                       size_t count, clprop_scaling_kind *kind, float *values)
{
    char text[16] = "";
    size_t kind_value = member(reader, side, "kind");
    if (type_of(reader, side) != CLPROP_JSON_OBJECT ||
        type_of(reader, kind_value) != CLPROP_JSON_STRING ||
        clprop_json_string(reader->text, kind_value, text, sizeof text) >= sizeof text ||
        !clprop_scaling_from_name(text, kind) || *kind == CLPROP_SCALING_NONE)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: \"scaling\": \"%s\" needs \"kind\" (\"standard\" or \"minmax\"), "
                           "\"offset\" and \"scale\"", reader->path, name);
    static const char *const arrays[] = {"offset", "scale"};
    for (size_t a = 0; a < 2; a++) {
        size_t array = member(reader, side, arrays[a]), i = 0;
        if (type_of(reader, array) != CLPROP_JSON_ARRAY ||
            clprop_json_count(reader->text, array) != count)
            return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                               "%s: \"scaling\": \"%s\": \"%s\" must be an array of %zu numbers",
                               reader->path, name, arrays[a], count);
        CLPROP_JSON_FOR_EACH(item, reader->text, array) {
            float value = is_number(reader, item) ? (float)number(reader, item) : NAN;
            if (!isfinite(value) || (a == 1 && value == 0.0f))
                return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                                   "%s: \"scaling\": \"%s\": \"%s\" entry %zu is not a finite "
                                   "float%s", reader->path, name, arrays[a], i,
                                   a == 1 ? " other than 0" : "");
            values[a * count + i++] = value;
        }
    }
    return CLPROP_SUCCESS;
}

static clprop_status read_scaling(const json_reader *reader, clprop_model *model, size_t root)
{
    size_t scaling = member(reader, root, "scaling");
    if (scaling == CLPROP_JSON_NONE)
        return CLPROP_SUCCESS;
    if (type_of(reader, scaling) != CLPROP_JSON_OBJECT)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT, "%s: \"scaling\" is not an "
                           "object", reader->path);
    size_t inputs = model->units[0], outputs = model->units[model->layer_count];
    float *values = malloc(2 * (inputs + outputs) * sizeof *values);
    if (values == NULL)
        return clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory for the scaling", reader->path);
    clprop_scaling s = {0};
    size_t in_side = member(reader, scaling, "inputs"), out_side = member(reader, scaling,
                                                                          "targets");
    clprop_status status = CLPROP_SUCCESS;
    if (in_side != CLPROP_JSON_NONE) {
        status = read_scaling_side(reader, in_side, "inputs", inputs, &s.input_kind, values);
        s = (clprop_scaling){s.input_kind, 0, inputs, 0, values, values + inputs, NULL, NULL};
    }
    float *target_values = values + 2 * inputs;
    if (status == CLPROP_SUCCESS && out_side != CLPROP_JSON_NONE) {
        status = read_scaling_side(reader, out_side, "targets", outputs, &s.target_kind,
                                   target_values);
        s.outputs = outputs;
        s.target_offset = target_values;
        s.target_scale = target_values + outputs;
    }
    char problem[256];
    if (status == CLPROP_SUCCESS &&
        !clprop_scaling_check(&s, inputs, outputs, model->activations[model->layer_count - 1],
                              problem, sizeof problem))
        status = clprop_fail(reader->message, CLPROP_ERROR_FORMAT, "%s: \"scaling\": %s",
                             reader->path, problem);
    if (status == CLPROP_SUCCESS && clprop_scaling_copy_from(&model->scaling, &s) != 0)
        status = clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                             "%s: out of host memory for the scaling", reader->path);
    free(values);
    return status;
}

static clprop_status read_document(const json_reader *reader, clprop_model *model)
{
    size_t root = clprop_json_root(reader->text);
    if (type_of(reader, root) != CLPROP_JSON_OBJECT)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT, "%s: not a JSON object",
                           reader->path);
    clprop_loss loss;
    CLPROP_CHECK(read_header_fields(reader, root, &loss));
    size_t layers = member(reader, root, "layers");
    if (type_of(reader, layers) != CLPROP_JSON_ARRAY)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: \"layers\" is missing or not an array", reader->path);
    clprop_status status = read_shape(reader, model, layers, loss);
    size_t layer = 1;
    CLPROP_JSON_FOR_EACH(item, reader->text, layers) {
        if (status != CLPROP_SUCCESS)
            break;
        status = read_weights(reader, model, layer++, item);
    }
    if (status == CLPROP_SUCCESS)
        status = read_scaling(reader, model, root);
    return status;
}

static size_t line_of(const char *text, size_t offset)
{
    size_t line = 1;
    for (size_t i = 0; i < offset; i++)
        line += text[i] == '\n';
    return line;
}

/* The document checked against JSON's grammar, naming the byte where it stops being JSON. */
static clprop_status check_syntax(clprop_message *message, const char *path, const char *text,
                                  size_t length)
{
    const char *nul = memchr(text, '\0', length);
    size_t offset;
    int too_deep = 0;
    if (nul != NULL)
        offset = (size_t)(nul - text);
    else if (clprop_json_check(text, length, &offset, &too_deep))
        return CLPROP_SUCCESS;
    if (too_deep)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte %zu (line %zu): arrays and objects nested too deeply (more "
                           "than %d levels)", path, offset, line_of(text, offset),
                           CLPROP_JSON_MAX_DEPTH);
    return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: byte %zu (line %zu): not valid JSON",
                       path, offset, line_of(text, offset));
}

clprop_status clprop_model_read_json(clprop_model *model, FILE *file, const char *path)
{
    char *text = NULL;
    size_t length = 0;
    CLPROP_CHECK(read_text(&model->message, file, path, &text, &length));
    /* A UTF-8 byte-order mark (some editors write one) read as white space: byte offsets in
     * messages stay those of the file. */
    memset(text, ' ', clprop_byte_order_mark_length(text, length));
    clprop_status status = check_syntax(&model->message, path, text, length);
    if (status == CLPROP_SUCCESS) {
        /* strtod reads JSON's '.' only in the C locale; uselocale changes this thread only. */
        locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (c_locale == (locale_t)0) {
            status = clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                                 "%s: cannot make the C locale: %s", path, strerror(errno));
        } else {
            locale_t previous = uselocale(c_locale);
            json_reader reader = {&model->message, path, text};
            status = read_document(&reader, model);
            uselocale(previous);
            freelocale(c_locale);
        }
    }
    free(text);
    return status;
}
