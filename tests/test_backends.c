/* Choosing the GEMM backend: native, CLBlast, and auto (measured once, then remembered). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static char *cache_dir;

/* A private XDG_CACHE_HOME, for clprop's remembered choice only. PoCL keeps its compiled kernels
 * under XDG_CACHE_HOME too; point it at its usual place, or every run of these tests compiles
 * every kernel (ours and CLBlast's) again: 20 s, 40 s under AddressSanitizer. */
static void private_cache(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char pocl[4200];
    if (xdg != NULL && xdg[0] != '\0')
        snprintf(pocl, sizeof pocl, "%s/pocl/kcache", xdg);
    else
        snprintf(pocl, sizeof pocl, "%s/.cache/pocl/kcache", home != NULL ? home : ".");
    setenv("POCL_CACHE_DIR", pocl, 0);
    cache_dir = test_make_temp_dir();
    setenv("XDG_CACHE_HOME", cache_dir, 1);
}

static void remove_cache(void)
{
    test_remove_tree(cache_dir);
    free(cache_dir);
}

static clprop_context *context_with(clprop_gemm_backend backend)
{
    char remembered_in[4200];
    snprintf(remembered_in, sizeof remembered_in, "%s/clprop", cache_dir);
    return test_context_with(
        (clprop_context_desc){.gemm = backend, .cache_dir = remembered_in});
}

static char *read_cache(void)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/clprop/gemm-backends", cache_dir);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return NULL;
    char *text = calloc(1, 4096);
    size_t got = fread(text, 1, 4095, file);
    text[got] = '\0';
    fclose(file);
    return text;
}

Test(backends, auto_measures_once_and_remembers_the_choice, .init = private_cache,
     .fini = remove_cache, .timeout = 240)
{
    clprop_context *context = context_with(CLPROP_GEMM_AUTO);
    clprop_gemm_backend chosen = clprop_context_gemm_backend(context);
    cr_expect(chosen == CLPROP_GEMM_NATIVE || chosen == CLPROP_GEMM_CLBLAST);
    char *cache = read_cache();
    cr_assert_not_null(cache, "auto should remember its choice");
    cr_expect(strstr(cache, clprop_context_device(context)->name) != NULL, "%s", cache);
    cr_expect(strstr(cache, clprop_gemm_backend_name(chosen)) != NULL, "%s", cache);
    clprop_context_destroy(context);
    free(cache);
}

Test(backends, auto_follows_the_remembered_choice, .init = private_cache, .fini = remove_cache,
     .timeout = 240)
{
    clprop_context *measured = context_with(CLPROP_GEMM_AUTO);
    clprop_gemm_backend first = clprop_context_gemm_backend(measured);
    clprop_context_destroy(measured);
    char *cache = read_cache();
    cr_assert_not_null(cache);
    /* Flip the remembered answer: the next context must follow the file, not measure again. */
    const char *from = first == CLPROP_GEMM_NATIVE ? "native" : "clblast";
    const char *to = first == CLPROP_GEMM_NATIVE ? "clblast" : "native";
    char *at = strstr(cache, from);
    cr_assert_not_null(at, "%s", cache);
    char rewritten[4096], dir[4200];
    snprintf(rewritten, sizeof rewritten, "%.*s%s\n", (int)(at - cache), cache, to);
    snprintf(dir, sizeof dir, "%s/clprop", cache_dir);
    free(test_write_file(dir, "gemm-backends", rewritten));
    clprop_context *remembered = context_with(CLPROP_GEMM_AUTO);
    cr_expect_str_eq(clprop_gemm_backend_name(clprop_context_gemm_backend(remembered)), to);
    clprop_context_destroy(remembered);
    free(cache);
}

/* The cache is a file of ours alone: a link to a data file (symbolic or hard), or a FIFO, at its
 * name is neither read nor written — the data stay as they were, and a FIFO does not keep the
 * context waiting for a writer that never comes. */
Test(backends, auto_leaves_alone_whatever_is_not_its_own_cache_file, .init = private_cache,
     .fini = remove_cache, .timeout = 240)
{
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/clprop", cache_dir);
    snprintf(path, sizeof path, "%s/gemm-backends", dir);
    cr_assert_eq(mkdir(dir, 0755), 0);
    const char *data = "2 1 1\n0\n0\n1\n1\n";
    char *victim = test_write_file(cache_dir, "victim.data", data);
    for (int kind = 0; kind < 3; kind++) {
        unlink(path);
        int made = kind == 0 ? symlink(victim, path) : kind == 1 ? link(victim, path)
                                                                 : mkfifo(path, 0644);
        cr_assert_eq(made, 0, "planting kind %d", kind);
        clprop_context *context = context_with(CLPROP_GEMM_AUTO);
        cr_assert_not_null(context, "kind %d", kind);
        clprop_context_destroy(context);
        FILE *file = fopen(victim, "r");
        char kept[64] = "";
        size_t got = fread(kept, 1, sizeof kept - 1, file);
        fclose(file);
        kept[got] = '\0';
        cr_expect_str_eq(kept, data, "kind %d: the data file was written", kind);
    }
    free(victim);
}

Test(backends, clblast_trains_the_seed1_example_to_the_same_weights)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq(test_run_command("example seed1 --gemm clblast", &out, &err), 0, "%s", err);
    cr_expect(strstr(out, "0.17438250") != NULL && strstr(out, "agrees to 1e-6") != NULL, "%s",
              out);
    free(out), free(err);
}

Test(backends, an_unknown_backend_is_a_usage_error)
{
    char *err = NULL;
    cr_expect_eq(test_run_command("train --data x.data --gemm fastest", NULL, &err), 2);
    cr_expect(strstr(err, "--gemm") != NULL && strstr(err, "fastest") != NULL, "%s", err);
    free(err);
    clprop_context_desc desc = {.device = NULL, .gemm = (clprop_gemm_backend)7};
    clprop_context *context = NULL;
    cr_expect_eq(clprop_context_create(&desc, &context), CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_context_destroy(context);
}
