/* Binary model files: the input is the file, loaded with clprop_model_load (which tells binary
 * from JSON by content). The corpus and dictionary are binary models; fuzz_model_json.c fuzzes
 * the same entry point from JSON exports.
 *
 * A model file ends with the CRC-32 of everything before it, which a mutation almost never keeps
 * right, so almost no mutated file would load. When the input's checksum is wrong it is loaded
 * once as it is (refused at the checksum) and once with the checksum recomputed, so the fuzzer
 * also reaches what a successful load of a damaged but consistent file hands back. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(fuzz_file *file, const uint8_t *data, size_t size)
{
    fuzz_file_write(file, data, size);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(file->path, &model);
    fuzz_check_model(status, model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    fuzz_file_init(&file, "clprop-model");
    load(&file, data, size);
    if (size < 12 || memcmp(data, "CLPROPMD", 8) != 0)
        return 0;
    uint32_t crc = (uint32_t)crc32(crc32(0, Z_NULL, 0), data, (uInt)(size - 4));
    uint8_t stored[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                         (uint8_t)(crc >> 24)};
    if (memcmp(data + size - 4, stored, 4) == 0)
        return 0;
    uint8_t *fixed = malloc(size);
    if (fixed == NULL)
        return 0;
    memcpy(fixed, data, size - 4);
    memcpy(fixed + size - 4, stored, 4);
    load(&file, fixed, size);
    free(fixed);
    return 0;
}
