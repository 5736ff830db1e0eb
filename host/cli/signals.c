#include "signals.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
#define CAUGHT_COUNT (sizeof caught / sizeof *caught)

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t first_signal;
static struct sigaction previous[CAUGHT_COUNT];
static int ignored_at_start[CAUGHT_COUNT];

void signals_note_ignored(void)
{
    struct sigaction now;
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        ignored_at_start[i] = sigaction(caught[i], NULL, &now) == 0 && now.sa_handler == SIG_IGN;
}

static volatile sig_atomic_t stop_reported;

/* write() alone: the only output a signal handler may make. */
static void say_stopped_at_once(int signal_number)
{
    static const char
        prefix[] = "\nclprop: a second ",
        suffix[] =
            ": stopped at once, with no checkpoint of this point (the files written before it are "
            "whole)\n";
    const char *name = signals_name(signal_number);
    ssize_t ignored = write(STDERR_FILENO, prefix, sizeof prefix - 1);
    ignored = write(STDERR_FILENO, name, strlen(name));
    ignored = write(STDERR_FILENO, suffix, sizeof suffix - 1);
    (void)ignored;
}

static void on_signal(int signal_number)
{
    if (stop_requested) { /* the second signal: the user means now */
        if (!stop_reported)
            say_stopped_at_once(signal_number);
        _exit(128 + signal_number);
    }
    first_signal = signal_number;
    stop_requested = 1;
}

void signals_note_stop_reported(void)
{
    stop_reported = 1;
}

void signals_catch(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    /* a write that the signal interrupts goes on instead of failing with EINTR: the stop flag is
     * what ends the run, after the batch */
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        sigaddset(&action.sa_mask, caught[i]);
    /* a signal the run was started with ignored stays ignored (nohup for SIGHUP, a shell's
     * background job for SIGINT): that is the user's choice, not ours (nor LLVM's, whose handler
     * may have replaced the ignoring since) to override */
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        sigaction(caught[i], ignored_at_start[i] ? &ignore : &action, &previous[i]);
}

void signals_release(void)
{
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        sigaction(caught[i], &previous[i], NULL);
}

volatile sig_atomic_t *signals_stop_flag(void)
{
    return &stop_requested;
}

int signals_received(void)
{
    return first_signal;
}

const char *signals_name(int signal_number)
{
    switch (signal_number) {
    case SIGINT:
        return "Ctrl-C";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    default:
        return "a signal";
    }
}

static void set_blocked(int how)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        sigaddset(&set, caught[i]);
    /* this thread's mask: the only one that takes the signals (see signals_block) */
    pthread_sigmask(how, &set, NULL);
}

/* Blocks nest: a file written inside a longer blocked stretch (the checkpoint and the lines
 * that say where it went) leaves the signals blocked to the end of that stretch. */
static int block_depth;

void signals_block(void)
{
    if (block_depth++ == 0)
        set_blocked(SIG_BLOCK);
}

void signals_unblock(void)
{
    if (block_depth > 0 && --block_depth == 0)
        set_blocked(SIG_UNBLOCK);
}
