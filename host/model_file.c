/* The binary model file: reading it with every size checked before anything is allocated, and
 * saving it atomically.
 *
 * Layout. Integers are unsigned and little-endian, floats IEEE-754 binary32 little-endian, on
 * every host: bytes are assembled with shifts, never copied from memory as they lie.
 *
 *   offset     size    field
 *   0          8       magic "CLPROPMD"
 *   8          4       format version, 1. A reader refuses a higher one. Additions that older
 *                      readers may ignore come as optional sections and need no new version.
 *   12         4       L, the number of weight layers, 1 to 1024
 *   16         4       loss: 0 mse, 1 cross-entropy
 *   20         4       flags: bit 0 set when every layer has biases; other bits must be 0
 *   24         4       S, the number of sections after the parameters (0 in version 1 files)
 *   28         12·L    for each layer 1..L: inputs, outputs, activation (0 sigmoid, 1 linear,
 *                      2 softmax); a layer's inputs equal the previous layer's outputs
 *   28 + 12·L  4·P     parameters, for each layer 1..L: its weights (outputs × inputs, row-major:
 *                      the weight from input i to unit o at [o·inputs + i]), then its biases
 *                      (outputs) when flag bit 0 is set
 *   ...                S sections, each a tag (4 ASCII bytes, such as "OPTM"), flags (4; bit 0:
 *                      required — a reader that does not know the tag must refuse the file), a
 *                      payload size N (8) and N bytes of payload. This version knows no tag: it
 *                      skips optional sections and refuses required ones.
 *   end − 4    4       CRC-32 (zlib's crc32) of every byte before it
 *
 * The file ends right after the CRC; anything after it is refused as damage.
 */
#include "model_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

_Static_assert(sizeof(float) == 4 && sizeof(uint32_t) == 4, "clprop stores float32 weights");

#define FORMAT_VERSION 1u
#define HEADER_SIZE 28
#define LAYER_ENTRY_SIZE 12
#define SECTION_HEADER_SIZE 16
#define CHECKSUM_SIZE 4
#define FLAG_BIASES 1u
#define SECTION_REQUIRED 1u
#define MAX_SECTIONS 256u
#define CHUNK_FLOATS 4096 /* floats converted per write: 16 KiB of stack */

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
            return clprop_fail(reader->message, CLPROP_ERROR_IO, "%s: byte %" PRIu64 ": cannot "
                               "read: %s", reader->path, reader->offset + got, strerror(errno));
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
        return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: byte 16: unknown loss %" PRIu32,
                           path, header->loss);
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
                               "%zu has %zu outputs", reader->path, entry_offset, layer, inputs,
                               layer - 1, sizes[layer - 1]);
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
                                   " bytes of %s for layer %zu)", reader->path, offset,
                                   pieces[piece], names[piece], layer);
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
    clprop_net_desc desc = {.layer_count = layer_count, .sizes = sizes, .activations = activations,
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

/* Reads the parameters straight into the model's array, then turns each 4 bytes into a float in
 * place: no second copy of a large model. */
static clprop_status read_parameters(file_reader *reader, clprop_model *model)
{
    unsigned char *bytes = (unsigned char *)model->parameters;
    clprop_status status = read_exactly(reader, bytes, model->parameter_count * sizeof(float),
                                        "weights and biases");
    if (status != CLPROP_SUCCESS)
        return status;
    for (size_t i = 0; i < model->parameter_count; i++)
        model->parameters[i] = load_f32(bytes + i * sizeof(float));
    return CLPROP_SUCCESS;
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

/* Sections carry what later versions add. This version knows none: optional ones are skipped,
 * required ones refused, since ignoring them would misread the model. */
static clprop_status skip_sections(file_reader *reader, uint32_t section_count)
{
    for (uint32_t section = 0; section < section_count; section++) {
        unsigned char bytes[SECTION_HEADER_SIZE];
        uint64_t start = reader->offset;
        clprop_status status = read_exactly(reader, bytes, sizeof bytes, "a section header");
        if (status != CLPROP_SUCCESS)
            return status;
        char tag[5];
        for (int i = 0; i < 4; i++)
            tag[i] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '?';
        tag[4] = '\0';
        if (load_u32(bytes + 4) & SECTION_REQUIRED)
            return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                               "%s: byte %" PRIu64 ": section \"%s\" is required but unknown to "
                               "this clprop (written by a newer version?)", reader->path, start,
                               tag);
        char what[64];
        snprintf(what, sizeof what, "section \"%s\"", tag);
        status = skip_payload(reader, load_u64(bytes + 8), what);
        if (status != CLPROP_SUCCESS)
            return status;
    }
    return CLPROP_SUCCESS;
}

static clprop_status check_checksum(file_reader *reader)
{
    if (reader->size - reader->offset > CHECKSUM_SIZE)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: byte %" PRIu64 ": %" PRIu64 " bytes of trailing data after the "
                           "model", reader->path, reader->offset + CHECKSUM_SIZE,
                           reader->size - reader->offset - CHECKSUM_SIZE);
    uLong computed = reader->crc;
    unsigned char bytes[CHECKSUM_SIZE];
    clprop_status status = read_exactly(reader, bytes, sizeof bytes, "checksum");
    if (status != CLPROP_SUCCESS)
        return status;
    if (load_u32(bytes) != (uint32_t)computed)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: checksum mismatch (file damaged)", reader->path);
    return CLPROP_SUCCESS;
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
        status = skip_sections(&reader, header.section_count);
    if (status == CLPROP_SUCCESS)
        status = check_checksum(&reader);
    return status;
}

/* ---- Writing --------------------------------------------------------------------------------- */

typedef struct file_writer {
    FILE *file;
    uLong crc;         /* of the bytes written */
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

static int write_header(file_writer *writer, const clprop_model *model)
{
    unsigned char bytes[HEADER_SIZE];
    memcpy(bytes, CLPROP_MODEL_MAGIC, CLPROP_MODEL_MAGIC_SIZE);
    store_u32(bytes + 8, FORMAT_VERSION);
    store_u32(bytes + 12, (uint32_t)model->layer_count);
    store_u32(bytes + 16, (uint32_t)model->loss);
    store_u32(bytes + 20, model->has_bias ? FLAG_BIASES : 0);
    store_u32(bytes + 24, 0); /* no sections yet */
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

/* The parameters in the file's order, which is the model's own, a chunk at a time. */
static int write_parameters(file_writer *writer, const clprop_model *model)
{
    unsigned char chunk[CHUNK_FLOATS * sizeof(float)];
    for (size_t start = 0; start < model->parameter_count; start += CHUNK_FLOATS) {
        size_t count = model->parameter_count - start;
        if (count > CHUNK_FLOATS)
            count = CHUNK_FLOATS;
        for (size_t i = 0; i < count; i++)
            store_f32(chunk + i * sizeof(float), model->parameters[start + i]);
        int error = write_bytes(writer, chunk, count * sizeof(float));
        if (error != 0)
            return error;
    }
    return 0;
}

static int write_model(file_writer *writer, const clprop_model *model)
{
    int error = write_header(writer, model);
    if (error == 0)
        error = write_parameters(writer, model);
    if (error == 0) {
        unsigned char checksum[CHECKSUM_SIZE];
        store_u32(checksum, (uint32_t)writer->crc);
        error = write_bytes(writer, checksum, sizeof checksum);
    }
    return error;
}

/* The new file keeps the mode of the one it replaces. mkstemp makes it 0600; a fresh model gets
 * 0644, what fopen gives under the usual umask (the umask cannot be read without changing it for
 * the whole process). */
static mode_t mode_for(const char *path)
{
    struct stat info;
    if (stat(path, &info) == 0)
        return info.st_mode & 07777;
    return 0644;
}

/* Writes the whole model to the temporary file and makes it durable. Returns 0 or an errno. */
static int write_temporary(const clprop_model *model, int descriptor, const char *path,
                           uint64_t capacity)
{
    if (fchmod(descriptor, mode_for(path)) != 0) {
        int error = errno;
        close(descriptor);
        return error;
    }
    FILE *file = fdopen(descriptor, "wb");
    if (file == NULL) {
        int error = errno;
        close(descriptor);
        return error;
    }
    file_writer writer = {file, crc32(0, Z_NULL, 0), 0, capacity};
    int error = write_model(&writer, model);
    if (error == 0 && fflush(file) != 0)
        error = errno;
    if (error == 0 && fsync(fileno(file)) != 0)
        error = errno;
    if (fclose(file) != 0 && error == 0)
        error = errno;
    return error;
}

/* Makes the rename itself durable. Best effort: the target is already complete and in place, and
 * a file system that cannot sync directories gives no reason to call the save failed. */
static void sync_directory(const char *path)
{
    char *directory = strdup(path);
    if (directory == NULL)
        return;
    char *slash = strrchr(directory, '/');
    const char *name = ".";
    if (slash != NULL) {
        slash[slash == directory ? 1 : 0] = '\0';
        name = directory;
    }
    int descriptor = open(name, O_RDONLY | O_DIRECTORY);
    if (descriptor >= 0) {
        fsync(descriptor);
        close(descriptor);
    }
    free(directory);
}

static clprop_status save_through_temporary(clprop_model *model, const char *path,
                                            char *temporary, uint64_t capacity)
{
    int descriptor = mkstemp(temporary);
    if (descriptor < 0)
        return clprop_fail(&model->message, CLPROP_ERROR_IO,
                           "%s: cannot create a temporary file beside it: %s", path,
                           strerror(errno));
    int error = write_temporary(model, descriptor, path, capacity);
    if (error == 0 && rename(temporary, path) != 0)
        error = errno;
    if (error != 0) {
        unlink(temporary);
        return clprop_fail(&model->message, CLPROP_ERROR_IO,
                           "%s: cannot write: %s (any previous file is unchanged)", path,
                           strerror(error));
    }
    sync_directory(path);
    return CLPROP_SUCCESS;
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
    static const char suffix[] = ".tmp-XXXXXX";
    size_t length = strlen(path);
    char *temporary = malloc(length + sizeof suffix);
    if (temporary == NULL)
        return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory", path);
    memcpy(temporary, path, length);
    memcpy(temporary + length, suffix, sizeof suffix);
    clprop_status status = save_through_temporary(model, path, temporary, capacity);
    free(temporary);
    return status;
}

clprop_status clprop_model_save(clprop_model *model, const char *path)
{
    return clprop_model_save_with_capacity(model, path, UINT64_MAX);
}
