#include "checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "signals.h"

/* One way of writing a file: returns 1 on success, else reports and returns 0. */
typedef int (*write_fn)(void *object, const char *path);

static int write_checkpoint(void *trainer, const char *path)
{
    if (clprop_trainer_save_checkpoint(trainer, path) == CLPROP_SUCCESS)
        return 1;
    cli_error("%s", clprop_trainer_message(trainer));
    return 0;
}

static int write_model(void *net, const char *path)
{
    clprop_model *model = NULL;
    clprop_status status = clprop_model_from_net(net, &model);
    if (status == CLPROP_SUCCESS)
        status = clprop_model_save(model, path);
    if (status != CLPROP_SUCCESS)
        cli_error("%s", model != NULL ? clprop_model_message(model) : clprop_net_message(net));
    clprop_model_destroy(model);
    return status == CLPROP_SUCCESS;
}

/* A signal waits until the file is whole (or the write has failed and cleaned up). */
static int write_whole(write_fn write, void *object, const char *path)
{
    signals_block();
    int ok = write(object, path);
    signals_unblock();
    return ok;
}

/* Into a new folder of ours in `place`: written holds where it went. 0 when the folder could
 * not be made (said here) or the write failed (said by the write). */
static int write_in_new_folder(write_fn write, void *object, const char *name, const char *place,
                               char *written, size_t size)
{
    char folder[4096];
    int length = snprintf(folder, sizeof folder, "%s/clprop-XXXXXX", place);
    if (length < 0 || (size_t)length >= sizeof folder) {
        cli_error("%s: the path is too long for a folder in it", place);
        return 0;
    }
    if (mkdtemp(folder) == NULL) {
        cli_error("%s: cannot make a folder in it: %s", place, strerror(errno));
        return 0;
    }
    length = snprintf(written, size, "%s/%s", folder, name);
    if (length < 0 || (size_t)length >= size || !write_whole(write, object, written)) {
        rmdir(folder);
        return 0;
    }
    return 1;
}

/* The file that could not be written where asked goes, under its own name, into a new folder of
 * ours in $TMPDIR, else in /tmp (mkdtemp: a name nobody could guess, made by us, mode 0700),
 * never to a name in a shared folder that anyone may have planted beforehand as a link to a file
 * of theirs or ours. A $TMPDIR that is missing, full or not writable does not lose the work. */
static const char *fall_back(write_fn write, void *object, const char *path, char *written,
                             size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    const char *variable = getenv("TMPDIR");
    const char *places[2] = {variable != NULL && variable[0] == '/' ? variable : "/tmp", "/tmp"};
    size_t count = strcmp(places[0], places[1]) == 0 ? 1 : 2;
    for (size_t i = 0; i < count; i++)
        if (write_in_new_folder(write, object, name, places[i], written, size)) {
            cli_error("%s could not be written; it went to %s instead", path, written);
            return written;
        }
    cli_error("%s could not be written, nor in a new folder in %s%s%s", path, places[0],
              count > 1 ? " or " : "", count > 1 ? places[1] : "");
    return NULL;
}

static const char *write_somewhere(write_fn write, void *object, const char *path, char *written,
                                   size_t size)
{
    if (write_whole(write, object, path))
        return path;
    return fall_back(write, object, path, written, size);
}

const char *checkpoint_write(clprop_trainer *trainer, const char *path, char *written, size_t size)
{
    return write_somewhere(write_checkpoint, trainer, path, written, size);
}

const char *model_write(clprop_net *net, const char *path, char *written, size_t size)
{
    return write_somewhere(write_model, net, path, written, size);
}

const char *interrupted_checkpoint_name(char *name, size_t size)
{
    snprintf(name, size, "clprop-interrupted.clprop");
    struct stat info;
    for (int n = 2; lstat(name, &info) == 0 && n < 10000; n++)
        snprintf(name, size, "clprop-interrupted-%d.clprop", n);
    return name;
}

clprop_model *checkpoint_load(const char *path, clprop_training_state *state)
{
    clprop_model *model = NULL;
    if (clprop_model_load(path, &model) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_model_message(model));
        clprop_model_destroy(model);
        return NULL;
    }
    if (!clprop_model_training_state(model, state)) {
        cli_error("%s: not a checkpoint (it holds no training progress); --init starts from its "
                  "weights instead",
                  path);
        clprop_model_destroy(model);
        return NULL;
    }
    return model;
}
