/* IDX files as MNIST and Fashion-MNIST ship them: an images file (magic 0x00000803: unsigned
 * bytes in three dimensions, count × rows × columns) and a labels file (magic 0x00000801: count
 * unsigned bytes), big-endian headers, each plain or gzip-compressed (input_stream.h reads both,
 * decompressing only as far as the headers' counts reach and refusing anything after the gzip
 * stream).
 *
 * Pixels become value/255 in [0, 1] where they are used (the device's gather, or
 * clprop_data_input_values); the data set keeps them as the file's bytes. Labels become one-hot
 * targets and are kept as labels.
 *
 * An uncompressed images file is mapped, not read (map_images): the pixels stay in the file's
 * pages, which the kernel reads in as they are touched and may drop again when memory is short, so
 * a data set larger than the host's memory loads and trains, and a device whose memory is the
 * host's reads those same pages (context.h, clprop_context_host_buffer). The file's size is checked
 * against the header before a pixel is touched. A gzip-compressed file is decompressed into memory
 * once, read in chunks and stored as they arrive, so a header that claims more than the file holds
 * costs only what the file holds, and a short file fails at the byte where it ends; the same
 * messages come from either way. */
#include "data_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define CHUNK_BYTES (64u * 1024u)

typedef struct idx_file {
    clprop_input_stream stream; /* its offset counts bytes in the decompressed data */
    const char *path;
} idx_file;

typedef struct idx_loader {
    clprop_data *data;
    const clprop_data_source *source;
    idx_file images, labels;
    uint32_t count, rows, columns;
    size_t pixels; /* per image: rows × columns */
    unsigned char *chunk;
    clprop_floats input_array;
    uint8_t *bytes; /* the pixels as read: the data set keeps them as they are (a quarter of
                       floats; clprop_data_input_values makes floats only when asked) */
    void *mapping;  /* or the whole images file, mapped read-only: the pixels from byte 16 */
    size_t mapping_bytes;
    size_t byte_count;
    size_t byte_capacity;
    clprop_labels label_array;
    size_t largest_label;
} idx_loader;

/* ---- Reading bytes ----------------------------------------------------------------------------- */

static uint32_t big_endian(const unsigned char *bytes)
{
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 |
           (uint32_t)bytes[3];
}

/* The magic number and `dims` sizes; what: "images" or "labels". */
static clprop_status read_header(idx_loader *loader, idx_file *file, uint32_t magic,
                                 const char *what, uint32_t *sizes, size_t dims)
{
    unsigned char header[16];
    size_t size = 4 * (1 + dims), got;
    clprop_status status = clprop_stream_read(&file->stream, header, size, &got);
    if (status != CLPROP_SUCCESS)
        return status;
    if (got >= 4 && big_endian(header) != magic)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s: byte 0: wrong magic number 0x%08x, expected 0x%08x (IDX %s)",
                           file->path, (unsigned)big_endian(header), (unsigned)magic, what);
    if (got < size)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s: byte %zu: file ends in the IDX %s header (%zu bytes)", file->path,
                           got, what, size);
    for (size_t d = 0; d < dims; d++) {
        sizes[d] = big_endian(header + 4 * (d + 1));
        if (sizes[d] == 0)
            return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                               "%s: byte %zu: dimension %zu of the IDX %s is 0", file->path,
                               4 * (d + 1), d, what);
    }
    return CLPROP_SUCCESS;
}

static clprop_status open_file(idx_loader *loader, idx_file *file, const char *path)
{
    file->path = path;
    return clprop_stream_open(&file->stream, path, &loader->data->message);
}

/* ---- Headers ----------------------------------------------------------------------------------- */

static clprop_status read_headers(idx_loader *loader)
{
    uint32_t image_sizes[3], label_count = 0;
    clprop_status status = read_header(loader, &loader->images, IDX_IMAGES_MAGIC, "images",
                                       image_sizes, 3);
    int labelled = loader->source->labels_path != NULL;
    if (status == CLPROP_SUCCESS && labelled)
        status = open_file(loader, &loader->labels, loader->source->labels_path);
    if (status == CLPROP_SUCCESS && labelled)
        status = read_header(loader, &loader->labels, IDX_LABELS_MAGIC, "labels", &label_count,
                             1);
    if (status != CLPROP_SUCCESS)
        return status;
    if (!labelled) /* images alone (inputs_only) */
        label_count = image_sizes[0];
    loader->count = image_sizes[0];
    loader->rows = image_sizes[1];
    loader->columns = image_sizes[2];
    if (label_count != loader->count)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_MISMATCH,
                           "%s: %u labels but %s has %u images", loader->labels.path,
                           (unsigned)label_count, loader->images.path, (unsigned)loader->count);
    size_t total, unused;
    /* Checked only against overflow; memory is taken as pixels arrive. */
    if (clprop_size_mul_overflows(loader->rows, loader->columns, &loader->pixels) ||
        clprop_size_mul_overflows(loader->pixels, loader->count, &total) ||
        clprop_size_mul_overflows(total, sizeof(float), &unused))
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s: byte 4: %u images of %u×%u pixels are too many to address",
                           loader->images.path, (unsigned)loader->count, (unsigned)loader->rows,
                           (unsigned)loader->columns);
    size_t expected = loader->source->inputs;
    if (expected != 0 && loader->pixels != expected)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_MISMATCH,
                           "%s: byte 8: images of %u×%u = %zu pixels, but %zu inputs are expected",
                           loader->images.path, (unsigned)loader->rows,
                           (unsigned)loader->columns, loader->pixels, expected);
    return CLPROP_SUCCESS;
}

/* ---- Bodies ------------------------------------------------------------------------------------ */

/* The images file ends at byte `end`, after `pixels_read` of the pixels. */
static clprop_status images_end_early(idx_loader *loader, size_t pixels_read, uint64_t end)
{
    size_t complete = pixels_read / loader->pixels;
    if (pixels_read % loader->pixels == 0)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s: byte %zu: file ends after %zu of %u images", loader->images.path,
                           (size_t)end, complete, (unsigned)loader->count);
    return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                       "%s: byte %zu: file ends in image %zu of %u", loader->images.path,
                       (size_t)end, complete + 1, (unsigned)loader->count);
}

static clprop_status more_than_counted(idx_loader *loader, idx_file *file, uint64_t offset,
                                       const char *what)
{
    return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                       "%s: byte %zu: more data after the last of the %u %s the header counts",
                       file->path, (size_t)offset, (unsigned)loader->count, what);
}

/* Appends the chunk's `got` bytes (the last `got` pixels read) to loader->bytes. */
static int keep_bytes(idx_loader *loader, size_t got)
{
    size_t count = loader->byte_count;
    if (got == 0) /* a file that ends at once: no room to make, and no chunk to copy */
        return 0;
    if (count + got > loader->byte_capacity) {
        size_t capacity = loader->byte_capacity ? loader->byte_capacity : 1 << 16;
        while (capacity < count + got)
            capacity *= 2;
        uint8_t *grown = realloc(loader->bytes, capacity);
        if (grown == NULL)
            return -1;
        loader->bytes = grown;
        loader->byte_capacity = capacity;
    }
    memcpy(loader->bytes + count, loader->chunk, got);
    loader->byte_count += got;
    return 0;
}

static clprop_status read_images(idx_loader *loader)
{
    size_t total = loader->pixels * loader->count, done = 0;
    while (done < total) {
        size_t want = total - done < CHUNK_BYTES ? total - done : CHUNK_BYTES, got;
        clprop_status status = clprop_stream_read(&loader->images.stream, loader->chunk, want, &got);
        if (status != CLPROP_SUCCESS)
            return status;
        if (keep_bytes(loader, got) != 0)
            return clprop_data_out_of_memory(loader->data, loader->images.path,
                                             done / loader->pixels);
        done += got;
        if (got < want)
            return images_end_early(loader, done, loader->images.stream.offset);
    }
    return CLPROP_SUCCESS;
}

static clprop_status check_label(idx_loader *loader, unsigned label, size_t offset)
{
    size_t classes = loader->source->classes;
    if (classes != 0 && label >= classes)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s: byte %zu: label %u outside the class range 0..%zu",
                           loader->labels.path, offset, label, classes - 1);
    if (label > loader->largest_label)
        loader->largest_label = label;
    return CLPROP_SUCCESS;
}

static clprop_status read_labels(idx_loader *loader)
{
    size_t total = loader->count, done = 0;
    while (done < total) {
        size_t want = total - done < CHUNK_BYTES ? total - done : CHUNK_BYTES, got;
        size_t start = (size_t)loader->labels.stream.offset;
        clprop_status status = clprop_stream_read(&loader->labels.stream, loader->chunk, want, &got);
        if (status != CLPROP_SUCCESS)
            return status;
        if (clprop_labels_reserve(&loader->label_array, got) != 0)
            return clprop_data_out_of_memory(loader->data, loader->labels.path, done);
        for (size_t i = 0; i < got; i++) {
            if ((status = check_label(loader, loader->chunk[i], start + i)) != CLPROP_SUCCESS)
                return status;
            loader->label_array.values[loader->label_array.count++] = loader->chunk[i];
        }
        done += got;
        if (got < want)
            return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                               "%s: byte %zu: file ends after %zu of %u labels",
                               loader->labels.path, (size_t)loader->labels.stream.offset, done,
                               (unsigned)loader->count);
    }
    return CLPROP_SUCCESS;
}

/* Bytes after the last image or label mean the header's count is not the file's. */
static clprop_status check_no_more(idx_loader *loader, idx_file *file, const char *what)
{
    unsigned char extra;
    size_t got;
    clprop_status status = clprop_stream_read(&file->stream, &extra, 1, &got);
    if (status != CLPROP_SUCCESS)
        return status;
    if (got == 0)
        return CLPROP_SUCCESS;
    return more_than_counted(loader, file, file->stream.offset - 1, what);
}

/* ---- Mapping an uncompressed images file ------------------------------------------------------- */

/* Maps a plain (not gzip) images file read-only, after checking that its size is exactly the
 * header's 16 bytes and its pixels: a short file or one with more fails here with the messages
 * reading it would give, before any pixel is touched. *mapped is 0 when the file is gzip or cannot
 * be mapped (then it is read instead).
 *
 * What a mapping cannot guard against: the file truncated in place while the data set lives.
 * Touching a page past its new end then raises SIGBUS, as in any program that maps its input;
 * clprop installs no signal handler (it keeps no global state). Replacing the file — a rename, a
 * new copy, `cp` onto a new name — is safe: the mapping keeps the old file's pages. Writing into
 * the file in place changes the pixels the next epoch reads. docs/RELIABILITY.md says so. */
static clprop_status map_images(idx_loader *loader, int *mapped)
{
    *mapped = 0;
    struct stat info;
    if (loader->images.stream.gzip || fstat(loader->images.stream.descriptor, &info) != 0 ||
        !S_ISREG(info.st_mode))
        return CLPROP_SUCCESS;
    uint64_t size = (uint64_t)info.st_size, header = 16, pixels = loader->pixels * loader->count;
    if (size < header + pixels)
        return images_end_early(loader, (size_t)(size - header), size);
    if (size > header + pixels)
        return more_than_counted(loader, &loader->images, header + pixels, "images");
    void *mapping = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE,
                         loader->images.stream.descriptor, 0);
    if (mapping == MAP_FAILED) /* a file system that cannot map: read it */
        return CLPROP_SUCCESS;
    loader->mapping = mapping;
    loader->mapping_bytes = (size_t)size;
    *mapped = 1;
    return CLPROP_SUCCESS;
}

static clprop_status read_all(idx_loader *loader)
{
    clprop_status status = open_file(loader, &loader->images, loader->source->path);
    if (status == CLPROP_SUCCESS)
        status = read_headers(loader);
    if (status == CLPROP_SUCCESS && (loader->chunk = malloc(CHUNK_BYTES)) == NULL)
        status = clprop_data_out_of_memory(loader->data, loader->images.path, 0);
    int mapped = 0;
    if (status == CLPROP_SUCCESS)
        status = map_images(loader, &mapped);
    if (status == CLPROP_SUCCESS && !mapped)
        status = read_images(loader);
    if (status == CLPROP_SUCCESS && !mapped)
        status = check_no_more(loader, &loader->images, "images");
    if (status == CLPROP_SUCCESS && loader->source->labels_path != NULL)
        status = read_labels(loader);
    if (status == CLPROP_SUCCESS && loader->source->labels_path != NULL)
        status = check_no_more(loader, &loader->labels, "labels");
    return status;
}

clprop_status clprop_load_idx(clprop_data *data, const clprop_data_source *source)
{
    idx_loader loader = {.data = data, .source = source, .images.stream.descriptor = -1,
                         .labels.stream.descriptor = -1};
    clprop_status status = read_all(&loader);
    if (status == CLPROP_SUCCESS && source->labels_path == NULL) {
        clprop_floats no_targets = {0};
        clprop_data_adopt(data, loader.count, loader.pixels, 0, &loader.input_array,
                          &no_targets);
    } else if (status == CLPROP_SUCCESS) {
        size_t classes = source->classes != 0 ? source->classes : loader.largest_label + 1;
        status = clprop_data_adopt_labels(data, loader.images.path, loader.count, loader.pixels,
                                          &loader.input_array, &loader.label_array, classes);
    }
    if (status == CLPROP_SUCCESS && loader.mapping != NULL) {
        data->mapping = loader.mapping;
        data->mapping_bytes = loader.mapping_bytes;
        data->input_bytes = (uint8_t *)loader.mapping + 16;
        loader.mapping = NULL;
    } else if (status == CLPROP_SUCCESS) {
        /* exactly their size: a data set's memory is its pixels, not the loader's last doubling */
        uint8_t *exact = loader.byte_count > 0 ? realloc(loader.bytes, loader.byte_count) : NULL;
        data->input_bytes = exact != NULL ? exact : loader.bytes;
        loader.bytes = NULL;
    }
    if (loader.mapping != NULL)
        munmap(loader.mapping, loader.mapping_bytes);
    free(loader.bytes);
    clprop_stream_close(&loader.images.stream);
    clprop_stream_close(&loader.labels.stream);
    free(loader.chunk);
    free(loader.input_array.values);
    free(loader.label_array.values);
    return status;
}
