#include "devices_option.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

/* "all": the index of every GPU, else of every CPU, as selectors. */
static int all_devices(char selectors[][16], size_t *count)
{
    size_t total = 0;
    char message[256];
    clprop_device_info devices[CLI_MAX_DEVICES];
    if (clprop_devices_list(devices, CLI_MAX_DEVICES, &total, message, sizeof message) !=
        CLPROP_SUCCESS) {
        cli_error("--devices all: %s", message);
        return 0;
    }
    total = total < CLI_MAX_DEVICES ? total : CLI_MAX_DEVICES;
    int any_gpu = 0;
    for (size_t i = 0; i < total; i++)
        any_gpu |= devices[i].kind == CLPROP_DEVICE_GPU;
    *count = 0;
    for (size_t i = 0; i < total; i++)
        if ((devices[i].kind == CLPROP_DEVICE_GPU) == any_gpu)
            snprintf(selectors[(*count)++], 16, "%u", devices[i].index % 100000u);
    if (*count == 0) {
        cli_error("--devices all: no OpenCL device found");
        return 0;
    }
    return 1;
}

/* The comma-separated items of `text` into items (each up to `width` bytes); 0 on an empty one. */
static int split_list(const char *flag, const char *text, char items[][256], size_t *count)
{
    *count = 0;
    const char *at = text;
    for (;;) {
        const char *comma = strchr(at, ',');
        size_t length = comma != NULL ? (size_t)(comma - at) : strlen(at);
        char shown[128];
        if (length == 0 || length >= 256 || *count == CLI_MAX_DEVICES) {
            cli_error("%s: expected a comma-separated list of at most %d items, not \"%s\"", flag,
                      CLI_MAX_DEVICES, cli_quote(text, shown, sizeof shown));
            return 0;
        }
        memcpy(items[*count], at, length);
        items[(*count)++][length] = '\0';
        if (comma == NULL)
            return 1;
        at = comma + 1;
    }
}

static int parse_shares(const char *text, cli_device_team *team)
{
    static char items[CLI_MAX_DEVICES][256];
    size_t count = 0;
    if (!split_list("--shares", text, items, &count))
        return 0;
    if (count != team->count) {
        cli_error("--shares: %zu shares for %zu devices", count, team->count);
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        float share;
        if (!cli_parse_positive("--shares", items[i], &share))
            return 0;
        team->shares[i] = share;
    }
    team->has_shares = 1;
    return 1;
}

int cli_open_device_team(const char *list, const char *shares, clprop_gemm_backend gemm,
                         cli_device_team *team, int *usage_error)
{
    static char items[CLI_MAX_DEVICES][256];
    static char every[CLI_MAX_DEVICES][16]; /* short: device indices */
    memset(team, 0, sizeof *team);
    size_t count = 0;
    if (strcmp(list, "all") == 0) {
        if (!all_devices(every, &count))
            return 0;
        for (size_t i = 0; i < count; i++)
            memcpy(items[i], every[i], sizeof every[i]);
    } else if (!split_list("--devices", list, items, &count)) {
        *usage_error = 1;
        return 0;
    }
    team->count = count;
    if (shares != NULL && !parse_shares(shares, team)) {
        *usage_error = 1;
        return 0;
    }
    for (size_t i = 0; i < count; i++)
        if ((team->contexts[i] = cli_open_context(items[i], gemm)) == NULL)
            return 0;
    return 1;
}

void cli_close_device_team(cli_device_team *team)
{
    for (size_t i = 0; i < team->count; i++)
        clprop_context_destroy(team->contexts[i]);
    team->count = 0;
}

int cli_device_of_local_rank(size_t local_rank, char *selector, size_t size)
{
    static char every[CLI_MAX_DEVICES][16];
    size_t count = 0;
    if (!all_devices(every, &count))
        return 0;
    snprintf(selector, size, "%s", every[local_rank % count]);
    return 1;
}
