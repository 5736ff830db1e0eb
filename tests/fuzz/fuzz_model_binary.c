/* Binary model files: the input is the file, loaded with clprop_model_load (which tells binary
 * from JSON by content). The corpus and dictionary are binary models; fuzz_model_json.c fuzzes
 * the same entry point from JSON exports. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    fuzz_file_init(&file, "clprop-model");
    fuzz_file_write(&file, data, size);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(file.path, &model);
    fuzz_check_model(status, model);
    return 0;
}
