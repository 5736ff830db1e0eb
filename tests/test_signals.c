/* clprop train and signals: SIGINT, SIGTERM and SIGHUP each write a checkpoint, say how to resume
 * and exit with 128 + the signal, and resuming ends bit for bit where an uninterrupted run ends;
 * a second signal never leaves a damaged or temporary file; temporaries of dead writers are
 * cleaned up; a checkpoint whose folder vanished goes to $TMPDIR; the default checkpoint name never
 * replaces an earlier one; the --log file is there under its own name after SIGKILL and after a
 * run that diverges. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"
/* about 0.1 s an epoch on the 2-core CI machine */
#define RUN "train --data " DIABETES " --layers 8,64,64,2 --batch 4 --lr 0.01 --seed 5"
#define TOTAL_EPOCHS 16
#define LONG_EPOCHS 100000

static char *dir;

static void make_dir(void) { dir = test_make_temp_dir(); }

static void remove_dir(void)
{
    test_remove_tree(dir);
    free(dir);
}

TestSuite(signals, .init = make_dir, .fini = remove_dir, .timeout = 120);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static char *in_dir(const char *name)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    return path;
}

static char *read_text(const char *name)
{
    char *path = in_dir(name);
    FILE *file = fopen(path, "rb");
    free(path);
    if (file == NULL)
        return strdup("");
    size_t capacity = 1 << 16, size = 0, got;
    char *text = malloc(capacity + 1);
    while ((got = fread(text + size, 1, capacity - size, file)) > 0) {
        size += got;
        if (size == capacity)
            text = realloc(text, (capacity *= 2) + 1);
    }
    fclose(file);
    text[size] = '\0';
    return text;
}

static int exists(const char *name)
{
    char *path = in_dir(name);
    struct stat info;
    int found = lstat(path, &info) == 0;
    free(path);
    return found;
}

static uint64_t checksum(const char *name)
{
    char *path = in_dir(name);
    FILE *file = fopen(path, "rb");
    free(path);
    if (file == NULL)
        return 0;
    uint64_t hash = 0xcbf29ce484222325ull;
    int c;
    while ((c = fgetc(file)) != EOF) {
        hash ^= (unsigned char)c;
        hash *= 0x100000001b3ull;
    }
    fclose(file);
    return hash;
}

/* Starts `clprop ARGS` in dir (sh execs it, so the pid is clprop's), stdout and stderr to
 * dir/NAME.out and dir/NAME.err; `env` is prepended to the environment (NULL: none). */
static pid_t start(const char *name, const char *env, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static pid_t start(const char *name, const char *env, const char *format, ...)
{
    char args[4096], command[8192];
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof args, format, list);
    va_end(list);
    snprintf(command, sizeof command, "cd '%s' && %s exec %s %s >%s.out 2>%s.err </dev/null", dir,
             env != NULL ? env : "", CLPROP_COMMAND, args, name, name);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits for the process; returns its raw wait status, or -1 after killing it at the deadline. */
static int finish(pid_t pid, double seconds)
{
    double deadline = now() + seconds;
    int raw;
    while (waitpid(pid, &raw, WNOHANG) == 0) {
        if (now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &raw, 0);
            return -1;
        }
        usleep(2000);
    }
    return raw;
}

/* Whether text has a line "epoch N/..." with N >= epoch. */
static int reached(const char *text, size_t epoch)
{
    for (const char *line = text; line != NULL && *line != '\0';) {
        size_t got;
        if (sscanf(line, "epoch %zu/", &got) == 1 && got >= epoch)
            return 1;
        line = strchr(line, '\n');
        line = line != NULL ? line + 1 : NULL;
    }
    return 0;
}

/* Waits until dir/NAME.out says epoch `epoch` is done, the process still running. */
static int wait_for_epoch(pid_t pid, const char *name, size_t epoch, double seconds)
{
    char file[256];
    snprintf(file, sizeof file, "%s.out", name);
    double deadline = now() + seconds;
    while (now() < deadline) {
        char *out = read_text(file);
        int found = reached(out, epoch);
        free(out);
        if (found)
            return 1;
        int raw;
        if (waitpid(pid, &raw, WNOHANG) == pid) {
            cr_log_error("%s ended before epoch %zu", name, epoch);
            return 0;
        }
        usleep(5000);
    }
    return 0;
}

static int run_to_end(const char *name, const char *env, const char *args)
{
    pid_t pid = start(name, env, "%s", args);
    int raw = finish(pid, 100);
    return raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

/* Runs `clprop ARGS` as NAME until it has done `epoch` epochs, then Ctrl-C: it must stop with 130
 * (dir/NAME.err says where the checkpoint went). */
static void interrupt_after_epoch(const char *name, const char *args, size_t epoch)
{
    pid_t pid = start(name, NULL, "%s", args);
    cr_assert(wait_for_epoch(pid, name, epoch, 60), "%s never reached epoch %zu", name, epoch);
    kill(pid, SIGINT);
    int raw = finish(pid, 60);
    char err[64];
    snprintf(err, sizeof err, "%s.err", name);
    cr_assert(raw != -1 && WIFEXITED(raw) && WEXITSTATUS(raw) == 130, "%s", read_text(err));
}

static void expect_same_file(const char *a, const char *b, const char *what)
{
    char *pa = in_dir(a), *pb = in_dir(b);
    size_t size_a = 0, size_b = 0;
    char *bytes_a = test_read_file(pa, &size_a), *bytes_b = test_read_file(pb, &size_b);
    cr_expect(size_a == size_b && memcmp(bytes_a, bytes_b, size_a) == 0,
              "%s: %s and %s differ (%zu and %zu bytes)", what, a, b, size_a, size_b);
    free(bytes_a), free(bytes_b), free(pa), free(pb);
}

/* Whether dir holds a name containing ".clprop-tmp-"; the first such name goes to found. */
static int temporary_left(char *found, size_t size)
{
    DIR *folder = opendir(dir);
    cr_assert_not_null(folder);
    struct dirent *item;
    int any = 0;
    while ((item = readdir(folder)) != NULL)
        if (strstr(item->d_name, ".clprop-tmp-") != NULL) {
            snprintf(found, size, "%s", item->d_name);
            any = 1;
        }
    closedir(folder);
    return any;
}

/* Field `field` (from 0) of a --log row as a number. */
static double log_field(const char *row, int field)
{
    for (int f = 0; f < field && row != NULL; f++)
        row = strchr(row, ',') != NULL ? strchr(row, ',') + 1 : NULL;
    return row != NULL ? strtod(row, NULL) : NAN;
}

/* Two --log files hold the same epochs with the same training loss and accuracy: the epoch a
 * checkpoint interrupted included, its figures those of the whole epoch (to the rounding of
 * summing its two parts apart). */
static void expect_same_epoch_figures(const char *a, const char *b, const char *what)
{
    char *text_a = read_text(a), *text_b = read_text(b);
    const char *row_a = strchr(text_a, '\n'), *row_b = strchr(text_b, '\n');
    size_t rows = 0;
    while (row_a != NULL && row_b != NULL && row_a[1] != '\0' && row_b[1] != '\0') {
        row_a++, row_b++, rows++;
        double loss_a = log_field(row_a, 2), loss_b = log_field(row_b, 2);
        cr_expect(log_field(row_a, 0) == (double)rows && log_field(row_b, 0) == (double)rows &&
                      fabs(loss_a - loss_b) <= 1e-6 * fabs(loss_a) &&
                      log_field(row_a, 4) == log_field(row_b, 4),
                  "%s: epoch %zu: train loss %.9g and %.9g, accuracy %g and %g", what, rows,
                  loss_a, loss_b, log_field(row_a, 4), log_field(row_b, 4));
        row_a = strchr(row_a, '\n'), row_b = strchr(row_b, '\n');
    }
    cr_expect_eq(rows, TOTAL_EPOCHS, "%s: %zu rows in %s and %s", what, rows, a, b);
    free(text_a), free(text_b);
}

static void interrupt_and_resume(int signal_number, const char *signal_name)
{
    char args[2048];
    snprintf(args, sizeof args, RUN " --epochs %d --save straight.clprop --log straight.csv",
             TOTAL_EPOCHS);
    cr_assert_eq(run_to_end("straight", NULL, args), 0, "the uninterrupted run failed");

    snprintf(args, sizeof args,
             RUN " --epochs %d --checkpoint ck.clprop --save out.clprop --log run.csv",
             TOTAL_EPOCHS);
    pid_t pid = start("stopped", NULL, "%s", args);
    cr_assert(wait_for_epoch(pid, "stopped", 2, 60), "%s: training never reached epoch 2",
              signal_name);
    cr_assert_eq(kill(pid, signal_number), 0);
    int raw = finish(pid, 60);
    char *err = read_text("stopped.err");
    cr_assert(raw != -1, "%s: still running 60 s after the signal", signal_name);
    cr_expect(WIFEXITED(raw) && WEXITSTATUS(raw) == 128 + signal_number,
              "%s: expected exit status %d, got %s %d; stderr: %s", signal_name,
              128 + signal_number, WIFEXITED(raw) ? "status" : "signal",
              WIFEXITED(raw) ? WEXITSTATUS(raw) : WTERMSIG(raw), err);
    cr_expect(strstr(err, "checkpoint") != NULL && strstr(err, "ck.clprop") != NULL,
              "%s: stderr should say the checkpoint was written to ck.clprop: %s", signal_name,
              err);
    cr_expect(strstr(err, "--resume ck.clprop") != NULL,
              "%s: stderr should say how to resume (--resume ck.clprop): %s", signal_name, err);
    cr_expect(!exists("out.clprop"), "%s: an interrupted run saved its model", signal_name);
    free(err);
    char *out = read_text("stopped.out");
    cr_expect(!reached(out, TOTAL_EPOCHS), "%s: the run ended before the signal: %s",
              signal_name, out);
    free(out);

    strcat(args, " --resume ck.clprop");
    cr_assert_eq(run_to_end("resumed", NULL, args), 0, "%s: resuming failed: %s", signal_name,
                 read_text("resumed.err"));
    expect_same_file("straight.clprop", "out.clprop", signal_name);
    expect_same_epoch_figures("straight.csv", "run.csv", signal_name);
}

Test(signals, sigint_checkpoints_and_resumes_bit_for_bit)
{
    interrupt_and_resume(SIGINT, "SIGINT");
}

Test(signals, sigterm_checkpoints_and_resumes_bit_for_bit)
{
    interrupt_and_resume(SIGTERM, "SIGTERM");
}

Test(signals, sighup_checkpoints_and_resumes_bit_for_bit)
{
    interrupt_and_resume(SIGHUP, "SIGHUP");
}

/* A second Ctrl-C right after the first (before, or while, the checkpoint is written) leaves the
 * earlier model and checkpoint whole, and no temporary behind. The window is a few milliseconds,
 * so several gaps are tried, each in a run of its own. */
static void double_interrupt(const useconds_t *gaps, size_t count)
{
    char args[2048];
    /* an earlier run's model and checkpoint */
    snprintf(args, sizeof args, RUN " --epochs 1 --checkpoint ck.clprop --checkpoint-every 1 "
                                    "--save out.clprop");
    cr_assert_eq(run_to_end("earlier", NULL, args), 0);
    for (size_t g = 0; g < count; g++) {
        useconds_t gap = gaps[g];
        uint64_t model_before = checksum("out.clprop"), checkpoint_before = checksum("ck.clprop");
        snprintf(args, sizeof args, RUN " --epochs %d --checkpoint ck.clprop --save out.clprop",
                 LONG_EPOCHS);
        pid_t pid = start("stopped", NULL, "%s", args);
        cr_assert(wait_for_epoch(pid, "stopped", 2, 60), "training never reached epoch 2");
        cr_assert_eq(kill(pid, SIGINT), 0);
        if (gap > 0)
            usleep(gap);
        kill(pid, SIGINT);
        int raw = finish(pid, 60);
        char *err = read_text("stopped.err");
        cr_assert(raw != -1, "still running 60 s after two signals");
        /* 130, or the second signal's default action once the first one's work is done */
        cr_expect((WIFEXITED(raw) && WEXITSTATUS(raw) == 130) ||
                      (WIFSIGNALED(raw) && WTERMSIG(raw) == SIGINT),
                  "gap %u us: expected status 130 (or death by SIGINT), got %s %d: %s",
                  (unsigned)gap, WIFEXITED(raw) ? "status" : "signal",
                  WIFEXITED(raw) ? WEXITSTATUS(raw) : WTERMSIG(raw), err);
        /* said, either way: where the checkpoint went and how to resume, or that there is none
         * of this point */
        int resumable = strstr(err, "--resume") != NULL;
        cr_expect(resumable || strstr(err, "a second Ctrl-C: stopped at once, with no checkpoint"),
                  "gap %u us: what became of the run is not said: %s", (unsigned)gap, err);
        cr_expect(checksum("ck.clprop") == checkpoint_before || resumable,
                  "gap %u us: the checkpoint was written and the --resume line not: %s",
                  (unsigned)gap, err);
        free(err);
        cr_expect_eq(checksum("out.clprop"), model_before, "gap %u us: the --save model changed",
                     (unsigned)gap);
        if (checksum("ck.clprop") != checkpoint_before) {
            /* written whole before the second signal took effect: it must load */
            char export_args[512];
            snprintf(export_args, sizeof export_args, "export --model %s/ck.clprop", dir);
            char *out = NULL, *export_err = NULL;
            cr_expect_eq(test_run_command(export_args, &out, &export_err), 0,
                         "gap %u us: the checkpoint changed and is not whole: %s", (unsigned)gap,
                         export_err);
            free(out), free(export_err);
        }
        char left[512];
        if (temporary_left(left, sizeof left)) {
            cr_expect_fail("gap %u us: a temporary was left: %s", (unsigned)gap, left);
            char *path = in_dir(left);
            unlink(path);
            free(path);
        }
    }
}

Test(signals, a_double_sigint_at_once_leaves_the_earlier_files_whole)
{
    const useconds_t gaps[] = {0, 0};
    double_interrupt(gaps, 2);
}

Test(signals, a_double_sigint_during_the_checkpoint_leaves_the_earlier_files_whole)
{
    const useconds_t gaps[] = {500, 1000, 2000, 3000, 4000, 6000};
    double_interrupt(gaps, 6);
}

Test(signals, a_temporary_of_a_dead_writer_is_removed_by_the_next_save)
{
    if (kill(999999, 0) == 0)
        cr_skip_test("a process 999999 exists here; the planted temporary would not be stale");
    char name[128];
    snprintf(name, sizeof name, ".out.clprop.clprop-tmp-%ld-ABCDEF", (long)getpid());
    free(test_write_file(dir, ".out.clprop.clprop-tmp-999999-ABCDEF", "stale"));
    free(test_write_file(dir, name, "a live writer's"));
    cr_assert_eq(run_to_end("save", NULL, RUN " --epochs 1 --save out.clprop"), 0, "%s",
                 read_text("save.err"));
    cr_expect(exists("out.clprop"));
    cr_expect(!exists(".out.clprop.clprop-tmp-999999-ABCDEF"),
              "the dead writer's temporary is still there");
    cr_expect(exists(name), "a live writer's temporary (%s) was removed", name);
}

Test(signals, a_checkpoint_whose_folder_vanished_goes_to_tmpdir)
{
    char *sub = in_dir("sub"), *tmp = in_dir("tmp");
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(mkdir(tmp, 0755), 0);
    char env[4200];
    snprintf(env, sizeof env, "TMPDIR='%s'", tmp);
    char args[2048];
    snprintf(args, sizeof args, RUN " --epochs %d --checkpoint sub/ck.clprop", LONG_EPOCHS);
    pid_t pid = start("stopped", env, "%s", args);
    cr_assert(wait_for_epoch(pid, "stopped", 2, 60), "training never reached epoch 2");
    /* links planted at the names a fallback once took ($TMPDIR/clprop-PID-NAME) to a file of
     * someone else's: the fallback must not write through them */
    char *victim = in_dir("victim.txt"), planted[4200];
    FILE *out = fopen(victim, "w");
    cr_assert_not_null(out);
    fputs("precious\n", out);
    fclose(out);
    for (long p = pid; p < pid + 4; p++) {
        snprintf(planted, sizeof planted, "%s/clprop-%ld-ck.clprop", tmp, p);
        cr_assert_eq(symlink(victim, planted), 0);
    }
    char command[4300];
    snprintf(command, sizeof command, "rm -rf '%s'", sub);
    cr_assert_eq(system(command), 0);
    cr_assert_eq(kill(pid, SIGINT), 0);
    int raw = finish(pid, 60);
    char *err = read_text("stopped.err");
    cr_assert(raw != -1, "still running 60 s after the signal");
    cr_expect(WIFEXITED(raw) && WEXITSTATUS(raw) == 130, "expected status 130: %s", err);
    /* the --resume line names the checkpoint in $TMPDIR */
    const char *line = strstr(err, "--resume ");
    cr_assert_not_null(line, "no --resume line: %s", err);
    char path[4200];
    cr_assert_eq(sscanf(line, "--resume %4199s", path), 1);
    cr_expect(strncmp(path, tmp, strlen(tmp)) == 0, "--resume names %s, not a file in %s: %s",
              path, tmp, err);
    struct stat info;
    cr_expect(stat(path, &info) == 0 && S_ISREG(info.st_mode), "%s was not written", path);
    /* in a folder of its own, made for it and closed to others */
    char *slash = strrchr(path, '/');
    cr_assert_not_null(slash);
    *slash = '\0';
    cr_expect(strcmp(path, tmp) != 0, "the checkpoint went straight into %s", tmp);
    cr_expect(lstat(path, &info) == 0 && S_ISDIR(info.st_mode) && (info.st_mode & 0777) == 0700,
              "%s is not a private folder", path);
    char *kept = read_text("victim.txt");
    cr_expect_str_eq(kept, "precious\n", "the file behind a planted link was written");
    free(kept), free(victim), free(err), free(sub), free(tmp);
}

Test(signals, the_default_checkpoint_name_never_replaces_an_earlier_one)
{
    char args[2048];
    snprintf(args, sizeof args, RUN " --epochs %d", LONG_EPOCHS);
    interrupt_after_epoch("first", args, 2);
    cr_assert(exists("clprop-interrupted.clprop"), "%s", read_text("first.err"));
    uint64_t first = checksum("clprop-interrupted.clprop");

    interrupt_after_epoch("second", args, 3);
    char *err = read_text("second.err");
    cr_expect_eq(checksum("clprop-interrupted.clprop"), first,
                 "the second interrupt replaced the first one's checkpoint: %s", err);
    /* the second went to another name, and the --resume line names it */
    const char *line = strstr(err, "--resume ");
    cr_assert_not_null(line, "%s", err);
    char name[512];
    cr_assert_eq(sscanf(line, "--resume %511s", name), 1);
    cr_expect(strcmp(name, "clprop-interrupted.clprop") != 0, "%s", err);
    cr_expect(strstr(name, "clprop-interrupted") != NULL, "%s", err);
    cr_expect(exists(name), "%s was not written: %s", name, err);
    free(err);
}

/* The line that says how to go on names a command that runs, followed word for word: --resume in
 * place of the run's --init (the two together are refused), the same command when the run
 * resumed and checkpoints to the same file, --resume of the new file in place of the old one
 * when the checkpoint went elsewhere. */
Test(signals, the_resume_line_can_be_followed_word_for_word)
{
    char args[2048];
    snprintf(args, sizeof args, RUN " --epochs 1 --save start.clprop");
    cr_assert_eq(run_to_end("start", NULL, args), 0, "%s", read_text("start.err"));
    snprintf(args, sizeof args, RUN " --epochs %d --init start.clprop --checkpoint ck.clprop",
             LONG_EPOCHS);
    interrupt_after_epoch("from-init", args, 2);
    char *err = read_text("from-init.err");
    cr_expect(strstr(err, "continue with the same command, --resume ck.clprop in place of --init "
                          "start.clprop") != NULL,
              "%s", err);
    free(err);

    snprintf(args, sizeof args, RUN " --epochs %d --resume ck.clprop --checkpoint ck.clprop",
             LONG_EPOCHS);
    interrupt_after_epoch("resumed", args, 8);
    err = read_text("resumed.err");
    cr_expect(strstr(err, "continue with the same command\n") != NULL, "%s", err);
    free(err);

    snprintf(args, sizeof args, RUN " --epochs %d --resume ck.clprop", LONG_EPOCHS);
    interrupt_after_epoch("elsewhere", args, 14);
    err = read_text("elsewhere.err");
    cr_expect(strstr(err, "continue with the same command, --resume clprop-interrupted.clprop in "
                          "place of --resume ck.clprop") != NULL,
              "%s", err);
    free(err);
}

/* The log is visible under its own name while the run goes on: a SIGKILL leaves it there. */
Test(signals, the_log_is_there_under_its_name_after_sigkill)
{
    char args[2048];
    snprintf(args, sizeof args, RUN " --epochs %d --log run.csv", LONG_EPOCHS);
    pid_t pid = start("killed", NULL, "%s", args);
    cr_assert(wait_for_epoch(pid, "killed", 3, 60), "training never reached epoch 3");
    kill(pid, SIGKILL);
    finish(pid, 30);
    cr_expect(exists("run.csv"), "no run.csv after SIGKILL");
    char *log = read_text("run.csv");
    cr_expect(strncmp(log, "epoch,", 6) == 0, "run.csv lacks its header: %.200s", log);
    size_t rows = 0;
    for (const char *p = log; *p != '\0'; p++)
        rows += *p == '\n';
    cr_expect_geq(rows, 1 + 2, "run.csv should hold the epochs done: %.400s", log);
    free(log);
}

/* A run that diverges in epoch 4 (a linear warm-up to a rate too high: 1, 2, 3, then 4) keeps
 * the log of the epochs it did under its own name. One that diverges in its first epoch has no row
 * to show, so an earlier log stays as it was (a header alone must not replace it). */
Test(signals, the_log_is_there_under_its_name_after_the_run_diverges)
{
    int status = run_to_end("diverged", NULL, "train --data " DIABETES " --activation relu "
                                              "--output linear --lr 10 --warmup 10 --batch 16 "
                                              "--seed 1 --epochs 10 --log run.csv");
    char *err = read_text("diverged.err");
    cr_expect_eq(status, 1, "%s", err);
    cr_expect(strstr(err, "diverged") != NULL, "%s", err);
    cr_expect(exists("run.csv"), "no run.csv after the run diverged: %s", err);
    char *log = read_text("run.csv");
    cr_expect(strncmp(log, "epoch,", 6) == 0, "run.csv lacks its header: %.200s", log);
    size_t rows = 0;
    for (const char *p = log; *p != '\0'; p++)
        rows += *p == '\n';
    cr_expect_eq(rows, 1 + 3, "the header and epochs 1-3: %.400s", log);
    char left[512];
    cr_expect(!temporary_left(left, sizeof left), "a temporary was left: %s", left);
    free(log), free(err);

    char *earlier_path = in_dir("earlier.csv");
    FILE *earlier = fopen(earlier_path, "w");
    free(earlier_path);
    cr_assert_not_null(earlier);
    fputs("an earlier run's log\n", earlier);
    fclose(earlier);
    /* a linear output: diabetes's one-hot targets would make a softmax, which cannot overflow */
    status = run_to_end("diverged-at-once", NULL, "train --data " DIABETES " --lr 1e6 --epochs 5 "
                                                  "--output linear --log earlier.csv");
    err = read_text("diverged-at-once.err");
    cr_expect_eq(status, 1, "%s", err);
    log = read_text("earlier.csv");
    cr_expect_str_eq(log, "an earlier run's log\n", "a run with no epoch to log replaced it");
    cr_expect(!temporary_left(left, sizeof left), "a temporary was left: %s", left);
    free(log), free(err);
}

/* A signal the run was started with ignored stays ignored (nohup, a background job of a script):
 * SIGHUP to a run under `trap '' HUP` does not stop it; SIGINT, not ignored, still does. */
Test(signals, a_signal_ignored_at_the_start_stays_ignored)
{
    char args[2048];
    snprintf(args, sizeof args, RUN " --epochs %d", LONG_EPOCHS);
    pid_t pid = start("nohup", "trap '' HUP;", "%s", args);
    cr_assert(wait_for_epoch(pid, "nohup", 2, 60), "training never reached epoch 2");
    cr_assert_eq(kill(pid, SIGHUP), 0);
    cr_expect(wait_for_epoch(pid, "nohup", 4, 60), "SIGHUP stopped a run that ignored it: %s",
              read_text("nohup.err"));
    kill(pid, SIGINT);
    int raw = finish(pid, 60);
    cr_expect(raw != -1 && WIFEXITED(raw) && WEXITSTATUS(raw) == 130, "SIGINT: %s",
              read_text("nohup.err"));
}

/* --epochs counts from the run's start: resuming a checkpoint made inside epoch 3 or later with
 * --epochs 1 has nothing to do, and saving would keep a model half-way through an epoch; it is
 * refused (exit 2) naming both, and writes nothing. */
Test(signals, resuming_with_fewer_epochs_than_the_checkpoint_has_done_is_refused)
{
    char args[2048];
    snprintf(args, sizeof args, RUN " --epochs %d --checkpoint ck.clprop", LONG_EPOCHS);
    interrupt_after_epoch("long", args, 3);
    snprintf(args, sizeof args, RUN " --epochs 1 --resume ck.clprop --save out.clprop");
    cr_expect_eq(run_to_end("short", NULL, args), 2, "%s", read_text("short.err"));
    char *err = read_text("short.err");
    cr_expect(strstr(err, "--epochs 1") != NULL && strstr(err, "has done") != NULL, "%s", err);
    cr_expect(!exists("out.clprop"), "a model was saved");
    free(err);
}
