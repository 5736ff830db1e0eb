/* `mpirun -np 2 clprop train` on this machine's loopback (built when CMake finds MPI): it trains
 * what one process trains with the same global batch (SGD and Adam), per-layer sums train as one
 * sum, sharded data (--shard) train alike on every run and as a plain run with whole batches, a
 * checkpoint resumes with
 * another number of processes, SIGTERM to one process stops them all with a checkpoint, and a
 * process that dies ends the run with a message within a time limit. CI runs as root: Open MPI
 * wants --allow-run-as-root then, and --oversubscribe lets two processes share fewer cores. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support.h"

#define MPIRUN MPIEXEC " --allow-run-as-root --oversubscribe -np "
#define DIABETES CLPROP_FANN_DIR "/diabetes.train"
#define NETWORK "train --data " DIABETES " --layers 8,12,2 --batch 60 --seed 4 --validation 0.1"
#define BOUND 1e-5

static char *dir;

static void make_dir(void)
{
    dir = test_make_temp_dir();
}

static void remove_dir(void)
{
    test_remove_tree(dir);
    free(dir);
}

TestSuite(mpi, .init = make_dir, .fini = remove_dir);

/* Runs a shell command line in `dir`; its exit status (-1 when it did not exit). */
static int shell(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int shell(const char *format, ...)
{
    char line[8192], command[8400];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    snprintf(command, sizeof command, "cd '%s' && { %s ; }", dir, line);
    int raw = system(command);
    return raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

static char *read_in_dir(const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = test_read_file(path, NULL);
    return text != NULL ? text : calloc(1, 1);
}

/* The model files got_name and want_name of the test's folder agree within BOUND. */
static void expect_models_close(const char *got_name, const char *want_name)
{
    char got_path[4200], want_path[4200];
    snprintf(got_path, sizeof got_path, "%s/%s", dir, got_name);
    snprintf(want_path, sizeof want_path, "%s/%s", dir, want_name);
    test_assert_models_close(got_path, want_path, BOUND);
}

static void check_two_processes(const char *optimizer)
{
    cr_assert_eq(shell("%s " NETWORK " --epochs 4 %s --save one.clprop >one.out 2>&1",
                       CLPROP_COMMAND, optimizer),
                 0);
    cr_assert_eq(shell(MPIRUN "2 %s " NETWORK " --epochs 4 %s --save two.clprop >two.out 2>&1",
                       CLPROP_COMMAND, optimizer),
                 0, "%s", read_in_dir("two.out"));
    expect_models_close("two.clprop", "one.clprop");
    char *out = read_in_dir("two.out");
    cr_expect(strstr(out, "process 1 of 2") != NULL, "%s", out);
    /* the first process alone prints: one line per epoch */
    size_t lines = 0;
    for (const char *at = strstr(out, "epoch 4/4"); at != NULL; at = strstr(at + 1, "epoch 4/4"))
        lines++;
    cr_expect_eq(lines, 1, "%s", out);
    free(out);
}

Test(mpi, two_processes_train_as_one_with_sgd, .timeout = 120)
{
    check_two_processes("--lr 0.5");
}

Test(mpi, two_processes_train_as_one_with_adam, .timeout = 120)
{
    check_two_processes("--optimizer adam --lr 0.01");
}

/* The files got_name and want_name of the test's folder hold the same bytes. */
static void expect_same_files(const char *got_name, const char *want_name)
{
    char got_path[4200], want_path[4200];
    snprintf(got_path, sizeof got_path, "%s/%s", dir, got_name);
    snprintf(want_path, sizeof want_path, "%s/%s", dir, want_name);
    size_t got_size = 0, want_size = 0;
    char *got = test_read_file(got_path, &got_size);
    char *want = test_read_file(want_path, &want_size);
    cr_assert(got != NULL && want != NULL, "%s or %s missing", got_name, want_name);
    cr_expect(got_size == want_size && memcmp(got, want, got_size) == 0, "%s differs from %s",
              got_name, want_name);
    free(got);
    free(want);
}

/* A sum per layer begun while the backward pass goes on (--allreduce layers, MPI_Iallreduce)
 * sums the same floats as one MPI_Allreduce of the store: the same model, bit for bit. */
static void check_per_layer_sums(const char *optimizer)
{
    cr_assert_eq(shell(MPIRUN "2 %s " NETWORK " --epochs 3 %s --save whole.clprop >whole.out 2>&1",
                       CLPROP_COMMAND, optimizer),
                 0, "%s", read_in_dir("whole.out"));
    cr_assert_eq(shell(MPIRUN "2 %s " NETWORK " --epochs 3 %s --allreduce layers "
                              "--save layers.clprop >layers.out 2>&1",
                       CLPROP_COMMAND, optimizer),
                 0, "%s", read_in_dir("layers.out"));
    char *out = read_in_dir("layers.out");
    cr_expect(strstr(out, "summed a layer at a time") != NULL, "%s", out);
    free(out);
    expect_same_files("layers.clprop", "whole.clprop");
}

Test(mpi, per_layer_sums_train_as_one_sum_with_sgd, .timeout = 120)
{
    check_per_layer_sums("--lr 0.5");
}

Test(mpi, per_layer_sums_train_as_one_sum_with_adam, .timeout = 120)
{
    check_per_layer_sums("--optimizer adam --lr 0.01");
}

/* --shard with the whole file as one batch (384 samples): every step sees every sample however
 * the parts split it, so two processes, each keeping only its half of the file, train the plain
 * run's model (within 1e-5: the sums go in another order). */
Test(mpi, sharded_processes_with_whole_batches_train_as_one, .timeout = 120)
{
    const char *run = "train --data " DIABETES " --layers 8,12,2 --batch 384 --seed 4 --epochs 3 "
                      "--optimizer adam --lr 0.01";
    cr_assert_eq(shell("%s %s --save plain.clprop >plain.out 2>&1", CLPROP_COMMAND, run), 0, "%s",
                 read_in_dir("plain.out"));
    cr_assert_eq(shell(MPIRUN "2 %s %s --shard --save parts.clprop >parts.out 2>&1",
                       CLPROP_COMMAND, run),
                 0, "%s", read_in_dir("parts.out"));
    expect_models_close("parts.clprop", "plain.clprop");
    char *out = read_in_dir("parts.out");
    cr_expect(strstr(out, "each its own part of the training set, 192 samples") != NULL, "%s",
              out);
    free(out);
}

/* --shard in two processes: each keeps its half of the file (said in the first line), they
 * train the same model on every run, and a checkpoint of theirs resumes in one process. */
Test(mpi, sharded_processes_train_alike_each_time_and_resume_in_one, .timeout = 180)
{
    const char *adam = "--optimizer adam --lr 0.01";
    for (int run = 1; run <= 2; run++)
        cr_assert_eq(shell(MPIRUN "2 %s " NETWORK " --epochs 3 %s --shard --save s%d.clprop "
                                  ">s%d.out 2>&1",
                           CLPROP_COMMAND, adam, run, run),
                     0, "%s", read_in_dir("s1.out"));
    expect_same_files("s2.clprop", "s1.clprop");
    char *out = read_in_dir("s1.out");
    cr_expect(strstr(out, "each its own part of the training set") != NULL, "%s", out);
    cr_expect(strstr(out, "346 training samples") != NULL, "the whole set's count: %s", out);
    free(out);
    cr_assert_eq(shell(MPIRUN "2 %s " NETWORK " --epochs 2 %s --shard --checkpoint s.ck "
                              "--checkpoint-every 1 >r.out 2>&1 && "
                              "%s " NETWORK " --epochs 3 %s --resume s.ck --save r.clprop "
                              ">>r.out 2>&1",
                       CLPROP_COMMAND, adam, CLPROP_COMMAND, adam),
                 0, "%s", read_in_dir("r.out"));
    out = read_in_dir("r.out");
    cr_expect(strstr(out, "epoch 3/3") != NULL, "%s", out);
    free(out);
}

/* --shard with scaling: each process holds only its part, so a scaling cannot be measured, but a
 * model given to --init may bring one, which is kept; without one the run is refused, saying
 * what to do. */
Test(mpi, sharded_processes_keep_the_scaling_of_an_init_model, .timeout = 120)
{
    cr_assert_eq(shell("%s " NETWORK " --epochs 1 --scale-inputs standard --save scaled.clprop "
                       ">m.out 2>&1 && %s " NETWORK " --epochs 1 --save plain.clprop >>m.out 2>&1",
                       CLPROP_COMMAND, CLPROP_COMMAND),
                 0, "%s", read_in_dir("m.out"));
    cr_assert_eq(shell(MPIRUN "2 %s " NETWORK " --epochs 1 --shard --init scaled.clprop "
                              "--scale-inputs standard --save kept.clprop >k.out 2>&1",
                       CLPROP_COMMAND),
                 0, "%s", read_in_dir("k.out"));
    int code = shell(MPIRUN "2 %s " NETWORK " --epochs 1 --shard --init plain.clprop "
                            "--scale-inputs standard >n.out 2>n.err",
                     CLPROP_COMMAND);
    cr_expect_neq(code, 0, "an unscaled model cannot be scaled from parts");
    char *err = read_in_dir("n.err");
    cr_expect(strstr(err, "start from a model that has its scaling") != NULL, "%s", err);
    free(err);
}

/* A usage error under mpirun is still one: exit 2 (mpirun passes on the code of the process
 * that aborted the others), one line naming the option; and --shard says what it leaves out. */
Test(mpi, usage_errors_under_mpirun_exit_2, .timeout = 120)
{
    int code = shell(MPIRUN "2 %s " NETWORK " --shard --batch 61 >u.out 2>u.err", CLPROP_COMMAND);
    cr_expect_eq(code, 2, "%s", read_in_dir("u.err"));
    char *err = read_in_dir("u.err");
    cr_expect(strstr(err, "clprop: --shard: the batch (61) must be a multiple of the 2") != NULL,
              "%s", err);
    free(err);
    cr_assert_eq(shell(MPIRUN "5 %s " NETWORK " --shard --batch 10 --epochs 1 >w.out 2>w.err",
                       CLPROP_COMMAND),
                 0, "%s", read_in_dir("w.err"));
    err = read_in_dir("w.err");
    cr_expect(strstr(err, "the last 4 of the 384 samples") != NULL, "%s", err);
    free(err);
}

/* Processes started with different runs (mpirun's A : B): each once waited for good in a sum the
 * other never made, or trained a replica of its own; now a usage error before any training. */
Test(mpi, processes_started_with_different_runs_are_refused, .timeout = 120)
{
    const char *differences[][2] = {{"--epochs 2", "--epochs 5"},
                                    {"--epochs 2 --early-stop 1", "--epochs 2 --early-stop 10"},
                                    {"--epochs 2 --lr 0.1", "--epochs 2 --lr 5"}};
    for (size_t i = 0; i < sizeof differences / sizeof *differences; i++) {
        int code = shell(MPIEXEC " --allow-run-as-root --oversubscribe -np 1 %s " NETWORK
                                 " %s : -np 1 %s " NETWORK " %s >d.out 2>d.err",
                         CLPROP_COMMAND, differences[i][0], CLPROP_COMMAND, differences[i][1]);
        char *err = read_in_dir("d.err");
        cr_expect_eq(code, 2, "%s / %s: %s", differences[i][0], differences[i][1], err);
        cr_expect(strstr(err, "the 2 processes were not started with the same run") != NULL, "%s",
                  err);
        free(err);
    }
}

/* Two processes for two epochs, then one for two more, and the other way round: as four epochs
 * in one process. */
Test(mpi, a_checkpoint_resumes_with_another_number_of_processes, .timeout = 180)
{
    const char *adam = "--optimizer adam --lr 0.01";
    cr_assert_eq(
        shell("%s " NETWORK " --epochs 4 %s --save one.clprop >one.out 2>&1", CLPROP_COMMAND, adam),
        0);
    cr_assert_eq(shell(MPIRUN "2 %s " NETWORK " --epochs 2 %s --checkpoint two.ck "
                              "--checkpoint-every 1 >a.out 2>&1 && "
                              "%s " NETWORK " --epochs 4 %s --resume two.ck --save a.clprop "
                              ">>a.out 2>&1",
                       CLPROP_COMMAND, adam, CLPROP_COMMAND, adam),
                 0, "%s", read_in_dir("a.out"));
    expect_models_close("a.clprop", "one.clprop");
    cr_assert_eq(shell("%s " NETWORK " --epochs 2 %s --checkpoint one.ck --checkpoint-every 1 "
                       ">b.out 2>&1 && " MPIRUN "2 %s " NETWORK " --epochs 4 %s --resume one.ck "
                       "--save b.clprop >>b.out 2>&1",
                       CLPROP_COMMAND, adam, CLPROP_COMMAND, adam),
                 0, "%s", read_in_dir("b.out"));
    expect_models_close("b.clprop", "one.clprop");
}

/* Starts a long two-process run in the background (its mpirun's pid in run.pid), waits until
 * the first process has said which device it trains on, then sends `signal` to the process of
 * rank 1 and waits at most `limit` seconds for mpirun to end; run.status holds its status, or
 * "hung". */
static int signal_rank_1(const char *signal, int limit, const char *options)
{
    return shell(MPIRUN "2 %s " NETWORK " --batch 8 --epochs 1000000 --checkpoint run.ck %s "
                        ">run.out 2>run.err & echo $! >run.pid; "
                        "for i in $(seq 300); do grep -q 'process 1 of 2' run.out && break; "
                        "sleep 0.1; done; sleep 0.5; "
                        "for p in $(pgrep -P $(cat run.pid)); do "
                        "  tr '\\0' '\\n' </proc/$p/environ | grep -qx OMPI_COMM_WORLD_RANK=1 && "
                        "  kill -%s $p; done; "
                        "for i in $(seq %d); do kill -0 $(cat run.pid) 2>/dev/null || break; "
                        "sleep 0.1; done; "
                        "if kill -0 $(cat run.pid) 2>/dev/null; then echo hung >run.status; "
                        "  kill -KILL $(cat run.pid); else wait $(cat run.pid); "
                        "  echo $? >run.status; fi",
                 CLPROP_COMMAND, options, signal, limit * 10);
}

/* SIGTERM to rank 1 of a run with `options`: all stop within a minute, with a checkpoint. */
static void check_sigterm_stops_all(const char *options)
{
    signal_rank_1("TERM", 60, options);
    char *status = read_in_dir("run.status"), *err = read_in_dir("run.err");
    cr_expect(strcmp(status, "hung\n") != 0, "the run did not end within a minute");
    cr_expect(strstr(err, "a signal to another process") != NULL, "%s", err);
    cr_expect(strstr(err, "checkpoint written to") != NULL, "%s", err);
    free(status), free(err);
}

/* The stop request travels with the top layer's sum when the sums are per layer. */
Test(mpi, sigterm_stops_sharded_runs_with_per_layer_sums_too, .timeout = 120)
{
    check_sigterm_stops_all("--allreduce layers --shard");
}

/* An epoch of one step (the whole set a batch) has only a last step to carry the request: the
 * run stops after it, the epoch counted whole. */
Test(mpi, sigterm_stops_a_run_whose_epochs_are_one_step, .timeout = 120)
{
    check_sigterm_stops_all("--batch 384");
}

Test(mpi, sigterm_to_one_process_stops_all_with_a_checkpoint, .timeout = 120)
{
    check_sigterm_stops_all("");
    /* and the checkpoint resumes, in one process */
    /* a script's background job starts with SIGINT ignored, which clprop keeps: env gives it
     * back its default */
    cr_expect_eq(shell("env --default-signal=INT %s " NETWORK
                       " --batch 8 --resume run.ck --epochs 1000000 --checkpoint run.ck "
                       "--checkpoint-every 1000000 </dev/null >resume.out 2>&1 & sleep 2; "
                       "kill -INT $!; wait $!; grep -q 'resuming after epoch' resume.out",
                       CLPROP_COMMAND),
                 0, "%s", read_in_dir("resume.out"));
}

Test(mpi, a_process_that_dies_ends_the_run_with_a_message, .timeout = 120)
{
    signal_rank_1("KILL", 60, "");
    char *status = read_in_dir("run.status"), *err = read_in_dir("run.err");
    cr_expect(strcmp(status, "hung\n") != 0, "the run did not end within a minute");
    cr_expect(strcmp(status, "0\n") != 0, "the run ended well after a process died: %s", err);
    cr_expect(strstr(err, "signal 9") != NULL || strstr(err, "Killed") != NULL, "%s", err);
    free(status), free(err);
}
