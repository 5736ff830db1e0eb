#define _XOPEN_SOURCE 700 /* faccessat's AT_EACCESS, strndup, realpath */
#include "output_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input_file.h"

static const char temporary_tag[] = ".clprop-tmp-";

/* ---- Where the file really is ------------------------------------------------------------------ */

static char *joined(const char *folder, size_t folder_length, const char *name)
{
    size_t length = folder_length + 1 + strlen(name) + 1;
    char *path = malloc(length);
    if (path != NULL)
        snprintf(path, length, "%.*s/%s", (int)folder_length, folder, name);
    return path;
}

/* Whether a path lies in a process's table of file descriptors (/proc/PID/fd, also reached as
 * /dev/fd, /dev/stdout): a link there names an open stream, and the path its text reads as — a
 * file the shell opened for appending, a pipe, a terminal, a deleted file — is no file to put a
 * new one in place of; a name there that is no link is a closed descriptor. */
static int in_descriptor_table(const char *link)
{
    const char *slash = strrchr(link, '/'); /* none: a name in the working folder */
    char *folder =
        slash == NULL ? strdup(".") : strndup(link, slash == link ? 1 : (size_t)(slash - link));
    char *real = folder != NULL ? realpath(folder, NULL) : NULL;
    size_t length = real != NULL ? strlen(real) : 0;
    int found =
        length > 9 && strncmp(real, "/proc/", 6) == 0 && strcmp(real + length - 3, "/fd") == 0;
    free(real);
    free(folder);
    return found;
}

/* The end of a chain of symbolic links starting at path (path itself when it is no link); at
 * most 40 links, as the kernel follows. *descriptor (may be NULL) says whether a link on the way
 * is a file descriptor (in_descriptor_table). */
static char *follow_links(const char *path, int *descriptor)
{
    char *current = strdup(path);
    if (descriptor != NULL)
        *descriptor = 0;
    for (int hops = 0; current != NULL && hops < 40; hops++) {
        struct stat info;
        char target[PATH_MAX];
        if (lstat(current, &info) != 0 || !S_ISLNK(info.st_mode))
            break;
        if (descriptor != NULL && in_descriptor_table(current))
            *descriptor = 1;
        ssize_t length = readlink(current, target, sizeof target - 1);
        if (length < 0 || (size_t)length == sizeof target - 1) /* unreadable, or cut short */
            break;
        target[length] = '\0';
        const char *slash = strrchr(current, '/');
        char *next = target[0] == '/' || slash == NULL
                         ? strdup(target)
                         : joined(current, (size_t)(slash - current), target);
        free(current);
        current = next;
    }
    return current;
}

/* The folder part of a path ("." for a bare name, "/" for a file at the root). */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static const char *name_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

clprop_status clprop_output_target(const char *path, char *target, size_t target_size)
{
    if (path == NULL || path[0] == '\0' || target == NULL || target_size == 0)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    char *final = follow_links(path, NULL);
    char *folder = final != NULL ? folder_of(final) : NULL;
    char *real_folder = folder != NULL ? realpath(folder, NULL) : NULL;
    clprop_status status = final == NULL || folder == NULL ? CLPROP_ERROR_OUT_OF_HOST_MEMORY
                                                           : CLPROP_SUCCESS;
    if (status == CLPROP_SUCCESS) {
        /* a folder that does not exist (yet) cannot be resolved: the path as the links end */
        int written = real_folder != NULL
                          ? snprintf(target, target_size, "%s/%s",
                                     strcmp(real_folder, "/") == 0 ? "" : real_folder,
                                     name_of(final))
                          : snprintf(target, target_size, "%s", final);
        if (written < 0 || (size_t)written >= target_size)
            status = CLPROP_ERROR_INVALID_ARGUMENT;
    }
    free(real_folder);
    free(folder);
    free(final);
    return status;
}

/* ---- Checks before anything is written ---------------------------------------------------------- */

static clprop_status check_existing(const char *path, const char *target, clprop_message *message)
{
    struct stat info;
    if (stat(target, &info) != 0) {
        if (errno == ENOENT)
            return CLPROP_SUCCESS;
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: cannot look at it: %s", path,
                           strerror(errno));
    }
    if (!S_ISREG(info.st_mode))
        return clprop_fail(message, CLPROP_ERROR_IO,
                           "%s: is %s; clprop writes only regular files, and never replaces one "
                           "that is not", path, clprop_file_kind(info.st_mode));
    if (faccessat(AT_FDCWD, target, W_OK, AT_EACCESS) != 0)
        return clprop_fail(message, CLPROP_ERROR_IO,
                           "%s: the file is not writable (%s); it is left as it is", path,
                           strerror(errno));
    return CLPROP_SUCCESS;
}

static clprop_status check_folder(const char *path, const char *folder, const char *name,
                                  clprop_message *message)
{
    struct stat info;
    if (stat(folder, &info) != 0)
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: the folder %s %s", path, folder,
                           errno == ENOENT || errno == ENOTDIR ? "does not exist"
                                                               : strerror(errno));
    if (!S_ISDIR(info.st_mode))
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: %s is not a folder", path, folder);
    if (faccessat(AT_FDCWD, folder, W_OK | X_OK, AT_EACCESS) != 0)
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: cannot create files in %s: %s", path,
                           folder, strerror(errno));
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: names a folder, not a file", path);
    long longest = pathconf(folder, _PC_NAME_MAX);
    size_t limit = longest > 0 ? (size_t)longest : NAME_MAX;
    /* ".NAME.clprop-tmp-PID-XXXXXX": a pid has at most 10 digits */
    size_t temporary = 1 + strlen(name) + strlen(temporary_tag) + 10 + 7;
    if (temporary > limit)
        return clprop_fail(message, CLPROP_ERROR_IO,
                           "%s: the name is too long: the temporary name written beside it first "
                           "would have %zu characters, over the file system's %zu",
                           path, temporary, limit);
    if (strlen(folder) + 1 + temporary >= PATH_MAX)
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: the path is too long", path);
    return CLPROP_SUCCESS;
}

/* In a sticky folder (/tmp, mode 1777) only the owner of a file, of the folder, or root may
 * rename another file over it: writable as it may be, such a file would be refused by the final
 * rename, after the work. */
static clprop_status check_sticky_folder(const char *path, const char *target, const char *folder,
                                         clprop_message *message)
{
    struct stat file, place;
    if (stat(target, &file) != 0 || stat(folder, &place) != 0 || !(place.st_mode & S_ISVTX))
        return CLPROP_SUCCESS; /* a new file, or no sticky folder */
    uid_t me = geteuid();
    if (me == 0 || file.st_uid == me || place.st_uid == me)
        return CLPROP_SUCCESS;
    return clprop_fail(message, CLPROP_ERROR_IO,
                       "%s: cannot be replaced: %s is a sticky folder, where only the file's "
                       "owner (user %u), the folder's (user %u) or root may replace it; it is "
                       "left as it is",
                       path, folder, (unsigned)file.st_uid, (unsigned)place.st_uid);
}

/* Resolves path's target (links followed) and checks it and its folder. */
static clprop_status check(const char *path, char **target_out, clprop_message *message)
{
    *target_out = NULL;
    if (path == NULL || path[0] == '\0')
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT, "no output file named");
    int descriptor = 0;
    char *target = follow_links(path, &descriptor);
    char *folder = target != NULL ? folder_of(target) : NULL;
    if (folder == NULL) {
        free(target);
        return clprop_fail(message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    }
    /* a link into the table on the way, or the end of the chain in it (/dev/fd/9 with 9 closed) */
    if (descriptor || in_descriptor_table(target)) {
        free(folder);
        free(target);
        return clprop_fail(message, CLPROP_ERROR_IO,
                           "%s: names a file descriptor (a stream, open or not), not a file; "
                           "clprop writes a new file beside the one it replaces, which a stream "
                           "cannot take: name a file",
                           path);
    }
    clprop_status status = check_existing(path, target, message);
    if (status == CLPROP_SUCCESS)
        status = check_folder(path, folder, name_of(target), message);
    if (status == CLPROP_SUCCESS)
        status = check_sticky_folder(path, target, folder, message);
    free(folder);
    if (status == CLPROP_SUCCESS)
        *target_out = target;
    else
        free(target);
    return status;
}

clprop_status clprop_check_output_path(const char *path, char *message, size_t message_size)
{
    clprop_message failure;
    char *target = NULL;
    clprop_status status = check(path, &target, &failure);
    free(target);
    if (status != CLPROP_SUCCESS)
        clprop_copy_message(message, message_size, failure.text);
    return status;
}

/* ---- The temporary ---------------------------------------------------------------------------- */

/* 0666 less the process's umask, as a plain fopen would create the file. The umask is read from
 * /proc (reading it with umask() would change it for every thread meanwhile); 022 without. */
static mode_t new_file_mode(void)
{
    mode_t mask = 022;
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    while (status != NULL && fgets(line, sizeof line, status) != NULL) {
        unsigned value;
        if (sscanf(line, "Umask: %o", &value) == 1) {
            mask = (mode_t)value;
            break;
        }
    }
    if (status != NULL)
        fclose(status);
    return 0666 & ~mask;
}

/* Whether the temporary at path is a dead writer's: its pid runs no process here, and no one
 * holds the lock every writer takes on its temporary (a writer in another PID namespace or on
 * another host sharing the folder holds it while it lives; the kernel drops a killed one's). */
static int abandoned(const char *path, const char *pid_text)
{
    long pid = 0;
    const char *digit = pid_text;
    for (; *digit >= '0' && *digit <= '9' && pid < 1000000000; digit++)
        pid = pid * 10 + (*digit - '0');
    if (digit == pid_text || *digit != '-' || pid <= 0)
        return 0;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
        return 0;
    int descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (descriptor < 0)
        return 0;
    int free_to_take = flock(descriptor, LOCK_EX | LOCK_NB) == 0;
    close(descriptor);
    return free_to_take;
}

/* Removes temporaries of this target whose writer is gone (killed before it could clean up);
 * those of a writer still at work are left alone. */
static void remove_stale_temporaries(const char *folder, const char *name)
{
    DIR *listing = opendir(folder);
    if (listing == NULL)
        return;
    size_t name_length = strlen(name), tag_length = strlen(temporary_tag);
    for (struct dirent *entry; (entry = readdir(listing)) != NULL;) {
        const char *at = entry->d_name;
        if (at[0] != '.' || strncmp(at + 1, name, name_length) != 0 ||
            strncmp(at + 1 + name_length, temporary_tag, tag_length) != 0)
            continue;
        char *stale = joined(folder, strlen(folder), at);
        if (stale != NULL && abandoned(stale, at + 1 + name_length + tag_length))
            unlink(stale);
        free(stale);
    }
    closedir(listing);
}

static clprop_status create_temporary(clprop_output_file *file, clprop_message *message)
{
    char *folder = folder_of(file->target);
    const char *name = name_of(file->target);
    size_t length = (folder != NULL ? strlen(folder) : 0) + strlen(name) + 64;
    file->temporary = folder != NULL ? malloc(length) : NULL;
    if (file->temporary == NULL) {
        free(folder);
        return clprop_fail(message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    }
    remove_stale_temporaries(folder, name);
    snprintf(file->temporary, length, "%s/.%s%s%ld-XXXXXX", folder, name, temporary_tag,
             (long)getpid());
    free(folder);
    struct stat existing;
    int replacing = stat(file->target, &existing) == 0;
    /* the permission bits only: a setuid or setgid bit of the old file is not given to a new one
     * that the writer owns */
    mode_t mode = replacing ? existing.st_mode & 0777 : new_file_mode();
    int descriptor = mkstemp(file->temporary);
    /* held until the file is renamed or removed: how another writer tells it is alive */
    if (descriptor >= 0)
        flock(descriptor, LOCK_EX | LOCK_NB);
    if (descriptor < 0) {
        int error = errno;
        free(file->temporary);
        file->temporary = NULL;
        return clprop_fail(message, CLPROP_ERROR_IO,
                           "%s: cannot create a temporary file beside it: %s", file->path,
                           strerror(error));
    }
    /* and its owner, where the writer may give it (root saving over a user's file leaves it
     * theirs, not root's, which a mode of 0600 would have made unreadable to them) */
    if (replacing && (existing.st_uid != geteuid() || existing.st_gid != getegid()) &&
        fchown(descriptor, existing.st_uid, existing.st_gid) != 0) {
        /* not permitted (not root): the new file is the writer's, as any replaced file is */
    }
    if (fchmod(descriptor, mode) != 0 || (file->stream = fdopen(descriptor, "w")) == NULL) {
        int error = errno;
        close(descriptor);
        clprop_output_abort(file);
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: cannot write: %s", file->path,
                           strerror(error));
    }
    return CLPROP_SUCCESS;
}

clprop_status clprop_output_open(clprop_output_file *file, const char *path,
                                 clprop_message *message)
{
    memset(file, 0, sizeof *file);
    file->path = path;
    clprop_status status = check(path, &file->target, message);
    if (status == CLPROP_SUCCESS)
        status = create_temporary(file, message);
    if (status != CLPROP_SUCCESS)
        clprop_output_abort(file);
    return status;
}

/* ---- Making it visible ------------------------------------------------------------------------ */

/* The rename itself made durable. Best effort: the file is already whole and in place, and a file
 * system that cannot sync folders gives no reason to call the write failed. */
static void sync_folder(const char *target)
{
    char *folder = folder_of(target);
    int descriptor = folder != NULL ? open(folder, O_RDONLY | O_DIRECTORY) : -1;
    if (descriptor >= 0) {
        fsync(descriptor);
        close(descriptor);
    }
    free(folder);
}

/* Everything written so far on disk; 0 or the errno of the first failure. */
static int flush_all(FILE *stream)
{
    errno = 0;
    if (fflush(stream) != 0)
        return errno != 0 ? errno : EIO;
    if (ferror(stream))
        return EIO; /* an earlier write failed and its errno is gone */
    if (fsync(fileno(stream)) != 0)
        return errno;
    return 0;
}

static clprop_status fail_write(clprop_output_file *file, clprop_message *message, int error)
{
    clprop_output_abort(file);
    return clprop_fail(message, CLPROP_ERROR_IO,
                       "%s: cannot write: %s (any previous file is unchanged)", file->path,
                       strerror(error));
}

clprop_status clprop_output_publish(clprop_output_file *file, clprop_message *message)
{
    if (file->temporary == NULL)
        return CLPROP_SUCCESS; /* published already */
    int error = flush_all(file->stream);
    if (error == 0 && rename(file->temporary, file->target) != 0)
        error = errno;
    if (error != 0)
        return fail_write(file, message, error);
    free(file->temporary);
    file->temporary = NULL;
    sync_folder(file->target);
    return CLPROP_SUCCESS;
}

clprop_status clprop_output_commit(clprop_output_file *file, clprop_message *message)
{
    if (file->stream == NULL)
        return clprop_fail(message, CLPROP_ERROR_IO, "%s: cannot write: nothing open",
                           file->path);
    int error = flush_all(file->stream);
    int closed = fclose(file->stream);
    file->stream = NULL;
    if (error == 0 && closed != 0)
        error = errno;
    if (error == 0 && file->temporary != NULL && rename(file->temporary, file->target) != 0)
        error = errno;
    if (error != 0)
        return fail_write(file, message, error);
    if (file->temporary != NULL)
        sync_folder(file->target);
    free(file->temporary);
    file->temporary = NULL; /* renamed: nothing is left to remove */
    clprop_output_abort(file);
    return CLPROP_SUCCESS;
}

void clprop_output_abort(clprop_output_file *file)
{
    if (file->stream != NULL)
        fclose(file->stream);
    if (file->temporary != NULL)
        unlink(file->temporary);
    free(file->temporary);
    free(file->target);
    file->stream = NULL;
    file->temporary = NULL;
    file->target = NULL;
}
