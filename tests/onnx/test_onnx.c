/* The ONNX export (host/onnx/, `clprop export --format onnx`): the file parses back with
 * protobuf-c into the graph described in model_onnx.h — opset, names, shapes, one Gemm per layer
 * with the model's own weights, each activation's operator and attribute, no bias input without
 * biases, the metadata — and the command writes it only where it may (never onto a terminal,
 * every write checked). That onnxruntime computes what clprop does is test_onnx_runtime.py's. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "clprop.h"
#include "model_onnx.h"
#include "onnx/onnx.pb-c.h"
#include "support.h"

/* ---- Helpers --------------------------------------------------------------------------------- */

/* A model of the given shape whose parameter j of layer k is k + j/1000 (weights) and
 * −(k + j/1000) (biases), so every value says where it belongs. */
static clprop_model *numbered_model(size_t layer_count, const size_t *sizes,
                                    const clprop_activation *activations, int no_bias,
                                    clprop_loss loss)
{
    clprop_net_desc desc = {.layer_count = layer_count,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = no_bias,
                            .loss = loss};
    clprop_model *model = NULL;
    clprop_status status = clprop_model_create(&desc, &model);
    cr_assert_eq(status, CLPROP_SUCCESS, "create: %s", clprop_model_message(model));
    for (size_t k = 1; k <= layer_count; k++) {
        float *weights = clprop_model_weights(model, k), *biases = clprop_model_biases(model, k);
        for (size_t j = 0; j < sizes[k] * sizes[k - 1]; j++)
            weights[j] = (float)k + (float)j / 1000.0f;
        for (size_t j = 0; biases != NULL && j < sizes[k]; j++)
            biases[j] = -((float)k + (float)j / 1000.0f);
    }
    return model;
}

/* The export of `model`, parsed back; free with onnx__model_proto__free_unpacked(m, NULL). */
static Onnx__ModelProto *export_and_unpack(clprop_model *model)
{
    char *bytes = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&bytes, &size);
    cr_assert_not_null(out);
    char message[512] = "";
    clprop_status status = clprop_onnx_write(model, out, message, sizeof message);
    cr_assert_eq(status, CLPROP_SUCCESS, "export: %s", message);
    cr_assert_eq(fclose(out), 0);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, (const uint8_t *)bytes);
    cr_assert_not_null(m, "protobuf-c cannot parse the %zu bytes written as a ModelProto", size);
    free(bytes);
    return m;
}

static const Onnx__TensorProto *initializer(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (strcmp(g->initializer[i]->name, name) == 0)
            return g->initializer[i];
    return NULL;
}

static const char *metadata(const Onnx__ModelProto *m, const char *key)
{
    for (size_t i = 0; i < m->n_metadata_props; i++)
        if (strcmp(m->metadata_props[i]->key, key) == 0)
            return m->metadata_props[i]->value;
    return NULL;
}

/* The value's type is float32 (N × width), N symbolic. */
static void expect_matrix(const Onnx__ValueInfoProto *v, const char *name, int64_t width)
{
    cr_expect_str_eq(v->name, name);
    cr_assert_not_null(v->type);
    cr_assert_eq(v->type->value_case, ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE, "%s: not a tensor",
                 name);
    const Onnx__TypeProto__Tensor *t = v->type->tensor_type;
    cr_expect(t->has_elem_type && t->elem_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
              "%s: not float32", name);
    cr_assert_not_null(t->shape);
    cr_assert_eq(t->shape->n_dim, 2, "%s has %zu dimensions", name, t->shape->n_dim);
    const Onnx__TensorShapeProto__Dimension *batch = t->shape->dim[0], *units = t->shape->dim[1];
    cr_expect_eq(batch->value_case, ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM);
    if (batch->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
        cr_expect_str_eq(batch->dim_param, CLPROP_ONNX_BATCH);
    cr_expect_eq(units->value_case, ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE);
    cr_expect_eq(units->dim_value, width, "%s: %lld units, want %lld", name,
                 (long long)units->dim_value, (long long)width);
}

/* The initializer holds (rows × columns) float32 values equal to `want`. */
static void expect_tensor(const Onnx__GraphProto *g, const char *name, const float *want,
                          int64_t rows, int64_t columns)
{
    const Onnx__TensorProto *t = initializer(g, name);
    cr_assert_not_null(t, "no initializer %s", name);
    cr_expect(t->has_data_type && t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    size_t n_dims = columns > 0 ? 2 : 1, count = (size_t)rows * (size_t)(columns > 0 ? columns : 1);
    cr_assert_eq(t->n_dims, n_dims, "%s has %zu dimensions, want %zu", name, t->n_dims, n_dims);
    cr_expect_eq(t->dims[0], rows);
    if (columns > 0)
        cr_expect_eq(t->dims[1], columns);
    cr_assert_eq(t->n_float_data, count, "%s holds %zu values, want %zu", name, t->n_float_data,
                 count);
    for (size_t i = 0; i < count; i++)
        cr_expect_eq(t->float_data[i], want[i], "%s[%zu] = %.9g, want %.9g", name, i,
                     (double)t->float_data[i], (double)want[i]);
}

static const Onnx__AttributeProto *attribute(const Onnx__NodeProto *node, const char *name)
{
    for (size_t i = 0; i < node->n_attribute; i++)
        if (strcmp(node->attribute[i]->name, name) == 0)
            return node->attribute[i];
    return NULL;
}

/* The node is `op` from `input` to `output`. */
static void expect_node(const Onnx__NodeProto *node, const char *op, const char *input,
                        const char *output)
{
    cr_expect_str_eq(node->op_type, op);
    cr_assert_geq(node->n_input, 1);
    cr_expect_str_eq(node->input[0], input, "%s reads %s, want %s", op, node->input[0], input);
    cr_assert_eq(node->n_output, 1);
    cr_expect_str_eq(node->output[0], output, "%s writes %s, want %s", op, node->output[0], output);
}

/* ---- The graph ---------------------------------------------------------------------------------
 */

Test(onnx, a_sigmoid_network_with_biases_is_gemm_and_sigmoid_per_layer_with_its_weights)
{
    static const size_t sizes[] = {3, 4, 2};
    clprop_model *model = numbered_model(2, sizes, NULL, 0, CLPROP_LOSS_MSE);
    Onnx__ModelProto *m = export_and_unpack(model);

    cr_expect(m->has_ir_version && m->ir_version == ONNX__VERSION__IR_VERSION);
    cr_assert_eq(m->n_opset_import, 1);
    cr_expect_str_eq(m->opset_import[0]->domain, "");
    cr_expect_eq(m->opset_import[0]->version, CLPROP_ONNX_OPSET);
    cr_expect_str_eq(m->producer_name, "clprop");
    cr_expect_str_eq(m->producer_version, clprop_version());

    const Onnx__GraphProto *g = m->graph;
    cr_assert_not_null(g);
    cr_assert_eq(g->n_input, 1);
    cr_assert_eq(g->n_output, 1);
    expect_matrix(g->input[0], CLPROP_ONNX_INPUT, 3);
    expect_matrix(g->output[0], CLPROP_ONNX_OUTPUT, 2);

    cr_assert_eq(g->n_node, 4, "Gemm, Sigmoid, Gemm, Sigmoid: %zu nodes", g->n_node);
    expect_node(g->node[0], "Gemm", "input", "layer1.z");
    expect_node(g->node[1], "Sigmoid", "layer1.z", "layer1.a");
    expect_node(g->node[2], "Gemm", "layer1.a", "layer2.z");
    expect_node(g->node[3], "Sigmoid", "layer2.z", "output");
    for (size_t k = 1; k <= 2; k++) {
        const Onnx__NodeProto *gemm = g->node[2 * (k - 1)];
        char weight[32], bias[32];
        snprintf(weight, sizeof weight, "layer%zu.weight", k);
        snprintf(bias, sizeof bias, "layer%zu.bias", k);
        cr_assert_eq(gemm->n_input, 3, "layer %zu: Gemm(A, B, C)", k);
        cr_expect_str_eq(gemm->input[1], weight);
        cr_expect_str_eq(gemm->input[2], bias);
        const Onnx__AttributeProto *trans_b = attribute(gemm, "transB");
        cr_assert_not_null(trans_b, "layer %zu: the Gemm has no transB", k);
        cr_expect(trans_b->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT && trans_b->i == 1);
        /* (outputs × inputs), row-major: clprop's own layout, transposed by the Gemm */
        expect_tensor(g, weight, clprop_model_weights(model, k), (int64_t)sizes[k],
                      (int64_t)sizes[k - 1]);
        expect_tensor(g, bias, clprop_model_biases(model, k), (int64_t)sizes[k], 0);
    }
    onnx__model_proto__free_unpacked(m, NULL);
    clprop_model_destroy(model);
}

Test(onnx, a_network_without_biases_has_gemms_without_c_and_no_bias_initializers)
{
    static const size_t sizes[] = {2, 3, 1};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_TANH,
                                                    CLPROP_ACTIVATION_SIGMOID};
    clprop_model *model = numbered_model(2, sizes, activations, 1, CLPROP_LOSS_MSE);
    Onnx__ModelProto *m = export_and_unpack(model);
    const Onnx__GraphProto *g = m->graph;
    cr_expect_eq(g->n_initializer, 2, "two weight matrices, no biases: %zu initializers",
                 g->n_initializer);
    cr_expect_null(initializer(g, "layer1.bias"));
    cr_assert_eq(g->n_node, 4);
    for (size_t i = 0; i < 4; i += 2) {
        cr_expect_str_eq(g->node[i]->op_type, "Gemm");
        cr_expect_eq(g->node[i]->n_input, 2, "Gemm(A, B) without C: %zu inputs",
                     g->node[i]->n_input);
    }
    expect_tensor(g, "layer2.weight", clprop_model_weights(model, 2), 1, 3);
    onnx__model_proto__free_unpacked(m, NULL);
    clprop_model_destroy(model);
}

/* Each activation of the output layer (a tanh hidden layer before it) and its operator. Criterion
 * copies parameters into a fresh process, where a pointer into the binary may not hold: no
 * pointers. */
typedef struct activation_case {
    clprop_activation activation;
    char op[16]; /* "": linear, the Gemm is the output */
} activation_case;

ParameterizedTestParameters(onnx, each_activation_is_its_operator)
{
    static activation_case cases[] = {
        {CLPROP_ACTIVATION_SIGMOID, "Sigmoid"}, {CLPROP_ACTIVATION_TANH, "Tanh"},
        {CLPROP_ACTIVATION_RELU, "Relu"},       {CLPROP_ACTIVATION_LEAKY_RELU, "LeakyRelu"},
        {CLPROP_ACTIVATION_SOFTMAX, "Softmax"}, {CLPROP_ACTIVATION_LINEAR, ""},
    };
    return cr_make_param_array(activation_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(activation_case *c, onnx, each_activation_is_its_operator)
{
    static const size_t sizes[] = {2, 3, 3};
    clprop_activation activations[] = {CLPROP_ACTIVATION_TANH, c->activation};
    clprop_loss loss =
        c->activation == CLPROP_ACTIVATION_SOFTMAX ? CLPROP_LOSS_CROSS_ENTROPY : CLPROP_LOSS_MSE;
    clprop_model *model = numbered_model(2, sizes, activations, 0, loss);
    Onnx__ModelProto *m = export_and_unpack(model);
    const Onnx__GraphProto *g = m->graph;
    const char *name = clprop_activation_name(c->activation);
    if (c->op[0] == '\0') {
        cr_assert_eq(g->n_node, 3, "%s: Gemm, Tanh, Gemm; got %zu nodes", name, g->n_node);
        expect_node(g->node[2], "Gemm", "layer1.a", "output");
    } else {
        cr_assert_eq(g->n_node, 4, "%s: Gemm, Tanh, Gemm, %s; got %zu nodes", name, c->op,
                     g->n_node);
        expect_node(g->node[3], c->op, "layer2.z", "output");
    }
    const Onnx__NodeProto *last = g->node[g->n_node - 1];
    const Onnx__AttributeProto *alpha = attribute(last, "alpha"), *axis = attribute(last, "axis");
    if (c->activation == CLPROP_ACTIVATION_LEAKY_RELU) {
        cr_assert_not_null(alpha, "LeakyRelu without alpha");
        cr_expect(alpha->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT &&
                      alpha->f == CLPROP_LEAKY_RELU_SLOPE,
                  "alpha %.9g, want CLPROP_LEAKY_RELU_SLOPE", (double)alpha->f);
    } else if (c->activation == CLPROP_ACTIVATION_SOFTMAX) {
        cr_assert_not_null(axis, "Softmax without axis");
        cr_expect(axis->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT && axis->i == 1,
                  "each sample's row: axis %lld, want 1", (long long)axis->i);
    } else if (c->op[0] != '\0') {
        cr_expect_eq(last->n_attribute, 0, "%s: %zu attributes", name, last->n_attribute);
    }
    onnx__model_proto__free_unpacked(m, NULL);
    clprop_model_destroy(model);
}

Test(onnx, linear_hidden_layers_pass_the_gemm_on_and_deep_networks_chain_in_order)
{
    static const size_t sizes[] = {5, 4, 3, 2, 1};
    static const clprop_activation activations[] = {
        CLPROP_ACTIVATION_LINEAR, CLPROP_ACTIVATION_RELU, CLPROP_ACTIVATION_LINEAR,
        CLPROP_ACTIVATION_LINEAR};
    clprop_model *model = numbered_model(4, sizes, activations, 0, CLPROP_LOSS_MSE);
    Onnx__ModelProto *m = export_and_unpack(model);
    const Onnx__GraphProto *g = m->graph;
    cr_assert_eq(g->n_node, 5, "Gemm, Gemm, Relu, Gemm, Gemm: %zu nodes", g->n_node);
    expect_node(g->node[0], "Gemm", "input", "layer1.a");
    expect_node(g->node[1], "Gemm", "layer1.a", "layer2.z");
    expect_node(g->node[2], "Relu", "layer2.z", "layer2.a");
    expect_node(g->node[3], "Gemm", "layer2.a", "layer3.a");
    expect_node(g->node[4], "Gemm", "layer3.a", "output");
    expect_matrix(g->input[0], "input", 5);
    expect_matrix(g->output[0], "output", 1);
    for (size_t k = 1; k <= 4; k++) {
        char name[32];
        snprintf(name, sizeof name, "layer%zu.weight", k);
        expect_tensor(g, name, clprop_model_weights(model, k), (int64_t)sizes[k],
                      (int64_t)sizes[k - 1]);
    }
    onnx__model_proto__free_unpacked(m, NULL);
    clprop_model_destroy(model);
}

/* ---- Metadata ----------------------------------------------------------------------------------
 */

Test(onnx, metadata_names_the_version_and_loss_and_what_a_checkpoint_carries)
{
    static const size_t sizes[] = {2, 2, 2};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_RELU,
                                                    CLPROP_ACTIVATION_SOFTMAX};
    clprop_model *model = numbered_model(2, sizes, activations, 0, CLPROP_LOSS_CROSS_ENTROPY);
    Onnx__ModelProto *m = export_and_unpack(model);
    cr_expect_str_eq(metadata(m, "clprop_version"), clprop_version());
    cr_expect_str_eq(metadata(m, "loss"), "ce");
    cr_expect_null(metadata(m, "optimizer"), "a bare model carries no optimizer");
    cr_expect_null(metadata(m, "epochs_done"), "nor training progress");
    onnx__model_proto__free_unpacked(m, NULL);

    clprop_optimizer adam = {.kind = CLPROP_OPTIMIZER_ADAM};
    /* Adam keeps two floats per parameter: 2·(2·2 + 2) per layer */
    float state[24] = {0};
    cr_assert_eq(clprop_model_set_optimizer(model, &adam, 42, state, 24), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    clprop_training_state progress = {.epochs_done = 7, .best_loss = 0.125, .best_epoch = 5};
    cr_assert_eq(clprop_model_set_training_state(model, &progress), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    m = export_and_unpack(model);
    cr_expect_str_eq(metadata(m, "optimizer"), "adam");
    cr_expect_str_eq(metadata(m, "optimizer_steps"), "42");
    cr_expect_str_eq(metadata(m, "epochs_done"), "7");
    cr_expect_str_eq(metadata(m, "best_validation_loss"), "0.125");
    cr_expect_str_eq(metadata(m, "best_epoch"), "5");
    onnx__model_proto__free_unpacked(m, NULL);
    clprop_model_destroy(model);
}

/* ---- Writing -----------------------------------------------------------------------------------
 */

Test(onnx, a_failed_write_is_an_io_error_with_the_reason)
{
    static const size_t sizes[] = {2, 1};
    clprop_model *model = numbered_model(1, sizes, NULL, 0, CLPROP_LOSS_MSE);
    FILE *full = fopen("/dev/full", "w");
    cr_assert_not_null(full);
    char message[512] = "";
    cr_expect_eq(clprop_onnx_write(model, full, message, sizeof message), CLPROP_ERROR_IO);
    cr_expect(strstr(message, "No space left") != NULL, "the system's reason: %s", message);
    fclose(full);
    clprop_model_destroy(model);
}

/* ---- The command --------------------------------------------------------------------------------
 */

static char *work; /* this test's temporary directory */

static void make_work(void)
{
    work = test_make_temp_dir();
}

static void remove_work(void)
{
    test_remove_tree(work);
    free(work);
}

/* Runs a shell command line in the work directory; returns its exit status. */
static int shell(const char *format, ...) __attribute__((format(printf, 1, 2)));

static int shell(const char *format, ...)
{
    char line[8192];
    int used = snprintf(line, sizeof line, "cd '%s' && ", work);
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(line + used, sizeof line - (size_t)used, format, arguments);
    va_end(arguments);
    int raw = system(line);
    return raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

/* m.clprop in the work directory: 2-3-1, leaky ReLU then sigmoid, with biases. */
static clprop_model *saved_model(void)
{
    static const size_t sizes[] = {2, 3, 1};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_LEAKY_RELU,
                                                    CLPROP_ACTIVATION_SIGMOID};
    clprop_model *model = numbered_model(2, sizes, activations, 0, CLPROP_LOSS_MSE);
    char path[4200];
    snprintf(path, sizeof path, "%s/m.clprop", work);
    cr_assert_eq(clprop_model_save(model, path), CLPROP_SUCCESS, "%s", clprop_model_message(model));
    return model;
}

TestSuite(onnx_command, .init = make_work, .fini = remove_work);

Test(onnx_command, export_format_onnx_writes_the_models_graph_to_standard_output)
{
    clprop_model *model = saved_model();
    cr_assert_eq(shell("%s export --model m.clprop --format onnx > m.onnx 2>err", CLPROP_COMMAND),
                 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/m.onnx", work);
    size_t size = 0;
    char *bytes = test_read_file(path, &size);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, (const uint8_t *)bytes);
    cr_assert_not_null(m, "the command's %zu bytes are no ModelProto", size);
    cr_assert_eq(m->graph->n_node, 4);
    expect_node(m->graph->node[1], "LeakyRelu", "layer1.z", "layer1.a");
    expect_tensor(m->graph, "layer1.weight", clprop_model_weights(model, 1), 3, 2);
    expect_tensor(m->graph, "layer2.bias", clprop_model_biases(model, 2), 1, 0);
    onnx__model_proto__free_unpacked(m, NULL);
    free(bytes);
    clprop_model_destroy(model);
}

Test(onnx_command, export_format_onnx_refuses_a_terminal_before_reading_the_model)
{
    /* script(1) gives the command a terminal as its standard output */
    if (shell("command -v script >/dev/null") != 0)
        cr_skip_test("script(1) is not installed");
    clprop_model_destroy(saved_model());
    int status = shell("script -qec '%s export --model m.clprop --format onnx; echo \"rc=$?\"' "
                       "/dev/null > screen",
                       CLPROP_COMMAND);
    cr_assert_eq(status, 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/screen", work);
    char *screen = test_read_file(path, NULL);
    cr_expect(strstr(screen, "not written to a terminal") != NULL, "%s", screen);
    cr_expect(strstr(screen, "rc=2") != NULL, "exit status 2: %s", screen);
    cr_expect_null(strstr(screen, "layer1.weight"), "no binary on the screen: %s", screen);
    free(screen);
}

Test(onnx_command, export_format_onnx_to_a_full_disk_names_standard_output)
{
    clprop_model_destroy(saved_model());
    cr_expect_eq(
        shell("%s export --model m.clprop --format onnx > /dev/full 2>err", CLPROP_COMMAND), 1);
    char path[4200];
    snprintf(path, sizeof path, "%s/err", work);
    char *err = test_read_file(path, NULL);
    cr_expect(strstr(err, "standard output") != NULL, "%s", err);
    free(err);
}

Test(onnx_command, an_unknown_export_format_is_a_usage_error)
{
    clprop_model_destroy(saved_model());
    cr_expect_eq(shell("%s export --model m.clprop --format xml > out 2>err", CLPROP_COMMAND), 2);
    char path[4200];
    snprintf(path, sizeof path, "%s/err", work);
    char *err = test_read_file(path, NULL);
    cr_expect(strstr(err, "json, onnx or fann") != NULL, "%s", err);
    free(err);
}
