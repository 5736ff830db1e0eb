/* What a model carries besides its weights so training can continue where it stopped: the
 * optimizer with its state (saved from a network) and a checkpoint's training progress. Save then
 * load changes no bit of either, files without them load as before, every damaged or inconsistent
 * section is refused with a message naming the file and the byte, and a network saved mid-run and
 * loaded again trains on exactly as the original does. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "clprop.h"
#include "model_internal.h" /* clprop_model_set_epoch_samples: the trainer's */
#include "support.h"

/* ---- Helpers --------------------------------------------------------------------------------- */

#define MOMENTUM CLPROP_OPTIMIZER_MOMENTUM
#define ADAM CLPROP_OPTIMIZER_ADAM
#define RPROP CLPROP_OPTIMIZER_RPROP
#define SGD CLPROP_OPTIMIZER_SGD

/* A 3-4-2 model: 26 parameters with biases, 20 without. */
static const size_t small_sizes[] = {3, 4, 2};
static const clprop_activation small_activations[] = {CLPROP_ACTIVATION_TANH,
                                                      CLPROP_ACTIVATION_LINEAR};

static size_t small_parameters(int no_bias)
{
    return 3 * 4 + 4 * 2 + (no_bias ? 0 : 4 + 2);
}

static size_t slots_of(clprop_optimizer_kind kind)
{
    return kind == SGD ? 0 : kind == MOMENTUM ? 1 : 2;
}

static clprop_model *small_model(int no_bias, uint64_t seed)
{
    clprop_net_desc desc = {.layer_count = 2, .sizes = small_sizes,
                            .activations = small_activations, .no_bias = no_bias};
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS, "create: %s",
                 clprop_model_message(model));
    test_rng rng = test_rng_seeded(seed);
    for (size_t layer = 1; layer <= 2; layer++) {
        test_fill_uniform(&rng, clprop_model_weights(model, layer),
                          small_sizes[layer] * small_sizes[layer - 1], -1, 1);
        if (!no_bias)
            test_fill_uniform(&rng, clprop_model_biases(model, layer), small_sizes[layer], -1, 1);
    }
    return model;
}

/* `count` random floats from `seed`, with the awkward values a bit-exact format must keep: −0, a
 * subnormal and the largest float. malloc'd; NULL for 0. */
static float *random_state(size_t count, uint64_t seed)
{
    if (count == 0)
        return NULL;
    float *state = malloc(count * sizeof *state);
    test_rng rng = test_rng_seeded(seed);
    test_fill_uniform(&rng, state, count, -3, 3);
    state[0] = -0.0f;
    if (count > 2) {
        state[1] = 1e-40f;
        state[2] = FLT_MAX;
    }
    return state;
}

/* random_state() for small_model(no_bias): as an optimizer could have left it, the slot that holds
 * a size (Adam's second moments, RPROP's steps) at 0 or above. The saved order: for each layer's
 * weights, then its biases, the slots one after another. */
static float *optimizer_state(clprop_optimizer_kind kind, int no_bias, uint64_t seed)
{
    size_t slots = slots_of(kind), at = 0;
    float *state = random_state(slots * small_parameters(no_bias), seed);
    int sized = kind == ADAM ? 1 : kind == RPROP ? 0 : -1;
    for (size_t layer = 1; layer <= 2; layer++)
        for (int biases = 0; biases < 2; biases++) {
            size_t count = biases ? (no_bias ? 0 : small_sizes[layer])
                                  : small_sizes[layer] * small_sizes[layer - 1];
            for (size_t slot = 0; slot < slots; slot++, at += count)
                for (size_t i = at; i < at + count && (int)slot == sized; i++)
                    state[i] = fabsf(state[i]);
        }
    return state;
}

static void set_optimizer_or_fail(clprop_model *model, const clprop_optimizer *optimizer,
                                  uint64_t steps, const float *state, size_t floats)
{
    clprop_status status = clprop_model_set_optimizer(model, optimizer, steps, state, floats);
    cr_assert_eq(status, CLPROP_SUCCESS, "set optimizer: %s", clprop_model_message(model));
}

static int same_float(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The same optimizer, step count and state bits in both models, or neither carries one. */
static void assert_same_optimizer(const clprop_model *got, const clprop_model *want)
{
    clprop_optimizer g, w;
    uint64_t g_steps, w_steps;
    const float *g_state, *w_state;
    size_t g_floats, w_floats;
    int has = clprop_model_optimizer(want, &w, &w_steps, &w_state, &w_floats);
    cr_assert_eq(clprop_model_optimizer(got, &g, &g_steps, &g_state, &g_floats), has,
                 "carries an optimizer");
    if (!has)
        return;
    cr_expect_eq(g.kind, w.kind, "kind");
    cr_expect_eq(g.nesterov, w.nesterov, "nesterov");
    cr_expect(same_float(g.momentum, w.momentum), "momentum %.9g, want %.9g", (double)g.momentum,
              (double)w.momentum);
    cr_expect(same_float(g.beta1, w.beta1), "beta1");
    cr_expect(same_float(g.beta2, w.beta2), "beta2");
    cr_expect(same_float(g.epsilon, w.epsilon), "epsilon");
    cr_expect(same_float(g.weight_decay, w.weight_decay), "weight decay");
    cr_expect_eq(g_steps, w_steps, "steps");
    cr_assert_eq(g_floats, w_floats, "state floats");
    cr_assert_eq(g_state == NULL, w_state == NULL, "state pointer");
    for (size_t i = 0; i < w_floats; i++)
        cr_assert(same_float(g_state[i], w_state[i]), "state [%zu]: got %.9g, want %.9g", i,
                  (double)g_state[i], (double)w_state[i]);
}

static void assert_same_training_state(const clprop_model *got, const clprop_model *want)
{
    clprop_training_state g, w;
    int has = clprop_model_training_state(want, &w);
    cr_assert_eq(clprop_model_training_state(got, &g), has, "carries training state");
    if (!has)
        return;
    cr_expect_eq(g.epochs_done, w.epochs_done, "epochs done");
    cr_expect_eq(g.samples_done, w.samples_done, "samples done");
    cr_expect_eq(g.seed, w.seed, "seed");
    cr_expect_eq(g.shuffle_state, w.shuffle_state, "shuffle state");
    cr_expect(memcmp(&g.best_loss, &w.best_loss, sizeof g.best_loss) == 0,
              "best loss %.17g, want %.17g", g.best_loss, w.best_loss);
    cr_expect_eq(g.best_epoch, w.best_epoch, "best epoch");
    cr_expect_eq(g.stale_epochs, w.stale_epochs, "stale epochs");
}

static char *join(const char *dir, const char *name)
{
    size_t length = strlen(dir) + strlen(name) + 2;
    char *path = malloc(length);
    snprintf(path, length, "%s/%s", dir, name);
    return path;
}

static void save_or_fail(clprop_model *model, const char *path)
{
    clprop_status status = clprop_model_save(model, path);
    cr_assert_eq(status, CLPROP_SUCCESS, "save: %s", clprop_model_message(model));
}

static clprop_model *load_or_fail(const char *path)
{
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    cr_assert_eq(status, CLPROP_SUCCESS, "load: %s", clprop_model_message(model));
    return model;
}

/* Saves the model in `dir` and gives back the file's bytes. */
static unsigned char *saved_bytes(clprop_model *model, const char *dir, size_t *size)
{
    char *path = join(dir, "saved.clprop");
    save_or_fail(model, path);
    unsigned char *bytes = (unsigned char *)test_read_file(path, size);
    free(path);
    return bytes;
}

static void put_u32(unsigned char *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (unsigned char)(value >> (8 * i));
}

static void put_u64(unsigned char *at, uint64_t value)
{
    put_u32(at, (uint32_t)value);
    put_u32(at + 4, (uint32_t)(value >> 32));
}

static void put_f32(unsigned char *at, float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    put_u32(at, bits);
}

static void put_f64(unsigned char *at, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    put_u64(at, bits);
}

/* Replaces the CRC at the end of a file image after a test changed the bytes before it. */
static void reseal(unsigned char *bytes, size_t size)
{
    put_u32(bytes + size - 4, (uint32_t)crc32(crc32(0, Z_NULL, 0), bytes, (uInt)(size - 4)));
}

/* Writes the bytes to dir and loads them, which must fail with `want`, a one-line message that
 * starts with the file's name and holds `detail`, and a handle that carries nothing. */
/* bytes[at .. at+count) are want[0 .. count), each difference named by its offset. */
static void expect_bytes_at(const unsigned char *bytes, size_t at, const unsigned char *want,
                            size_t count)
{
    for (size_t i = 0; i < count; i++)
        cr_expect_eq(bytes[at + i], want[i], "byte %zu: got 0x%02x, want 0x%02x", at + i,
                     bytes[at + i], want[i]);
}

static void expect_bytes_refused(const char *dir, const unsigned char *bytes, size_t size,
                                 clprop_status want, const char *detail)
{
    char *path = test_write_bytes(dir, "damaged.clprop", bytes, size);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    const char *message = clprop_model_message(model);
    cr_assert_not_null(model);
    cr_expect_eq(status, want, "%zu bytes: status %s, want %s; message: %s", size,
                 clprop_status_name(status), clprop_status_name(want), message);
    cr_expect(strncmp(message, path, strlen(path)) == 0, "message \"%s\" should start with %s",
              message, path);
    cr_expect_not_null(strstr(message, detail), "message \"%s\" should say \"%s\"", message,
                       detail);
    cr_expect_null(strchr(message, '\n'), "message should be one line: %s", message);
    cr_expect_eq(clprop_model_layer_count(model), 0, "a failed load must hold no layers");
    cr_expect_not(clprop_model_optimizer(model, NULL, NULL, NULL, NULL),
                  "a failed load must carry no optimizer");
    cr_expect_not(clprop_model_training_state(model, NULL),
                  "a failed load must carry no training state");
    clprop_model_destroy(model);
    free(path);
}

/* A byte image's field overwritten with a value of a type, the CRC made right again: the reader's
 * own checks must refuse it, saying `detail`. */
typedef enum { U32, U64, U64_MAX, F32, F64 } field_type; /* U64_MAX: 2^64 − 1, value unused */
typedef struct damage {
    size_t offset;
    field_type type;
    double value;
    const char *detail;
} damage;

static void expect_damage_refused(const char *dir, const unsigned char *bytes, size_t size,
                                  const damage *cases, size_t count)
{
    unsigned char *copy = malloc(size);
    cr_assert_not_null(copy);
    for (size_t i = 0; i < count; i++) {
        memcpy(copy, bytes, size);
        unsigned char *at = copy + cases[i].offset;
        switch (cases[i].type) {
        case U32: put_u32(at, (uint32_t)cases[i].value); break;
        case U64: put_u64(at, (uint64_t)cases[i].value); break;
        case U64_MAX:
            put_u64(at, UINT64_MAX);
            break;
        case F32: put_f32(at, (float)cases[i].value); break;
        default: put_f64(at, cases[i].value); break;
        }
        reseal(copy, size);
        expect_bytes_refused(dir, copy, size, CLPROP_ERROR_FORMAT, cases[i].detail);
    }
    free(copy);
}

static const clprop_training_state some_progress = {
    .epochs_done = 12, .samples_done = 640, .seed = 0x1122334455667788u,
    .shuffle_state = 0xdeadbeefcafef00du,
    .best_loss = 0.123456789012345678, .best_epoch = 9, .stale_epochs = 3,
};

/* A 3-4-2 model with biases (26 parameters), an Adam optimizer at step 7 (52 floats of state)
 * and some progress, saved: byte 28 + 24 starts the parameters, byte 156 the "OPTM" section (its
 * payload at 172, its state at 216), byte 424 the "TRST" section (its payload at 440, the run's
 * settings at 496); the CRC at 536. */
#define OPTM_AT 156
#define OPTM_PAYLOAD (OPTM_AT + 16)
#define OPTM_STATE (OPTM_PAYLOAD + 44)
#define TRST_AT (OPTM_STATE + 4 * 52)
#define TRST_PAYLOAD (TRST_AT + 16)
#define CHECKPOINT_SIZE (TRST_PAYLOAD + 96 + 4)

static unsigned char *checkpoint_file(const char *dir, size_t *size)
{
    clprop_model *model = small_model(0, 3);
    clprop_optimizer adam = {.kind = ADAM};
    float *state = optimizer_state(ADAM, 0, 5);
    set_optimizer_or_fail(model, &adam, 7, state, 52);
    cr_assert_eq(clprop_model_set_training_state(model, &some_progress), CLPROP_SUCCESS);
    unsigned char *bytes = saved_bytes(model, dir, size);
    cr_assert_eq(*size, CHECKPOINT_SIZE, "size %zu", *size);
    free(state);
    clprop_model_destroy(model);
    return bytes;
}

/* ---- In memory ------------------------------------------------------------------------------- */

Test(model_state, a_new_model_carries_no_optimizer_and_no_training_state)
{
    clprop_model *model = small_model(0, 1);
    cr_expect_eq(clprop_model_optimizer(model, NULL, NULL, NULL, NULL), 0);
    cr_expect_eq(clprop_model_training_state(model, NULL), 0);
    cr_expect_eq(clprop_model_optimizer(NULL, NULL, NULL, NULL, NULL), 0);
    cr_expect_eq(clprop_model_training_state(NULL, NULL), 0);
    clprop_model_destroy(model);
}

Test(model_state, set_optimizer_fills_in_the_defaults_and_copies_the_state)
{
    clprop_model *model = small_model(0, 1);
    clprop_optimizer adam = {.kind = ADAM, .weight_decay = 0.01f}, got;
    float *state = optimizer_state(ADAM, 0, 2);
    set_optimizer_or_fail(model, &adam, 5, state, 52);
    state[3] = 99.0f; /* the model keeps its own copy */
    uint64_t steps;
    const float *kept;
    size_t floats;
    cr_assert(clprop_model_optimizer(model, &got, &steps, &kept, &floats));
    cr_expect_eq(got.kind, ADAM);
    cr_expect_eq(got.beta1, 0.9f);
    cr_expect_eq(got.beta2, 0.999f);
    cr_expect_eq(got.epsilon, 1e-8f);
    cr_expect_eq(got.weight_decay, 0.01f);
    cr_expect_eq(steps, 5);
    cr_expect_eq(floats, 52);
    cr_expect_neq(kept[3], 99.0f, "the model must copy the state, not point at it");

    clprop_optimizer sgd = {.kind = SGD};
    set_optimizer_or_fail(model, &sgd, 2, NULL, 0);
    cr_assert(clprop_model_optimizer(model, &got, &steps, &kept, &floats));
    cr_expect_eq(got.kind, SGD, "a second call replaces the first");
    cr_expect_null(kept, "plain SGD keeps no state");
    cr_expect_eq(floats, 0);
    free(state);
    clprop_model_destroy(model);
}

static void expect_set_optimizer_refused(clprop_model *model, const clprop_optimizer *optimizer,
                                         const float *state, size_t floats, clprop_status want,
                                         const char *detail)
{
    clprop_status status = clprop_model_set_optimizer(model, optimizer, 1, state, floats);
    const char *message = clprop_model_message(model);
    cr_expect_eq(status, want, "status %s, want %s: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect_not_null(strstr(message, detail), "message \"%s\" should say \"%s\"", message,
                       detail);
}

/* Each refusal leaves what the model carried: here momentum with 26 floats at step 4. */
/* A model the reader would refuse is not written: NaN in a weight is named, and no file (not
 * even a temporary) is left. */
Test(model_state, a_model_with_a_nan_weight_is_not_saved)
{
    char *dir = test_make_temp_dir();
    clprop_model *model = small_model(0, 3);
    clprop_model_weights(model, 2)[1] = NAN;
    char *path = join(dir, "nan.clprop");
    cr_expect_eq(clprop_model_save(model, path), CLPROP_ERROR_NOT_FINITE);
    cr_expect(strstr(clprop_model_message(model), "not saved: layer 2 weight 1 is NaN") != NULL,
              "%s", clprop_model_message(model));
    DIR *folder = opendir(dir);
    cr_assert_not_null(folder);
    size_t entries = 0;
    for (struct dirent *entry; (entry = readdir(folder)) != NULL;)
        entries += entry->d_name[0] != '.' || strstr(entry->d_name, "clprop-tmp") != NULL;
    closedir(folder);
    cr_expect_eq(entries, 0, "a file was left in %s", dir);
    clprop_model_destroy(model);
    free(path);
    test_remove_tree(dir);
    free(dir);
}

Test(model_state, set_optimizer_refuses_a_wrong_size_nonsense_and_non_finite_state)
{
    clprop_model *model = small_model(0, 1);
    clprop_optimizer momentum = {.kind = MOMENTUM, .nesterov = 1}, adam = {.kind = ADAM},
                     sgd = {.kind = SGD};
    clprop_optimizer unknown = {.kind = (clprop_optimizer_kind)9},
                     bad_beta = {.kind = ADAM, .beta1 = 1.5f};
    float *state = random_state(53, 2);
    set_optimizer_or_fail(model, &momentum, 4, state, 26);
    expect_set_optimizer_refused(model, &adam, state, 26, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "26 floats of adam state, expected 52 (2 per parameter, 26 "
                                 "parameters)");
    expect_set_optimizer_refused(model, &momentum, state, 27, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "expected 26");
    expect_set_optimizer_refused(model, &sgd, state, 1, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "1 floats of sgd state, expected 0");
    expect_set_optimizer_refused(model, &unknown, NULL, 0, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "unknown optimizer 9");
    expect_set_optimizer_refused(model, &bad_beta, state, 52, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "Adam's betas must be between 0 and 1");
    expect_set_optimizer_refused(model, &adam, NULL, 52, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "state is NULL");
    expect_set_optimizer_refused(model, NULL, NULL, 0, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "optimizer is NULL");
    state[7] = NAN;
    expect_set_optimizer_refused(model, &adam, state, 52, CLPROP_ERROR_NOT_FINITE,
                                 "state float 7 is nan");
    state[7] = -INFINITY;
    expect_set_optimizer_refused(model, &momentum, state, 26, CLPROP_ERROR_NOT_FINITE,
                                 "state float 7 is -inf");
    /* values no update leaves: a negative second moment of Adam's (the first layer's weights'
     * moments are floats 0-11 and 12-23), a negative RPROP step (its steps come first) */
    clprop_optimizer rprop = {.kind = RPROP};
    float *fine = optimizer_state(ADAM, 0, 3);
    fine[5] = -2.0f; /* a first moment may be negative */
    set_optimizer_or_fail(model, &adam, 4, fine, 52);
    fine[12 + 5] = -0.5f;
    expect_set_optimizer_refused(model, &adam, fine, 52, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "state float 17 is -0.5: a second moment of Adam's is a mean of "
                                 "squares, never below 0");
    free(fine);
    fine = optimizer_state(RPROP, 0, 3);
    fine[12 + 5] = -2.0f; /* a last gradient may be negative */
    set_optimizer_or_fail(model, &rprop, 4, fine, 52);
    fine[5] = -2.0f;
    expect_set_optimizer_refused(model, &rprop, fine, 52, CLPROP_ERROR_INVALID_ARGUMENT,
                                 "state float 5 is -2: an RPROP step is a size, never below 0");
    free(fine);
    state[7] = 0.5f;
    /* a count whose next step wraps to 0 */
    cr_expect_eq(clprop_model_set_optimizer(model, &momentum, UINT64_MAX, state, 26),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_model_message(model), "18446744073709551615 steps: the count of the "
                                                  "next would wrap to 0") != NULL,
              "%s", clprop_model_message(model));
    set_optimizer_or_fail(model, &momentum, 4, state, 26);

    clprop_optimizer got;
    uint64_t steps;
    size_t floats;
    cr_assert(clprop_model_optimizer(model, &got, &steps, NULL, &floats));
    cr_expect_eq(got.kind, MOMENTUM, "a refused call must leave the optimizer the model had");
    cr_expect_eq(steps, 4);
    cr_expect_eq(floats, 26);
    free(state);
    clprop_model_destroy(model);
}

Test(model_state, set_training_state_refuses_a_best_loss_of_nan_or_minus_inf)
{
    clprop_model *model = small_model(1, 1);
    clprop_training_state got, none_yet = some_progress;
    none_yet.best_loss = INFINITY;
    cr_assert_eq(clprop_model_set_training_state(model, &none_yet), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    cr_assert(clprop_model_training_state(model, &got));
    cr_expect_eq(got.best_loss, INFINITY, "+inf means no best loss yet");
    cr_expect_eq(got.shuffle_state, some_progress.shuffle_state);

    clprop_training_state broken = some_progress;
    broken.best_loss = NAN;
    cr_expect_eq(clprop_model_set_training_state(model, &broken), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_model_message(model), "best loss is nan"), "%s",
                       clprop_model_message(model));
    broken.best_loss = -INFINITY;
    cr_expect_eq(clprop_model_set_training_state(model, &broken), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_model_set_training_state(model, NULL), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_assert(clprop_model_training_state(model, &got));
    cr_expect_eq(got.best_loss, INFINITY, "a refused call must leave what the model had");
    clprop_model_destroy(model);
}

Test(model_state, a_failed_model_or_none_is_refused)
{
    size_t sizes[] = {2, 0, 1};
    clprop_net_desc desc = {.layer_count = 2, .sizes = sizes};
    clprop_model *failed = NULL;
    cr_assert_neq(clprop_model_create(&desc, &failed), CLPROP_SUCCESS);
    clprop_optimizer sgd = {.kind = SGD};
    cr_expect_eq(clprop_model_set_optimizer(failed, &sgd, 0, NULL, 0),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_model_message(failed), "no layers"));
    cr_expect_eq(clprop_model_set_training_state(failed, &some_progress),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_model_set_optimizer(NULL, &sgd, 0, NULL, 0),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_model_set_training_state(NULL, &some_progress),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_model_destroy(failed);
}

/* ---- Files: round trips ---------------------------------------------------------------------- */

typedef struct state_case {
    clprop_optimizer optimizer;
    int no_bias;
    uint64_t steps;
    int with_progress;
} state_case;

static state_case state_cases[] = {
    {.optimizer = {.kind = SGD}, .no_bias = 0, .steps = 0, .with_progress = 0},
    {.optimizer = {.kind = SGD, .weight_decay = 0.001f},
     .no_bias = 1,
     .steps = 123456789,
     .with_progress = 1},
    {.optimizer = {.kind = MOMENTUM}, .no_bias = 0, .steps = 1, .with_progress = 0},
    {.optimizer = {.kind = MOMENTUM, .momentum = 0.8f, .nesterov = 1, .weight_decay = 1e-4f},
     .no_bias = 1,
     .steps = (uint64_t)1 << 40,
     .with_progress = 1},
    {.optimizer = {.kind = ADAM}, .no_bias = 0, .steps = 3, .with_progress = 1},
    {.optimizer =
         {.kind = ADAM, .beta1 = 0.85f, .beta2 = 0.995f, .epsilon = 1e-6f, .weight_decay = 0.05f},
     .no_bias = 1,
     .steps = UINT64_MAX - 1, /* the most that leaves a next step */
     .with_progress = 0},
    {.optimizer = {.kind = RPROP}, .no_bias = 0, .steps = 50, .with_progress = 1},
    {.optimizer = {.kind = RPROP, .weight_decay = 0.002f},
     .no_bias = 1,
     .steps = 2,
     .with_progress = 0},
};

ParameterizedTestParameters(model_state, save_then_load_gives_back_the_optimizer_bit_for_bit)
{
    return cr_make_param_array(state_case, state_cases, sizeof state_cases / sizeof *state_cases);
}

ParameterizedTest(state_case *c, model_state, save_then_load_gives_back_the_optimizer_bit_for_bit)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "checkpoint.clprop");
    clprop_model *model = small_model(c->no_bias, 11);
    size_t floats = slots_of(c->optimizer.kind) * small_parameters(c->no_bias);
    float *state = optimizer_state(c->optimizer.kind, c->no_bias, 12 + (uint64_t)c->optimizer.kind);
    set_optimizer_or_fail(model, &c->optimizer, c->steps, state, floats);
    clprop_training_state progress = some_progress;
    progress.best_loss = c->no_bias ? INFINITY : -0.0;
    if (c->with_progress)
        cr_assert_eq(clprop_model_set_training_state(model, &progress), CLPROP_SUCCESS);
    save_or_fail(model, path);
    clprop_model *loaded = load_or_fail(path);
    assert_same_optimizer(loaded, model);
    assert_same_training_state(loaded, model);
    for (size_t layer = 1; layer <= 2; layer++)
        cr_expect_arr_eq(clprop_model_weights(loaded, layer), clprop_model_weights(model, layer),
                         small_sizes[layer] * small_sizes[layer - 1] * sizeof(float),
                         "weights of layer %zu", layer);
    clprop_model_destroy(loaded);
    clprop_model_destroy(model);
    free(state);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

Test(model_state, a_checkpoint_without_an_optimizer_keeps_its_progress)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "progress.clprop");
    clprop_model *model = small_model(0, 1);
    cr_assert_eq(clprop_model_set_training_state(model, &some_progress), CLPROP_SUCCESS);
    save_or_fail(model, path);
    clprop_model *loaded = load_or_fail(path);
    cr_expect_not(clprop_model_optimizer(loaded, NULL, NULL, NULL, NULL));
    assert_same_training_state(loaded, model);
    clprop_model_destroy(loaded);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* Files saved before the sections existed are the files saved without them now: same size,
 * section count 0, and they load carrying neither. */
Test(model_state, a_model_without_them_saves_as_before_and_loads_with_neither)
{
    char *dir = test_make_temp_dir();
    clprop_model *model = small_model(0, 1);
    size_t size;
    unsigned char *bytes = saved_bytes(model, dir, &size);
    cr_expect_eq(size, 28 + 2 * 12 + 4 * small_parameters(0) + 4, "size %zu", size);
    cr_expect_eq(bytes[24] | bytes[25] | bytes[26] | bytes[27], 0, "section count");
    char *path = join(dir, "saved.clprop");
    clprop_model *loaded = load_or_fail(path);
    cr_expect_eq(clprop_model_optimizer(loaded, NULL, NULL, NULL, NULL), 0);
    cr_expect_eq(clprop_model_training_state(loaded, NULL), 0);
    clprop_model_destroy(loaded);
    free(path);
    free(bytes);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(dir);
}

/* JSON is the weights export: the optimizer and progress stay in the binary file. */
Test(model_state, the_json_export_leaves_them_out)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "model.json");
    clprop_model *model = small_model(0, 1);
    clprop_optimizer momentum = {.kind = MOMENTUM};
    float *state = random_state(26, 1);
    set_optimizer_or_fail(model, &momentum, 9, state, 26);
    cr_assert_eq(clprop_model_set_training_state(model, &some_progress), CLPROP_SUCCESS);
    FILE *out = fopen(path, "w");
    cr_assert_not_null(out);
    cr_assert_eq(clprop_model_write_json(model, out), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    fclose(out);
    clprop_model *loaded = load_or_fail(path);
    cr_expect_eq(clprop_model_optimizer(loaded, NULL, NULL, NULL, NULL), 0);
    cr_expect_eq(clprop_model_training_state(loaded, NULL), 0);
    clprop_model_destroy(loaded);
    clprop_model_destroy(model);
    free(state);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* The sections byte for byte, as the comment atop host/model_file.c lays them out. A 2-1 model
 * with biases has 3 parameters, so its sections start at byte 28 + 12 + 12 = 52. */
Test(model_state, the_sections_are_laid_out_as_documented)
{
    char *dir = test_make_temp_dir();
    size_t sizes[] = {2, 1};
    clprop_activation linear[] = {CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 1, .sizes = sizes, .activations = linear};
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS);
    clprop_optimizer momentum = {.kind = MOMENTUM, .momentum = 0.5f, .nesterov = 1,
                                 .weight_decay = 0.25f};
    float state[3] = {1.0f, -2.0f, 0.5f};
    set_optimizer_or_fail(model, &momentum, 0x0102030405060708u, state, 3);
    clprop_training_state progress = {.epochs_done = 5, .samples_done = 0x203,
                                      .seed = 0x1122334455667788u,
                                      .shuffle_state = 0xdeadbeefcafef00du, .best_loss = 0.25,
                                      .best_epoch = 4, .stale_epochs = 1, .batch = 16,
                                      .learning_rate = 0.5f, .validation = 0.25f,
                                      .schedule = {.kind = CLPROP_SCHEDULE_STEP,
                                                   .warmup_epochs = 2, .step_every = 3,
                                                   .step_factor = 0.5f}};
    cr_assert_eq(clprop_model_set_training_state(model, &progress), CLPROP_SUCCESS);
    size_t size;
    unsigned char *bytes = saved_bytes(model, dir, &size);
    const unsigned char want[] = {
        /* byte 52: the optimizer section */
        'O', 'P', 'T', 'M', 0, 0, 0, 0,             /* tag, flags: optional */
        56, 0, 0, 0, 0, 0, 0, 0,                    /* payload size 44 + 4·3 */
        1, 0, 0, 0, 1, 0, 0, 0,                     /* momentum, Nesterov */
        0x00, 0x00, 0x00, 0x3f,                     /* momentum 0.5 */
        0x66, 0x66, 0x66, 0x3f,                     /* beta1 0.9 (default) */
        0x77, 0xbe, 0x7f, 0x3f,                     /* beta2 0.999 (default) */
        0x77, 0xcc, 0x2b, 0x32,                     /* epsilon 1e-8 (default) */
        0x00, 0x00, 0x80, 0x3e,                     /* weight decay 0.25 */
        8, 7, 6, 5, 4, 3, 2, 1,                     /* steps */
        3, 0, 0, 0, 0, 0, 0, 0,                     /* 3 floats */
        0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x3f,
        /* byte 124: the training-state section */
        'T', 'R', 'S', 'T', 0, 0, 0, 0,
        96, 0, 0, 0, 0, 0, 0, 0,
        5, 0, 0, 0, 0, 0, 0, 0,                     /* epochs done */
        3, 2, 0, 0, 0, 0, 0, 0,                     /* samples done in the next epoch */
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* seed */
        0x0d, 0xf0, 0xfe, 0xca, 0xef, 0xbe, 0xad, 0xde, /* shuffle state */
        0, 0, 0, 0, 0, 0, 0xd0, 0x3f,               /* best loss 0.25 as float64 */
        4, 0, 0, 0, 0, 0, 0, 0,                     /* best epoch */
        1, 0, 0, 0, 0, 0, 0, 0,                     /* stale epochs */
        16, 0, 0, 0, 0, 0, 0, 0,                    /* batch */
        0x00, 0x00, 0x00, 0x3f,                     /* learning rate 0.5 */
        0x00, 0x00, 0x80, 0x3e,                     /* validation share 0.25 */
        1, 0, 0, 0,                                 /* schedule: step */
        0x00, 0x00, 0x00, 0x3f,                     /* step factor 0.5 */
        2, 0, 0, 0, 0, 0, 0, 0,                     /* warm-up epochs */
        3, 0, 0, 0, 0, 0, 0, 0,                     /* epochs between steps */
    };
    cr_assert_eq(size, 52 + sizeof want + 4, "size %zu", size);
    cr_expect_eq(bytes[24], 2, "section count");
    expect_bytes_at(bytes, 52, want, sizeof want);
    uint32_t crc = (uint32_t)crc32(crc32(0, Z_NULL, 0), bytes, (uInt)(size - 4));
    uint32_t stored = (uint32_t)bytes[size - 4] | (uint32_t)bytes[size - 3] << 8 |
                      (uint32_t)bytes[size - 2] << 16 | (uint32_t)bytes[size - 1] << 24;
    cr_expect_eq(stored, crc, "the CRC covers the sections");
    free(bytes);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(dir);
}

/* ---- Files: damage --------------------------------------------------------------------------- */

Test(model_state, a_file_cut_short_anywhere_in_the_sections_is_refused_naming_the_byte)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = checkpoint_file(dir, &size);
    for (size_t cut = OPTM_AT; cut < size; cut++)
        expect_bytes_refused(dir, bytes, cut, CLPROP_ERROR_FORMAT, "file ends early");
    expect_bytes_refused(dir, bytes, OPTM_AT + 10, CLPROP_ERROR_FORMAT,
                         "byte 156: file ends early (expected 16 bytes of a section header)");
    expect_bytes_refused(dir, bytes, OPTM_STATE + 4, CLPROP_ERROR_FORMAT,
                         "byte 172: file ends early (expected 252 bytes of section \"OPTM\")");
    expect_bytes_refused(dir, bytes, TRST_PAYLOAD + 55, CLPROP_ERROR_FORMAT,
                         "byte 440: file ends early (expected 96 bytes of section \"TRST\")");
    expect_bytes_refused(dir, bytes, size - 1, CLPROP_ERROR_FORMAT,
                         "byte 536: file ends early (expected 4 bytes of checksum)");
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* A flipped bit that still reads as a valid section is caught by the CRC. */
Test(model_state, a_section_with_one_bit_flipped_is_refused_by_the_checksum)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = checkpoint_file(dir, &size);
    size_t places[] = {OPTM_PAYLOAD + 28, OPTM_STATE + 4 * 17 + 1, TRST_PAYLOAD + 8,
                       TRST_PAYLOAD + 39};
    for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
        bytes[places[i]] ^= 0x04;
        expect_bytes_refused(dir, bytes, size, CLPROP_ERROR_FORMAT,
                             "byte 536: checksum mismatch (file damaged)");
        bytes[places[i]] ^= 0x04;
    }
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* Sections whose content is wrong, resealed so only the reader's own checks can catch them. */
Test(model_state, inconsistent_sections_are_refused_naming_the_byte)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = checkpoint_file(dir, &size);
    const damage cases[] = {
        {OPTM_PAYLOAD, U32, 1,
         "byte 208: section \"OPTM\": 52 floats of momentum state, "
         "expected 26 (1 per parameter, 26 parameters)"},
        {OPTM_PAYLOAD, U32, 0, "byte 208: section \"OPTM\": 52 floats of sgd state, expected 0"},
        {OPTM_PAYLOAD, U32, 9, "byte 172: section \"OPTM\": unknown optimizer 9"},
        {OPTM_PAYLOAD + 4, U32, 6, "byte 176: section \"OPTM\": flags 0x6 hold bits"},
        {OPTM_PAYLOAD + 12, F32, 1.5,
         "byte 180: section \"OPTM\": adam: Adam's betas must be "
         "between 0 and 1"},
        {OPTM_PAYLOAD + 36, U64, 51,
         "byte 208: section \"OPTM\": 51 state floats do not fill "
         "its 252 bytes"},
        {OPTM_AT + 8, U64, 40, "byte 164: section \"OPTM\": 40 bytes, expected at least 44"},
        {OPTM_STATE + 4 * 6, F32, NAN, "byte 240: section \"OPTM\": state float 6 is nan"},
        {OPTM_STATE + 4 * 51, F32, INFINITY, "byte 420: section \"OPTM\": state float 51 is inf"},
        {OPTM_STATE + 4 * 12, F32, -1.0,
         "byte 264: section \"OPTM\": state float 12 is -1: a "
         "second moment of Adam's is a mean of squares, never "
         "below 0"},
        {TRST_AT + 8, U64, 48, "byte 432: section \"TRST\": 48 bytes, expected 96 (or 104, or 56)"},
        {TRST_PAYLOAD + 64, F32, 0.1,
         "byte 496: section \"TRST\": the run's settings have no "
         "batch size"},
        {TRST_PAYLOAD + 32, F64, NAN, "byte 472: section \"TRST\": the best loss is nan"},
        /* no data set holds more samples than a 32-bit count */
        {TRST_PAYLOAD + 56, U64, 1e12,
         "byte 496: section \"TRST\": the run's batch of "
         "1000000000000 is more than a data set holds (4294967295 "
         "samples at most)"},
        /* the next step's count would wrap to 0: Adam would divide by 1 − β⁰ = 0 */
        {OPTM_PAYLOAD + 28, U64_MAX, 0,
         "byte 200: section \"OPTM\": 18446744073709551615 "
         "steps: the count of the next would wrap to 0"},
        {TRST_AT, U32, 0x4d54504f /* "OPTM" */,
         "byte 424: section \"OPTM\": appears a second "
         "time"},
    };
    expect_damage_refused(dir, bytes, size, cases, sizeof cases / sizeof *cases);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* A checkpoint written before the run's settings were kept has a 56-byte "TRST": it loads, with
 * the settings 0 (the resuming run's own then apply). */
Test(model_state, a_training_state_without_the_runs_settings_still_loads)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = checkpoint_file(dir, &size);
    size_t old_size = TRST_PAYLOAD + 56 + 4;
    put_u64(bytes + TRST_AT + 8, 56);
    reseal(bytes, old_size);
    char *path = test_write_bytes(dir, "before-settings.clprop", bytes, old_size);
    clprop_model *model = load_or_fail(path);
    clprop_training_state state;
    cr_assert(clprop_model_training_state(model, &state));
    cr_expect_eq(state.epochs_done, some_progress.epochs_done);
    cr_expect_eq(state.stale_epochs, some_progress.stale_epochs);
    cr_expect(state.batch == 0 && state.learning_rate == 0.0f && state.validation == 0.0f &&
                  state.schedule.kind == CLPROP_SCHEDULE_CONSTANT,
              "the settings read as 0");
    clprop_model_destroy(model);
    free(path);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* The known sections are written as optional; one marked required is read all the same. */
Test(model_state, a_known_section_marked_required_is_read)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = checkpoint_file(dir, &size);
    put_u32(bytes + OPTM_AT + 4, 1);
    put_u32(bytes + TRST_AT + 4, 1);
    reseal(bytes, size);
    char *path = test_write_bytes(dir, "required.clprop", bytes, size);
    clprop_model *model = load_or_fail(path);
    cr_expect(clprop_model_optimizer(model, NULL, NULL, NULL, NULL));
    cr_expect(clprop_model_training_state(model, NULL));
    clprop_model_destroy(model);
    free(path);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* ---- An interrupted epoch's figures ("EPRT") ------------------------------------------------ */

/* The figures of some_progress's 640 samples of its interrupted epoch. */
static const clprop_pass_result some_figures = {.samples = 640, .loss = 0.5, .mse = 0.25,
                                                .correct = 600};

/* checkpoint_file's model with some_figures and 1.5 s: "EPRT" follows "TRST", then the CRC. */
#define EPRT_AT (TRST_PAYLOAD + 96)
#define EPRT_PAYLOAD (EPRT_AT + 16)
#define INTERRUPTED_SIZE (EPRT_PAYLOAD + 32 + 4)

static clprop_model *interrupted_model(void)
{
    clprop_model *model = small_model(0, 3);
    clprop_optimizer adam = {.kind = ADAM};
    float *state = optimizer_state(ADAM, 0, 5);
    set_optimizer_or_fail(model, &adam, 7, state, 52);
    free(state);
    cr_assert_eq(clprop_model_set_training_state(model, &some_progress), CLPROP_SUCCESS);
    cr_assert_eq(clprop_model_set_interrupted_epoch(model, &some_figures, 1.5), CLPROP_SUCCESS,
                 "%s", clprop_model_message(model));
    return model;
}

/* interrupted_model saved, with the epoch's size when epoch_samples is not 0; the file is
 * `expected` bytes long. */
static unsigned char *interrupted_file_sized(const char *dir, size_t *size, uint64_t epoch_samples,
                                             size_t expected)
{
    clprop_model *model = interrupted_model();
    if (epoch_samples != 0)
        clprop_model_set_epoch_samples(model, epoch_samples);
    unsigned char *bytes = saved_bytes(model, dir, size);
    cr_assert_eq(*size, expected, "size %zu", *size);
    clprop_model_destroy(model);
    return bytes;
}

static unsigned char *interrupted_file(const char *dir, size_t *size)
{
    return interrupted_file_sized(dir, size, 0, INTERRUPTED_SIZE);
}

Test(model_state, an_interrupted_epochs_figures_are_saved_as_documented_and_load_back)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = interrupted_file(dir, &size);
    const unsigned char want[] = {
        'E', 'P', 'R', 'T', 0, 0, 0, 0,             /* tag, flags: optional */
        32, 0, 0, 0, 0, 0, 0, 0,                    /* payload size */
        0, 0, 0, 0, 0, 0, 0xe0, 0x3f,               /* loss 0.5 as float64 */
        0, 0, 0, 0, 0, 0, 0xd0, 0x3f,               /* MSE 0.25 */
        0x58, 2, 0, 0, 0, 0, 0, 0,                  /* 600 correct */
        0, 0, 0, 0, 0, 0, 0xf8, 0x3f,               /* 1.5 s */
    };
    cr_expect_eq(bytes[24], 3, "section count");
    expect_bytes_at(bytes, EPRT_AT, want, sizeof want);
    char *path = join(dir, "saved.clprop");
    clprop_model *model = load_or_fail(path);
    clprop_pass_result got;
    double seconds = 0.0;
    cr_assert(clprop_model_interrupted_epoch(model, &got, &seconds));
    cr_expect(memcmp(&got, &some_figures, sizeof got) == 0 && seconds == 1.5,
              "got %zu samples, loss %g, MSE %g, %zu correct, %g s", got.samples, got.loss,
              got.mse, got.correct, seconds);
    clprop_training_state again = some_progress;
    cr_assert_eq(clprop_model_set_training_state(model, &again), CLPROP_SUCCESS);
    cr_expect_not(clprop_model_interrupted_epoch(model, NULL, NULL),
                  "a new training state drops the figures of the one it replaces");
    clprop_model_destroy(model);
    free(path);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* Cross-entropy on targets below 0 gives a loss below 0: such figures are kept. "EPRT" may come
 * before the "TRST" it goes with. */
Test(model_state, an_interrupted_epochs_negative_loss_is_kept_and_the_sections_may_swap)
{
    char *dir = test_make_temp_dir();
    clprop_model *model = interrupted_model();
    clprop_pass_result negative = some_figures;
    negative.loss = -0.75;
    cr_assert_eq(clprop_model_set_interrupted_epoch(model, &negative, 1.5), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    size_t size;
    unsigned char *bytes = saved_bytes(model, dir, &size);
    cr_assert_eq(size, INTERRUPTED_SIZE);
    unsigned char *swapped = malloc(size);
    const size_t trst = EPRT_AT - TRST_AT, eprt = INTERRUPTED_SIZE - 4 - EPRT_AT;
    memcpy(swapped, bytes, TRST_AT);
    memcpy(swapped + TRST_AT, bytes + EPRT_AT, eprt);
    memcpy(swapped + TRST_AT + eprt, bytes + TRST_AT, trst);
    reseal(swapped, size);
    char *path = test_write_bytes(dir, "swapped.clprop", swapped, size);
    clprop_model *loaded = load_or_fail(path);
    clprop_pass_result got;
    cr_assert(clprop_model_interrupted_epoch(loaded, &got, NULL));
    cr_expect(got.loss == -0.75 && got.samples == 640, "loss %g of %zu samples", got.loss,
              got.samples);
    clprop_model_destroy(loaded);
    clprop_model_destroy(model);
    free(path);
    free(swapped);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

Test(model_state, a_checkpoint_without_an_interrupted_epochs_figures_saves_as_before)
{
    char *dir = test_make_temp_dir();
    size_t size;
    free(checkpoint_file(dir, &size)); /* asserts the size: no "EPRT" */
    char *path = join(dir, "saved.clprop");
    clprop_model *model = load_or_fail(path);
    cr_expect_not(clprop_model_interrupted_epoch(model, NULL, NULL));
    clprop_model_destroy(model);
    free(path);
    test_remove_tree(dir);
    free(dir);
}

Test(model_state, set_interrupted_epoch_refuses_figures_that_do_not_fit_the_training_state)
{
    clprop_model *model = small_model(1, 1);
    cr_expect_eq(clprop_model_set_interrupted_epoch(model, &some_figures, 1.0),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_model_message(model), "no training state"), "%s",
                       clprop_model_message(model));
    cr_assert_eq(clprop_model_set_training_state(model, &some_progress), CLPROP_SUCCESS);
    clprop_pass_result fewer = some_figures, more_right = some_figures, negative = some_figures;
    fewer.samples = 320;
    more_right.correct = 641;
    negative.mse = -0.25;
    const struct { const clprop_pass_result *figures; double seconds; const char *detail; }
        refused[] = {
            {&fewer, 1.0, "figures are of 320 samples, but 640 were trained"},
            {&more_right, 1.0, "641 correct of 640"},
            {&negative, 1.0, "MSE -0.25"},
            {&some_figures, INFINITY, "inf s"},
            {&some_figures, NAN, "nan s"},
            {NULL, 1.0, "figures is NULL"},
        };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        cr_expect_eq(clprop_model_set_interrupted_epoch(model, refused[i].figures,
                                                        refused[i].seconds),
                     CLPROP_ERROR_INVALID_ARGUMENT, "case %zu", i);
        cr_expect_not_null(strstr(clprop_model_message(model), refused[i].detail),
                           "\"%s\" should say \"%s\"", clprop_model_message(model),
                           refused[i].detail);
    }
    cr_expect_not(clprop_model_interrupted_epoch(model, NULL, NULL), "refused calls keep nothing");
    clprop_training_state between_epochs = some_progress;
    between_epochs.samples_done = 0;
    cr_assert_eq(clprop_model_set_training_state(model, &between_epochs), CLPROP_SUCCESS);
    clprop_pass_result none = {0};
    cr_expect_eq(clprop_model_set_interrupted_epoch(model, &none, 0.0),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_model_message(model), "no epoch was interrupted"), "%s",
                       clprop_model_message(model));
    clprop_model_destroy(model);
}

Test(model_state, inconsistent_figures_of_an_interrupted_epoch_are_refused_naming_the_byte)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = interrupted_file(dir, &size);
    const damage cases[] = {
        {EPRT_AT + 8, U64, 24, "byte 544: section \"EPRT\": 24 bytes, expected 32"},
        {EPRT_PAYLOAD, F64, NAN,
         "byte 552: section \"EPRT\": the interrupted epoch's figures "
         "are out of range: loss nan"},
        {EPRT_PAYLOAD + 8, F64, -0.25,
         "byte 560: section \"EPRT\": the interrupted epoch's "
         "figures are out of range: loss 0.5, MSE -0.25"},
        /* finite, but beyond any mean of float32 values: the resumed epoch's would be inf */
        {EPRT_PAYLOAD, F64, 1e308,
         "byte 552: section \"EPRT\": the interrupted epoch's figures "
         "are out of range: loss 1e+308"},
        {EPRT_PAYLOAD + 8, F64, 1e300,
         "byte 560: section \"EPRT\": the interrupted epoch's "
         "figures are out of range: loss 0.5, MSE 1e+300"},
        {EPRT_PAYLOAD + 16, U64, 641,
         "byte 568: section \"EPRT\": the interrupted epoch's figures "
         "are out of range: loss 0.5, MSE 0.25, 641 correct of 640"},
        {EPRT_PAYLOAD + 24, F64, -INFINITY,
         "byte 576: section \"EPRT\": the interrupted epoch's "
         "figures are out of range: loss 0.5, MSE 0.25, 600 "
         "correct of 640, -inf s"},
        {TRST_PAYLOAD + 8, U64, 0, "byte 536: section \"EPRT\": no epoch was interrupted"},
        {TRST_AT, U32, 0x58585858 /* "XXXX", an unknown optional section */,
         "byte 536: section \"EPRT\": figures of an interrupted epoch in a file without its "
         "training progress"},
        {TRST_AT, U32, 0x54525045 /* "EPRT" */,
         "byte 432: section \"EPRT\": 96 bytes, expected 32"},
    };
    expect_damage_refused(dir, bytes, size, cases, sizeof cases / sizeof *cases);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* ---- The interrupted epoch's size ("EPSZ") --------------------------------------------------- */

/* interrupted_file's model stopped in an epoch of 1000 samples: "EPSZ" follows "EPRT". */
#define EPSZ_AT (INTERRUPTED_SIZE - 4)
#define SIZED_SIZE (EPSZ_AT + 16 + 8 + 4)

Test(model_state, an_interrupted_epochs_size_is_saved_as_documented_and_checked)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = interrupted_file_sized(dir, &size, 1000, SIZED_SIZE);
    const unsigned char want[] = {
        'E',  'P', 'S', 'Z', 0, 0, 0, 0, /* tag, flags: optional */
        8,    0,   0,   0,   0, 0, 0, 0, /* payload size */
        0xe8, 3,   0,   0,   0, 0, 0, 0, /* 1000 samples */
    };
    cr_expect_eq(bytes[24], 4, "section count");
    expect_bytes_at(bytes, EPSZ_AT, want, sizeof want);
    char *path = join(dir, "saved.clprop");
    clprop_model *model = load_or_fail(path);
    cr_expect_eq(clprop_model_epoch_samples(model), 1000);
    cr_assert_eq(clprop_model_set_training_state(model, &some_progress), CLPROP_SUCCESS);
    cr_expect_eq(clprop_model_epoch_samples(model), 0, "it went with the state it replaced");
    clprop_model_destroy(model);
    free(path);
    const damage cases[] = {
        {EPSZ_AT + 8, U64, 7, "section \"EPSZ\": 7 bytes, expected 8"},
        {EPSZ_AT + 16, U64, 640,
         "section \"EPSZ\": an epoch of 640 samples, but 640 of it were trained"},
        {TRST_AT, U32, 0x58585858 /* "XXXX", an unknown optional section */,
         "section \"EPSZ\": the size of an interrupted epoch in a file without its training "
         "progress"},
    };
    expect_damage_refused(dir, bytes, size, cases, sizeof cases / sizeof *cases);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* ---- Networks (needs an OpenCL device) ------------------------------------------------------- */

typedef struct run_case {
    clprop_optimizer optimizer;
    float rate;
    int no_bias;
} run_case;

static run_case run_cases[] = {
    {.optimizer = {.kind = ADAM}, .rate = 0.01f, .no_bias = 0},
    {.optimizer = {.kind = ADAM, .beta1 = 0.8f, .beta2 = 0.99f, .weight_decay = 0.05f},
     .rate = 0.01f,
     .no_bias = 1},
    {.optimizer = {.kind = SGD, .weight_decay = 0.01f}, .rate = 0.3f, .no_bias = 0},
    {.optimizer = {.kind = MOMENTUM, .momentum = 0.8f, .nesterov = 1}, .rate = 0.1f, .no_bias = 0},
    {.optimizer = {.kind = RPROP}, .rate = 1.0f, .no_bias = 1},
};

static const size_t net_sizes[] = {5, 7, 3};
static const clprop_activation net_activations[] = {CLPROP_ACTIVATION_TANH,
                                                    CLPROP_ACTIVATION_SIGMOID};

static void train_steps(clprop_net *net, test_rng *rng, int steps, float rate)
{
    for (int step = 0; step < steps; step++) {
        float inputs[9 * 5], targets[9 * 3];
        test_fill_uniform(rng, inputs, 45, -1, 1);
        test_fill_uniform(rng, targets, 27, 0, 1);
        cr_assert_eq(clprop_net_train_batch(net, inputs, targets, 9, rate, NULL), CLPROP_SUCCESS,
                     "%s", clprop_net_message(net));
    }
}

ParameterizedTestParameters(model_state, a_network_saved_and_loaded_trains_on_exactly)
{
    return cr_make_param_array(run_case, run_cases, sizeof run_cases / sizeof *run_cases);
}

/* Train 3 steps, save through a model file, load into a fresh network, then train both 3 more
 * steps on the same batches: bit-identical weights and biases. */
ParameterizedTest(run_case *c, model_state, a_network_saved_and_loaded_trains_on_exactly)
{
    clprop_context *context = test_context();
    char *dir = test_make_temp_dir();
    char *path = join(dir, "run.clprop");
    clprop_net_desc desc = {2, net_sizes, net_activations, c->no_bias, CLPROP_LOSS_MSE, 21};
    clprop_net *first = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &first), CLPROP_SUCCESS, "%s",
                 clprop_net_message(first));
    cr_assert_eq(clprop_net_set_optimizer(first, &c->optimizer), CLPROP_SUCCESS, "%s",
                 clprop_net_message(first));
    test_rng rng = test_rng_seeded(500);
    train_steps(first, &rng, 3, c->rate);

    clprop_model *saved = NULL;
    cr_assert_eq(clprop_model_from_net(first, &saved), CLPROP_SUCCESS, "%s",
                 clprop_model_message(saved));
    clprop_optimizer in_model, in_net;
    uint64_t steps;
    size_t floats;
    cr_assert(clprop_model_optimizer(saved, &in_model, &steps, NULL, &floats),
              "a model from a network carries its optimizer");
    clprop_net_get_optimizer(first, &in_net);
    cr_expect_eq(in_model.kind, in_net.kind);
    cr_expect_eq(steps, 3);
    cr_expect_eq(floats, clprop_net_optimizer_state_floats(first));
    save_or_fail(saved, path);
    clprop_model *loaded = load_or_fail(path);
    assert_same_optimizer(loaded, saved);

    clprop_net *second = NULL;
    cr_assert_eq(clprop_net_create_from_model(context, loaded, &second), CLPROP_SUCCESS, "%s",
                 clprop_net_message(second));
    uint64_t second_steps = 0;
    cr_assert_eq(clprop_net_get_optimizer_state(second, &second_steps, NULL), CLPROP_SUCCESS);
    cr_expect_eq(second_steps, 3);
    clprop_optimizer in_second;
    clprop_net_get_optimizer(second, &in_second);
    cr_expect_eq(memcmp(&in_second, &in_net, sizeof in_net), 0, "the optimizer's settings");

    test_rng again = rng;
    train_steps(first, &rng, 3, c->rate);
    train_steps(second, &again, 3, c->rate);
    for (size_t l = 1; l <= 2; l++) {
        float wa[35], wb[35], ba[7], bb[7];
        cr_assert_eq(clprop_net_get_weights(first, l, wa, ba), CLPROP_SUCCESS);
        cr_assert_eq(clprop_net_get_weights(second, l, wb, bb), CLPROP_SUCCESS);
        for (size_t i = 0; i < net_sizes[l - 1] * net_sizes[l]; i++)
            cr_assert(same_float(wa[i], wb[i]), "%s: layer %zu weight [%zu]: %.9g, want %.9g",
                      clprop_optimizer_name(c->optimizer.kind), l, i, (double)wb[i],
                      (double)wa[i]);
        for (size_t i = 0; !c->no_bias && i < net_sizes[l]; i++)
            cr_assert(same_float(ba[i], bb[i]), "%s: layer %zu bias [%zu]: %.9g, want %.9g",
                      clprop_optimizer_name(c->optimizer.kind), l, i, (double)bb[i],
                      (double)ba[i]);
    }
    clprop_net_destroy(second);
    clprop_net_destroy(first);
    clprop_model_destroy(loaded);
    clprop_model_destroy(saved);
    test_remove_tree(dir);
    free(path);
    free(dir);
    clprop_context_destroy(context);
}

/* Without a chosen optimizer a network trains with plain SGD, and its model says so. */
Test(model_state, a_model_from_a_plain_network_carries_sgd_without_state)
{
    clprop_context *context = test_context();
    clprop_net_desc desc = {2, net_sizes, net_activations, 0, CLPROP_LOSS_MSE, 3};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    test_rng rng = test_rng_seeded(1);
    train_steps(net, &rng, 2, 0.1f);
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_from_net(net, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    clprop_optimizer optimizer;
    uint64_t steps;
    const float *state = (const float *)1;
    size_t floats = 1;
    cr_assert(clprop_model_optimizer(model, &optimizer, &steps, &state, &floats));
    cr_expect_eq(optimizer.kind, SGD);
    cr_expect_eq(steps, 2);
    cr_expect_null(state);
    cr_expect_eq(floats, 0);
    cr_expect_not(clprop_model_training_state(model, NULL), "a network has no epochs");
    clprop_model_destroy(model);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}
