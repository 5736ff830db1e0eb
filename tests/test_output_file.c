/* clprop_check_output_path: what an output may not be, found before any work (the command's side
 * of it, through every option that writes, is in test_hostile.c). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clprop.h"
#include "support.h"

#define NOBODY 65534

static char message[1024];

static clprop_status check(const char *path)
{
    message[0] = '\0';
    return clprop_check_output_path(path, message, sizeof message);
}

/* /dev/stdout, /dev/fd/N and /proc/self/fd/N name file descriptors, open or closed: a new file
 * renamed into place would replace whatever the descriptor's link reads as. */
Test(output_file, a_file_descriptor_is_no_output)
{
    const char *paths[] = {"/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/2"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        cr_expect_eq(check(paths[i]), CLPROP_ERROR_IO, "%s", paths[i]);
        cr_expect(strstr(message, "file descriptor") != NULL, "%s: %s", paths[i], message);
    }
    /* a descriptor that is closed: no link to follow, still no file to write */
    int closed = dup(0);
    cr_assert_geq(closed, 0);
    close(closed);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", closed);
    cr_expect_eq(check(path), CLPROP_ERROR_IO, "%s", path);
    cr_expect(strstr(message, "file descriptor") != NULL, "%s: %s", path, message);
    /* a bare name, from a working folder that is the table itself */
    cr_assert_eq(chdir("/proc/self/fd"), 0);
    cr_expect_eq(check("1"), CLPROP_ERROR_IO, "1 in /proc/self/fd: %s", message);
}

/* In a sticky folder a file of another user, writable as it is, cannot be renamed over by us:
 * refused before the work, not at the final rename. Its owner, and a new name, are fine. */
Test(output_file, a_sticky_folder_refuses_before_the_work)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to make files of two users");
    char *dir = test_make_temp_dir();
    cr_assert_eq(chmod(dir, 01777), 0);
    char *theirs = test_write_file(dir, "theirs.clprop", "old\n");
    char *mine = test_write_file(dir, "mine.clprop", "old\n");
    cr_assert_eq(chmod(theirs, 0666), 0);
    cr_assert_eq(chown(mine, NOBODY, NOBODY), 0);
    char fresh[1024];
    snprintf(fresh, sizeof fresh, "%s/new.clprop", dir);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) { /* as nobody; the exit status says which checks went as expected */
        if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
            _exit(10);
        int refused = check(theirs) == CLPROP_ERROR_IO && strstr(message, "sticky") != NULL &&
                      strstr(message, "theirs.clprop") != NULL;
        _exit((refused ? 0 : 1) | (check(mine) == CLPROP_SUCCESS ? 0 : 2) |
              (check(fresh) == CLPROP_SUCCESS ? 0 : 4));
    }
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "exit %d: 1 another's file passed, 2 our own was refused, 4 a new name was "
              "refused, 10 could not become nobody",
              WEXITSTATUS(status));
    cr_expect_eq(check(theirs), CLPROP_SUCCESS, "root may: %s", message);
    test_remove_tree(dir);
    free(theirs), free(mine), free(dir);
}
