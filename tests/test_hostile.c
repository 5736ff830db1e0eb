/* Hostile input to the clprop command, as a table: each row sets up a fresh folder (files with
 * their content and mode, FIFOs, folders, symbolic and hard links, sockets, device nodes, small
 * full or read-only file systems), runs `clprop ARGS...` there under an address-space limit and a
 * time limit, and checks
 *   - the exit status (and that no signal ended the command, and that it ended in time);
 *   - that stderr has a line holding the row's needle (the file or option, and what is wrong),
 *     and for a failure only that one line; that no ESC byte (0x1b) reaches stderr;
 *   - that no file appeared in the folder (or in $TMPDIR) but those the row expects, and that
 *     every file that was there is unchanged (content checksum, mode, link target, kind) but
 *     those the row lets change;
 *   - for outputs checked before the work, that no epoch ran and the command ended quickly.
 * One Test per class of hostility loops over its rows; every failing row is reported by name and
 * the loop goes on. Rows that need root (device nodes, mounts, chattr) skip with their reason
 * when they cannot run; a class whose every row skipped is reported as skipped. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#define TIME_LIMIT_S 20
/* a row with a FIFO among its inputs: a check needs no device, so a hang shows sooner */
#define FIFO_TIME_LIMIT_S 3
#define ADDRESS_SPACE_LIMIT (4ull << 30) /* PoCL trains xor under 1 GiB too */
#define BEFORE_WORK_LIMIT_S 3.0

/* ---- the table's vocabulary ---------------------------------------------------------------- */

enum entry_kind {
    NONE = 0,
    REG,      /* name, text (len bytes when len > 0, else strlen), mode (0 = 0644) */
    FIX,      /* name, a fixture (see fixture()), mode */
    PIPE,     /* name */
    FOLDER,   /* name, mode */
    SYMLINK,  /* name -> text (a leading "$W/" is the work folder) */
    HARDLINK, /* name, text: the existing file it links to */
    CHARDEV,  /* name, text "MAJOR MINOR" (needs root) */
    SOCK,     /* name: a bound AF_UNIX socket */
};

typedef struct entry {
    enum entry_kind kind;
    const char *name;
    const char *text;
    mode_t mode;
    size_t len;
} entry;

/* Statuses besides 0..255 */
#define NONZERO (-1) /* any failure status, 1..255 */
#define ANY (-2)     /* any status, as long as no signal ended it */

/* Flags */
#define ROOT 1u        /* skip unless root */
#define BEFORE_WORK 2u /* no epoch ran, ended quickly, nothing in $TMPDIR */
#define STDOUT_FULL 4u /* stdout is /dev/full */
#define MANY_LINES 8u  /* a failure may say more than one line */

typedef struct hostile_case {
    const char *cls;
    const char *name;
    entry setup[6];
    /* run by sh in the work folder after the entries; exit 77 skips the row with `skip` */
    const char *setup_sh;
    const char *skip;
    const char *argv[24]; /* after "clprop"; "$W" anywhere is replaced by the work folder */
    int status;
    const char *needle;  /* a stderr line holds it (alternatives split by '|') ... */
    const char *needle2; /* ... and this too, on the same line (optional) */
    const char *absent;  /* stdout and stderr never hold it (optional) */
    const char *creates; /* space-separated names that must appear (and only they may) */
    const char *changes; /* space-separated names that may change */
    const char *after_sh; /* run by sh in the work folder after the command; must exit 0 */
    unsigned flags;
} hostile_case;

/* The base folder every case starts from: xor.data (4 samples, 2 inputs, 1 output), model.clprop
 * (2,3,1 sigmoid/linear, sgd, trained 2 epochs), ck.clprop (the same run's checkpoint after
 * epoch 2 of 2), model.json (model.clprop's export). */
#define XOR "xor.data"
#define TRAIN "train", "--data", XOR
#define TRAIN_LONG "train", "--data", XOR, "--epochs", "200"

#define A10 "aaaaaaaaaa"
#define A100 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10
#define LONG_NAME A100 A100 A100 ".clprop" /* 307 bytes: beyond NAME_MAX (255) */

#define ESC "\x1b[2J"

#define MOUNT_SMALL                                                                               \
    "mkdir small && mount -t tmpfs -o size=64k tmpfs small || exit 77; "
/* small/ holds old.csv or old.clprop and is then filled to the last byte */
#define FILL "dd if=/dev/zero of=small/fill bs=4k 2>/dev/null; sync; "
#define MOUNT_SKIP "needs root and mount -t tmpfs (a tiny file system)"
#define CHATTR_SKIP "needs root and chattr +i (root writes read-only files; immutable ones not)"
#define MKNOD_SKIP "needs root to make a character device with mknod"

#define LOG_WHOLE_LINES                                                                           \
    "f=small/log.csv; [ ! -s $f ] || { [ \"$(tail -c 1 $f | od -An -c | tr -d ' ')\" = '\\n' ] "  \
    "&& awk -F, 'NR==1{n=NF} NF!=n{exit 1}' $f; }"

static const hostile_case cases[] = {
    /* ---- outputs that are inputs: exit 2 naming both options ---- */
    {"clash", "save_is_data", .argv = {TRAIN, "--save", XOR}, .status = 2, .needle = "--save",
     .needle2 = "--data", .flags = BEFORE_WORK},
    {"clash", "log_is_data", .argv = {TRAIN, "--log", XOR}, .status = 2, .needle = "--log",
     .needle2 = "--data", .flags = BEFORE_WORK},
    /* a clprop model may be trained in place; a JSON export is not replaced by a clprop file */
    {"clash", "save_over_a_json_init", .argv = {TRAIN, "--init", "model.json", "--save",
     "model.json"}, .status = 2, .needle = "--save", .needle2 = "--init", .flags = BEFORE_WORK},
    {"clash", "checkpoint_is_data", .argv = {TRAIN, "--checkpoint", XOR}, .status = 2,
     .needle = "--checkpoint", .needle2 = "--data", .flags = BEFORE_WORK},
    {"clash", "save_is_test", .setup = {{FIX, "t.data", "xor"}},
     .argv = {TRAIN, "--test", "t.data", "--save", "t.data"}, .status = 2, .needle = "--save",
     .needle2 = "--test", .flags = BEFORE_WORK},
    {"clash", "log_is_test", .setup = {{FIX, "t.data", "xor"}},
     .argv = {TRAIN, "--test", "t.data", "--log", "t.data"}, .status = 2, .needle = "--log",
     .needle2 = "--test", .flags = BEFORE_WORK},
    {"clash", "checkpoint_is_test", .setup = {{FIX, "t.data", "xor"}},
     .argv = {TRAIN, "--test", "t.data", "--checkpoint", "t.data"}, .status = 2,
     .needle = "--checkpoint", .needle2 = "--test", .flags = BEFORE_WORK},
    {"clash", "save_is_labels", .setup = {{FIX, "img.idx", "img"}, {FIX, "lab.idx", "lab"}},
     .argv = {"train", "--data", "img.idx", "--labels", "lab.idx", "--save", "lab.idx"},
     .status = 2, .needle = "--save", .needle2 = "--labels", .flags = BEFORE_WORK},
    {"clash", "log_is_test_labels",
     .setup = {{FIX, "img.idx", "img"}, {FIX, "lab.idx", "lab"}, {FIX, "tlab.idx", "lab"}},
     .argv = {"train", "--data", "img.idx", "--labels", "lab.idx", "--test", "img.idx",
              "--test-labels", "tlab.idx", "--log", "tlab.idx"},
     .status = 2, .needle = "--log", .needle2 = "--test-labels", .flags = BEFORE_WORK},
    {"clash", "checkpoint_is_test_labels",
     .setup = {{FIX, "img.idx", "img"}, {FIX, "lab.idx", "lab"}, {FIX, "tlab.idx", "lab"}},
     .argv = {"train", "--data", "img.idx", "--labels", "lab.idx", "--test", "img.idx",
              "--test-labels", "tlab.idx", "--checkpoint", "tlab.idx"},
     .status = 2, .needle = "--checkpoint", .needle2 = "--test-labels", .flags = BEFORE_WORK},
    {"clash", "log_is_init", .argv = {TRAIN, "--init", "model.clprop", "--log", "model.clprop"},
     .status = 2, .needle = "--log", .needle2 = "--init", .flags = BEFORE_WORK},
    {"clash", "checkpoint_is_init",
     .argv = {TRAIN, "--init", "model.clprop", "--checkpoint", "model.clprop"}, .status = 2,
     .needle = "--checkpoint", .needle2 = "--init", .flags = BEFORE_WORK},
    {"clash", "log_is_resume",
     .argv = {TRAIN, "--epochs", "3", "--resume", "ck.clprop", "--log", "ck.clprop"},
     .status = 2, .needle = "--log", .needle2 = "--resume", .flags = BEFORE_WORK},
    {"clash", "save_is_data_by_hard_link", .setup = {{HARDLINK, "h.data", XOR}},
     .argv = {TRAIN, "--save", "h.data"}, .status = 2, .needle = "--save", .needle2 = "--data",
     .flags = BEFORE_WORK},
    {"clash", "log_is_data_by_hard_link", .setup = {{HARDLINK, "h.data", XOR}},
     .argv = {TRAIN, "--log", "h.data"}, .status = 2, .needle = "--log", .needle2 = "--data",
     .flags = BEFORE_WORK},
    {"clash", "save_is_data_by_dot_slash", .argv = {TRAIN, "--save", "./" XOR}, .status = 2,
     .needle = "--save", .needle2 = "--data", .flags = BEFORE_WORK},
    {"clash", "save_is_data_by_dotdot", .setup = {{FOLDER, "sub"}},
     .argv = {TRAIN, "--save", "sub/../" XOR}, .status = 2, .needle = "--save",
     .needle2 = "--data", .flags = BEFORE_WORK},
    {"clash", "save_is_data_by_absolute_path", .argv = {TRAIN, "--save", "$W/" XOR},
     .status = 2, .needle = "--save", .needle2 = "--data", .flags = BEFORE_WORK},
    {"clash", "log_is_data_by_symlink", .setup = {{SYMLINK, "l.csv", XOR}},
     .argv = {TRAIN, "--log", "l.csv"}, .status = 2, .needle = "--log", .needle2 = "--data",
     .flags = BEFORE_WORK},
    {"clash", "save_is_data_given_by_symlink", .setup = {{SYMLINK, "l.data", XOR}},
     .argv = {"train", "--data", "l.data", "--save", XOR}, .status = 2, .needle = "--save",
     .needle2 = "--data", .flags = BEFORE_WORK},
    {"clash", "checkpoint_is_init_by_symlink_chain",
     .setup = {{SYMLINK, "a.clprop", "b.clprop"}, {SYMLINK, "b.clprop", "model.clprop"}},
     .argv = {TRAIN, "--init", "model.clprop", "--checkpoint", "a.clprop"}, .status = 2,
     .needle = "--checkpoint", .needle2 = "--init", .flags = BEFORE_WORK},
    {"clash", "log_equals_save", .argv = {TRAIN, "--log", "out", "--save", "out"}, .status = 2,
     .needle = "--log", .needle2 = "--save", .flags = BEFORE_WORK},
    {"clash", "log_equals_checkpoint", .argv = {TRAIN, "--log", "out", "--checkpoint", "out"},
     .status = 2, .needle = "--log", .needle2 = "--checkpoint", .flags = BEFORE_WORK},
    {"clash", "save_equals_checkpoint",
     .argv = {TRAIN, "--save", "out", "--checkpoint", "./out"}, .status = 2, .needle = "--save",
     .needle2 = "--checkpoint", .flags = BEFORE_WORK},
    {"clash", "log_equals_save_by_dangling_symlink", .setup = {{SYMLINK, "s", "out"}},
     .argv = {TRAIN, "--log", "s", "--save", "out"}, .status = 2, .needle = "--log",
     .needle2 = "--save", .flags = BEFORE_WORK},
    {"clash", "log_equals_save_existing_by_hard_link",
     .setup = {{REG, "out", "old\n"}, {HARDLINK, "out2", "out"}},
     .argv = {TRAIN, "--log", "out", "--save", "out2"}, .status = 2, .needle = "--log",
     .needle2 = "--save", .flags = BEFORE_WORK},
    {"clash", "save_is_data_outside_by_symlink",
     .setup = {{FIX, "../outside/d.data", "xor"}, {SYMLINK, "l", "../outside/d.data"}},
     .argv = {"train", "--data", "../outside/d.data", "--save", "l"}, .status = 2,
     .needle = "--save", .needle2 = "--data", .flags = BEFORE_WORK},
    {"clash", "log_is_init_outside_by_absolute_symlink",
     .setup = {{FIX, "../outside/m.clprop", "model"}, {SYMLINK, "l.csv", "$W/../outside/m.clprop"}},
     .argv = {TRAIN, "--init", "../outside/m.clprop", "--log", "l.csv"}, .status = 2,
     .needle = "--log", .needle2 = "--init", .flags = BEFORE_WORK},
    /* allowed: continuing in place */
    {"clash", "save_equals_init_is_allowed",
     .argv = {TRAIN, "--epochs", "1", "--init", "model.clprop", "--save", "model.clprop"},
     .status = 0, .changes = "model.clprop"},
    {"clash", "save_equals_resume_is_allowed",
     .argv = {TRAIN, "--epochs", "3", "--resume", "ck.clprop", "--save", "ck.clprop"},
     .status = 0, .changes = "ck.clprop"},
    {"clash", "checkpoint_equals_resume_is_allowed",
     .argv = {TRAIN, "--epochs", "3", "--resume", "ck.clprop", "--checkpoint", "ck.clprop",
              "--checkpoint-every", "1"},
     .status = 0, .changes = "ck.clprop"},

    /* ---- outputs that are not regular files ---- */
    {"nonregular", "save_onto_directory", .setup = {{FOLDER, "out.x"}},
     .argv = {TRAIN_LONG, "--save", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "directory", .flags = BEFORE_WORK},
    {"nonregular", "log_onto_directory", .setup = {{FOLDER, "out.x"}},
     .argv = {TRAIN_LONG, "--log", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "directory", .flags = BEFORE_WORK},
    {"nonregular", "checkpoint_onto_directory", .setup = {{FOLDER, "out.x"}},
     .argv = {TRAIN_LONG, "--checkpoint", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "directory", .flags = BEFORE_WORK},
    {"nonregular", "save_onto_fifo", .setup = {{PIPE, "out.x"}},
     .argv = {TRAIN_LONG, "--save", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "FIFO", .flags = BEFORE_WORK},
    {"nonregular", "log_onto_fifo", .setup = {{PIPE, "out.x"}},
     .argv = {TRAIN_LONG, "--log", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "FIFO", .flags = BEFORE_WORK},
    {"nonregular", "checkpoint_onto_fifo", .setup = {{PIPE, "out.x"}},
     .argv = {TRAIN_LONG, "--checkpoint", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "FIFO", .flags = BEFORE_WORK},
    {"nonregular", "save_onto_socket", .setup = {{SOCK, "out.x"}},
     .argv = {TRAIN_LONG, "--save", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "socket", .flags = BEFORE_WORK},
    {"nonregular", "log_onto_socket", .setup = {{SOCK, "out.x"}},
     .argv = {TRAIN_LONG, "--log", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "socket", .flags = BEFORE_WORK},
    {"nonregular", "save_onto_char_device", .setup = {{CHARDEV, "null", "1 3"}},
     .skip = MKNOD_SKIP, .argv = {TRAIN_LONG, "--save", "null"}, .status = NONZERO,
     .needle = "null", .needle2 = "device", .flags = ROOT | BEFORE_WORK},
    {"nonregular", "log_onto_char_device", .setup = {{CHARDEV, "null", "1 3"}},
     .skip = MKNOD_SKIP, .argv = {TRAIN_LONG, "--log", "null"}, .status = NONZERO,
     .needle = "null", .needle2 = "device", .flags = ROOT | BEFORE_WORK},
    {"nonregular", "checkpoint_onto_char_device", .setup = {{CHARDEV, "null", "1 3"}},
     .skip = MKNOD_SKIP, .argv = {TRAIN_LONG, "--checkpoint", "null"}, .status = NONZERO,
     .needle = "null", .needle2 = "device", .flags = ROOT | BEFORE_WORK},
    /* /dev/stdout and /dev/fd/N lead to /proc/self/fd: an open stream, whatever it is (here the
     * file the harness collects stdout in, which a rename would replace) */
    {"nonregular", "save_onto_standard_output", .argv = {TRAIN_LONG, "--save", "/dev/stdout"},
     .status = NONZERO, .needle = "--save /dev/stdout", .needle2 = "file descriptor",
     .flags = BEFORE_WORK},
    {"nonregular", "log_through_a_symlink_to_a_descriptor",
     .setup = {{SYMLINK, "l.csv", "/dev/fd/1"}}, .argv = {TRAIN_LONG, "--log", "l.csv"},
     .status = NONZERO, .needle = "l.csv", .needle2 = "file descriptor", .flags = BEFORE_WORK},
    {"nonregular", "save_onto_a_closed_descriptor", .argv = {TRAIN_LONG, "--save", "/dev/fd/9"},
     .status = NONZERO, .needle = "--save /dev/fd/9", .needle2 = "file descriptor",
     .flags = BEFORE_WORK},
    {"nonregular", "checkpoint_through_a_symlink_to_a_closed_descriptor",
     .setup = {{SYMLINK, "ck", "/proc/self/fd/8"}},
     .argv = {TRAIN_LONG, "--checkpoint", "ck"}, .status = NONZERO, .needle = "ck",
     .needle2 = "file descriptor", .flags = BEFORE_WORK},
    {"nonregular", "save_onto_symlink_to_directory", .setup = {{FOLDER, "d"}, {SYMLINK, "out.x", "d"}},
     .argv = {TRAIN_LONG, "--save", "out.x"}, .status = NONZERO, .needle = "out.x",
     .needle2 = "directory", .flags = BEFORE_WORK},
    {"nonregular", "save_through_symlink_replaces_the_target_and_keeps_the_link",
     .setup = {{REG, "real.clprop", "old model\n"}, {SYMLINK, "out.clprop", "real.clprop"}},
     .argv = {TRAIN, "--epochs", "1", "--save", "out.clprop"}, .status = 0,
     .changes = "real.clprop",
     .after_sh = "test -L out.clprop && [ \"$(readlink out.clprop)\" = real.clprop ] && "
                 "[ \"$(head -c 8 real.clprop)\" = CLPROPMD ]"},
    {"nonregular", "log_through_symlink_replaces_the_target_and_keeps_the_link",
     .setup = {{FOLDER, "logs"}, {REG, "logs/real.csv", "old\n"}, {SYMLINK, "l.csv", "logs/real.csv"}},
     .argv = {TRAIN, "--epochs", "2", "--log", "l.csv"}, .status = 0, .changes = "logs/real.csv",
     .after_sh = "test -L l.csv && head -1 logs/real.csv | grep -q '^epoch,' && "
                 "[ $(wc -l < logs/real.csv) = 3 ]"},
    {"nonregular", "checkpoint_through_symlink_chain",
     .setup = {{REG, "real.ck", "old\n"}, {SYMLINK, "b.ck", "real.ck"}, {SYMLINK, "a.ck", "b.ck"}},
     .argv = {TRAIN, "--epochs", "2", "--checkpoint", "a.ck", "--checkpoint-every", "1"},
     .status = 0, .changes = "real.ck",
     .after_sh = "test -L a.ck && test -L b.ck && [ \"$(head -c 8 real.ck)\" = CLPROPMD ]"},
    {"nonregular", "save_through_symlink_to_a_file_outside",
     .setup = {{REG, "../outside/real.clprop", "old\n", 0600},
               {SYMLINK, "out.clprop", "../outside/real.clprop"}},
     .argv = {TRAIN, "--epochs", "1", "--save", "out.clprop"}, .status = 0,
     .changes = "../outside/real.clprop",
     .after_sh = "test -L out.clprop && [ \"$(head -c 8 ../outside/real.clprop)\" = CLPROPMD ] && "
                 "[ $(stat -c %a ../outside/real.clprop) = 600 ]"},
    {"nonregular", "save_through_dangling_symlink_into_a_missing_folder",
     .setup = {{SYMLINK, "out.clprop", "../outside/nowhere/real.clprop"}},
     .argv = {TRAIN_LONG, "--save", "out.clprop"}, .status = NONZERO, .needle = "out.clprop",
     .flags = BEFORE_WORK},
    {"nonregular", "save_keeps_the_permission_bits", .setup = {{REG, "m.clprop", "old\n", 0640}},
     .argv = {TRAIN, "--epochs", "1", "--save", "m.clprop"}, .status = 0, .changes = "m.clprop",
     .after_sh = "[ $(stat -c %a m.clprop) = 640 ] && [ \"$(head -c 8 m.clprop)\" = CLPROPMD ]"},
    {"nonregular", "save_by_root_keeps_the_owner", .setup = {{REG, "u.clprop", "old\n", 0600}},
     .setup_sh = "chown nobody:nogroup u.clprop", .skip = "needs root to chown",
     .argv = {TRAIN, "--epochs", "1", "--save", "u.clprop"}, .status = 0, .changes = "u.clprop",
     .after_sh = "[ \"$(stat -c '%U %a' u.clprop)\" = 'nobody 600' ] && "
                 "[ \"$(head -c 8 u.clprop)\" = CLPROPMD ]",
     .flags = ROOT},
    {"nonregular", "log_keeps_the_permission_bits", .setup = {{REG, "l.csv", "old\n", 0600}},
     .argv = {TRAIN, "--epochs", "1", "--log", "l.csv"}, .status = 0, .changes = "l.csv",
     .after_sh = "[ $(stat -c %a l.csv) = 600 ] && head -1 l.csv | grep -q '^epoch,'"},
    {"nonregular", "save_onto_a_read_only_file_is_refused",
     .setup = {{REG, "ro.clprop", "old\n", 0444}},
     .setup_sh = "[ $(id -u) != 0 ] || chattr +i ro.clprop || exit 77", .skip = CHATTR_SKIP,
     .argv = {TRAIN, "--epochs", "1", "--save", "ro.clprop"}, .status = NONZERO,
     .needle = "ro.clprop", .flags = MANY_LINES},
    {"nonregular", "log_onto_a_read_only_file_is_refused", .setup = {{REG, "ro.csv", "old\n", 0444}},
     .setup_sh = "[ $(id -u) != 0 ] || chattr +i ro.csv || exit 77", .skip = CHATTR_SKIP,
     .argv = {TRAIN, "--epochs", "1", "--log", "ro.csv"}, .status = NONZERO, .needle = "ro.csv"},
    {"nonregular", "checkpoint_onto_a_read_only_file_is_refused",
     .setup = {{REG, "ro.ck", "old\n", 0444}},
     .setup_sh = "[ $(id -u) != 0 ] || chattr +i ro.ck || exit 77", .skip = CHATTR_SKIP,
     .argv = {TRAIN, "--epochs", "1", "--checkpoint", "ro.ck", "--checkpoint-every", "1"},
     .status = NONZERO, .needle = "ro.ck", .flags = MANY_LINES},
    {"nonregular", "save_onto_a_file_on_a_read_only_file_system_is_refused",
     .setup_sh = "mkdir ro && mount -t tmpfs -o size=64k tmpfs ro || exit 77; echo old > "
                 "ro/m.clprop && mount -o remount,ro ro || exit 77",
     .skip = MOUNT_SKIP, .argv = {TRAIN_LONG, "--save", "ro/m.clprop"}, .status = NONZERO,
     .needle = "ro/m.clprop", .flags = ROOT | BEFORE_WORK},

    /* ---- every write checked ---- */
    {"full", "predict_to_dev_full", .argv = {"predict", "--model", "model.clprop", "--data", XOR},
     .status = NONZERO, .needle = "standard output", .flags = STDOUT_FULL},
    {"full", "eval_to_dev_full", .argv = {"eval", "--model", "model.clprop", "--data", XOR},
     .status = NONZERO, .needle = "standard output", .flags = STDOUT_FULL},
    {"full", "eval_json_to_dev_full",
     .argv = {"eval", "--model", "model.clprop", "--data", XOR, "--json"}, .status = NONZERO,
     .needle = "standard output", .flags = STDOUT_FULL},
    {"full", "export_to_dev_full", .argv = {"export", "--model", "model.clprop"},
     .status = NONZERO, .needle = "standard output", .flags = STDOUT_FULL},
    {"full", "train_to_dev_full", .argv = {TRAIN, "--epochs", "2"}, .status = NONZERO,
     .needle = "standard output", .flags = STDOUT_FULL},
    {"full", "devices_to_dev_full", .argv = {"devices"}, .status = NONZERO,
     .needle = "standard output", .flags = STDOUT_FULL},
    {"full", "help_to_dev_full", .argv = {"help"}, .status = NONZERO,
     .needle = "standard output", .flags = STDOUT_FULL},
    {"full", "log_on_a_full_file_system_leaves_the_old_log",
     .setup_sh = MOUNT_SMALL "printf 'old,log\\n1,2\\n' > small/log.csv; " FILL,
     .skip = MOUNT_SKIP, .argv = {TRAIN, "--epochs", "3", "--log", "small/log.csv"},
     .status = NONZERO, .needle = "small/log.csv",
     .creates = "clprop-interrupted.clprop?", /* the epochs before the failure, if any */
     .flags = ROOT | MANY_LINES},
    {"full", "save_on_a_full_file_system_leaves_the_old_model",
     .setup_sh = MOUNT_SMALL "cp model.clprop small/m.clprop; " FILL, .skip = MOUNT_SKIP,
     .argv = {TRAIN, "--epochs", "3", "--save", "small/m.clprop"}, .status = NONZERO,
     .needle = "small/m.clprop", .flags = ROOT | MANY_LINES},
    {"full", "checkpoint_on_a_full_file_system_leaves_the_old_checkpoint",
     .setup_sh = MOUNT_SMALL "cp ck.clprop small/ck.clprop; " FILL, .skip = MOUNT_SKIP,
     .argv = {TRAIN, "--epochs", "3", "--checkpoint", "small/ck.clprop", "--checkpoint-every",
              "1"},
     .status = NONZERO, .needle = "small/ck.clprop", .flags = ROOT | MANY_LINES},
    {"full", "log_filling_the_file_system_keeps_whole_lines",
     /* 8 KiB free: the header and some rows fit, 400 rows do not */
     .setup_sh = MOUNT_SMALL "dd if=/dev/zero of=small/pad bs=4k count=2 2>/dev/null; " FILL
                             "rm small/pad",
     .skip = MOUNT_SKIP, .argv = {TRAIN, "--epochs", "400", "--log", "small/log.csv"},
     .status = NONZERO, .needle = "small/log.csv",
     /* and the run so far is not lost with it: a checkpoint, and how to resume from it */
     .creates = "small/log.csv? clprop-interrupted.clprop",
     .after_sh = LOG_WHOLE_LINES " && [ \"$(head -c 8 clprop-interrupted.clprop)\" = CLPROPMD ]",
     .flags = ROOT | MANY_LINES},

    /* ---- outputs checked before the work ---- */
    {"before_work", "save_into_a_missing_folder", .argv = {TRAIN_LONG, "--save", "nowhere/m"},
     .status = NONZERO, .needle = "nowhere", .flags = BEFORE_WORK},
    {"before_work", "log_into_a_missing_folder", .argv = {TRAIN_LONG, "--log", "nowhere/l.csv"},
     .status = NONZERO, .needle = "nowhere", .flags = BEFORE_WORK},
    {"before_work", "checkpoint_into_a_missing_folder",
     .argv = {TRAIN_LONG, "--checkpoint", "nowhere/ck"}, .status = NONZERO, .needle = "nowhere",
     .flags = BEFORE_WORK},
    {"before_work", "save_into_a_folder_that_is_a_file", .argv = {TRAIN_LONG, "--save", XOR "/m"},
     .status = NONZERO, .needle = XOR "/m", .flags = BEFORE_WORK},
    {"before_work", "save_into_a_non_writable_folder",
     .setup_sh = "mkdir ro && mount -t tmpfs -o size=64k,ro tmpfs ro || exit 77",
     .skip = MOUNT_SKIP, .argv = {TRAIN_LONG, "--save", "ro/m.clprop"}, .status = NONZERO,
     .needle = "ro/m.clprop", .flags = ROOT | BEFORE_WORK},
    {"before_work", "log_into_a_non_writable_folder",
     .setup_sh = "mkdir ro && mount -t tmpfs -o size=64k,ro tmpfs ro || exit 77",
     .skip = MOUNT_SKIP, .argv = {TRAIN_LONG, "--log", "ro/l.csv"}, .status = NONZERO,
     .needle = "ro/l.csv", .flags = ROOT | BEFORE_WORK},
    {"before_work", "checkpoint_into_a_non_writable_folder",
     .setup_sh = "mkdir ro && mount -t tmpfs -o size=64k,ro tmpfs ro || exit 77",
     .skip = MOUNT_SKIP, .argv = {TRAIN_LONG, "--checkpoint", "ro/ck"}, .status = NONZERO,
     .needle = "ro/ck", .flags = ROOT | BEFORE_WORK},
    {"before_work", "save_name_too_long", .argv = {TRAIN_LONG, "--save", LONG_NAME},
     .status = NONZERO, .needle = "too long", .flags = BEFORE_WORK},
    {"before_work", "log_name_too_long", .argv = {TRAIN_LONG, "--log", LONG_NAME},
     .status = NONZERO, .needle = "too long", .flags = BEFORE_WORK},
    {"before_work", "checkpoint_name_too_long", .argv = {TRAIN_LONG, "--checkpoint", LONG_NAME},
     .status = NONZERO, .needle = "too long", .flags = BEFORE_WORK},
    {"before_work", "save_path_with_a_trailing_slash", .argv = {TRAIN_LONG, "--save", "new/"},
     .status = NONZERO, .needle = "new/", .flags = BEFORE_WORK},
    {"before_work", "save_onto_dot", .argv = {TRAIN_LONG, "--save", "."}, .status = NONZERO,
     .needle = "directory", .flags = BEFORE_WORK},

    /* ---- strict numbers: exit 2 naming the option ---- */
#define NUM(name_, option, value)                                                                 \
    {"numeric", name_, .argv = {TRAIN, option, value}, .status = 2, .needle = option,             \
     .flags = BEFORE_WORK}
    NUM("epochs_space_minus_5", "--epochs", " -5"),
    NUM("epochs_trailing_space", "--epochs", "5 "),
    NUM("epochs_hex", "--epochs", "0x10"),
    NUM("epochs_exponent", "--epochs", "1e3"),
    NUM("epochs_empty", "--epochs", ""),
    NUM("epochs_minus_1", "--epochs", "-1"),
    NUM("epochs_zero", "--epochs", "0"),
    NUM("epochs_plus_5", "--epochs", "+5"),
    NUM("epochs_decimal", "--epochs", "5.0"),
    NUM("epochs_beyond_64_bits", "--epochs", "99999999999999999999999"),
    NUM("epochs_with_escape", "--epochs", "5" ESC),
    NUM("batch_space_minus_1", "--batch", " -1"),
    NUM("batch_minus_1", "--batch", "-1"),
    NUM("batch_huge", "--batch", "99999999999"),
    NUM("batch_zero", "--batch", "0"),
    NUM("batch_decimal", "--batch", "1.5"),
    NUM("lr_nan", "--lr", "nan"),
    NUM("lr_inf", "--lr", "inf"),
    NUM("lr_minus_1", "--lr", "-1"),
    NUM("lr_zero", "--lr", "0"),
    NUM("lr_overflow", "--lr", "1e999"),
    NUM("lr_trailing_garbage", "--lr", "0.1x"),
    NUM("lr_empty", "--lr", ""),
    NUM("lr_words", "--lr", "fast"),
    NUM("validation_1_5", "--validation", "1.5"),
    NUM("validation_zero", "--validation", "0"),
    NUM("validation_negative", "--validation", "-0.1"),
    NUM("validation_nan", "--validation", "nan"),
    NUM("layers_empty_entry", "--layers", "2,,1"),
    NUM("layers_zero_entry", "--layers", "2,0,1"),
    NUM("layers_letter", "--layers", "a"),
    NUM("layers_empty", "--layers", ""),
    NUM("layers_trailing_comma", "--layers", "2,3,"),
    NUM("layers_leading_comma", "--layers", ",2,1"),
    NUM("layers_negative", "--layers", "2,-3,1"),
    NUM("layers_huge", "--layers", "2,99999999999,1"),
    NUM("layers_one_entry", "--layers", "2"),
    NUM("momentum_nan", "--momentum", "nan"),
    NUM("beta1_1_5", "--beta1", "1.5"),
    NUM("weight_decay_inf", "--weight-decay", "inf"),
    NUM("seed_negative", "--seed", "-1"),
    NUM("seed_letters", "--seed", "x"),
    NUM("targets_zero", "--targets", "0"),
    NUM("targets_letters", "--targets", "x"),
    NUM("label_column_zero", "--label-column", "0"),
    NUM("step_every_zero", "--step-every", "0"),
    NUM("warmup_negative", "--warmup", "-1"),
    NUM("step_factor_nan", "--step-factor", "nan"),
#undef NUM

    /* ---- empty option values: exit 2 ---- */
#define EMPTY(name_, option, ...)                                                                 \
    {"empty", name_, .argv = {__VA_ARGS__}, .status = 2, .needle = option,                       \
     .needle2 = "empty", .flags = BEFORE_WORK}
    EMPTY("data_empty", "--data", "train", "--data", ""),
    EMPTY("save_equals_empty", "--save", TRAIN, "--save="),
    EMPTY("save_empty", "--save", TRAIN, "--save", ""),
    EMPTY("log_empty", "--log", TRAIN, "--log", ""),
    EMPTY("checkpoint_empty", "--checkpoint", TRAIN, "--checkpoint", ""),
    EMPTY("init_empty", "--init", TRAIN, "--init", ""),
    EMPTY("resume_empty", "--resume", TRAIN, "--resume", ""),
    EMPTY("test_empty", "--test", TRAIN, "--test", ""),
    EMPTY("labels_empty", "--labels", TRAIN, "--labels", ""),
    EMPTY("device_empty", "--device", TRAIN, "--device", ""),
    EMPTY("eval_model_empty", "--model", "eval", "--model", "", "--data", XOR),
    EMPTY("export_model_equals_empty", "--model", "export", "--model="),
#undef EMPTY
    /* a forgotten value: the next option is not taken as a file name (`--log --save` made a log
     * named "--save") */
    {"empty", "log_followed_by_an_option", .argv = {TRAIN, "--log", "--save", "m.clprop"},
     .status = 2, .needle = "--log", .needle2 = "not the option --save", .flags = BEFORE_WORK},

    /* ---- CSV targets ---- */
    {"csv", "csv_without_targets_or_label_column", .setup = {{REG, "t.csv", "0,1,1\n1,0,1\n"}},
     .argv = {"train", "--data", "t.csv"}, .status = 2, .needle = "--targets",
     .needle2 = "--label-column", .flags = BEFORE_WORK},
    {"csv", "csv_with_header_without_targets",
     .setup = {{REG, "t.csv", "a,b,y\n0,1,1\n1,0,1\n"}}, .argv = {"train", "--data", "t.csv"},
     .status = 2, .needle = "--targets", .needle2 = "--label-column", .flags = BEFORE_WORK},
    {"csv", "csv_test_without_targets", .setup = {{REG, "t.csv", "0,1,1\n1,0,1\n"}},
     .argv = {TRAIN, "--test", "t.csv"}, .status = 2, .needle = "--targets",
     .needle2 = "--label-column", .flags = BEFORE_WORK},
    {"csv", "csv_eval_without_targets", .setup = {{REG, "t.csv", "0,1,1\n1,0,1\n"}},
     .argv = {"eval", "--model", "model.clprop", "--data", "t.csv"}, .status = 2,
     .needle = "--targets", .needle2 = "--label-column"},

    /* ---- inputs that are not regular files ---- */
    {"fifo_inputs", "data_fifo", .setup = {{PIPE, "in.x"}}, .argv = {"train", "--data", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "FIFO"},
    {"fifo_inputs", "data_fifo_with_targets", .setup = {{PIPE, "in.x"}},
     .argv = {"train", "--data", "in.x", "--targets", "1"}, .status = NONZERO, .needle = "in.x",
     .needle2 = "FIFO"},
    {"inputs", "data_directory", .setup = {{FOLDER, "in.x"}}, .argv = {"train", "--data", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "directory"},
    {"inputs", "data_dev_null", .argv = {"train", "--data", "/dev/null"}, .status = NONZERO,
     .needle = "/dev/null", .needle2 = "empty|device|not a regular file"},
    {"inputs", "data_empty_file", .setup = {{REG, "in.x", ""}}, .argv = {"train", "--data", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "empty"},
    {"inputs", "data_char_device", .setup = {{CHARDEV, "zero", "1 5"}}, .skip = MKNOD_SKIP,
     .argv = {"train", "--data", "zero"}, .status = NONZERO, .needle = "zero",
     .needle2 = "device|not a regular file", .flags = ROOT},
    {"fifo_inputs", "test_fifo", .setup = {{PIPE, "in.x"}}, .argv = {TRAIN, "--test", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "FIFO"},
    {"fifo_inputs", "labels_fifo", .setup = {{PIPE, "in.x"}, {FIX, "img.idx", "img"}},
     .argv = {"train", "--data", "img.idx", "--labels", "in.x"}, .status = NONZERO,
     .needle = "in.x", .needle2 = "FIFO"},
    {"fifo_inputs", "init_fifo", .setup = {{PIPE, "in.x"}}, .argv = {TRAIN, "--init", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "FIFO"},
    {"inputs", "init_directory", .setup = {{FOLDER, "in.x"}}, .argv = {TRAIN, "--init", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "directory"},
    {"inputs", "init_empty_file", .setup = {{REG, "in.x", ""}}, .argv = {TRAIN, "--init", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "empty"},
    {"fifo_inputs", "resume_fifo", .setup = {{PIPE, "in.x"}}, .argv = {TRAIN, "--resume", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "FIFO"},
    {"inputs", "resume_directory", .setup = {{FOLDER, "in.x"}}, .argv = {TRAIN, "--resume", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "directory"},
    {"fifo_inputs", "eval_model_fifo", .setup = {{PIPE, "in.x"}},
     .argv = {"eval", "--model", "in.x", "--data", XOR}, .status = NONZERO, .needle = "in.x",
     .needle2 = "FIFO"},
    {"inputs", "eval_model_directory", .setup = {{FOLDER, "in.x"}},
     .argv = {"eval", "--model", "in.x", "--data", XOR}, .status = NONZERO, .needle = "in.x",
     .needle2 = "directory"},
    {"fifo_inputs", "export_model_fifo", .setup = {{PIPE, "in.x"}}, .argv = {"export", "--model", "in.x"},
     .status = NONZERO, .needle = "in.x", .needle2 = "FIFO"},
    {"inputs", "predict_model_dev_null", .argv = {"predict", "--model", "/dev/null", "--data", XOR},
     .status = NONZERO, .needle = "/dev/null", .needle2 = "empty|device|not a regular file"},
    {"fifo_inputs", "eval_data_fifo", .setup = {{PIPE, "in.x"}},
     .argv = {"eval", "--model", "model.clprop", "--data", "in.x"}, .status = NONZERO,
     .needle = "in.x", .needle2 = "FIFO"},

    /* ---- bounded memory ---- */
    {"memory", "a_70_mib_line_of_digits", .setup = {{FIX, "big.data", "bigline"}},
     .argv = {"train", "--data", "big.data", "--targets", "1"}, .status = NONZERO,
     .needle = "big.data"},
    {"memory", "a_70_mib_line_of_digits_as_fann_test", .setup = {{FIX, "big.data", "bigline"}},
     .argv = {TRAIN, "--test", "big.data"}, .status = NONZERO, .needle = "big.data"},
    {"memory", "a_gzip_idx_declaring_huge_dimensions",
     .setup = {{FIX, "huge.gz", "hugeidx"}, {FIX, "lab.gz", "hugelab"}},
     .argv = {"train", "--data", "huge.gz", "--labels", "lab.gz"}, .status = NONZERO,
     .needle = "huge.gz"},
    {"memory", "a_gzip_idx_declaring_huge_dimensions_with_matching_labels",
     .setup = {{FIX, "huge.gz", "hugeidx"}, {FIX, "lab.gz", "hugelab"}},
     .argv = {"eval", "--model", "model.clprop", "--data", "huge.gz", "--labels", "lab.gz"},
     .status = NONZERO, .needle = "huge.gz"},
    {"memory", "a_gzip_idx_header_unlike_layers_is_refused_before_its_body",
     .setup = {{FIX, "img.gz", "imggz"}, {FIX, "lab.idx", "lab"}},
     .argv = {"train", "--data", "img.gz", "--labels", "lab.idx", "--layers", "10,4,10"},
     .status = NONZERO, .needle = "img.gz", .needle2 = "--layers 10"},
    {"memory", "a_fann_header_unlike_the_init_model_is_refused_before_its_body",
     .setup = {{REG, "wide.data", "1 3 1\n0 0 0\n1\n"}},
     .argv = {"train", "--data", "wide.data", "--init", "model.clprop"}, .status = NONZERO,
     .needle = "wide.data:1", .needle2 = "--init model.clprop"},
    {"memory", "gzip_with_trailing_garbage", .setup = {{FIX, "img.gz", "imgtrail"},
                                                       {FIX, "lab.idx", "lab"}},
     .argv = {"train", "--data", "img.gz", "--labels", "lab.idx", "--epochs", "1"},
     .status = NONZERO, .needle = "img.gz", .needle2 = "trailing|after the end|garbage"},
    {"memory", "a_fann_network_declaring_layers_of_16_million_neurons",
     .setup = {{REG, "huge.net", "FANN_FLO_2.1\nnum_layers=3\nnetwork_type=0\n"
                                 "layer_sizes=16777217 16777217 2\nneurons (num_inputs, "
                                 "activation_function, activation_steepness)=(0, 0, 0)\n"}},
     .argv = {"export", "--model", "huge.net", "--format", "fann"}, .status = NONZERO,
     .needle = "huge.net:5", .needle2 = "too short"},
    {"memory", "a_fann_header_declaring_billions",
     .setup = {{REG, "h.data", "2000000000 100000 100000\n0 0\n"}},
     .argv = {"train", "--data", "h.data"}, .status = NONZERO, .needle = "h.data"},
    {"memory", "json_model_nested_5000_deep", .setup = {{FIX, "deep.json", "deepjson"}},
     .argv = {"eval", "--model", "deep.json", "--data", XOR}, .status = NONZERO,
     .needle = "deep.json", .needle2 = "nest"},
    {"memory", "json_init_nested_5000_deep_objects", .setup = {{FIX, "deep.json", "deepobj"}},
     .argv = {TRAIN, "--init", "deep.json"}, .status = NONZERO, .needle = "deep.json",
     .needle2 = "nest"},

    /* ---- contradicting options ---- */
    {"contradict", "layers_unlike_init", .argv = {TRAIN, "--init", "model.clprop", "--layers",
                                                   "2,4,1"},
     .status = 2, .needle = "--layers 2,4,1", .needle2 = "2,3,1", .flags = BEFORE_WORK},
    {"contradict", "layers_unlike_init_json",
     .argv = {TRAIN, "--init", "model.json", "--layers", "2,5,5,1"}, .status = 2,
     .needle = "--layers 2,5,5,1", .needle2 = "2,3,1", .flags = BEFORE_WORK},
    {"contradict", "layers_unlike_resume",
     .argv = {TRAIN, "--resume", "ck.clprop", "--epochs", "3", "--layers", "2,4,1"}, .status = 2,
     .needle = "--layers 2,4,1", .needle2 = "2,3,1", .flags = BEFORE_WORK},
    {"contradict", "resume_with_the_original_options_succeeds",
     .argv = {TRAIN, "--layers", "2,3,1", "--optimizer", "sgd", "--lr", "0.1", "--resume",
              "ck.clprop", "--epochs", "3", "--save", "out.clprop"},
     .status = 0, .creates = "out.clprop"},
    {"contradict", "optimizer_unlike_resume",
     .argv = {TRAIN, "--resume", "ck.clprop", "--epochs", "3", "--optimizer", "adam"},
     .status = 2, .needle = "--optimizer", .flags = BEFORE_WORK},
    {"contradict", "lr_unlike_resume",
     .argv = {TRAIN, "--resume", "ck.clprop", "--epochs", "3", "--lr", "0.5"}, .status = 2,
     .needle = "--lr", .flags = BEFORE_WORK},
    {"contradict", "momentum_unlike_resume",
     .argv = {TRAIN, "--resume", "ck.clprop", "--epochs", "3", "--optimizer", "momentum"},
     .status = 2, .needle = "--optimizer", .flags = BEFORE_WORK},
    {"contradict", "seed_unlike_resume",
     .argv = {TRAIN, "--resume", "ck.clprop", "--epochs", "3", "--seed", "9"}, .status = 2,
     .needle = "--seed", .flags = BEFORE_WORK},
    {"contradict", "activation_unlike_init",
     .argv = {TRAIN, "--init", "model.clprop", "--activation", "relu"}, .status = 2,
     .needle = "--activation", .flags = BEFORE_WORK},
    {"contradict", "no_bias_unlike_init", .argv = {TRAIN, "--init", "model.clprop", "--no-bias"},
     .status = 2, .needle = "--no-bias", .flags = BEFORE_WORK},

    /* ---- models with weights that are not numbers, behind a valid checksum ---- */
    {"nanmodel", "eval_nan_weight", .setup = {{FIX, "nan.clprop", "nanmodel"}},
     .argv = {"eval", "--model", "nan.clprop", "--data", XOR}, .status = NONZERO,
     .needle = "nan.clprop", .needle2 = "NaN|not finite|not a number"},
    {"nanmodel", "predict_nan_weight", .setup = {{FIX, "nan.clprop", "nanmodel"}},
     .argv = {"predict", "--model", "nan.clprop", "--data", XOR}, .status = NONZERO,
     .needle = "nan.clprop", .needle2 = "NaN|not finite|not a number"},
    {"nanmodel", "export_nan_weight", .setup = {{FIX, "nan.clprop", "nanmodel"}},
     .argv = {"export", "--model", "nan.clprop"}, .status = NONZERO, .needle = "nan.clprop",
     .needle2 = "NaN|not finite|not a number"},
    {"nanmodel", "init_nan_weight", .setup = {{FIX, "nan.clprop", "nanmodel"}},
     .argv = {TRAIN, "--init", "nan.clprop"}, .status = NONZERO, .needle = "nan.clprop",
     .needle2 = "NaN|not finite|not a number"},
    {"nanmodel", "init_inf_bias", .setup = {{FIX, "bias.clprop", "infmodel"}},
     .argv = {TRAIN, "--init", "bias.clprop"}, .status = NONZERO, .needle = "bias.clprop",
     .needle2 = "inf|not finite"},
    {"nanmodel", "resume_nan_checkpoint", .setup = {{FIX, "nan.ck", "nanck"}},
     .argv = {TRAIN, "--resume", "nan.ck", "--epochs", "3"}, .status = NONZERO,
     .needle = "nan.ck", .needle2 = "NaN|not finite|not a number"},
    {"nanmodel", "json_weight_1e999", .setup = {{FIX, "big.json", "json1e999"}},
     .argv = {"eval", "--model", "big.json", "--data", XOR}, .status = NONZERO,
     .needle = "big.json", .needle2 = "inf|not finite|beyond|range"},
    {"nanmodel", "json_bias_minus_1e999", .setup = {{FIX, "big.json", "jsonm1e999"}},
     .argv = {TRAIN, "--init", "big.json"}, .status = NONZERO, .needle = "big.json",
     .needle2 = "inf|not finite|beyond|range"},

    /* ---- diagnoses that name the file and where ---- */
    {"diagnose", "a_clprop_model_given_as_data", .setup = {{FIX, "weights.bin", "model"}},
     .argv = {"train", "--data", "weights.bin"}, .status = NONZERO, .needle = "weights.bin",
     .needle2 = "model"},
    {"diagnose", "a_checkpoint_given_as_eval_data",
     .argv = {"eval", "--model", "model.clprop", "--data", "ck.clprop"}, .status = NONZERO,
     .needle = "ck.clprop", .needle2 = "model|checkpoint"},
    {"diagnose", "a_binary_file_as_data",
     .setup = {{REG, "bin.data", "4 2 1\n\x01\x02\xff\xfe\x00\x80\n", 0, 14}},
     .argv = {"train", "--data", "bin.data"}, .status = NONZERO, .needle = "bin.data",
     .needle2 = "line|byte|bin.data:"},
    {"diagnose", "utf16_text_as_data", .setup = {{FIX, "u16.data", "utf16"}},
     .argv = {"train", "--data", "u16.data"}, .status = NONZERO, .needle = "u16.data",
     .needle2 = "UTF-16"},
    {"diagnose", "cr_only_line_endings",
     .setup = {{REG, "cr.data", "4 2 1\r0 0\r0\r0 1\r1\r1 0\r1\r1 1\r0\r"}},
     .argv = {"train", "--data", "cr.data"}, .status = NONZERO, .needle = "cr.data",
     .needle2 = "line|byte|cr.data:"},
    {"diagnose", "fann_header_with_an_extra_word",
     .setup = {{REG, "x.data", "4 2 1 7\n0 0\n0\n0 1\n1\n1 0\n1\n1 1\n0\n"}},
     .argv = {"train", "--data", "x.data"}, .status = NONZERO, .needle = "x.data",
     .needle2 = "line 1|:1:|byte"},
    {"diagnose", "escape_sequence_in_data", .setup = {{REG, "e.data", "4 2 1\n0 0\n0\n0 1\n1\n"
                                                                      "1 0\n1\n1 1\n" ESC "0\n"}},
     .argv = {"train", "--data", "e.data"}, .status = NONZERO, .needle = "e.data",
     .needle2 = "line|:9"},
    {"diagnose", "escape_sequence_in_a_csv_header",
     .setup = {{REG, "e.csv", "a" ESC ",b,y\n0,1,1\n1,0,1\n"}},
     .argv = {"train", "--data", "e.csv", "--targets", "1", "--epochs", "1"}, .status = ANY},
    {"diagnose", "escape_sequence_in_a_missing_data_name", .argv = {"train", "--data", ESC "x"},
     .status = NONZERO, .needle = "x"},
    {"diagnose", "newline_in_a_missing_data_name", .argv = {"train", "--data", "first\nsecond"},
     .status = NONZERO, .needle = "first\\x0asecond"},
    {"diagnose", "newline_in_a_save_folder", .argv = {TRAIN_LONG, "--save", "a\nb/m"},
     .status = NONZERO, .needle = "a\\x0ab/m", .flags = BEFORE_WORK},
    {"diagnose", "escape_sequence_in_an_option_value", .argv = {TRAIN, "--optimizer", ESC},
     .status = 2, .needle = "--optimizer"},
    {"diagnose", "escape_sequence_in_an_unknown_option", .argv = {TRAIN, "--" ESC},
     .status = 2, .needle = "option"},
    {"diagnose", "escape_sequence_in_a_save_folder", .argv = {TRAIN_LONG, "--save", ESC "/m"},
     .status = NONZERO, .needle = "/m", .flags = BEFORE_WORK},
    {"diagnose", "escape_sequence_in_a_model_file", .setup = {{REG, "e.json", "{\"format\":\""
                                                                              ESC "\"}"}},
     .argv = {"eval", "--model", "e.json", "--data", XOR}, .status = NONZERO,
     .needle = "e.json"},
    {"diagnose", "eval_never_says_training_diverged", .setup = {{FIX, "inf.json", "infloss"}},
     .argv = {"eval", "--model", "inf.json", "--data", XOR}, .status = ANY,
     .absent = "diverged"},
    {"diagnose", "eval_json_never_says_training_diverged",
     .setup = {{FIX, "inf.json", "infloss"}},
     .argv = {"eval", "--model", "inf.json", "--data", XOR, "--json"}, .status = ANY,
     .absent = "diverged"},
    {"diagnose", "a_cut_short_fann_network",
     .setup = {{REG, "cut.net", "FANN_FLO_2.1\nnum_layers=2\nnetwork_type=0\nlayer_sizes=3 2\n"
                                "neurons (num_inputs, activation_function, activation_steepness)="
                                "(0, 0, 0) (0, 0, 0) (0, 0, 0) (3, 3, 0.5) (0, 0, 0)\n"
                                "connections (connected_to_neuron, weight)=(0, 0.5) (1, 0."}},
     .argv = {"eval", "--model", "cut.net", "--data", XOR}, .status = NONZERO,
     .needle = "cut.net:6", .needle2 = "cut short"},
    {"diagnose", "a_shortcut_fann_network",
     .setup = {{REG, "short.net", "FANN_FLO_2.1\nnum_layers=2\nnetwork_type=1\n"}},
     .argv = {"predict", "--model", "short.net", "--data", XOR}, .status = NONZERO,
     .needle = "short.net:3", .needle2 = "FANN_NETTYPE_SHORTCUT"},
    {"diagnose", "escape_sequence_in_a_fann_network",
     .setup = {{REG, "e.net", "FANN_FLO_2.1\nnum_layers=" ESC "\n"}},
     .argv = {"export", "--model", "e.net", "--format", "fann"}, .status = NONZERO,
     .needle = "e.net:2", .needle2 = "byte|not text"},
    {"diagnose", "checkpoint_progress_beyond_the_data", .setup = {{FIX, "far.ck", "farck"}},
     .argv = {TRAIN, "--resume", "far.ck", "--epochs", "3"}, .status = NONZERO,
     .needle = "far.ck"},
    {"diagnose", "checkpoint_for_other_data_shape",
     .setup = {{REG, "three.data", "2 3 1\n0 0 0\n0\n1 1 1\n1\n"}},
     .argv = {"train", "--data", "three.data", "--resume", "ck.clprop", "--epochs", "3"},
     .status = NONZERO, .needle = "ck.clprop"},
};

#define CASE_COUNT (sizeof cases / sizeof *cases)

/* ---- fixtures: made once per test process ------------------------------------------------- */

static char *fixtures;
/* The address-space limit, dropped (with a warning) where the OpenCL stack cannot start under it,
 * as some GPU drivers that reserve much virtual memory cannot; and under AddressSanitizer. */
static int limit_address_space = 1;

static void remove_fixtures(void)
{
    if (fixtures != NULL)
        test_remove_tree(fixtures);
    free(fixtures);
    fixtures = NULL;
}

TestSuite(hostile, .fini = remove_fixtures, .timeout = 280);

static int shell(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int shell(const char *format, ...)
{
    char command[16384];
    va_list list;
    va_start(list, format);
    vsnprintf(command, sizeof command, format, list);
    va_end(list);
    int raw = system(command);
    return raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

static uint32_t crc32_of(const unsigned char *bytes, size_t size)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < size; i++) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xffffffffu;
}

static void store_le(unsigned char *at, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        at[i] = (unsigned char)(value >> (8 * i));
}

/* Copies `from` to fixture `to`, with `patch` applied to the bytes and the CRC fixed. */
static void patched_model(const char *from, const char *to,
                          void (*patch)(unsigned char *bytes, size_t size))
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", fixtures, from);
    size_t size;
    unsigned char *bytes = (unsigned char *)test_read_file(path, &size);
    cr_assert(size > 60, "%s is too small", path);
    patch(bytes, size);
    store_le(bytes + size - 4, crc32_of(bytes, size - 4), 4);
    free(test_write_bytes(fixtures, to, bytes, size));
    free(bytes);
}

/* model.clprop: 2 layers, so the parameters start at 28 + 12·2 = 52 */
static void first_weight_nan(unsigned char *bytes, size_t size)
{
    (void)size;
    store_le(bytes + 52, 0x7fc00000u, 4);
}

static void last_bias_inf(unsigned char *bytes, size_t size)
{
    (void)size;
    /* parameters: 2·3 + 3 + 3·1 + 1 = 13 floats; the last is the output bias */
    store_le(bytes + 52 + 12 * 4, 0x7f800000u, 4);
}

static unsigned char *find_tag(unsigned char *bytes, size_t size, const char *tag)
{
    for (size_t i = 52; i + 4 <= size; i++)
        if (memcmp(bytes + i, tag, 4) == 0)
            return bytes + i;
    cr_assert_fail("no %s section in the checkpoint", tag);
    return NULL;
}

static void samples_beyond_the_data(unsigned char *bytes, size_t size)
{
    /* TRST: tag, flags, size (16 bytes), then epochs done (8), samples of the next epoch (8) */
    store_le(find_tag(bytes, size, "TRST") + 16 + 8, 1000, 8);
}

static void write_idx_images(const char *name, int trailing)
{
    const unsigned char images[] = {0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2,
                                    0, 0, 0, 255, 255, 0, 255, 255};
    free(test_write_bytes(fixtures, name, images, sizeof images));
    if (trailing) {
        cr_assert_eq(shell("cd %s && gzip -c %s > %s.gz && printf 'garbage after the end' >> "
                           "%s.gz && rm %s", fixtures, name, name, name, name), 0);
    }
}

static void make_fixtures(void)
{
    if (fixtures != NULL)
        return;
    fixtures = test_make_temp_dir();
    cr_assert_eq(shell("cp '%s' '%s/xor' && chmod 644 '%s/xor'", CLPROP_FANN_DIR "/xor.data",
                       fixtures, fixtures), 0);
    cr_assert_eq(shell("cd %s && %s train --data xor --layers 2,3,1 --epochs 2 --save model "
                       ">/dev/null 2>err && %s train --data xor --layers 2,3,1 --epochs 2 "
                       "--checkpoint ck --checkpoint-every 1 >/dev/null 2>>err && "
                       "%s export --model model > json 2>>err && rm err",
                       fixtures, CLPROP_COMMAND, CLPROP_COMMAND, CLPROP_COMMAND), 0,
               "the fixtures could not be made (see %s/err)", fixtures);
    if (getenv("ASAN_OPTIONS") != NULL) {
        limit_address_space = 0;
    } else if (shell("cd %s && (ulimit -v %llu && %s train --data xor --epochs 1) >/dev/null 2>&1",
                     fixtures, ADDRESS_SPACE_LIMIT >> 10, CLPROP_COMMAND) != 0) {
        cr_log_warn("clprop does not train under a %llu GiB address-space limit here; the cases "
                    "run without one", ADDRESS_SPACE_LIMIT >> 30);
        limit_address_space = 0;
    }
    patched_model("model", "nanmodel", first_weight_nan);
    patched_model("model", "infmodel", last_bias_inf);
    patched_model("ck", "nanck", first_weight_nan);
    patched_model("ck", "farck", samples_beyond_the_data);
    write_idx_images("img", 0);
    write_idx_images("imgtrail", 1);
    cr_assert_eq(shell("cd %s && mv imgtrail.gz imgtrail && gzip -c img > imggz", fixtures), 0);
    const unsigned char labels[] = {0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 1, 0};
    free(test_write_bytes(fixtures, "lab", labels, sizeof labels));
    /* images: 2^31−1 of 65535×65535 pixels; labels: as many, both with almost no body */
    const unsigned char huge[] = {0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0xff, 0xff,
                                  0, 0, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8};
    free(test_write_bytes(fixtures, "hugeidx.raw", huge, sizeof huge));
    const unsigned char huge_labels[] = {0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff, 0, 1, 1, 0};
    free(test_write_bytes(fixtures, "hugelab.raw", huge_labels, sizeof huge_labels));
    cr_assert_eq(shell("cd %s && gzip -c hugeidx.raw > hugeidx && gzip -c hugelab.raw > hugelab"
                       " && iconv -f UTF-8 -t UTF-16 < xor > utf16",
                       fixtures), 0);
    /* 70 MiB of digits on one line */
    char path[4200];
    snprintf(path, sizeof path, "%s/bigline", fixtures);
    FILE *file = fopen(path, "wb");
    cr_assert_not_null(file);
    char chunk[65536];
    memset(chunk, '1', sizeof chunk);
    for (int i = 0; i < 70 * 16; i++)
        fwrite(chunk, 1, sizeof chunk, file);
    fputc('\n', file);
    cr_assert_eq(fclose(file), 0);
    /* JSON nested 5000 deep: inside a model's "layers", and as objects */
    snprintf(path, sizeof path, "%s/deepjson", fixtures);
    file = fopen(path, "wb");
    cr_assert_not_null(file);
    fputs("{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":", file);
    for (int i = 0; i < 5000; i++)
        fputc('[', file);
    for (int i = 0; i < 5000; i++)
        fputc(']', file);
    fputs("}\n", file);
    cr_assert_eq(fclose(file), 0);
    snprintf(path, sizeof path, "%s/deepobj", fixtures);
    file = fopen(path, "wb");
    cr_assert_not_null(file);
    for (int i = 0; i < 5000; i++)
        fputs("{\"a\":", file);
    fputs("1", file);
    for (int i = 0; i < 5000; i++)
        fputc('}', file);
    fputc('\n', file);
    cr_assert_eq(fclose(file), 0);
#define LAYER1 "{\"inputs\":2,\"outputs\":3,\"activation\":\"sigmoid\",\"bias\":true,"
#define LAYER2 "{\"inputs\":3,\"outputs\":1,\"activation\":\"linear\",\"bias\":true,"
#define MODEL_JSON(w1, b1, w2, b2)                                                                \
    "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":[" LAYER1              \
    "\"weights\":[" w1 "],\"biases\":[" b1 "]}," LAYER2 "\"weights\":[[" w2 "]],\"biases\":[" b2  \
    "]}]}\n"
    free(test_write_file(fixtures, "json1e999",
                         MODEL_JSON("[1e999,1],[1,1],[1,1]", "0,0,0", "1,1,1", "0")));
    free(test_write_file(fixtures, "jsonm1e999",
                         MODEL_JSON("[1,1],[1,1],[1,1]", "0,-1e999,0", "1,1,1", "0")));
    free(test_write_file(fixtures, "infloss",
                         MODEL_JSON("[1,1],[1,1],[1,1]", "0,0,0", "3e38,3e38,3e38", "3e38")));
}

/* ---- the folder's state: every entry's kind, mode and checksum ----------------------------- */

typedef struct snapshot_entry {
    char *path; /* relative to the work folder */
    mode_t mode;
    uint64_t hash; /* FNV-1a of the content (regular files) or the link's target */
} snapshot_entry;

typedef struct snapshot {
    snapshot_entry *entries;
    size_t count, capacity;
} snapshot;

static uint64_t fnv1a(uint64_t hash, const void *bytes, size_t size)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < size; i++) {
        hash ^= p[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

static uint64_t hash_file(const char *path)
{
    uint64_t hash = 0xcbf29ce484222325ull;
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return 1;
    static unsigned char buffer[1 << 16];
    ssize_t got;
    while ((got = read(fd, buffer, sizeof buffer)) > 0)
        hash = fnv1a(hash, buffer, (size_t)got);
    close(fd);
    return hash;
}

static void take(snapshot *shot, const char *root, const char *relative)
{
    char path[8192];
    snprintf(path, sizeof path, "%s%s%s", root, relative[0] != '\0' ? "/" : "", relative);
    DIR *folder = opendir(path);
    if (folder == NULL)
        return;
    struct dirent *item;
    while ((item = readdir(folder)) != NULL) {
        if (strcmp(item->d_name, ".") == 0 || strcmp(item->d_name, "..") == 0)
            continue;
        char name[4096], full[8192];
        snprintf(name, sizeof name, "%s%s%s", relative, relative[0] != '\0' ? "/" : "",
                 item->d_name);
        if ((size_t)snprintf(full, sizeof full, "%.4000s/%.4000s", root, name) >= sizeof full)
            continue;
        struct stat info;
        if (lstat(full, &info) != 0)
            continue;
        snapshot_entry item_entry = {strdup(name), info.st_mode, 0};
        if (S_ISREG(info.st_mode)) {
            item_entry.hash = hash_file(full);
        } else if (S_ISLNK(info.st_mode)) {
            char target[4096];
            ssize_t length = readlink(full, target, sizeof target);
            item_entry.hash = fnv1a(0xcbf29ce484222325ull, target, length > 0 ? (size_t)length : 0);
        } else if (S_ISCHR(info.st_mode)) {
            item_entry.hash = info.st_rdev;
        }
        if (shot->count == shot->capacity) {
            shot->capacity = shot->capacity * 2 + 16;
            shot->entries = realloc(shot->entries, shot->capacity * sizeof *shot->entries);
        }
        shot->entries[shot->count++] = item_entry;
        if (S_ISDIR(info.st_mode))
            take(shot, root, name);
    }
    closedir(folder);
}

static void snapshot_free(snapshot *shot)
{
    for (size_t i = 0; i < shot->count; i++)
        free(shot->entries[i].path);
    free(shot->entries);
    *shot = (snapshot){0};
}

static const snapshot_entry *find(const snapshot *shot, const char *path)
{
    for (size_t i = 0; i < shot->count; i++)
        if (strcmp(shot->entries[i].path, path) == 0)
            return &shot->entries[i];
    return NULL;
}

/* Whether the space-separated list holds name (an entry may end in '?': it may appear or not). */
static int listed(const char *list, const char *name)
{
    if (list == NULL)
        return 0;
    size_t length = strlen(name);
    for (const char *p = list; *p != '\0';) {
        while (*p == ' ')
            p++;
        size_t word = strcspn(p, " ");
        size_t bare = word > 0 && p[word - 1] == '?' ? word - 1 : word;
        if (word > 0 && bare == length && strncmp(p, name, length) == 0)
            return 1;
        p += word;
    }
    return 0;
}

/* ---- running one case --------------------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static char *path_in(const char *dir, const char *name)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    return path;
}

/* Returns 1 when made, 0 when a device node cannot be made here (the row skips). */
static int make_entry(const hostile_case *c, const entry *e, const char *work)
{
    char *path = path_in(work, e->name);
    mode_t mode = e->mode != 0 ? e->mode : 0644;
    int ok = 1;
    switch (e->kind) {
    case NONE:
        break;
    case REG: {
        size_t size = e->len != 0 ? e->len : strlen(e->text);
        free(test_write_bytes(work, e->name, e->text, size));
        ok = chmod(path, mode) == 0;
        break;
    }
    case FIX:
        ok = shell("cp '%s/%s' '%s' && chmod %o '%s'", fixtures, e->text, path, (unsigned)mode,
                   path) == 0;
        break;
    case PIPE:
        ok = mkfifo(path, 0644) == 0;
        break;
    case FOLDER:
        ok = mkdir(path, e->mode != 0 ? e->mode : 0755) == 0;
        break;
    case SYMLINK:
        if (strncmp(e->text, "$W", 2) == 0) {
            char *target = path_in(work, e->text + 3);
            ok = symlink(target, path) == 0;
            free(target);
        } else {
            ok = symlink(e->text, path) == 0;
        }
        break;
    case HARDLINK: {
        char *target = path_in(work, e->text);
        ok = link(target, path) == 0;
        free(target);
        break;
    }
    case CHARDEV: {
        unsigned major_number = 0, minor_number = 0;
        sscanf(e->text, "%u %u", &major_number, &minor_number);
        if (mknod(path, S_IFCHR | 0666, makedev(major_number, minor_number)) != 0) {
            cr_log_warn("%s: skipped: %s (mknod: %s)", c->name, c->skip ? c->skip : "mknod",
                        strerror(errno));
            free(path);
            return 0;
        }
        break;
    }
    case SOCK: {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        ok = fd >= 0 && strlen(path) < sizeof address.sun_path;
        if (ok) {
            strcpy(address.sun_path, path);
            ok = bind(fd, (struct sockaddr *)&address, sizeof address) == 0;
        }
        if (fd >= 0)
            close(fd);
        break;
    }
    }
    cr_assert(ok, "%s: cannot set up %s: %s", c->name, e->name, strerror(errno));
    free(path);
    return 1;
}

static void unmount_under(const char *base)
{
    for (int round = 0; round < 4; round++) {
        FILE *mounts = fopen("/proc/self/mounts", "r");
        if (mounts == NULL)
            return;
        char line[8192], point[8192];
        int found = 0;
        size_t length = strlen(base);
        while (fgets(line, sizeof line, mounts) != NULL)
            if (sscanf(line, "%*s %8191s", point) == 1 && strncmp(point, base, length) == 0 &&
                point[length] == '/') {
                umount2(point, MNT_DETACH);
                found = 1;
            }
        fclose(mounts);
        if (!found)
            return;
    }
}

/* The lines of text holding needle (alternatives split by '|'): whether one does. */
static int holds_any(const char *line, size_t length, const char *needle)
{
    if (needle == NULL)
        return 1;
    for (const char *p = needle;;) {
        size_t word = strcspn(p, "|");
        for (size_t i = 0; word > 0 && i + word <= length; i++)
            if (memcmp(line + i, p, word) == 0)
                return 1;
        if (p[word] == '\0')
            return 0;
        p += word + 1;
    }
}

static int has_line_with(const char *text, const char *needle, const char *needle2)
{
    for (const char *line = text; *line != '\0';) {
        size_t length = strcspn(line, "\n");
        if (holds_any(line, length, needle) && holds_any(line, length, needle2))
            return 1;
        line += length + (line[length] == '\n');
    }
    return 0;
}

static int has_line_starting(const char *text, const char *prefix)
{
    size_t length = strlen(prefix);
    for (const char *line = text; *line != '\0';) {
        if (strncmp(line, prefix, length) == 0)
            return 1;
        const char *end = strchr(line, '\n');
        if (end == NULL)
            break;
        line = end + 1;
    }
    return 0;
}

static size_t count_lines(const char *text)
{
    size_t lines = 0;
    for (const char *line = text; *line != '\0';) {
        size_t length = strcspn(line, "\n");
        lines += length > 0;
        line += length + (line[length] == '\n');
    }
    return lines;
}

static char *slurp(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    char *text = NULL;
    *size = 0;
    if (file == NULL)
        return strdup("");
    size_t capacity = 0;
    for (;;) {
        if (capacity - *size < 4096) {
            capacity = capacity * 2 + 8192;
            text = realloc(text, capacity + 1);
        }
        size_t got = fread(text + *size, 1, capacity - *size, file);
        if (got == 0)
            break;
        *size += got;
    }
    fclose(file);
    text[*size] = '\0';
    return text;
}

/* Runs one row; returns 1 when it ran, 0 when it skipped. Failures are cr_expect'ed. */
static int run_case(const hostile_case *c)
{
    if ((c->flags & ROOT) && geteuid() != 0) {
        cr_log_warn("%s: skipped: %s (not root)", c->name, c->skip ? c->skip : "needs root");
        return 0;
    }
    make_fixtures();
    char *base = test_make_temp_dir();
    char *work = path_in(base, "w"), *tmp = path_in(base, "tmp");
    char *out_path = path_in(base, "out"), *err_path = path_in(base, "err");
    cr_assert_eq(mkdir(work, 0755), 0);
    cr_assert_eq(mkdir(tmp, 0755), 0);
    /* beside the work folder: files a row plants outside it, named "../outside/NAME" */
    char *outside = path_in(base, "outside");
    cr_assert_eq(mkdir(outside, 0755), 0);
    free(outside);
    cr_assert_eq(shell("cd %s && cp %s/xor xor.data && cp %s/model model.clprop && "
                       "cp %s/ck ck.clprop && cp %s/json model.json",
                       work, fixtures, fixtures, fixtures, fixtures), 0);
    int ran = 1;
    for (size_t i = 0; i < sizeof c->setup / sizeof *c->setup && c->setup[i].kind != NONE; i++)
        ran = ran && make_entry(c, &c->setup[i], work);
    if (ran && c->setup_sh != NULL) {
        char script[8192];
        snprintf(script, sizeof script, "%s/setup.sh", base);
        FILE *file = fopen(script, "w");
        cr_assert_not_null(file);
        fputs(c->setup_sh, file);
        fclose(file);
        int rc = shell("cd %s && sh %s >/dev/null 2>&1", work, script);
        if (rc == 77) {
            cr_log_warn("%s: skipped: %s", c->name, c->skip ? c->skip : "set-up not possible");
            ran = 0;
        } else {
            cr_expect_eq(rc, 0, "%s: the set-up failed (%d): %s", c->name, rc, c->setup_sh);
            ran = rc == 0;
        }
    }
    int limit = TIME_LIMIT_S;
    for (size_t i = 0; i < sizeof c->setup / sizeof *c->setup; i++)
        if (c->setup[i].kind == PIPE)
            limit = FIFO_TIME_LIMIT_S;
    if (ran) {
        snapshot before = {0};
        take(&before, work, "");
        take(&before, work, "../outside");
        /* argv, "$W" replaced by the work folder */
        char *argv[32] = {CLPROP_COMMAND};
        int argc = 1;
        for (size_t i = 0; i < sizeof c->argv / sizeof *c->argv && c->argv[i] != NULL; i++) {
            const char *value = c->argv[i], *w = strstr(value, "$W");
            if (w == NULL) {
                argv[argc++] = strdup(value);
            } else {
                char *expanded = malloc(strlen(value) + strlen(work) + 1);
                sprintf(expanded, "%.*s%s%s", (int)(w - value), value, work, w + 2);
                argv[argc++] = expanded;
            }
        }
        argv[argc] = NULL;
        double start = now();
        pid_t pid = fork();
        cr_assert(pid >= 0, "fork");
        if (pid == 0) {
            setpgid(0, 0);
            if (chdir(work) != 0)
                _exit(125);
            setenv("TMPDIR", tmp, 1);
            if (limit_address_space) {
                struct rlimit address_space = {ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT};
                setrlimit(RLIMIT_AS, &address_space);
            }
            int in = open("/dev/null", O_RDONLY);
            int out = (c->flags & STDOUT_FULL) ? open("/dev/full", O_WRONLY)
                                               : open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (in < 0 || out < 0 || err < 0)
                _exit(125);
            dup2(in, 0), dup2(out, 1), dup2(err, 2);
            execv(argv[0], argv);
            _exit(126);
        }
        int raw = 0, timed_out = 0;
        for (;;) {
            pid_t done = waitpid(pid, &raw, WNOHANG);
            if (done == pid)
                break;
            if (now() - start > limit) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                waitpid(pid, &raw, 0);
                timed_out = 1;
                break;
            }
            usleep(5000);
        }
        double elapsed = now() - start;
        for (int i = 1; i < argc; i++)
            free(argv[i]);
        size_t out_size, err_size;
        char *out = slurp(out_path, &out_size), *err = slurp(err_path, &err_size);

        cr_expect(!timed_out, "%s: still running after %d s; killed", c->name, limit);
        cr_expect(timed_out || !WIFSIGNALED(raw), "%s: ended by signal %d (%s); stderr: %.600s",
                  c->name, WIFSIGNALED(raw) ? WTERMSIG(raw) : 0,
                  WIFSIGNALED(raw) ? strsignal(WTERMSIG(raw)) : "", err);
        int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
        if (!timed_out && WIFEXITED(raw)) {
            if (c->status == NONZERO)
                cr_expect(status != 0, "%s: expected a failure, got exit status 0; stdout: %.300s",
                          c->name, out);
            else if (c->status != ANY)
                cr_expect_eq(status, c->status, "%s: expected exit status %d, got %d; stderr: %.600s",
                             c->name, c->status, status, err);
        }
        if (c->needle != NULL)
            cr_expect(has_line_with(err, c->needle, c->needle2),
                      "%s: expected a stderr line holding \"%s\"%s%s%s, got: %.600s", c->name,
                      c->needle, c->needle2 ? " and \"" : "", c->needle2 ? c->needle2 : "",
                      c->needle2 ? "\"" : "", err);
        if (status != 0 && c->status != ANY && !(c->flags & MANY_LINES))
            cr_expect(count_lines(err) == 1, "%s: expected one error line, got %zu: %.600s", c->name,
                      count_lines(err), err);
        cr_expect(memchr(err, 0x1b, err_size) == NULL,
                  "%s: an ESC byte (0x1b) reached stderr raw: %.300s", c->name, err);
        if (c->absent != NULL)
            cr_expect(strstr(err, c->absent) == NULL && strstr(out, c->absent) == NULL,
                      "%s: the output says \"%s\": %.300s%.300s", c->name, c->absent, out, err);
        if (c->flags & BEFORE_WORK) {
            cr_expect(!has_line_starting(out, "epoch") && !has_line_starting(err, "epoch"),
                      "%s: an epoch ran before the check: %.200s", c->name, out);
            cr_expect(elapsed < BEFORE_WORK_LIMIT_S, "%s: took %.1f s, checked before the work?",
                      c->name, elapsed);
            snapshot tmp_shot = {0};
            take(&tmp_shot, tmp, "");
            cr_expect(tmp_shot.count == 0, "%s: a file appeared in $TMPDIR: %s", c->name,
                      tmp_shot.count ? tmp_shot.entries[0].path : "");
            snapshot_free(&tmp_shot);
        }
        /* the work folder: nothing new but what the row creates, nothing changed but what it
         * lets change */
        snapshot after = {0};
        take(&after, work, "");
        take(&after, work, "../outside");
        for (size_t i = 0; i < after.count; i++) {
            const snapshot_entry *was = find(&before, after.entries[i].path);
            if (was == NULL)
                cr_expect(listed(c->creates, after.entries[i].path),
                          "%s: a new file appeared: %s", c->name, after.entries[i].path);
            else if (!listed(c->changes, was->path))
                cr_expect(was->mode == after.entries[i].mode && was->hash == after.entries[i].hash,
                          "%s: %s changed (mode %o -> %o)", c->name, was->path,
                          (unsigned)was->mode, (unsigned)after.entries[i].mode);
        }
        for (size_t i = 0; i < before.count; i++)
            cr_expect_not_null(find(&after, before.entries[i].path), "%s: %s disappeared",
                               c->name, before.entries[i].path);
        if (c->creates != NULL)
            for (const char *p = c->creates; *p != '\0';) {
                size_t word = strcspn(p, " ");
                if (word > 0 && p[word - 1] != '?') {
                    char name[512];
                    snprintf(name, sizeof name, "%.*s", (int)word, p);
                    cr_expect_not_null(find(&after, name), "%s: %s was not written", c->name,
                                       name);
                }
                p += word;
                while (*p == ' ')
                    p++;
            }
        if (c->after_sh != NULL) {
            char script[8192];
            snprintf(script, sizeof script, "%s/check.sh", base);
            FILE *file = fopen(script, "w");
            cr_assert_not_null(file);
            fputs(c->after_sh, file);
            fclose(file);
            int rc = shell("cd %s && sh %s >/dev/null 2>&1", work, script);
            cr_expect_eq(rc, 0, "%s: the check after the run failed: %s", c->name, c->after_sh);
        }
        snapshot_free(&after);
        snapshot_free(&before);
        free(out), free(err);
    }
    unmount_under(base);
    shell("chattr -R -i '%s' 2>/dev/null", base);
    test_remove_tree(base);
    free(base), free(work), free(tmp), free(out_path), free(err_path);
    return ran;
}

static void run_class(const char *cls)
{
    size_t rows = 0, ran = 0;
    for (size_t i = 0; i < CASE_COUNT; i++)
        if (strcmp(cases[i].cls, cls) == 0) {
            rows++;
            ran += (size_t)run_case(&cases[i]);
        }
    cr_assert(rows > 0, "no rows in class %s", cls);
    if (ran == 0)
        cr_skip_test("every row of %s skipped (see the warnings)", cls);
}

Test(hostile, the_table_has_at_least_120_rows_with_unique_names)
{
    cr_expect_geq(CASE_COUNT, 120);
    for (size_t i = 0; i < CASE_COUNT; i++)
        for (size_t j = i + 1; j < CASE_COUNT; j++)
            cr_expect(strcmp(cases[i].name, cases[j].name) != 0, "two rows named %s",
                      cases[i].name);
}

Test(hostile, outputs_that_are_inputs) { run_class("clash"); }
Test(hostile, outputs_that_are_not_regular_files) { run_class("nonregular"); }
Test(hostile, every_write_is_checked) { run_class("full"); }
Test(hostile, outputs_are_checked_before_the_work) { run_class("before_work"); }
Test(hostile, numbers_are_strict) { run_class("numeric"); }
Test(hostile, empty_option_values) { run_class("empty"); }
Test(hostile, csv_needs_its_targets) { run_class("csv"); }
Test(hostile, inputs_that_are_not_regular_files) { run_class("inputs"); }
Test(hostile, fifo_inputs_never_hang) { run_class("fifo_inputs"); }
Test(hostile, memory_stays_bounded) { run_class("memory"); }
Test(hostile, contradicting_options) { run_class("contradict"); }
Test(hostile, weights_that_are_not_numbers) { run_class("nanmodel"); }
Test(hostile, diagnoses_name_the_file_and_where) { run_class("diagnose"); }

/* A save that fails (a full file system) goes to a new folder in $TMPDIR; when $TMPDIR does not
 * exist, to one in /tmp, not nowhere: the trained model is never lost to a bad variable. */
Test(hostile, a_missing_tmpdir_does_not_lose_the_model)
{
    if (geteuid() != 0)
        cr_skip_test("%s", MOUNT_SKIP);
    char *dir = test_make_temp_dir();
    char small[4200], fill[4300];
    snprintf(small, sizeof small, "%s/small", dir);
    cr_assert_eq(mkdir(small, 0755), 0);
    if (mount("tmpfs", small, "tmpfs", 0, "size=64k") != 0) {
        test_remove_tree(dir);
        cr_skip_test("%s", MOUNT_SKIP);
    }
    snprintf(fill, sizeof fill, "%s/fill", small);
    FILE *filler = fopen(fill, "wb");
    cr_assert_not_null(filler);
    static const char block[4096];
    while (fwrite(block, 1, sizeof block, filler) == sizeof block)
        ;
    fclose(filler);
    setenv("TMPDIR", "/nonexistent/clprop-tmp", 1);
    char *out = NULL, *err = NULL;
    int status = test_run_formatted(&out, &err,
                                    "train --data %s/xor.data --epochs 1 --save %s/m.clprop",
                                    CLPROP_FANN_DIR, small);
    umount(small);
    cr_expect_eq(status, 1, "%s", err);
    const char *went = strstr(err, "it went to /tmp/clprop-");
    cr_expect_not_null(went, "%s", err);
    if (went != NULL) {
        char rescued[4200];
        cr_assert_eq(sscanf(went, "it went to %4199s", rescued), 1);
        size_t size = 0;
        char *bytes = test_read_file(rescued, &size);
        cr_expect(size > 8 && memcmp(bytes, "CLPROPMD", 8) == 0, "%s is no model", rescued);
        free(bytes);
        unlink(rescued);
        *strrchr(rescued, '/') = '\0';
        rmdir(rescued);
    }
    free(out), free(err);
    test_remove_tree(dir);
    free(dir);
}
