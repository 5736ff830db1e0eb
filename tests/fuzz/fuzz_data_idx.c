/* IDX images and labels: two files from one input. The first 4 bytes (little-endian) say how many
 * of the following bytes are the images file (at most what there is); the rest is the labels
 * file. Inputs shorter than 4 bytes are skipped. Read with the classes inferred, then as 10
 * classes, with the format given and then detected. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file images, labels;
    fuzz_file_init(&images, "clprop-idx-images");
    fuzz_file_init(&labels, "clprop-idx-labels");
    if (size < 4)
        return -1; /* not added to the corpus */
    size_t length = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
                    (size_t)data[3] << 24;
    data += 4;
    size -= 4;
    if (length > size)
        length = size;
    fuzz_file_write(&images, data, length);
    fuzz_file_write(&labels, data + length, size - length);
    const clprop_data_source sources[] = {
        {.path = images.path, .labels_path = labels.path, .format = CLPROP_DATA_IDX},
        {.path = images.path, .labels_path = labels.path, .format = CLPROP_DATA_AUTO,
         .classes = 10},
    };
    for (size_t s = 0; s < sizeof sources / sizeof sources[0]; s++) {
        clprop_data *loaded = NULL;
        clprop_status status = clprop_data_load(&sources[s], &loaded);
        fuzz_check_data(status, loaded);
    }
    return 0;
}
