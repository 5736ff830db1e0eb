/* The model object shared by its files: model.c (the object and its shape), model_file.c (the
 * binary format), model_json.c (the JSON export) and model_net.c (copies to and from a network). */
#ifndef CLPROP_MODEL_INTERNAL_H
#define CLPROP_MODEL_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "clprop.h"
#include "message.h"

/* Bounds on a model's shape. They are far beyond any network clprop can train, and they let a
 * loader refuse a damaged or hostile header before it allocates anything: with them the parameter
 * count of any accepted shape fits in 62 bits. */
#define CLPROP_MODEL_MAX_LAYERS 1024
#define CLPROP_MODEL_MAX_UNITS (1u << 24)

/* A binary model file starts with these 8 bytes; a JSON export starts with '{'. */
#define CLPROP_MODEL_MAGIC "CLPROPMD"
#define CLPROP_MODEL_MAGIC_SIZE 8

struct clprop_model {
    clprop_message message;
    size_t layer_count;              /* L; 0 in a handle whose creation failed */
    size_t *units;                   /* L + 1 entries, input first */
    clprop_activation *activations;  /* L entries: activations[layer - 1] for layers 1..L */
    int has_bias;
    clprop_loss loss;
    /* Every parameter in one allocation, in the binary file's order: weights of layer 1 (outputs ×
     * inputs), its biases (outputs, when has_bias), weights of layer 2, ... */
    size_t parameter_count;
    float *parameters;
    float **weights;                 /* L + 1 pointers into parameters; [0] is NULL */
    float **biases;                  /* L + 1 pointers into parameters; all NULL without biases */
};

/* An empty handle (layer_count 0, no message), or NULL when host memory ran out. */
clprop_model *clprop_model_new_handle(void);

/* Checks a shape: 1..CLPROP_MODEL_MAX_LAYERS layers, 1..CLPROP_MODEL_MAX_UNITS units each, known
 * activations and loss, softmax only on the output layer and only with cross-entropy. A failure
 * writes one line starting with `where` (a file name or a function) to `message`. */
clprop_status clprop_model_check_shape(clprop_message *message, const char *where,
                                       const clprop_net_desc *desc);

/* The number of parameters (weights and biases) of a checked shape. */
size_t clprop_model_count_parameters(const clprop_net_desc *desc);
size_t clprop_model_layer_parameters(size_t inputs, size_t outputs, int has_bias);

/* Checks the shape, then gives an empty handle that shape with every parameter zero. */
clprop_status clprop_model_set_shape(clprop_model *model, const clprop_net_desc *desc,
                                     const char *where);

/* The model's shape as a description (pointing into the model; valid while it lives). */
clprop_net_desc clprop_model_desc(const clprop_model *model);

/* Name ↔ value for the text formats; the names come from clprop_activation_name() and
 * clprop_loss_name(). Return 0 for an unknown name. */
int clprop_parse_activation(const char *name, clprop_activation *activation);
int clprop_parse_loss(const char *name, clprop_loss *loss);

/* Readers for an open file positioned at its start, filling an empty handle. Messages name
 * `path`. */
clprop_status clprop_model_read_binary(clprop_model *model, FILE *file, const char *path);
clprop_status clprop_model_read_json(clprop_model *model, FILE *file, const char *path);

/* clprop_model_save, except that the temporary file acts as a full disk once `capacity` bytes
 * have been written to it — how the tests make a save fail midway. clprop_model_save passes
 * UINT64_MAX. */
clprop_status clprop_model_save_with_capacity(clprop_model *model, const char *path,
                                              uint64_t capacity);

#endif
