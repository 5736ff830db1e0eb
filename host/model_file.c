/* The binary model file: reading it with every size checked before anything is allocated, and
 * saving it atomically.
 *
 * Layout. Integers are unsigned and little-endian, floats IEEE-754 binary32 (the one double,
 * binary64) little-endian, on every host: bytes are assembled with shifts, never copied from
 * memory as they lie.
 *
 *   offset     size    field
 *   0          8       magic "CLPROPMD"
 *   8          4       format version, 1. A reader refuses a higher one. Additions that older
 *                      readers may ignore come as optional sections and need no new version.
 *   12         4       L, the number of weight layers, 1 to 1024
 *   16         4       loss: 0 mse, 1 cross-entropy
 *   20         4       flags: bit 0 set when every layer has biases; other bits must be 0
 *   24         4       S, the number of sections after the parameters, at most 256
 *   28         12·L    for each layer 1..L: inputs, outputs, activation (clprop_activation's
 *                      value: 0 sigmoid, 1 linear, 2 softmax, ...); a layer's inputs equal the
 *                      previous layer's outputs
 *   28 + 12·L  4·P     parameters, for each layer 1..L: its weights (outputs × inputs, row-major:
 *                      the weight from input i to unit o at [o·inputs + i]), then its biases
 *                      (outputs) when flag bit 0 is set
 *   ...                S sections, each a tag (4 ASCII bytes), flags (4; bit 0: required — a
 *                      reader that does not know the tag must refuse the file), a payload size N
 *                      (8) and N bytes of payload. Unknown optional sections are skipped, unknown
 *                      required ones refused, and each known tag may appear once.
 *   end − 4    4       CRC-32 (zlib's crc32) of every byte before it, sections included
 *
 * The file ends right after the CRC; anything after it is refused as damage.
 *
 * Known sections, all written as optional: a reader that predates them still loads the weights.
 *
 *   "OPTM", the optimizer, so training continues where it stopped. N = 44 + 4·F.
 *     0    4   kind: 0 sgd, 1 momentum, 2 adam, 3 rprop
 *     4    4   flags: bit 0 Nesterov; other bits must be 0
 *     8    20  momentum, beta1, beta2, epsilon, weight decay: float32 each, defaults filled in
 *     28   8   steps, the updates made so far
 *     36   8   F, the number of state floats: 0 for sgd, else (1 for momentum, 2 for adam and
 *              rprop) × P, in clprop_net_get_optimizer_state's order
 *     44   4·F the state, float32, all finite
 *
 *   "TRST", a checkpoint's training progress (clprop_training_state). N = 96, or 104 when the
 *   schedule scales the rate with the batch (56 in files made before the run's settings were
 *   kept: the fields from 56 on then read as 0; 96: no scaling).
 *     0    8   epochs done
 *     8    8   samples of the next epoch already trained (an interrupted epoch)
 *     16   8   the run's seed
 *     24   8   the shuffle generator's state
 *     32   8   the best validation loss, float64 (+inf while there is none; never NaN)
 *     40   8   the epoch that reached it
 *     48   8   epochs since it improved
 *     56   8   the batch
 *     64   4   the learning rate, float32
 *     68   4   the validation share, float32
 *     72   4   the schedule: 0 constant, 1 step, 2 cosine
 *     76   4   its step factor, float32
 *     80   8   its warm-up epochs
 *     88   8   its epochs between steps
 *     96   8   its reference batch (linear scaling; the section is 96 bytes when this is 0)
 *
 *   "EPRT", the figures of an interrupted epoch's first part (clprop_model_interrupted_epoch),
 *   written when a checkpoint stops inside an epoch (an older reader skips it and
 *   reports the resumed epoch's rest only). Only with "TRST", whose samples done it covers.
 *   N = 32.
 *     0    8   the mean loss, float64
 *     8    8   the mean squared error, float64
 *     16   8   the samples classified right
 *     24   8   the seconds they took, float64
 *   Each a finite number; the MSE and the seconds from 0, the count at most the samples done.
 *
 *   "EPSZ", the samples of the interrupted epoch whole (the training set a checkpoint stopped
 *   inside: a resumed run with another set would mix two shuffles), written with "TRST" when
 *   its samples done are not 0; an older reader skips it. N = 8.
 *     0    8   the samples of the epoch, more than the samples done
 *
 *   "SCAL", the input and target scaling (clprop_scaling), written as required: an older reader
 *   that ignored it would feed the network unscaled data and print outputs in the wrong units, so
 *   it refuses the file instead. Files without scaling have no such section and load everywhere.
 *   N = 24 + 8·(I + O).
 *     0    4   input scaling: 0 none, 1 standard, 2 minmax
 *     4    4   target scaling, the same
 *     8    8   I, inputs scaled: 0 with no input scaling, else the network's inputs
 *     16   8   O, targets scaled: 0 with no target scaling, else the network's outputs
 *     24   4·I input offsets, then 4·I input scales (x' = (x − offset)·scale), float32
 *     ...  4·O target offsets, then 4·O target scales (outputs go back as y'/scale + offset)
 *   Every offset and scale is finite and every scale non-zero; a softmax output has no target
 *   scaling.
 *   "DROP", dropout while training (clprop_net_set_dropout), written when a hidden layer has a
 *   rate: N = 8 + 4·(L − 1).
 *     0    8   the masks' seed
 *     8    4·(L − 1)  the rate of each hidden layer 1..L−1, float32, from 0 up to below 1
 */
#include "model_internal.h"
#include "optimizer.h"
#include "output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

_Static_assert(sizeof(float) == 4 && sizeof(uint32_t) == 4, "clprop stores float32 weights");
_Static_assert(sizeof(double) == 8, "the best loss is stored as a float64");

#define FORMAT_VERSION 1u
#define HEADER_SIZE 28
#define LAYER_ENTRY_SIZE 12
#define SECTION_HEADER_SIZE 16
#define CHECKSUM_SIZE 4
#define FLAG_BIASES 1u
#define SECTION_REQUIRED 1u
#define MAX_SECTIONS 256u
#define CHUNK_FLOATS 4096 /* floats converted per write: 16 KiB of stack */
#define OPTIMIZER_TAG "OPTM"
#define OPTIMIZER_FIXED_SIZE 44
#define OPTIMIZER_NESTEROV 1u
#define TRAINING_TAG "TRST"
#define TRAINING_SIZE 104
#define TRAINING_SIZE_UNSCALED 96
#define TRAINING_SIZE_BEFORE_SETTINGS 56
#define SCALING_TAG "SCAL"
#define SCALING_FIXED_SIZE 24
#define DROPOUT_TAG "DROP"
#define EPOCH_PART_TAG "EPRT"
#define EPOCH_PART_SIZE 32
#define EPOCH_SIZE_TAG "EPSZ"
#define EPOCH_SIZE_SIZE 8

/* ---- Bytes ----------------------------------------------------------------------------------- */

static uint32_t load_u32(const unsigned char *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
           (uint32_t)bytes[3] << 24;
}

static uint64_t load_u64(const unsigned char *bytes)
{
    return (uint64_t)load_u32(bytes) | (uint64_t)load_u32(bytes + 4) << 32;
}

static void store_u32(unsigned char *bytes, uint32_t value)
{
    bytes[0] = (unsigned char)value;
    bytes[1] = (unsigned char)(value >> 8);
    bytes[2] = (unsigned char)(value >> 16);
    bytes[3] = (unsigned char)(value >> 24);
}

static void store_u64(unsigned char *bytes, uint64_t value)
{
    store_u32(bytes, (uint32_t)value);
    store_u32(bytes + 4, (uint32_t)(value >> 32));
}

static float load_f32(const unsigned char *bytes)
{
    uint32_t bits = load_u32(bytes);
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static void store_f32(unsigned char *bytes, float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    store_u32(bytes, bits);
}

static double load_f64(const unsigned char *bytes)
{
    uint64_t bits = load_u64(bytes);
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static void store_f64(unsigned char *bytes, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    store_u64(bytes, bits);
}

/* zlib's crc32 takes an unsigned int length; feed it a gigabyte at a time. */
static uLong crc_update(uLong crc, const unsigned char *bytes, size_t count)
{
    while (count > 0) {
        uInt piece = count > (1u << 30) ? (1u << 30) : (uInt)count;
        crc = crc32(crc, bytes, piece);
        bytes += piece;
        count -= piece;
    }
    return crc;
}

/* ---- Reading --------------------------------------------------------------------------------- */

typedef struct file_reader {
    FILE *file;
    const char *path;
    clprop_message *message;
    uint64_t size;   /* the file's length, known first so declared sizes are checked before use */
    uint64_t offset; /* bytes consumed */
    uLong crc;       /* of the bytes consumed */
} file_reader;

static clprop_status ends_early(file_reader *reader, uint64_t count, const char *what)
{
    return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                       "%s: byte %" PRIu64 ": file ends early (expected %" PRIu64 " bytes of %s)",
                       reader->path, reader->offset, count, what);
}

/* Reads `count` bytes of `what` (for the message) and adds them to the checksum. */
static clprop_status read_exactly(file_reader *reader, void *bytes, size_t count, const char *what)
{
    if (count > reader->size - reader->offset)
        return ends_early(reader, count, what);
    size_t got = fread(bytes, 1, count, reader->file);
    if (got < count) {
        if (ferror(reader->file))
            return clprop_fail(reader->message, CLPROP_ERROR_IO,
                               "%s: byte %" PRIu64 ": cannot "
                               "read: %s",
                               reader->path, reader->offset + got, strerror(errno));
        return ends_early(reader, count, what); /* the file shrank while being read */
    }
    reader->crc = crc_update(reader->crc, bytes, count);
    reader->offset += count;
    return CLPROP_SUCCESS;
}

static clprop_status start_reading(file_reader *reader, clprop_model *model, FILE *file,
                                   const char *path)
{
    *reader = (file_reader){file, path, &model->message, 0, 0, crc32(0, Z_NULL, 0)};
    struct stat info;
    if (fstat(fileno(file), &info) != 0)
        return clprop_fail(&model->message, CLPROP_ERROR_IO, "%s: cannot stat: %s", path,
                           strerror(errno));
    if (!S_ISREG(info.st_mode))
        return clprop_fail(&model->message, CLPROP_ERROR_IO, "%s: not a regular file", path);
    reader->size = (uint64_t)info.st_size;
    return CLPROP_SUCCESS;
}

typedef struct file_header {
    uint32_t version, layer_count, loss, flags, section_count;
} file_header;

/* Checks each header field as soon as it is known: the version first, since a newer file may
 * mean anything after it. */
static clprop_status check_header(const file_reader *reader, const file_header *header)
{
    clprop_message *message = reader->message;
    const char *path = reader->path;
    if (header->version > FORMAT_VERSION)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: format version %" PRIu32 " is newer than this clprop reads (%u)",
                           path, header->version, FORMAT_VERSION);
    if (header->version < 1)
        return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: format version 0 does not exist",
                           path);
    if (header->layer_count < 1 || header->layer_count > CLPROP_MODEL_MAX_LAYERS)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte 12: layer count %" PRIu32 ", expected 1 to %d", path,
                           header->layer_count, CLPROP_MODEL_MAX_LAYERS);
    if (header->loss > INT_MAX || clprop_loss_name((clprop_loss)header->loss) == NULL)
        return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: byte 16: unknown loss %" PRIu32, path,
                           header->loss);
    if ((header->flags & ~FLAG_BIASES) != 0)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte 20: flags 0x%" PRIx32 " hold bits this clprop does not know",
                           path, header->flags);
    if (header->section_count > MAX_SECTIONS)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte 24: %" PRIu32 " sections, expected at most %u", path,
                           header->section_count, MAX_SECTIONS);
    return CLPROP_SUCCESS;
}

static clprop_status read_header(file_reader *reader, file_header *header)
{
    unsigned char bytes[HEADER_SIZE];
    *header = (file_header){0};
    clprop_status status = read_exactly(reader, bytes, CLPROP_MODEL_MAGIC_SIZE, "magic");
    if (status != CLPROP_SUCCESS)
        return status;
    if (memcmp(bytes, CLPROP_MODEL_MAGIC, CLPROP_MODEL_MAGIC_SIZE) != 0)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: wrong magic (not a clprop model file)", reader->path);
    status = read_exactly(reader, bytes + 8, 4, "format version");
    if (status != CLPROP_SUCCESS)
        return status;
    header->version = load_u32(bytes + 8);
    /* A newer version may have a longer header: judge the version before reading more. */
    if (header->version > FORMAT_VERSION)
        return check_header(reader, header);
    status = read_exactly(reader, bytes + 12, HEADER_SIZE - 12, "header");
    if (status != CLPROP_SUCCESS)
        return status;
    header->layer_count = load_u32(bytes + 12);
    header->loss = load_u32(bytes + 16);
    header->flags = load_u32(bytes + 20);
    header->section_count = load_u32(bytes + 24);
    return check_header(reader, header);
}

/* Reads the layer table into sizes (L + 1) and activations (L). */
static clprop_status read_layer_table(file_reader *reader, size_t layer_count, size_t *sizes,
                                      clprop_activation *activations)
{
    for (size_t layer = 1; layer <= layer_count; layer++) {
        unsigned char bytes[LAYER_ENTRY_SIZE];
        char what[64];
        snprintf(what, sizeof what, "the entry of layer %zu", layer);
        uint64_t entry_offset = reader->offset;
        clprop_status status = read_exactly(reader, bytes, sizeof bytes, what);
        if (status != CLPROP_SUCCESS)
            return status;
        uint32_t inputs = load_u32(bytes), outputs = load_u32(bytes + 4);
        uint32_t activation = load_u32(bytes + 8);
        if (layer > 1 && inputs != sizes[layer - 1])
            return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                               "%s: byte %" PRIu64 ": layer %zu has %" PRIu32 " inputs, but layer "
                               "%zu has %zu outputs",
                               reader->path, entry_offset, layer, inputs, layer - 1,
                               sizes[layer - 1]);
        if (activation > INT_MAX || clprop_activation_name((clprop_activation)activation) == NULL)
            return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                               "%s: byte %" PRIu64 ": layer %zu: unknown activation %" PRIu32,
                               reader->path, entry_offset + 8, layer, activation);
        sizes[layer - 1] = inputs;
        sizes[layer] = outputs;
        activations[layer - 1] = (clprop_activation)activation;
    }
    return CLPROP_SUCCESS;
}

/* Refuses a header whose parameters cannot be in the rest of the file, before they are allocated:
 * a damaged or hostile header must not make clprop ask for gigabytes. Names the first layer that
 * does not fit. Within the shape limits these uint64_t sums cannot overflow. */
static clprop_status check_parameters_fit(file_reader *reader, const clprop_net_desc *desc)
{
    uint64_t offset = reader->offset;
    for (size_t layer = 1; layer <= desc->layer_count; layer++) {
        uint64_t inputs = desc->sizes[layer - 1], outputs = desc->sizes[layer];
        uint64_t pieces[2] = {4 * outputs * inputs, desc->no_bias ? 0 : 4 * outputs};
        const char *names[2] = {"weights", "biases"};
        for (int piece = 0; piece < 2; piece++) {
            if (pieces[piece] > reader->size - offset)
                return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                                   "%s: byte %" PRIu64 ": file ends early (expected %" PRIu64
                                   " bytes of %s for layer %zu)",
                                   reader->path, offset, pieces[piece], names[piece], layer);
            offset += pieces[piece];
        }
    }
    return CLPROP_SUCCESS;
}

/* Reads the header and the layer table, then gives the model that shape (all zero). */
static clprop_status read_shape(file_reader *reader, clprop_model *model, file_header *header)
{
    clprop_status status = read_header(reader, header);
    if (status != CLPROP_SUCCESS)
        return status;
    size_t layer_count = header->layer_count;
    size_t *sizes = malloc((layer_count + 1) * sizeof *sizes);
    clprop_activation *activations = malloc(layer_count * sizeof *activations);
    if (sizes == NULL || activations == NULL)
        status = clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                             "%s: out of host memory for the layer table", reader->path);
    else
        status = read_layer_table(reader, layer_count, sizes, activations);
    clprop_net_desc desc = {.layer_count = layer_count,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = !(header->flags & FLAG_BIASES),
                            .loss = (clprop_loss)header->loss};
    if (status == CLPROP_SUCCESS)
        status = clprop_model_check_shape(reader->message, reader->path, &desc);
    if (status == CLPROP_SUCCESS)
        status = check_parameters_fit(reader, &desc);
    if (status == CLPROP_SUCCESS)
        status = clprop_model_set_shape(model, &desc, reader->path);
    free(sizes);
    free(activations);
    return status;
}

/* Reads `count` floats straight into `values`, then turns each 4 bytes into a float in place: no
 * second copy of a large model. */
static clprop_status read_floats(file_reader *reader, float *values, size_t count, const char *what)
{
    unsigned char *bytes = (unsigned char *)values;
    clprop_status status = read_exactly(reader, bytes, count * sizeof(float), what);
    if (status != CLPROP_SUCCESS)
        return status;
    for (size_t i = 0; i < count; i++)
        values[i] = load_f32(bytes + i * sizeof(float));
    return CLPROP_SUCCESS;
}

static clprop_status read_parameters(file_reader *reader, clprop_model *model)
{
    return read_floats(reader, model->parameters, model->parameter_count, "weights and biases");
}

static clprop_status skip_payload(file_reader *reader, uint64_t size, const char *what)
{
    unsigned char chunk[4096];
    if (size > reader->size - reader->offset)
        return ends_early(reader, size, what);
    while (size > 0) {
        size_t piece = size > sizeof chunk ? sizeof chunk : (size_t)size;
        clprop_status status = read_exactly(reader, chunk, piece, what);
        if (status != CLPROP_SUCCESS)
            return status;
        size -= piece;
    }
    return CLPROP_SUCCESS;
}

static clprop_status bad_section(file_reader *reader, uint64_t offset, const char *tag,
                                 const char *problem)
{
    return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                       "%s: byte %" PRIu64 ": section "
                       "\"%s\": %s",
                       reader->path, offset, tag, problem);
}

/* The "OPTM" payload of `size` bytes (its header already read): the settings and counts first,
 * checked against the model and the section's size before the state is allocated. */
static clprop_status read_optimizer(file_reader *reader, clprop_model *model, uint64_t size)
{
    const char *what = "section \"" OPTIMIZER_TAG "\"";
    uint64_t start = reader->offset;
    char problem[256];
    if (size > reader->size - reader->offset)
        return ends_early(reader, size, what);
    if (size < OPTIMIZER_FIXED_SIZE) {
        snprintf(problem, sizeof problem, "%" PRIu64 " bytes, expected at least %d", size,
                 OPTIMIZER_FIXED_SIZE);
        return bad_section(reader, start - 8, OPTIMIZER_TAG, problem);
    }
    unsigned char bytes[OPTIMIZER_FIXED_SIZE];
    clprop_status status = read_exactly(reader, bytes, sizeof bytes, what);
    if (status != CLPROP_SUCCESS)
        return status;
    uint32_t kind = load_u32(bytes), flags = load_u32(bytes + 4);
    uint64_t steps = load_u64(bytes + 28), floats = load_u64(bytes + 36);
    if (kind > INT_MAX || clprop_optimizer_name((clprop_optimizer_kind)kind) == NULL) {
        snprintf(problem, sizeof problem, "unknown optimizer %" PRIu32, kind);
        return bad_section(reader, start, OPTIMIZER_TAG, problem);
    }
    const char *why;
    if (!clprop_optimizer_steps_go_on(steps, &why)) {
        snprintf(problem, sizeof problem, "%" PRIu64 " steps%s", steps, why);
        return bad_section(reader, start + 28, OPTIMIZER_TAG, problem);
    }
    if ((flags & ~OPTIMIZER_NESTEROV) != 0) {
        snprintf(problem, sizeof problem,
                 "flags 0x%" PRIx32 " hold bits this clprop does not "
                 "know",
                 flags);
        return bad_section(reader, start + 4, OPTIMIZER_TAG, problem);
    }
    if (floats != (size - OPTIMIZER_FIXED_SIZE) / sizeof(float) ||
        (size - OPTIMIZER_FIXED_SIZE) % sizeof(float) != 0) {
        snprintf(problem, sizeof problem,
                 "%" PRIu64 " state floats do not fill its %" PRIu64 " bytes", floats, size);
        return bad_section(reader, start + 36, OPTIMIZER_TAG, problem);
    }
    clprop_optimizer optimizer = {
        .kind = (clprop_optimizer_kind)kind,
        .nesterov = (flags & OPTIMIZER_NESTEROV) != 0,
        .momentum = load_f32(bytes + 8),
        .beta1 = load_f32(bytes + 12),
        .beta2 = load_f32(bytes + 16),
        .epsilon = load_f32(bytes + 20),
        .weight_decay = load_f32(bytes + 24),
    };
    clprop_optimizer resolved;
    static const uint64_t field_of_problem[] = {0, 0, 8, 36};
    clprop_model_optimizer_problem found =
        clprop_model_check_optimizer(model, &optimizer, floats, &resolved, problem, sizeof problem);
    if (found != CLPROP_MODEL_OPTIMIZER_FINE)
        return bad_section(reader, start + field_of_problem[found], OPTIMIZER_TAG, problem);
    /* floats matches the model's parameters, whose count fits size_t, and the file's size. */
    float *state = NULL;
    if (floats > 0) {
        state = malloc((size_t)floats * sizeof *state);
        if (state == NULL)
            return clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                               "%s: out of host memory for %" PRIu64 " floats of optimizer state",
                               reader->path, floats);
        status = read_floats(reader, state, (size_t)floats, "optimizer state");
        why = "";
        size_t bad =
            status == CLPROP_SUCCESS
                ? clprop_optimizer_first_bad_state(resolved.kind, state, model->units,
                                                   model->layer_count, model->has_bias, &why)
                : (size_t)floats;
        if (bad < floats) {
            snprintf(problem, sizeof problem, "state float %zu is %g%s", bad, (double)state[bad],
                     why);
            status = bad_section(reader, start + OPTIMIZER_FIXED_SIZE + 4 * (uint64_t)bad,
                                 OPTIMIZER_TAG, problem);
        }
        if (status != CLPROP_SUCCESS) {
            free(state);
            return status;
        }
    }
    clprop_model_attach_optimizer(model, &resolved, steps, state, (size_t)floats);
    return CLPROP_SUCCESS;
}

/* The "TRST" payload of `size` bytes (its header already read). */
static clprop_status read_training_state(file_reader *reader, clprop_model *model, uint64_t size)
{
    uint64_t start = reader->offset;
    char problem[256];
    if (size != TRAINING_SIZE && size != TRAINING_SIZE_UNSCALED &&
        size != TRAINING_SIZE_BEFORE_SETTINGS) {
        snprintf(problem, sizeof problem, "%" PRIu64 " bytes, expected %d (or %d, or %d)", size,
                 TRAINING_SIZE_UNSCALED, TRAINING_SIZE, TRAINING_SIZE_BEFORE_SETTINGS);
        return bad_section(reader, start - 8, TRAINING_TAG, problem);
    }
    unsigned char bytes[TRAINING_SIZE] = {0};
    clprop_status status =
        read_exactly(reader, bytes, (size_t)size, "section \"" TRAINING_TAG "\"");
    if (status != CLPROP_SUCCESS)
        return status;
    clprop_training_state state = {
        .epochs_done = load_u64(bytes),
        .samples_done = load_u64(bytes + 8),
        .seed = load_u64(bytes + 16),
        .shuffle_state = load_u64(bytes + 24),
        .best_loss = load_f64(bytes + 32),
        .best_epoch = load_u64(bytes + 40),
        .stale_epochs = load_u64(bytes + 48),
        .batch = load_u64(bytes + 56),
        .learning_rate = load_f32(bytes + 64),
        .validation = load_f32(bytes + 68),
        .schedule = {.kind = (clprop_schedule_kind)load_u32(bytes + 72),
                     .step_factor = load_f32(bytes + 76),
                     .warmup_epochs = (size_t)load_u64(bytes + 80),
                     .step_every = (size_t)load_u64(bytes + 88),
                     .reference_batch = (size_t)load_u64(bytes + 96)},
    };
    if (!clprop_model_check_training_state(&state, problem, sizeof problem))
        return bad_section(
            reader,
            start + (state.best_loss == state.best_loss && state.best_loss > -INFINITY ? 56 : 32),
            TRAINING_TAG, problem);
    model->training_state = state;
    model->has_training_state = 1;
    return CLPROP_SUCCESS;
}

/* The "SCAL" payload of `size` bytes (its header already read): kinds and counts, checked against
 * the model and the size before the values are read. */
static clprop_status read_scaling(file_reader *reader, clprop_model *model, uint64_t size)
{
    uint64_t start = reader->offset;
    char problem[256];
    if (size < SCALING_FIXED_SIZE || size > reader->size - reader->offset) {
        snprintf(problem, sizeof problem,
                 "%" PRIu64 " bytes, expected at least %d and at most "
                 "what is left of the file",
                 size, SCALING_FIXED_SIZE);
        return bad_section(reader, start - 8, SCALING_TAG, problem);
    }
    unsigned char bytes[SCALING_FIXED_SIZE];
    CLPROP_CHECK(read_exactly(reader, bytes, sizeof bytes, "section \"" SCALING_TAG "\""));
    uint64_t inputs = load_u64(bytes + 8), outputs = load_u64(bytes + 16);
    size_t in_units = model->units[0], out_units = model->units[model->layer_count];
    if ((inputs != 0 && inputs != in_units) || (outputs != 0 && outputs != out_units) ||
        size != SCALING_FIXED_SIZE + 8 * (inputs + outputs)) {
        snprintf(problem, sizeof problem,
                 "%" PRIu64 " inputs and %" PRIu64 " targets in %" PRIu64
                 " bytes, for a network of %zu inputs and %zu outputs",
                 inputs, outputs, size, in_units, out_units);
        return bad_section(reader, start + 8, SCALING_TAG, problem);
    }
    size_t count = 2 * (size_t)(inputs + outputs);
    float *values = malloc((count + 1) * sizeof *values);
    if (values == NULL)
        return clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory for the scaling", reader->path);
    clprop_status status = read_floats(reader, values, count, "scaling offsets and scales");
    size_t in = (size_t)inputs, out = (size_t)outputs;
    clprop_scaling scaling = {(clprop_scaling_kind)load_u32(bytes),
                              (clprop_scaling_kind)load_u32(bytes + 4),
                              in,
                              out,
                              in ? values : NULL,
                              in ? values + in : NULL,
                              out ? values + 2 * in : NULL,
                              out ? values + 2 * in + out : NULL};
    if (status == CLPROP_SUCCESS &&
        (load_u32(bytes) > 2 || load_u32(bytes + 4) > 2 ||
         !clprop_scaling_check(&scaling, in_units, out_units,
                               model->activations[model->layer_count - 1], problem,
                               sizeof problem)))
        status = bad_section(reader, start, SCALING_TAG,
                             load_u32(bytes) > 2 || load_u32(bytes + 4) > 2 ? "unknown scaling"
                                                                            : problem);
    if (status == CLPROP_SUCCESS && clprop_scaling_copy_from(&model->scaling, &scaling) != 0)
        status = clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                             "%s: out of host memory for the scaling", reader->path);
    free(values);
    return status;
}

/* The "DROP" payload of `size` bytes (its header already read). */
static clprop_status read_dropout(file_reader *reader, clprop_model *model, uint64_t size)
{
    uint64_t start = reader->offset;
    size_t hidden = model->layer_count - 1;
    char problem[256];
    if (size != 8 + 4 * (uint64_t)hidden) {
        snprintf(problem, sizeof problem,
                 "%" PRIu64 " bytes, expected %" PRIu64 " for %zu hidden "
                 "layers",
                 size, 8 + 4 * (uint64_t)hidden, hidden);
        return bad_section(reader, start - 8, DROPOUT_TAG, problem);
    }
    unsigned char bytes[8];
    float rates[CLPROP_MODEL_MAX_LAYERS];
    clprop_status status = read_exactly(reader, bytes, sizeof bytes, "section \"" DROPOUT_TAG "\"");
    if (status == CLPROP_SUCCESS)
        status = read_floats(reader, rates, hidden, "section \"" DROPOUT_TAG "\"");
    if (status != CLPROP_SUCCESS)
        return status;
    size_t bad = 0;
    int attached = clprop_model_attach_dropout(model, rates, load_u64(bytes), &bad);
    if (attached == 0)
        return clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory", reader->path);
    if (attached < 0) {
        snprintf(problem, sizeof problem,
                 "layer %zu's dropout rate is %g, not from 0 up to "
                 "below 1",
                 bad + 1, (double)rates[bad]);
        return bad_section(reader, start + 8 + 4 * (uint64_t)bad, DROPOUT_TAG, problem);
    }
    return CLPROP_SUCCESS;
}

/* The "EPRT" payload of `size` bytes (its header already read), kept in *figures and *seconds
 * until the training state they belong to is read too. */
static clprop_status read_epoch_part(file_reader *reader, uint64_t size,
                                     clprop_pass_result *figures, double *seconds)
{
    if (size != EPOCH_PART_SIZE) {
        char problem[64];
        snprintf(problem, sizeof problem, "%" PRIu64 " bytes, expected %d", size,
                 EPOCH_PART_SIZE);
        return bad_section(reader, reader->offset - 8, EPOCH_PART_TAG, problem);
    }
    unsigned char bytes[EPOCH_PART_SIZE];
    clprop_status status =
        read_exactly(reader, bytes, sizeof bytes, "section \"" EPOCH_PART_TAG "\"");
    if (status != CLPROP_SUCCESS)
        return status;
    figures->loss = load_f64(bytes);
    figures->mse = load_f64(bytes + 8);
    figures->correct = (size_t)load_u64(bytes + 16);
    *seconds = load_f64(bytes + 24);
    return CLPROP_SUCCESS;
}

/* The "EPSZ" payload: the interrupted epoch's samples, checked against the samples done once
 * the training state is read too (check_epoch_size). */
static clprop_status read_epoch_size(file_reader *reader, clprop_model *model, uint64_t size)
{
    if (size != EPOCH_SIZE_SIZE) {
        char problem[64];
        snprintf(problem, sizeof problem, "%" PRIu64 " bytes, expected %d", size, EPOCH_SIZE_SIZE);
        return bad_section(reader, reader->offset - 8, EPOCH_SIZE_TAG, problem);
    }
    unsigned char bytes[EPOCH_SIZE_SIZE];
    CLPROP_CHECK(read_exactly(reader, bytes, sizeof bytes, "section \"" EPOCH_SIZE_TAG "\""));
    model->epoch_samples = load_u64(bytes);
    return CLPROP_SUCCESS;
}

static clprop_status check_epoch_size(file_reader *reader, const clprop_model *model, uint64_t at)
{
    if (!model->has_training_state)
        return bad_section(reader, at, EPOCH_SIZE_TAG,
                           "the size of an interrupted epoch in a file without its training "
                           "progress (\"" TRAINING_TAG "\")");
    if (model->epoch_samples <= model->training_state.samples_done) {
        char problem[160];
        snprintf(problem, sizeof problem,
                 "an epoch of %" PRIu64 " samples, but %" PRIu64 " of it were trained",
                 model->epoch_samples, model->training_state.samples_done);
        return bad_section(reader, at + SECTION_HEADER_SIZE, EPOCH_SIZE_TAG, problem);
    }
    return CLPROP_SUCCESS;
}

/* Once every section is read: the epoch's figures join the training state, whose samples done
 * they cover. */
static clprop_status attach_epoch_part(file_reader *reader, clprop_model *model,
                                       clprop_pass_result figures, double seconds, uint64_t at)
{
    char problem[256];
    if (!model->has_training_state)
        return bad_section(reader, at, EPOCH_PART_TAG,
                           "figures of an interrupted epoch in a file without its training "
                           "progress (\"" TRAINING_TAG "\")");
    figures.samples = (size_t)model->training_state.samples_done;
    int bad_figure; /* each figure is 8 bytes, in the payload's order */
    if (!clprop_model_check_interrupted_epoch(&model->training_state, &figures, seconds,
                                              &bad_figure, problem, sizeof problem))
        return bad_section(
            reader, bad_figure < 0 ? at : at + SECTION_HEADER_SIZE + 8 * (uint64_t)bad_figure,
            EPOCH_PART_TAG, problem);
    model->interrupted = figures;
    model->interrupted_seconds = seconds;
    return CLPROP_SUCCESS;
}

/* Sections carry what was added after the weights: the ones this version knows are read (each
 * once), other optional ones skipped, other required ones refused, since ignoring them would
 * misread the model. */
static clprop_status read_sections(file_reader *reader, clprop_model *model, uint32_t section_count)
{
    int seen_dropout = 0;
    clprop_pass_result part = {0};
    double part_seconds = 0.0;
    uint64_t part_at = 0; /* where "EPRT" begins; 0: none */
    uint64_t size_at = 0; /* where "EPSZ" begins; 0: none */
    for (uint32_t section = 0; section < section_count; section++) {
        unsigned char bytes[SECTION_HEADER_SIZE];
        uint64_t start = reader->offset;
        clprop_status status = read_exactly(reader, bytes, sizeof bytes, "a section header");
        if (status != CLPROP_SUCCESS)
            return status;
        char tag[CLPROP_QUOTE_SIZE]; /* the tag as messages show it, escaped */
        clprop_quote(tag, (const char *)bytes, 4);
        uint64_t size = load_u64(bytes + 8);
        int optimizer = memcmp(bytes, OPTIMIZER_TAG, 4) == 0;
        int training = memcmp(bytes, TRAINING_TAG, 4) == 0;
        int scaling = memcmp(bytes, SCALING_TAG, 4) == 0;
        int dropout = memcmp(bytes, DROPOUT_TAG, 4) == 0;
        int epoch_part = memcmp(bytes, EPOCH_PART_TAG, 4) == 0;
        int epoch_size = memcmp(bytes, EPOCH_SIZE_TAG, 4) == 0;
        if ((optimizer && model->has_optimizer) || (training && model->has_training_state) ||
            (scaling && clprop_scaling_present(&model->scaling)) || (dropout && seen_dropout) ||
            (epoch_part && part_at != 0) || (epoch_size && size_at != 0))
            return bad_section(reader, start, tag, "appears a second time");
        seen_dropout |= dropout;
        if (epoch_part)
            part_at = start;
        if (epoch_size)
            size_at = start;
        if (optimizer)
            status = read_optimizer(reader, model, size);
        else if (scaling)
            status = read_scaling(reader, model, size);
        else if (training)
            status = read_training_state(reader, model, size);
        else if (dropout)
            status = read_dropout(reader, model, size);
        else if (epoch_part)
            status = read_epoch_part(reader, size, &part, &part_seconds);
        else if (epoch_size)
            status = read_epoch_size(reader, model, size);
        else if (load_u32(bytes + 4) & SECTION_REQUIRED)
            return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                               "%s: byte %" PRIu64 ": section \"%s\" is required but unknown to "
                               "this clprop (written by a newer version?)",
                               reader->path, start, tag);
        else {
            char what[CLPROP_QUOTE_SIZE + 16];
            snprintf(what, sizeof what, "section \"%s\"", tag);
            status = skip_payload(reader, size, what);
        }
        if (status != CLPROP_SUCCESS)
            return status;
    }
    if (size_at != 0)
        CLPROP_CHECK(check_epoch_size(reader, model, size_at));
    return part_at != 0 ? attach_epoch_part(reader, model, part, part_seconds, part_at)
                        : CLPROP_SUCCESS;
}

static clprop_status check_checksum(file_reader *reader)
{
    if (reader->size - reader->offset > CHECKSUM_SIZE)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: byte %" PRIu64 ": %" PRIu64 " bytes of trailing data after the "
                           "model",
                           reader->path, reader->offset + CHECKSUM_SIZE,
                           reader->size - reader->offset - CHECKSUM_SIZE);
    uLong computed = reader->crc;
    uint64_t offset = reader->offset;
    unsigned char bytes[CHECKSUM_SIZE];
    clprop_status status = read_exactly(reader, bytes, sizeof bytes, "checksum");
    if (status != CLPROP_SUCCESS)
        return status;
    if (load_u32(bytes) != (uint32_t)computed)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: byte %" PRIu64 ": checksum mismatch (file damaged): the file says "
                           "0x%08" PRIx32 ", its bytes 0 to %" PRIu64 " give 0x%08" PRIx32,
                           reader->path, offset, load_u32(bytes), offset - 1, (uint32_t)computed);
    return CLPROP_SUCCESS;
}

/* Where parameter `bad` is: "layer 2 weight 7", "layer 1 bias 0", and what it is ("NaN"). */
static void describe_parameter(const clprop_model *model, size_t bad, char *text, size_t size)
{
    size_t layer = 1, index = bad;
    for (; layer < model->layer_count; layer++) {
        size_t count = clprop_model_layer_parameters(model->units[layer - 1], model->units[layer],
                                                     model->has_bias);
        if (index < count)
            break;
        index -= count;
    }
    size_t weights = model->units[layer - 1] * model->units[layer];
    float value = model->parameters[bad];
    snprintf(text, size, "layer %zu %s %zu is %s", layer, index < weights ? "weight" : "bias",
             index < weights ? index : index - weights,
             isnan(value)   ? "NaN"
             : value > 0.0f ? "infinite (inf)"
                            : "infinite (-inf)");
}

/* Weights and biases must be finite: one NaN makes every output NaN. Checked after the checksum,
 * so damage is reported as damage and a NaN found here is one that was saved. Names the first. */
static clprop_status check_finite_parameters(const file_reader *reader, const clprop_model *model)
{
    size_t bad = clprop_model_first_non_finite(model->parameters, model->parameter_count);
    if (bad == model->parameter_count)
        return CLPROP_SUCCESS;
    char where[128];
    describe_parameter(model, bad, where, sizeof where);
    uint64_t offset = HEADER_SIZE + LAYER_ENTRY_SIZE * (uint64_t)model->layer_count +
                      sizeof(float) * (uint64_t)bad;
    return clprop_fail(reader->message, CLPROP_ERROR_NOT_FINITE,
                       "%s: byte %" PRIu64 ": %s; a model's weights and biases must be finite",
                       reader->path, offset, where);
}

/* A model the reader would refuse is not written: NaN or infinity in the weights or biases (a
 * diverged training, or a caller writing through clprop_model_weights), named before any file is
 * touched. The optimizer's state needs no such look: every way in (clprop_model_set_optimizer,
 * clprop_model_from_net, the reader) refuses it non-finite, and callers only read it. */
static clprop_status check_savable(const clprop_model *model, const char *path,
                                   clprop_message *message)
{
    size_t bad = clprop_model_first_non_finite(model->parameters, model->parameter_count);
    if (bad == model->parameter_count)
        return CLPROP_SUCCESS;
    char where[128];
    describe_parameter(model, bad, where, sizeof where);
    return clprop_fail(message, CLPROP_ERROR_NOT_FINITE,
                       "%s: not saved: %s; a model's weights and biases must be finite (did the "
                       "training diverge? a smaller learning rate may help)",
                       path, where);
}

clprop_status clprop_model_read_binary(clprop_model *model, FILE *file, const char *path)
{
    file_reader reader;
    file_header header;
    clprop_status status = start_reading(&reader, model, file, path);
    if (status == CLPROP_SUCCESS)
        status = read_shape(&reader, model, &header);
    if (status == CLPROP_SUCCESS)
        status = read_parameters(&reader, model);
    if (status == CLPROP_SUCCESS)
        status = read_sections(&reader, model, header.section_count);
    if (status == CLPROP_SUCCESS)
        status = check_checksum(&reader);
    if (status == CLPROP_SUCCESS)
        status = check_finite_parameters(&reader, model);
    return status;
}

/* ---- Writing --------------------------------------------------------------------------------- */

typedef struct file_writer {
    FILE *file;
    uLong crc; /* of the bytes written */
    uint64_t written;
    uint64_t capacity; /* bytes allowed before a simulated full disk; UINT64_MAX normally */
} file_writer;

/* Writes bytes and adds them to the checksum. Returns 0, or the errno value of the failure. */
static int write_bytes(file_writer *writer, const unsigned char *bytes, size_t count)
{
    size_t allowed = count;
    if (writer->capacity - writer->written < count)
        allowed = (size_t)(writer->capacity - writer->written);
    size_t put = fwrite(bytes, 1, allowed, writer->file);
    writer->written += put;
    writer->crc = crc_update(writer->crc, bytes, put);
    if (put == count)
        return 0;
    if (put == allowed)
        return ENOSPC;
    return errno != 0 ? errno : EIO;
}

/* Checkpoints stopped inside an epoch carry its figures so far ("EPRT"). */
static int has_epoch_part(const clprop_model *model)
{
    return model->has_training_state && model->interrupted.samples > 0;
}

/* ... and the samples of that epoch ("EPSZ"), when the trainer said. */
static int has_epoch_size(const clprop_model *model)
{
    return model->has_training_state && model->training_state.samples_done > 0 &&
           model->epoch_samples > model->training_state.samples_done;
}

static int write_header(file_writer *writer, const clprop_model *model)
{
    unsigned char bytes[HEADER_SIZE];
    memcpy(bytes, CLPROP_MODEL_MAGIC, CLPROP_MODEL_MAGIC_SIZE);
    store_u32(bytes + 8, FORMAT_VERSION);
    store_u32(bytes + 12, (uint32_t)model->layer_count);
    store_u32(bytes + 16, (uint32_t)model->loss);
    store_u32(bytes + 20, model->has_bias ? FLAG_BIASES : 0);
    store_u32(bytes + 24,
              (uint32_t)(model->has_optimizer + model->has_training_state + has_epoch_part(model) +
                         has_epoch_size(model) + clprop_scaling_present(&model->scaling) +
                         (model->dropout != NULL)));
    int error = write_bytes(writer, bytes, sizeof bytes);
    for (size_t layer = 1; layer <= model->layer_count && error == 0; layer++) {
        unsigned char entry[LAYER_ENTRY_SIZE];
        store_u32(entry, (uint32_t)model->units[layer - 1]);
        store_u32(entry + 4, (uint32_t)model->units[layer]);
        store_u32(entry + 8, (uint32_t)model->activations[layer - 1]);
        error = write_bytes(writer, entry, sizeof entry);
    }
    return error;
}

/* Floats a chunk at a time, converted to little-endian. */
static int write_floats(file_writer *writer, const float *values, size_t count)
{
    unsigned char chunk[CHUNK_FLOATS * sizeof(float)];
    for (size_t start = 0; start < count; start += CHUNK_FLOATS) {
        size_t piece = count - start;
        if (piece > CHUNK_FLOATS)
            piece = CHUNK_FLOATS;
        for (size_t i = 0; i < piece; i++)
            store_f32(chunk + i * sizeof(float), values[start + i]);
        int error = write_bytes(writer, chunk, piece * sizeof(float));
        if (error != 0)
            return error;
    }
    return 0;
}

/* A section's header: its tag, flags (SECTION_REQUIRED or 0, optional) and payload size. */
static int write_flagged_section_header(file_writer *writer, const char *tag, uint32_t flags,
                                        uint64_t size)
{
    unsigned char bytes[SECTION_HEADER_SIZE];
    memcpy(bytes, tag, 4);
    store_u32(bytes + 4, flags);
    store_u64(bytes + 8, size);
    return write_bytes(writer, bytes, sizeof bytes);
}

static int write_section_header(file_writer *writer, const char *tag, uint64_t size)
{
    return write_flagged_section_header(writer, tag, 0, size);
}

static int write_scaling(file_writer *writer, const clprop_model *model)
{
    const clprop_scaling *s = &model->scaling.view;
    unsigned char bytes[SCALING_FIXED_SIZE];
    store_u32(bytes, (uint32_t)s->input_kind);
    store_u32(bytes + 4, (uint32_t)s->target_kind);
    store_u64(bytes + 8, s->inputs);
    store_u64(bytes + 16, s->outputs);
    int error =
        write_flagged_section_header(writer, SCALING_TAG, SECTION_REQUIRED,
                                     SCALING_FIXED_SIZE + 8 * (uint64_t)(s->inputs + s->outputs));
    if (error == 0)
        error = write_bytes(writer, bytes, sizeof bytes);
    /* the copy keeps its four arrays in one allocation, in the file's order */
    if (error == 0)
        error = write_floats(writer, model->scaling.values, 2 * (s->inputs + s->outputs));
    return error;
}

static int write_optimizer(file_writer *writer, const clprop_model *model)
{
    const clprop_optimizer *optimizer = &model->optimizer;
    unsigned char bytes[OPTIMIZER_FIXED_SIZE];
    store_u32(bytes, (uint32_t)optimizer->kind);
    store_u32(bytes + 4, optimizer->nesterov ? OPTIMIZER_NESTEROV : 0);
    store_f32(bytes + 8, optimizer->momentum);
    store_f32(bytes + 12, optimizer->beta1);
    store_f32(bytes + 16, optimizer->beta2);
    store_f32(bytes + 20, optimizer->epsilon);
    store_f32(bytes + 24, optimizer->weight_decay);
    store_u64(bytes + 28, model->optimizer_steps);
    store_u64(bytes + 36, model->optimizer_floats);
    int error = write_section_header(writer, OPTIMIZER_TAG,
                                     OPTIMIZER_FIXED_SIZE + 4 * (uint64_t)model->optimizer_floats);
    if (error == 0)
        error = write_bytes(writer, bytes, sizeof bytes);
    if (error == 0)
        error = write_floats(writer, model->optimizer_state, model->optimizer_floats);
    return error;
}

static int write_training_state(file_writer *writer, const clprop_model *model)
{
    const clprop_training_state *state = &model->training_state;
    unsigned char bytes[TRAINING_SIZE];
    store_u64(bytes, state->epochs_done);
    store_u64(bytes + 8, state->samples_done);
    store_u64(bytes + 16, state->seed);
    store_u64(bytes + 24, state->shuffle_state);
    store_f64(bytes + 32, state->best_loss);
    store_u64(bytes + 40, state->best_epoch);
    store_u64(bytes + 48, state->stale_epochs);
    store_u64(bytes + 56, state->batch);
    store_f32(bytes + 64, state->learning_rate);
    store_f32(bytes + 68, state->validation);
    store_u32(bytes + 72, (uint32_t)state->schedule.kind);
    store_f32(bytes + 76, state->schedule.step_factor);
    store_u64(bytes + 80, state->schedule.warmup_epochs);
    store_u64(bytes + 88, state->schedule.step_every);
    store_u64(bytes + 96, state->schedule.reference_batch);
    /* without scaling, the section older readers know, byte for byte */
    size_t size = state->schedule.reference_batch != 0 ? TRAINING_SIZE : TRAINING_SIZE_UNSCALED;
    int error = write_section_header(writer, TRAINING_TAG, size);
    if (error == 0)
        error = write_bytes(writer, bytes, size);
    return error;
}

static int write_dropout(file_writer *writer, const clprop_model *model)
{
    size_t hidden = model->layer_count - 1;
    unsigned char bytes[8];
    store_u64(bytes, model->dropout_seed);
    int error = write_section_header(writer, DROPOUT_TAG, 8 + 4 * (uint64_t)hidden);
    if (error == 0)
        error = write_bytes(writer, bytes, sizeof bytes);
    if (error == 0)
        error = write_floats(writer, model->dropout, hidden);
    return error;
}

static int write_epoch_size(file_writer *writer, const clprop_model *model)
{
    unsigned char bytes[EPOCH_SIZE_SIZE];
    store_u64(bytes, model->epoch_samples);
    int error = write_section_header(writer, EPOCH_SIZE_TAG, sizeof bytes);
    if (error == 0)
        error = write_bytes(writer, bytes, sizeof bytes);
    return error;
}

static int write_epoch_part(file_writer *writer, const clprop_model *model)
{
    unsigned char bytes[EPOCH_PART_SIZE];
    store_f64(bytes, model->interrupted.loss);
    store_f64(bytes + 8, model->interrupted.mse);
    store_u64(bytes + 16, model->interrupted.correct);
    store_f64(bytes + 24, model->interrupted_seconds);
    int error = write_section_header(writer, EPOCH_PART_TAG, sizeof bytes);
    if (error == 0)
        error = write_bytes(writer, bytes, sizeof bytes);
    return error;
}

static int write_model(file_writer *writer, const clprop_model *model)
{
    int error = write_header(writer, model);
    if (error == 0)
        error = write_floats(writer, model->parameters, model->parameter_count);
    if (error == 0 && model->has_optimizer)
        error = write_optimizer(writer, model);
    if (error == 0 && model->has_training_state)
        error = write_training_state(writer, model);
    if (error == 0 && has_epoch_part(model))
        error = write_epoch_part(writer, model);
    if (error == 0 && has_epoch_size(model))
        error = write_epoch_size(writer, model);
    if (error == 0 && clprop_scaling_present(&model->scaling))
        error = write_scaling(writer, model);
    if (error == 0 && model->dropout != NULL)
        error = write_dropout(writer, model);
    if (error == 0) {
        unsigned char checksum[CHECKSUM_SIZE];
        store_u32(checksum, (uint32_t)writer->crc);
        error = write_bytes(writer, checksum, sizeof checksum);
    }
    return error;
}

clprop_status clprop_model_save_with_capacity(clprop_model *model, const char *path,
                                              uint64_t capacity)
{
    if (model == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (path == NULL)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_model_save: path is NULL");
    if (model->layer_count == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: the model has no layers (its creation failed)", path);
    CLPROP_CHECK(check_savable(model, path, &model->message));
    clprop_output_file file;
    CLPROP_CHECK(clprop_output_open(&file, path, &model->message));
    file_writer writer = {file.stream, crc32(0, Z_NULL, 0), 0, capacity};
    int error = write_model(&writer, model);
    if (error != 0) {
        clprop_output_abort(&file);
        return clprop_fail(&model->message, CLPROP_ERROR_IO,
                           "%s: cannot write: %s (any previous file is unchanged)", path,
                           strerror(error));
    }
    return clprop_output_commit(&file, &model->message);
}

clprop_status clprop_model_save(clprop_model *model, const char *path)
{
    return clprop_model_save_with_capacity(model, path, UINT64_MAX);
}
