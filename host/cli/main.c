/* clprop: train and inspect multilayer perceptrons on OpenCL devices. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "signals.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"train", cli_train, "train a network on a data file"},
    {"eval", cli_eval, "a model's loss and accuracy on a data file"},
    {"predict", cli_predict, "a model's outputs for each sample of a data file"},
    {"export", cli_export, "a model as JSON, ONNX or a FANN network"},
    {"devices", cli_devices, "list the OpenCL devices"},
    {"example", cli_example, "walk through the lecture's worked examples (seed1, seed2)"},
    {"gradcheck", cli_gradcheck, "check the device's gradients against finite differences"},
};

static void print_help(FILE *out)
{
    fputs("usage: clprop COMMAND [OPTIONS]\n\ncommands:\n", out);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("  help       this text; `clprop help COMMAND` (or `clprop COMMAND --help`)\n"
          "             describes a command's options\n"
          "  --version  the version of clprop\n"
          "\nThe device is chosen with --device SPEC or the CLPROP_DEVICE variable.\n",
          out);
}

int main(int argc, char **argv)
{
    /* Numbers in files and output always use '.', whatever the user's locale. */
    setlocale(LC_ALL, "C");
    /* A closed pipe is a failed write like any other: reported, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
    signals_note_ignored();
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    int help = strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0;
    char shown[128];
    /* help takes a command's name at most, --version nothing */
    int most = help ? 3 : strcmp(name, "--version") == 0 ? 2 : argc;
    if (argc > most) {
        cli_error("%s: unexpected \"%s\" (clprop help [COMMAND], clprop --version)", name,
                  cli_quote(argv[most], shown, sizeof shown));
        return EXIT_USAGE;
    }
    /* help, and help of the two entries of its list that are not commands */
    const char *topic = help && argc == 3 ? argv[2] : NULL;
    if (help && (argc == 2 || strcmp(topic, "help") == 0)) {
        print_help(stdout);
        return cli_stdout_written() ? 0 : EXIT_FAILED;
    }
    if (topic != NULL && strcmp(topic, "--version") == 0) {
        puts("usage: clprop --version\n\nPrints the version of clprop.");
        return cli_stdout_written() ? 0 : EXIT_FAILED;
    }
    if (strcmp(name, "--version") == 0) {
        printf("clprop %s\n", clprop_version());
        return cli_stdout_written() ? 0 : EXIT_FAILED;
    }
    /* clprop help COMMAND: the command's own --help */
    const char *wanted = help ? argv[2] : name;
    char *help_argv[] = {(char *)wanted, "--help", NULL};
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(wanted, commands[i].name) == 0) {
            int code = help ? commands[i].run(2, help_argv) : commands[i].run(argc - 1, argv + 1);
            /* every command's output was written whole, or the command failed */
            return code == 0 && !cli_stdout_written() ? EXIT_FAILED : code;
        }
    cli_error("unknown command \"%s\" (try clprop help)", cli_quote(wanted, shown, sizeof shown));
    return EXIT_USAGE;
}
