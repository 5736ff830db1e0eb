/* The files a command reads and writes, checked before any work: an output may not be an input
 * (or another output), and each output must be writable, so that a typo costs nothing. */
#ifndef CLPROP_CLI_PATHS_H
#define CLPROP_CLI_PATHS_H

/* One file named on the command line. */
typedef struct cli_path {
    const char *flag; /* "--data", "--save", ...; a description for derived names */
    const char *path; /* NULL: not given */
} cli_path;

/* A usage error (reported, returns 0) when an output names the same file as an input or as
 * another output: the same device and inode for files that exist, the same resolved path for
 * files not yet created. `allowed` lists pairs (output flag, input flag) that may share a file on
 * purpose, as NULL-terminated pairs; NULL for none. */
int cli_check_outputs_apart(const cli_path *inputs, int input_count, const cli_path *outputs,
                            int output_count, const char *const *allowed);

/* Reports (returns 0) the first output that could not be written: a missing or read-only folder,
 * a name too long, a directory, a device, a FIFO or a socket (clprop_check_output_path). The
 * message starts with the option's name. */
int cli_check_outputs_writable(const cli_path *outputs, int output_count);

/* A usage error (reported, returns 0) when standard output is a regular file that is one of the
 * inputs (`clprop predict --data d >> d`): what the command prints would be written into it. */
int cli_check_stdout_apart(const cli_path *inputs, int input_count);

#endif
