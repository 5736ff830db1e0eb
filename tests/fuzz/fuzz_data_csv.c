/* CSV data files: the input is the file. Read three ways: the last column as a target, the last
 * column as class labels with their number inferred, and the first column as labels of 10
 * classes. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    fuzz_file_init(&file, "clprop-csv");
    fuzz_file_write(&file, data, size);
    const clprop_data_source sources[] = {
        {.path = file.path, .format = CLPROP_DATA_CSV, .csv_targets = 1},
        {.path = file.path, .format = CLPROP_DATA_CSV, .csv_label_column = -1},
        {.path = file.path, .format = CLPROP_DATA_CSV, .csv_label_column = 1, .classes = 10},
    };
    for (size_t s = 0; s < sizeof sources / sizeof sources[0]; s++) {
        clprop_data *loaded = NULL;
        clprop_status status = clprop_data_load(&sources[s], &loaded);
        fuzz_check_data(status, loaded);
    }
    return 0;
}
