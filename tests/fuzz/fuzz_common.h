/* What the harnesses share: the fuzz input as a file the loaders can open by path, and checks of
 * what a load that succeeded hands back (every value it claims is there, and consistent), so a
 * loader that accepts a file it should not, or hands back arrays shorter than it says, is caught
 * too, not only one that crashes. */
#ifndef CLPROP_FUZZ_COMMON_H
#define CLPROP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "clprop.h"

/* An in-memory file (memfd; a file under /tmp where there is none), opened once per process and
 * rewritten for every input. `path` opens it anew, from its start: "/proc/self/fd/N". */
typedef struct fuzz_file {
    int descriptor;
    char path[64];
} fuzz_file;

/* Opens the file the first time (aborting when it cannot: no finding is possible without it). */
void fuzz_file_init(fuzz_file *file, const char *name);
/* Makes the file hold exactly `size` bytes of `data`. */
void fuzz_file_write(fuzz_file *file, const uint8_t *data, size_t size);

/* Prints what went wrong and aborts, which libFuzzer records as a crash with its input. */
void fuzz_fail(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

/* After clprop_data_load: a success must hold samples × inputs and samples × outputs finite
 * values (each read, so ASan sees a short array), one-hot targets matching its labels, and input
 * bytes matching the inputs; a failure must say why. Destroys the data. */
void fuzz_check_data(clprop_status status, clprop_data *data);

/* After clprop_model_load: a success must hold a checked shape and every parameter; when its
 * weights are finite its JSON export must load back bit for bit. A failure must say why.
 * Destroys the model. */
void fuzz_check_model(clprop_status status, clprop_model *model);

#endif
