/* Device listing and every selector form. PoCL makes several devices when POCL_DEVICES names them
 * ("basic pthread": a one-thread and a multi-thread CPU device); it is set in each test before
 * the first OpenCL call, which Criterion's one-process-per-test makes safe. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "environment.h"
#include "support.h"

static void two_pocl_devices(void)
{
    setenv("POCL_DEVICES", "basic pthread", 1);
    unsetenv("CLPROP_DEVICE");
}

static const char *chosen_name(const char *selector, clprop_status *status)
{
    static char name[256];
    clprop_context_desc desc = {.device = selector, .gemm = CLPROP_GEMM_NATIVE};
    clprop_context *context = NULL;
    *status = clprop_context_create(&desc, &context);
    name[0] = '\0';
    if (*status == CLPROP_SUCCESS)
        snprintf(name, sizeof name, "%s", clprop_context_device(context)->name);
    clprop_context_destroy(context);
    return name;
}

Test(devices, lists_every_device_with_its_details, .init = two_pocl_devices)
{
    clprop_device_info devices[8];
    size_t count = 0;
    char message[512];
    cr_assert_eq(clprop_devices_list(devices, 8, &count, message, sizeof message),
                 CLPROP_SUCCESS, "%s", message);
    cr_assert_eq(count, 2);
    cr_expect(strstr(devices[0].name, "basic") != NULL, "%s", devices[0].name);
    cr_expect(strstr(devices[1].name, "pthread") != NULL, "%s", devices[1].name);
    for (size_t i = 0; i < count; i++) {
        cr_expect_eq(devices[i].index, i);
        cr_expect_eq(devices[i].platform_index, 0);
        cr_expect_eq(devices[i].device_index, i);
        cr_expect_eq(devices[i].kind, CLPROP_DEVICE_CPU);
        cr_expect_gt(devices[i].compute_units, 0);
        cr_expect_gt(devices[i].global_memory_bytes, 0);
        cr_expect(strstr(devices[i].platform_name, "Portable") != NULL);
    }
}

Test(devices, a_flat_index_selects_that_device, .init = two_pocl_devices)
{
    clprop_status status;
    cr_expect(strstr(chosen_name("1", &status), "pthread") != NULL);
    cr_expect(strstr(chosen_name("0", &status), "basic") != NULL);
}

/* An index is digits only: " 0", "+1" and "0: 1" are no device's index (nor, here, part of a
 * device's name, which is what a selector that is not an index matches). */
Test(devices, an_index_with_a_sign_or_a_space_selects_nothing, .init = two_pocl_devices)
{
    const char *loose[] = {" 0", "+1", "0: 1", " 0:1"};
    for (size_t i = 0; i < sizeof loose / sizeof *loose; i++) {
        clprop_status status;
        chosen_name(loose[i], &status);
        cr_expect_eq(status, CLPROP_ERROR_DEVICE_NOT_FOUND, "\"%s\": %s", loose[i],
                     clprop_status_name(status));
    }
}

Test(devices, platform_colon_device_selects_that_device, .init = two_pocl_devices)
{
    clprop_status status;
    cr_expect(strstr(chosen_name("0:1", &status), "pthread") != NULL);
    cr_expect(strstr(chosen_name("0:0", &status), "basic") != NULL);
    chosen_name("1:0", &status);
    cr_expect_eq(status, CLPROP_ERROR_DEVICE_NOT_FOUND);
}

Test(devices, a_name_substring_selects_ignoring_case, .init = two_pocl_devices)
{
    clprop_status status;
    cr_expect(strstr(chosen_name("PTHREAD", &status), "pthread") != NULL);
    cr_expect(strstr(chosen_name("Basic-", &status), "basic") != NULL);
}

Test(devices, cpu_and_gpu_select_by_kind, .init = two_pocl_devices)
{
    clprop_status status;
    cr_expect(strstr(chosen_name("cpu", &status), "basic") != NULL, "first CPU device");
    /* No GPU here: asking for one is an error, not a silent fallback. */
    chosen_name("gpu", &status);
    cr_expect_eq(status, CLPROP_ERROR_DEVICE_NOT_FOUND);
}

Test(devices, the_default_is_the_first_gpu_else_the_first_cpu, .init = two_pocl_devices)
{
    clprop_status status;
    cr_expect(strstr(chosen_name(NULL, &status), "basic") != NULL);
    cr_expect_eq(status, CLPROP_SUCCESS);
}

/* The library reads no environment variable; the programs' environment module turns
 * CLPROP_DEVICE into the selector, and a selector given explicitly wins. */
Test(devices, the_environment_variable_selects_when_no_selector_is_given,
     .init = two_pocl_devices)
{
    setenv("CLPROP_DEVICE", "pthread", 1);
    char problem[256];
    clprop_context_desc unset = {0}, given = {.device = "basic"};
    cr_assert(environment_context_desc(&unset, problem, sizeof problem), "%s", problem);
    cr_assert(environment_context_desc(&given, problem, sizeof problem), "%s", problem);
    clprop_status status;
    cr_expect(strstr(chosen_name(unset.device, &status), "pthread") != NULL);
    cr_expect(strstr(chosen_name(given.device, &status), "basic") != NULL, "explicit beats env");
    cr_expect(strstr(chosen_name(NULL, &status), "basic") != NULL,
              "the library alone ignores CLPROP_DEVICE: the first device");
}

/* Every variable is read whole; a value that is not one of its kind names the variable. */
Test(devices, the_environment_is_read_strictly)
{
    char problem[256];
    clprop_context_desc desc = {0};
    setenv("CLPROP_GEMM_FAMILY", "gpu", 1);
    setenv("CLPROP_CPU_TILE_M", "4", 1);
    setenv("CLPROP_CPU_VECTOR", "16", 1);
    setenv("CLPROP_CPU_KBLOCK_T", "96", 1);
    setenv("CLPROP_STREAM_CHUNK", "12", 1);
    setenv("CLPROP_DATA_ON_HOST", "1", 1);
    cr_assert(environment_context_desc(&desc, problem, sizeof problem), "%s", problem);
    cr_expect_eq(desc.tuning.family, CLPROP_GEMM_FAMILY_GPU);
    cr_expect_eq(desc.tuning.cpu_tile_m, 4);
    cr_expect_eq(desc.tuning.cpu_vector, 16);
    cr_expect_eq(desc.tuning.cpu_kblock_transposed, 96);
    cr_expect_eq(desc.stream_chunk, 12);
    cr_expect_eq(desc.keep_data_on_host, 1);
    clprop_context_desc chosen = {.tuning = {.cpu_tile_m = 2}};
    cr_assert(environment_context_desc(&chosen, problem, sizeof problem), "%s", problem);
    cr_expect_eq(chosen.tuning.cpu_tile_m, 2, "a value the program chose beats the environment");
    const char *bad[][2] = {{"CLPROP_CPU_PANELS", "sometimes"}, {"CLPROP_CPU_TILE_M", "4x"},
                            {"CLPROP_CPU_TILES", "-3"}, {"CLPROP_STREAM_CHUNK", "0"},
                            {"CLPROP_CPU_VECTOR", "wide"}, {"CLPROP_CPU_VECTOR", "12"},
                            {"CLPROP_GEMM_FAMILY", "fast"}, {"CLPROP_CPU_KBLOCK_T", "deep"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *previous = getenv(bad[i][0]);
        char kept[64];
        snprintf(kept, sizeof kept, "%s", previous != NULL ? previous : "");
        setenv(bad[i][0], bad[i][1], 1);
        clprop_context_desc fresh = {0};
        cr_expect(!environment_context_desc(&fresh, problem, sizeof problem), "%s=%s accepted",
                  bad[i][0], bad[i][1]);
        cr_expect(strstr(problem, bad[i][0]) != NULL, "%s", problem);
        setenv(bad[i][0], kept, 1);
    }
}

Test(devices, an_unknown_selector_fails_and_lists_the_devices, .init = two_pocl_devices)
{
    clprop_context_desc desc = {.device = "quantum-accelerator", .gemm = CLPROP_GEMM_NATIVE};
    clprop_context *context = NULL;
    cr_assert_eq(clprop_context_create(&desc, &context), CLPROP_ERROR_DEVICE_NOT_FOUND);
    const char *message = clprop_context_message(context);
    cr_expect(strstr(message, "quantum-accelerator") != NULL, "%s", message);
    cr_expect(strstr(message, "basic-") != NULL && strstr(message, "pthread-") != NULL,
              "lists both devices: %s", message);
    cr_expect_null(clprop_context_device(context));
    clprop_context_destroy(context);
    /* one line, the selector's control bytes shown, as every message of the library */
    desc.device = "quantum\naccelerator\x1b";
    cr_assert_eq(clprop_context_create(&desc, &context), CLPROP_ERROR_DEVICE_NOT_FOUND);
    message = clprop_context_message(context);
    cr_expect(strchr(message, '\n') == NULL && strchr(message, '\x1b') == NULL &&
                  strstr(message, "quantum\\x0aaccelerator\\x1b") != NULL,
              "%s", message);
    clprop_context_destroy(context);
}

Test(devices, the_command_lists_devices_one_per_line, .init = two_pocl_devices)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq(test_run_command("devices", &out, &err), 0, "%s", err);
    cr_expect(strncmp(out, "0 (0:0)  CPU    basic-", 22) == 0, "%s", out);
    cr_expect(strstr(out, "\n1 (0:1)  CPU    pthread-") != NULL, "%s", out);
    cr_expect(strstr(out, "compute units") != NULL && strstr(out, "GiB") != NULL, "%s", out);
    free(out), free(err);
}

Test(devices, the_command_refuses_an_argument_in_one_line)
{
    char *out = NULL, *err = NULL;
    cr_expect_eq(test_run_command("devices extra", &out, &err), 2);
    cr_expect(strstr(err, "extra") != NULL && strstr(err, "clprop devices --help"), "%s", err);
    cr_expect(strchr(err, '\n') == strrchr(err, '\n'), "one line: %s", err);
    cr_expect_str_eq(out, "");
    free(out), free(err);
}

Test(devices, the_command_reports_an_unknown_device_with_the_list, .init = two_pocl_devices)
{
    char *out = NULL, *err = NULL;
    cr_expect_eq(test_run_command("example seed1 --device nosuch", &out, &err), 1);
    cr_expect(strstr(err, "no OpenCL device matches \"nosuch\"") != NULL, "%s", err);
    cr_expect(strstr(err, "pthread-") != NULL, "%s", err);
    cr_expect(strchr(err, '\n') == strrchr(err, '\n') && strstr(err, "\\x") == NULL,
              "one line, the devices as they are: %s", err);
    free(out), free(err);
}

/* PoCL installed but unable to start (its cache folder cannot be made: XDG_CACHE_HOME is a
 * file): the platform is named and the cache said, not only "install PoCL". Run as a command,
 * so that this process's PoCL, started by other tests, is not the one asked. */
Test(devices, a_platform_without_devices_is_named_with_the_likely_cause)
{
    char *dir = test_make_temp_dir();
    char *file = test_write_file(dir, "not-a-folder", "");
    char command[8400];
    snprintf(command, sizeof command,
             "env -u POCL_CACHE_DIR XDG_CACHE_HOME='%s' HOME='%s' %s "
             "devices >/dev/null 2>'%s/err'",
             file, file, CLPROP_COMMAND, dir);
    int raw = system(command);
    char err_path[4200];
    snprintf(err_path, sizeof err_path, "%s/err", dir);
    size_t size = 0;
    char *err = test_read_file(err_path, &size);
    if (raw == 0) /* this PoCL started anyway (it found another cache): nothing to check */
        cr_skip_test("PoCL started with XDG_CACHE_HOME a file");
    cr_expect(strstr(err, "offers no device") != NULL && strstr(err, "cache") != NULL &&
                  strstr(err, "Portable Computing Language") != NULL,
              "%s", err);
    free(err), free(file);
    test_remove_tree(dir);
    free(dir);
}

Test(devices, no_platform_at_all_says_how_to_install_pocl)
{
    setenv("OCL_ICD_VENDORS", "/nonexistent-clprop-test", 1);
    unsetenv("OCL_ICD_FILENAMES");
    clprop_context *context = NULL;
    cr_assert_eq(clprop_context_create(NULL, &context), CLPROP_ERROR_NO_PLATFORM);
    cr_expect(strstr(clprop_context_message(context), "pocl-opencl-icd") != NULL, "%s",
              clprop_context_message(context));
    clprop_context_destroy(context);
}
