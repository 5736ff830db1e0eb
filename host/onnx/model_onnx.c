/* A clprop model as an ONNX model: the layers as Gemm and activation nodes over initializers
 * that point into the model's own arrays (nothing is copied), packed by protobuf-c straight into
 * the output stream. See model_onnx.h for the graph. */
#include "model_onnx.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

/* Room for "layer1024.weight" and the like. */
#define NAME_SIZE 40
/* clprop_version, loss, optimizer, optimizer_steps, epochs_done, best_validation_loss,
 * best_epoch */
#define MAX_METADATA 8

/* A protobuf message may not reach 2 GiB: protobuf's parsers, onnxruntime's among them, refuse
 * it (ONNX keeps larger weights in external files, which this export does not write). */
#define ONNX_MAX_BYTES ((size_t)INT32_MAX)

/* ---- The parts of the graph ------------------------------------------------------------------ */

/* One weight layer: two initializers, a Gemm node and (unless linear) an activation node. */
typedef struct onnx_layer {
    char weight_name[NAME_SIZE], bias_name[NAME_SIZE], linear_name[NAME_SIZE],
        output_name[NAME_SIZE], gemm_name[NAME_SIZE], activation_name[NAME_SIZE];
    int64_t weight_dims[2], bias_dims[1]; /* (outputs, inputs) and (outputs) */
    Onnx__TensorProto weight, bias;
    Onnx__AttributeProto trans_b, activation_attribute;
    Onnx__AttributeProto *gemm_attributes[1], *activation_attributes[1];
    char *gemm_inputs[3], *gemm_outputs[1], *activation_inputs[1], *activation_outputs[1];
    Onnx__NodeProto gemm, activation;
} onnx_layer;

/* A side of the scaling: two initializers of (width) that broadcast over N × width, and two
 * elementwise nodes: Sub then Mul on the inputs, x' = (x − offset)·scale, and Div then Add on the
 * outputs, y = y'/scale + offset, the same float operations clprop_net_predict makes. */
typedef struct onnx_affine {
    char offset_name[NAME_SIZE], scale_name[NAME_SIZE], middle_name[NAME_SIZE],
        first_name[NAME_SIZE], second_name[NAME_SIZE];
    int64_t dims[1];
    Onnx__TensorProto offset, scale;
    char *first_inputs[2], *first_outputs[1], *second_inputs[2], *second_outputs[1];
    Onnx__NodeProto first, second;
} onnx_affine;

/* A float32 matrix value of the graph, (N × width): its name, type and shape. */
typedef struct onnx_matrix_value {
    Onnx__ValueInfoProto info;
    Onnx__TypeProto type;
    Onnx__TypeProto__Tensor tensor;
    Onnx__TensorShapeProto shape;
    Onnx__TensorShapeProto__Dimension batch, width;
    Onnx__TensorShapeProto__Dimension *dims[2];
} onnx_matrix_value;

/* The whole document. Every message lives here or in `layers`; the graph's arrays of pointers
 * (nodes, initializers) are the only other allocations. */
typedef struct onnx_document {
    Onnx__ModelProto model;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1];
    Onnx__GraphProto graph;
    onnx_matrix_value input, output;
    Onnx__ValueInfoProto *inputs[1], *outputs[1];
    Onnx__StringStringEntryProto metadata[MAX_METADATA];
    Onnx__StringStringEntryProto *metadata_entries[MAX_METADATA];
    char metadata_values[MAX_METADATA][48];
    char producer_version[32];
    onnx_layer *layers;               /* L entries, layer k at [k - 1] */
    onnx_affine scale_in, scale_out;  /* the model's scaling, when it has one */
    Onnx__NodeProto **nodes;          /* up to 2L + 4 */
    Onnx__TensorProto **initializers; /* up to 2L + 4 */
} onnx_document;

/* The ONNX operator for an activation, or NULL for linear (the Gemm's result is the output). */
static const char *activation_operator(clprop_activation activation)
{
    switch (activation) {
    case CLPROP_ACTIVATION_SIGMOID:
        return "Sigmoid";
    case CLPROP_ACTIVATION_TANH:
        return "Tanh";
    case CLPROP_ACTIVATION_RELU:
        return "Relu";
    case CLPROP_ACTIVATION_LEAKY_RELU:
        return "LeakyRelu";
    case CLPROP_ACTIVATION_SOFTMAX:
        return "Softmax";
    case CLPROP_ACTIVATION_LINEAR:
        break;
    }
    return NULL;
}

/* values is (outputs × inputs) or (outputs), row-major, as the model holds it. */
static void describe_tensor(Onnx__TensorProto *tensor, char *name, int64_t *dims, size_t n_dims,
                            float *values, size_t count)
{
    onnx__tensor_proto__init(tensor);
    tensor->name = name;
    tensor->n_dims = n_dims;
    tensor->dims = dims;
    tensor->has_data_type = 1;
    tensor->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    tensor->n_float_data = count; /* packed floats: written from the model's array as it is */
    tensor->float_data = values;
}

static void describe_matrix(onnx_matrix_value *v, char *name, size_t width)
{
    onnx__value_info_proto__init(&v->info);
    onnx__type_proto__init(&v->type);
    onnx__type_proto__tensor__init(&v->tensor);
    onnx__tensor_shape_proto__init(&v->shape);
    onnx__tensor_shape_proto__dimension__init(&v->batch);
    onnx__tensor_shape_proto__dimension__init(&v->width);
    v->batch.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    v->batch.dim_param = CLPROP_ONNX_BATCH;
    v->width.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    v->width.dim_value = (int64_t)width;
    v->dims[0] = &v->batch;
    v->dims[1] = &v->width;
    v->shape.n_dim = 2;
    v->shape.dim = v->dims;
    v->tensor.has_elem_type = 1;
    v->tensor.elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    v->tensor.shape = &v->shape;
    v->type.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    v->type.tensor_type = &v->tensor;
    v->info.name = name;
    v->info.type = &v->type;
}

static void set_int_attribute(Onnx__AttributeProto *attribute, char *name, int64_t value)
{
    onnx__attribute_proto__init(attribute);
    attribute->name = name;
    attribute->has_type = 1;
    attribute->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    attribute->has_i = 1;
    attribute->i = value;
}

static void set_float_attribute(Onnx__AttributeProto *attribute, char *name, float value)
{
    onnx__attribute_proto__init(attribute);
    attribute->name = name;
    attribute->has_type = 1;
    attribute->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    attribute->has_f = 1;
    attribute->f = value;
}

/* ---- The graph, layer by layer ----------------------------------------------------------------
 */

/* Layer k (1..L) reads `in` and writes its values to `final_output` for the last layer, else to
 * a name of its own, which it returns. Adds its initializers and nodes to the document's graph. */
static char *describe_layer(onnx_document *d, clprop_model *model, size_t k, char *in,
                            char *final_output)
{
    onnx_layer *l = &d->layers[k - 1];
    Onnx__GraphProto *g = &d->graph;
    size_t inputs = clprop_model_units(model, k - 1), outputs = clprop_model_units(model, k);
    clprop_activation activation = clprop_model_activation(model, k);
    const char *op = activation_operator(activation);

    snprintf(l->weight_name, NAME_SIZE, "layer%zu.weight", k);
    snprintf(l->bias_name, NAME_SIZE, "layer%zu.bias", k);
    snprintf(l->gemm_name, NAME_SIZE, "layer%zu.gemm", k);
    snprintf(l->linear_name, NAME_SIZE, "layer%zu.z", k);
    snprintf(l->output_name, NAME_SIZE, "layer%zu.a", k);
    snprintf(l->activation_name, NAME_SIZE, "layer%zu.%s", k, clprop_activation_name(activation));
    /* What the layer's last node writes: the graph's output, or this layer's values. */
    char *out = final_output != NULL ? final_output : l->output_name;

    l->weight_dims[0] = (int64_t)outputs;
    l->weight_dims[1] = (int64_t)inputs;
    describe_tensor(&l->weight, l->weight_name, l->weight_dims, 2, clprop_model_weights(model, k),
                    outputs * inputs);
    g->initializer[g->n_initializer++] = &l->weight;
    float *biases = clprop_model_biases(model, k);
    if (biases != NULL) {
        l->bias_dims[0] = (int64_t)outputs;
        describe_tensor(&l->bias, l->bias_name, l->bias_dims, 1, biases, outputs);
        g->initializer[g->n_initializer++] = &l->bias;
    }

    /* z = in · Wᵀ + b: W is (outputs × inputs) as clprop keeps it, so B is transposed. Without
     * biases Gemm has no C (optional since opset 11). */
    onnx__node_proto__init(&l->gemm);
    set_int_attribute(&l->trans_b, "transB", 1);
    l->gemm_attributes[0] = &l->trans_b;
    l->gemm_inputs[0] = in;
    l->gemm_inputs[1] = l->weight_name;
    l->gemm_inputs[2] = l->bias_name;
    l->gemm_outputs[0] = op != NULL ? l->linear_name : out;
    l->gemm.name = l->gemm_name;
    l->gemm.op_type = "Gemm";
    l->gemm.n_input = biases != NULL ? 3 : 2;
    l->gemm.input = l->gemm_inputs;
    l->gemm.n_output = 1;
    l->gemm.output = l->gemm_outputs;
    l->gemm.n_attribute = 1;
    l->gemm.attribute = l->gemm_attributes;
    g->node[g->n_node++] = &l->gemm;
    if (op == NULL)
        return out;

    /* a = f(z) */
    onnx__node_proto__init(&l->activation);
    l->activation_inputs[0] = l->linear_name;
    l->activation_outputs[0] = out;
    l->activation.name = l->activation_name;
    l->activation.op_type = (char *)op;
    l->activation.n_input = 1;
    l->activation.input = l->activation_inputs;
    l->activation.n_output = 1;
    l->activation.output = l->activation_outputs;
    if (activation == CLPROP_ACTIVATION_LEAKY_RELU)
        set_float_attribute(&l->activation_attribute, "alpha", CLPROP_LEAKY_RELU_SLOPE);
    else if (activation == CLPROP_ACTIVATION_SOFTMAX) /* each sample's row: axis 1 of (N × C) */
        set_int_attribute(&l->activation_attribute, "axis", 1);
    if (activation == CLPROP_ACTIVATION_LEAKY_RELU || activation == CLPROP_ACTIVATION_SOFTMAX) {
        l->activation_attributes[0] = &l->activation_attribute;
        l->activation.n_attribute = 1;
        l->activation.attribute = l->activation_attributes;
    }
    g->node[g->n_node++] = &l->activation;
    return out;
}

/* ---- Scaling around the layers ----------------------------------------------------------------
 */

static void describe_node(Onnx__NodeProto *node, char *name, char *op, char **inputs, char *a,
                          char *b, char **outputs, char *out)
{
    onnx__node_proto__init(node);
    inputs[0] = a;
    inputs[1] = b;
    outputs[0] = out;
    node->name = name;
    node->op_type = op;
    node->n_input = 2;
    node->input = inputs;
    node->n_output = 1;
    node->output = outputs;
}

/* `side` ("input" or "output") of `width` values from `in` to `out`: with `undo`, Div and Add
 * (the outputs back to the data's units), else Sub and Mul. */
static void describe_affine(onnx_document *d, onnx_affine *a, const char *side, size_t width,
                            const float *offset, const float *scale, char *in, char *out,
                            int undo)
{
    Onnx__GraphProto *g = &d->graph;
    snprintf(a->offset_name, NAME_SIZE, "%s.offset", side);
    snprintf(a->scale_name, NAME_SIZE, "%s.scale", side);
    snprintf(a->middle_name, NAME_SIZE, "%s.%s", side, undo ? "divided" : "centred");
    snprintf(a->first_name, NAME_SIZE, "%s.%s", side, undo ? "div" : "sub");
    snprintf(a->second_name, NAME_SIZE, "%s.%s", side, undo ? "add" : "mul");
    a->dims[0] = (int64_t)width;
    /* protobuf-c only reads float_data: the model's own arrays, not copied */
    describe_tensor(&a->offset, a->offset_name, a->dims, 1, (float *)offset, width);
    describe_tensor(&a->scale, a->scale_name, a->dims, 1, (float *)scale, width);
    g->initializer[g->n_initializer++] = &a->offset;
    g->initializer[g->n_initializer++] = &a->scale;
    describe_node(&a->first, a->first_name, undo ? "Div" : "Sub", a->first_inputs, in,
                  undo ? a->scale_name : a->offset_name, a->first_outputs, a->middle_name);
    describe_node(&a->second, a->second_name, undo ? "Add" : "Mul", a->second_inputs,
                  a->middle_name, undo ? a->offset_name : a->scale_name, a->second_outputs, out);
    g->node[g->n_node++] = &a->first;
    g->node[g->n_node++] = &a->second;
}

/* ---- The model around the graph ---------------------------------------------------------------
 */

static void add_metadata(onnx_document *d, char *key, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void add_metadata(onnx_document *d, char *key, const char *format, ...)
{
    size_t i = d->model.n_metadata_props++;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(d->metadata_values[i], sizeof d->metadata_values[i], format, arguments);
    va_end(arguments);
    onnx__string_string_entry_proto__init(&d->metadata[i]);
    d->metadata[i].key = key;
    d->metadata[i].value = d->metadata_values[i];
    d->metadata_entries[i] = &d->metadata[i];
}

/* What the model carries beyond its weights, and who wrote it. */
static void describe_metadata(onnx_document *d, const clprop_model *model)
{
    d->model.metadata_props = d->metadata_entries;
    add_metadata(d, "clprop_version", "%s", clprop_version());
    add_metadata(d, "loss", "%s", clprop_loss_name(clprop_model_loss(model)));
    clprop_optimizer optimizer;
    uint64_t steps = 0;
    if (clprop_model_optimizer(model, &optimizer, &steps, NULL, NULL)) {
        add_metadata(d, "optimizer", "%s", clprop_optimizer_name(optimizer.kind));
        add_metadata(d, "optimizer_steps", "%" PRIu64, steps);
    }
    clprop_training_state state;
    if (clprop_model_training_state(model, &state)) {
        add_metadata(d, "epochs_done", "%" PRIu64, state.epochs_done);
        if (isfinite(state.best_loss)) { /* +∞ until a validation loss was measured */
            add_metadata(d, "best_validation_loss", "%.9g", state.best_loss);
            add_metadata(d, "best_epoch", "%" PRIu64, state.best_epoch);
        }
    }
}

/* Fills the document from the model; returns 0 when memory ran out. */
static int describe_model(onnx_document *d, clprop_model *model)
{
    size_t layer_count = clprop_model_layer_count(model);
    d->layers = calloc(layer_count, sizeof *d->layers);
    d->nodes = calloc(2 * layer_count + 4, sizeof *d->nodes);
    d->initializers = calloc(2 * layer_count + 4, sizeof *d->initializers);
    if (d->layers == NULL || d->nodes == NULL || d->initializers == NULL)
        return 0;

    onnx__model_proto__init(&d->model);
    d->model.has_ir_version = 1;
    d->model.ir_version = ONNX__VERSION__IR_VERSION; /* that of the onnx.proto built against */
    onnx__operator_set_id_proto__init(&d->opset);
    d->opset.domain = "";
    d->opset.has_version = 1;
    d->opset.version = CLPROP_ONNX_OPSET;
    d->opsets[0] = &d->opset;
    d->model.n_opset_import = 1;
    d->model.opset_import = d->opsets;
    d->model.producer_name = "clprop";
    snprintf(d->producer_version, sizeof d->producer_version, "%s", clprop_version());
    d->model.producer_version = d->producer_version;
    d->model.doc_string = "A multilayer perceptron trained by clprop";
    describe_metadata(d, model);

    onnx__graph_proto__init(&d->graph);
    d->graph.name = "clprop";
    d->graph.node = d->nodes;
    d->graph.initializer = d->initializers;
    describe_matrix(&d->input, CLPROP_ONNX_INPUT, clprop_model_units(model, 0));
    describe_matrix(&d->output, CLPROP_ONNX_OUTPUT, clprop_model_units(model, layer_count));
    d->inputs[0] = &d->input.info;
    d->outputs[0] = &d->output.info;
    d->graph.n_input = 1;
    d->graph.input = d->inputs;
    d->graph.n_output = 1;
    d->graph.output = d->outputs;
    clprop_scaling s = {0};
    clprop_model_scaling(model, &s);
    char *previous = CLPROP_ONNX_INPUT, *last = CLPROP_ONNX_OUTPUT;
    if (s.input_kind != CLPROP_SCALING_NONE) {
        describe_affine(d, &d->scale_in, "input", s.inputs, s.input_offset, s.input_scale,
                        CLPROP_ONNX_INPUT, "input.scaled", 0);
        previous = "input.scaled";
    }
    if (s.target_kind != CLPROP_SCALING_NONE)
        last = "output.scaled";
    for (size_t k = 1; k <= layer_count; k++)
        previous = describe_layer(d, model, k, previous, k == layer_count ? last : NULL);
    if (s.target_kind != CLPROP_SCALING_NONE)
        describe_affine(d, &d->scale_out, "output", s.outputs, s.target_offset, s.target_scale,
                        last, CLPROP_ONNX_OUTPUT, 1);
    d->model.graph = &d->graph;
    return 1;
}

static void free_document(onnx_document *d)
{
    free(d->layers);
    free(d->nodes);
    free(d->initializers);
}

/* ---- Writing ----------------------------------------------------------------------------------
 */

/* protobuf-c hands the packed message over in pieces (each float array whole): straight to the
 * stream, the first failure's reason kept. */
typedef struct file_buffer {
    ProtobufCBuffer base;
    FILE *out;
    int error; /* errno of the first failed write, or 0 */
} file_buffer;

static void append_to_file(ProtobufCBuffer *buffer, size_t length, const uint8_t *data)
{
    file_buffer *b = (file_buffer *)buffer;
    if (b->error == 0 && length > 0 && fwrite(data, 1, length, b->out) != length)
        b->error = errno != 0 ? errno : EIO;
}

clprop_status clprop_onnx_write(clprop_model *model, FILE *out, char *message, size_t message_size)
{
    if (model == NULL || out == NULL || clprop_model_layer_count(model) == 0) {
        snprintf(message, message_size, "ONNX export: %s",
                 model == NULL ? "model is NULL"
                 : out == NULL ? "out is NULL"
                               : "the model is empty");
        return CLPROP_ERROR_INVALID_ARGUMENT;
    }
    onnx_document d = {0};
    if (!describe_model(&d, model)) {
        free_document(&d);
        snprintf(message, message_size, "ONNX export: out of host memory");
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    }
    size_t size = onnx__model_proto__get_packed_size(&d.model);
    if (size > ONNX_MAX_BYTES) {
        free_document(&d);
        snprintf(message, message_size,
                 "ONNX export: the model would take %zu bytes, beyond the 2 GiB a protobuf "
                 "message may have (ONNX keeps larger weights in external files, which clprop "
                 "does not write)",
                 size);
        return CLPROP_ERROR_INVALID_ARGUMENT;
    }
    file_buffer buffer = {.base = {.append = append_to_file}, .out = out};
    errno = 0;
    onnx__model_proto__pack_to_buffer(&d.model, &buffer.base);
    free_document(&d);
    if (buffer.error == 0 && (fflush(out) != 0 || ferror(out)))
        buffer.error = errno != 0 ? errno : EIO;
    if (buffer.error != 0) {
        snprintf(message, message_size, "cannot write the ONNX export: %s", strerror(buffer.error));
        return CLPROP_ERROR_IO;
    }
    return CLPROP_SUCCESS;
}
