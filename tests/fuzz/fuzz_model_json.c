/* JSON model exports: the input is the file, loaded with clprop_model_load (which tells binary
 * from JSON by content). The corpus and dictionary are JSON exports; fuzz_model_binary.c fuzzes
 * the same entry point from binary models. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    fuzz_file_init(&file, "clprop-json");
    fuzz_file_write(&file, data, size);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(file.path, &model);
    fuzz_check_model(status, model);
    return 0;
}
