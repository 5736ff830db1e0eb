/* FANN data files: the input is the file. Read as FANN, then again with the format detected,
 * which also runs the IDX-magic and FANN-header detection over it. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    fuzz_file_init(&file, "clprop-fann");
    fuzz_file_write(&file, data, size);
    static const clprop_data_format formats[] = {CLPROP_DATA_FANN, CLPROP_DATA_AUTO};
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        clprop_data_source source = {.path = file.path, .format = formats[f]};
        clprop_data *loaded = NULL;
        clprop_status status = clprop_data_load(&source, &loaded);
        fuzz_check_data(status, loaded);
    }
    return 0;
}
