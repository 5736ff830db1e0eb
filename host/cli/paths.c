#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "clprop.h"

/* What makes two names the same file: the inode for a file that exists, else the path it would be
 * created at once symbolic links and "..", "." and repeated slashes are resolved. */
typedef struct identity {
    int exists;
    dev_t device;
    ino_t inode;
    char *resolved; /* NULL when out of memory */
} identity;

/* The absolute path a file would be created at (the library's answer, as saves resolve it). */
static char *resolved_path(const char *path)
{
    char target[PATH_MAX + 256];
    if (clprop_output_target(path, target, sizeof target) != CLPROP_SUCCESS)
        return NULL;
    return strdup(target);
}

static void identify(const char *path, identity *id)
{
    struct stat info;
    id->exists = stat(path, &info) == 0;
    id->device = id->exists ? info.st_dev : 0;
    id->inode = id->exists ? info.st_ino : 0;
    id->resolved = resolved_path(path);
}

static int same_file(const identity *a, const identity *b)
{
    if (a->exists || b->exists)
        return a->exists && b->exists && a->device == b->device && a->inode == b->inode;
    return a->resolved != NULL && b->resolved != NULL && strcmp(a->resolved, b->resolved) == 0;
}

static int pair_allowed(const char *const *allowed, const char *output, const char *input)
{
    for (; allowed != NULL && allowed[0] != NULL; allowed += 2)
        if (strcmp(allowed[0], output) == 0 && strcmp(allowed[1], input) == 0)
            return 1;
    return 0;
}

/* Reports the first output in outputs[0..count) that names the same file as `other`. */
static int clashes(const cli_path *other, const identity *other_id, const cli_path *outputs,
                   const identity *ids, int count, const char *other_role,
                   const char *const *allowed)
{
    for (int o = 0; o < count; o++) {
        if (outputs[o].path == NULL || !same_file(&ids[o], other_id) ||
            pair_allowed(allowed, outputs[o].flag, other->flag))
            continue;
        cli_error("%s %s: that is the same file as %s %s, which is %s; choose another file",
                  outputs[o].flag, outputs[o].path, other->flag, other->path, other_role);
        return 1;
    }
    return 0;
}

int cli_check_outputs_apart(const cli_path *inputs, int input_count, const cli_path *outputs,
                            int output_count, const char *const *allowed)
{
    identity *ids = calloc((size_t)output_count + 1, sizeof *ids);
    if (ids == NULL) {
        cli_error("out of memory");
        return 0;
    }
    for (int o = 0; o < output_count; o++)
        if (outputs[o].path != NULL)
            identify(outputs[o].path, &ids[o]);
    int clash = 0;
    for (int i = 0; i < input_count && !clash; i++) {
        if (inputs[i].path == NULL)
            continue;
        identity input;
        identify(inputs[i].path, &input);
        clash = clashes(&inputs[i], &input, outputs, ids, output_count, "an input", allowed);
        free(input.resolved);
    }
    /* each output against the outputs after it */
    for (int o = 0; o + 1 < output_count && !clash; o++)
        if (outputs[o].path != NULL)
            clash = clashes(&outputs[o], &ids[o], outputs + o + 1, ids + o + 1,
                            output_count - o - 1, "an output too", NULL);
    for (int o = 0; o < output_count; o++)
        free(ids[o].resolved);
    free(ids);
    return !clash;
}

int cli_check_outputs_writable(const cli_path *outputs, int output_count)
{
    for (int o = 0; o < output_count; o++) {
        char reason[1024];
        if (outputs[o].path != NULL &&
            clprop_check_output_path(outputs[o].path, reason, sizeof reason) != CLPROP_SUCCESS) {
            cli_error("%s %s", outputs[o].flag, reason);
            return 0;
        }
    }
    return 1;
}

int cli_check_stdout_apart(const cli_path *inputs, int input_count)
{
    struct stat out, in;
    if (fstat(STDOUT_FILENO, &out) != 0 || !S_ISREG(out.st_mode))
        return 1; /* a terminal, a pipe, /dev/null: no file of the user's to damage */
    for (int i = 0; i < input_count; i++)
        if (inputs[i].path != NULL && stat(inputs[i].path, &in) == 0 &&
            in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
            cli_error("standard output is %s %s, an input: the output would be written into it; "
                      "redirect it to another file",
                      inputs[i].flag, inputs[i].path);
            return 0;
        }
    return 1;
}
