/* The model object shared by its files: model.c (the object and its shape), model_file.c (the
 * binary format), model_json.c (the JSON export), model_fann.c (FANN's .net files) and model_net.c (copies to and from a network). */
#ifndef CLPROP_MODEL_INTERNAL_H
#define CLPROP_MODEL_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "clprop.h"
#include "message.h"
#include "scaling.h"

/* Bounds on a model's shape. They are far beyond any network clprop can train, and they let a
 * loader refuse a damaged or hostile header before it allocates anything: with them the parameter
 * count of any accepted shape fits in 62 bits. */
#define CLPROP_MODEL_MAX_LAYERS 1024
#define CLPROP_MODEL_MAX_UNITS (1u << 24)

/* A JSON model is read whole into memory, so one is refused above this size before it is read:
 * far above any network worth exporting as text (the binary file has no such limit). */
#define CLPROP_MODEL_MAX_JSON_BYTES (64u << 20)

/* A binary model file starts with these 8 bytes; a JSON export starts with '{'; a FANN network
 * with "FANN_" (FANN_FLO_2.1, or a version or fixed-point form that is refused by name). */
#define CLPROP_MODEL_FANN_PREFIX "FANN_"
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
    /* What a model saved from a network carries besides its weights, so training can continue
     * where it stopped: the optimizer (its defaults filled in), its step count and its state
     * (clprop_optimizer_slots × parameter_count floats, in the network's order; NULL for 0). */
    int has_optimizer;
    clprop_optimizer optimizer;
    uint64_t optimizer_steps;
    size_t optimizer_floats;
    float *optimizer_state;
    /* Dropout while training (clprop_net_set_dropout): L rates, dropout[layer − 1] for layers
     * 1..L (the output's 0), and the masks' seed; NULL for a model without dropout. */
    float *dropout;
    uint64_t dropout_seed;
    /* A checkpoint's progress: epoch, random state, early stopping. */
    int has_training_state;
    clprop_training_state training_state;
    clprop_pass_result interrupted; /* an interrupted epoch's figures so far; samples 0: none */
    double interrupted_seconds;
    /* The samples of that epoch whole (the training set's), so that a resumed run can tell
     * another set; 0: not known (an older checkpoint, or none interrupted). */
    uint64_t epoch_samples;
    /* Input and target scaling (none: zero), the section "SCAL" of the binary file. */
    clprop_scaling_copy scaling;
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

/* What clprop_model_check_optimizer found wrong, so a file reader can name the field. */
typedef enum clprop_model_optimizer_problem {
    CLPROP_MODEL_OPTIMIZER_FINE = 0,
    CLPROP_MODEL_OPTIMIZER_BAD_KIND,
    CLPROP_MODEL_OPTIMIZER_BAD_SETTINGS,
    CLPROP_MODEL_OPTIMIZER_BAD_SIZE
} clprop_model_optimizer_problem;

/* Checks an optimizer for this (shaped) model: a known kind with sensible settings, written with
 * its defaults filled in to *resolved, and `floats` equal to the state its kind keeps for this
 * model's parameters. On a problem writes one line (no file or function name) to `problem`. */
clprop_model_optimizer_problem clprop_model_check_optimizer(const clprop_model *model,
                                                            const clprop_optimizer *optimizer,
                                                            uint64_t floats,
                                                            clprop_optimizer *resolved,
                                                            char *problem, size_t problem_size);
/* The index of the first NaN or infinity among `count` values, or `count` when there is none. */
size_t clprop_model_first_non_finite(const float *values, size_t count);
/* Replaces the model's optimizer with a checked one; the model takes `state` (malloc'd, `floats`
 * floats, or NULL for 0) and frees it. */
void clprop_model_attach_optimizer(clprop_model *model, const clprop_optimizer *resolved,
                                   uint64_t steps, float *state, size_t floats);
/* Gives the model these hidden layers' rates (L − 1 of them, checked: from 0 up to below 1) and
 * seed; all 0 or NULL: none. Returns 0 when host memory ran out, -1 for a bad rate (its index in
 * *bad). */
int clprop_model_attach_dropout(clprop_model *model, const float *rates, uint64_t seed,
                                size_t *bad);
/* Checks training progress: the best loss is a number or +∞ (none yet), never NaN. Writes one line
 * to `problem` and returns 0 on a problem. */
int clprop_model_check_training_state(const clprop_training_state *state, char *problem,
                                      size_t problem_size);
/* Figures of an interrupted epoch that fit the training state: those of its samples done (not
 * 0), each a number a pass could have measured (a finite loss, an MSE and seconds from 0, at most
 * samples done correct). Returns 0 with the problem in words otherwise, and *bad_figure the
 * figure at fault in the file's order (0 loss, 1 MSE, 2 correct, 3 seconds; -1: none of them). */
int clprop_model_check_interrupted_epoch(const clprop_training_state *state,
                                         const clprop_pass_result *figures, double seconds,
                                         int *bad_figure, char *problem, size_t problem_size);

/* The samples of the epoch a checkpoint stopped inside (its training set's), written with it
 * when more than the samples done; 0: not known. Set after clprop_model_set_training_state,
 * which clears it. */
void clprop_model_set_epoch_samples(clprop_model *model, uint64_t samples);
uint64_t clprop_model_epoch_samples(const clprop_model *model);

/* Readers for an open file positioned at its start, filling an empty handle. Messages name
 * `path`. */
clprop_status clprop_model_read_binary(clprop_model *model, FILE *file, const char *path);
clprop_status clprop_model_read_json(clprop_model *model, FILE *file, const char *path);
/* A FANN network (FANN_FLO_2.1, model_fann.c), read from path as text; errors name the line. */
clprop_status clprop_model_read_fann(clprop_model *model, const char *path);

/* clprop_model_save, except that the temporary file acts as a full disk once `capacity` bytes
 * have been written to it — how the tests make a save fail midway. clprop_model_save passes
 * UINT64_MAX. */
clprop_status clprop_model_save_with_capacity(clprop_model *model, const char *path,
                                              uint64_t capacity);

#endif
