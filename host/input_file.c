/* Opening input files: regular files only, checked before and after the open. */
#include "input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *clprop_file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "of an unknown kind";
}

static clprop_status refuse_kind(clprop_message *message, const char *path, mode_t mode)
{
    return clprop_fail(message, CLPROP_ERROR_IO,
                       "%s: is %s, not a regular file (clprop reads data and models from files)",
                       path, clprop_file_kind(mode));
}

static clprop_status cannot_open(clprop_message *message, const char *path, int code)
{
    char reason[256];
    if (strerror_r(code, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", code);
    return clprop_fail(message, CLPROP_ERROR_IO, "%s: cannot open: %s", path, reason);
}

/* Opened with O_NONBLOCK so that, should the path become a FIFO between the stat and the open,
 * the open still returns at once and the fstat below refuses it; regular files ignore the flag,
 * which is cleared all the same so later reads are plain blocking reads. */
static clprop_status open_regular(clprop_message *message, const char *path, int *descriptor,
                                  struct stat *info)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return cannot_open(message, path, errno);
    clprop_status status = CLPROP_SUCCESS;
    int flags;
    if (fstat(fd, info) != 0)
        status = cannot_open(message, path, errno);
    else if (!S_ISREG(info->st_mode))
        status = refuse_kind(message, path, info->st_mode);
    else if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        status = cannot_open(message, path, errno);
    if (status != CLPROP_SUCCESS) {
        close(fd);
        return status;
    }
    *descriptor = fd;
    return CLPROP_SUCCESS;
}

clprop_status clprop_input_open(const char *path, clprop_message *message, int *descriptor,
                                uint64_t *size)
{
    *descriptor = -1;
    struct stat info;
    /* stat first: a FIFO or a device is refused without being opened at all (opening some
     * devices has effects, such as rewinding a tape). */
    if (stat(path, &info) != 0)
        return cannot_open(message, path, errno);
    if (!S_ISREG(info.st_mode))
        return refuse_kind(message, path, info.st_mode);
    CLPROP_CHECK(open_regular(message, path, descriptor, &info));
    if (info.st_size == 0) {
        /* a size of 0 with bytes to read: a file made as it is read (/proc, /sys), whose size
         * the loaders, which read a file of known length, cannot rely on */
        char first;
        int has_content = pread(*descriptor, &first, 1, 0) == 1;
        close(*descriptor);
        *descriptor = -1;
        if (has_content)
            return clprop_fail(message, CLPROP_ERROR_IO,
                               "%s: its size reads as 0 but it has content (a file the system "
                               "makes as it is read, as in /proc); copy it to a regular file",
                               path);
        return clprop_fail(message, CLPROP_ERROR_FORMAT, "%s: is empty", path);
    }
    *size = (uint64_t)info.st_size;
    return CLPROP_SUCCESS;
}

size_t clprop_byte_order_mark_length(const void *bytes, size_t length)
{
    static const unsigned char mark[3] = {0xEF, 0xBB, 0xBF};
    return length >= sizeof mark && memcmp(bytes, mark, sizeof mark) == 0 ? sizeof mark : 0;
}
