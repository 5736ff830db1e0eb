/* Stopping a training run from outside. Ctrl-C (SIGINT), SIGTERM (schedulers, `timeout`, `docker
 * stop`) and SIGHUP (a dropped ssh session) all ask the run to finish its batch and write a
 * checkpoint; a second one ends the process at once. */
#ifndef CLPROP_CLI_SIGNALS_H
#define CLPROP_CLI_SIGNALS_H

#include <signal.h>

/* Notes which of the three signals the process was started with ignored (nohup, a script's
 * background job): called first thing in main, before a library (LLVM, loaded by the OpenCL
 * driver) puts handlers of its own on them. Those stay ignored during a run. */
void signals_note_ignored(void);
/* Catches the three signals from now on (but those ignored at the start). The flag becomes
 * non-zero at the first; the library checks it between batches. */
void signals_catch(void);
/* Gives the three signals back their previous handling. */
void signals_release(void);
volatile sig_atomic_t *signals_stop_flag(void);
/* The first signal received (SIGINT, SIGTERM or SIGHUP), or 0. */
int signals_received(void);
const char *signals_name(int signal_number); /* "Ctrl-C", "SIGTERM", "SIGHUP" */

/* Writing a file is not interrupted halfway: the signals wait until signals_unblock, so a
 * second Ctrl-C while a checkpoint is written ends the process once the file is whole (and its
 * temporary renamed or removed). Blocks nest: the signals come back at the outermost unblock.
 * Threads started while they are blocked inherit the block for good: the OpenCL driver's worker
 * threads are started that way (cli_open_context), so a signal can only ever be taken by the
 * main thread, where this block holds it. */
void signals_block(void);
void signals_unblock(void);
/* A second signal ends the process at once and says that no checkpoint of that point was
 * written; once the stop's checkpoint has been written and reported, it only ends it. */
void signals_note_stop_reported(void);

#endif
