/* `clprop devices`: one line per OpenCL device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_usage(FILE *out)
{
    fputs("usage: clprop devices\n"
          "\n"
          "Lists every OpenCL device: index (platform:device), type, name, [platform],\n"
          "compute units and global memory. Choose one for other commands with --device SPEC\n"
          "or CLPROP_DEVICE: an index (0), P:D, gpu, cpu, or part of the device's name.\n",
          out);
}

int cli_devices(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        char shown[128];
        cli_error("devices: takes no arguments, not \"%s\" (see clprop devices --help)",
                  cli_quote(argv[i], shown, sizeof shown));
        return EXIT_USAGE;
    }
    char message[4096];
    size_t count = 0;
    clprop_status status = clprop_devices_list(NULL, 0, &count, message, sizeof message);
    clprop_device_info *devices = count > 0 ? calloc(count, sizeof *devices) : NULL;
    if (status == CLPROP_SUCCESS && devices == NULL)
        status = CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    if (status == CLPROP_SUCCESS)
        status = clprop_devices_list(devices, count, &count, message, sizeof message);
    if (status != CLPROP_SUCCESS) {
        cli_error("%s", message);
        free(devices);
        return EXIT_FAILED;
    }
    for (size_t i = 0; i < count; i++) {
        char line[700];
        clprop_device_describe(&devices[i], line, sizeof line);
        puts(line);
    }
    free(devices);
    return 0;
}
