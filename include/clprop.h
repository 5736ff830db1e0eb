/*
 * clprop — multilayer perceptrons trained by backpropagation in OpenCL.
 *
 * Conventions used throughout this header:
 *  - Every fallible call returns a clprop_status. CLPROP_SUCCESS is 0; OpenCL's own error codes
 *    (negative, -1 .. -72, and extensions' -1000 .. -1999) pass through unchanged; the library's
 *    own errors are -2000 and below.
 *  - Handles are opaque. A create/load call writes a handle even when it fails (unless host memory
 *    ran out, then NULL), so the reason can be read with the handle's *_message() call — the same
 *    pattern as sqlite3_open. Destroy it either way; destroy functions accept NULL.
 *  - A handle's *_message() is the text of its last failure; a later success leaves it as it was
 *    (read it right after the call that failed). It is one line, control bytes shown as \xNN,
 *    except a kernel build failure's, which carries the build log's lines. Accessors given NULL
 *    return NULL or 0.
 *  - Lifetimes: a context outlives the networks and device data made on it; a network outlives
 *    its trainer. Data sets may be destroyed as soon as a device data set or a trainer is made
 *    from them: what was copied to a device no longer needs them, and what reads them — data
 *    streamed from the host, or resident on a device whose memory is the host's (a CPU device),
 *    whose buffers are the data set's own arrays — holds them until it is destroyed itself.
 *    Everything else is copied by the call that takes it
 *    (clprop_data_create copies the caller's arrays).
 *  - Names: clprop_<object>_<verb> (clprop_net_create, clprop_trainer_run). A plain noun returns
 *    a value (clprop_net_units); _get_ copies into memory the caller provides
 *    (clprop_net_get_weights) and _set_ copies from it. Plural nouns are counts or arrays. Every
 *    struct that describes what to create or run is a *_desc; zero means the default, so a
 *    *_desc set up with designated initialisers (or {0}) keeps its meaning when a later version
 *    adds fields.
 *  - Matrices crossing the API are row-major float32. Batches are sample-major: row b of a
 *    (batch × units) array holds sample b. Weights are (outputs × inputs): weights[o*inputs + i] is
 *    the weight from input i to unit o.
 *  - Layers are numbered by their units: layer 0 is the input, layers 1..L carry weights.
 *
 * Threads: the library keeps no global mutable state. A context and everything created from it
 * (networks, device data) belong to one thread at a time; separate contexts share nothing and may
 * be used from separate threads concurrently (tested). A clprop_data or clprop_model that no
 * thread is changing may be read by several threads at once, e.g. uploaded to two contexts.
 */
#ifndef CLPROP_H
#define CLPROP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clprop_version.h"

/* Marks the functions a shared libclprop exports; the library is built with hidden visibility,
 * so whatever this header does not declare stays internal. It stands on its own line before each
 * declaration. */
#if defined(__GNUC__) || defined(__clang__)
#define CLPROP_API __attribute__((visibility("default")))
#else
#define CLPROP_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clprop_status {
    CLPROP_SUCCESS = 0,
    /* OpenCL error codes (CL_OUT_OF_RESOURCES = -5, ...) are returned as they are. */
    CLPROP_ERROR_INVALID_ARGUMENT = -2001,  /* a bad value passed by the caller */
    CLPROP_ERROR_OUT_OF_HOST_MEMORY = -2002,
    CLPROP_ERROR_NO_PLATFORM = -2003,       /* no OpenCL platform is installed */
    CLPROP_ERROR_DEVICE_NOT_FOUND = -2004,  /* the device selector matches no device */
    CLPROP_ERROR_KERNEL_BUILD = -2005,      /* a kernel failed to compile; the message has the log */
    CLPROP_ERROR_DOES_NOT_FIT = -2006,      /* needs more device memory than the device has */
    CLPROP_ERROR_IO = -2007,                /* a file could not be opened, read or written */
    CLPROP_ERROR_FORMAT = -2008,            /* a file is malformed, truncated or inconsistent */
    CLPROP_ERROR_NOT_FINITE = -2009,        /* NaN or infinity in data or in the loss */
    CLPROP_ERROR_MISMATCH = -2010,          /* shapes or sizes that must agree do not */
    CLPROP_ERROR_CLBLAST = -2011,           /* CLBlast reported an error of its own */
    CLPROP_STOPPED = -2012,                 /* stopped early on request (not an error) */
    CLPROP_ERROR_COLLECTIVE = -2013         /* summing across processes (MPI) failed */
} clprop_status;

/* The library's version, "MAJOR.MINOR.PATCH": that of the library the program runs with, which
 * may be newer than the CLPROP_VERSION_STRING it was compiled with. */
CLPROP_API
const char *clprop_version(void);

/* The status as its name: "CLPROP_ERROR_DOES_NOT_FIT", "CL_OUT_OF_RESOURCES", ... */
CLPROP_API
const char *clprop_status_name(clprop_status status);

/* ---- Devices -------------------------------------------------------------------------------- */

typedef enum clprop_device_kind {
    CLPROP_DEVICE_GPU,
    CLPROP_DEVICE_CPU,
    CLPROP_DEVICE_OTHER
} clprop_device_kind;

typedef struct clprop_device_info {
    unsigned index;          /* position in the flat list over all platforms */
    unsigned platform_index; /* P in a "P:D" selector */
    unsigned device_index;   /* D in a "P:D" selector */
    clprop_device_kind kind;
    char name[256];
    char platform_name[256];
    unsigned compute_units;
    uint64_t global_memory_bytes;
    uint64_t max_allocation_bytes;
} clprop_device_info;

/* Lists every device of every OpenCL platform. Writes at most `capacity` entries (none when
 * devices is NULL: a count alone) and the total to *count (count may be NULL). On failure,
 * `message` (may be NULL) receives one line saying why. */
CLPROP_API
clprop_status clprop_devices_list(clprop_device_info *devices, size_t capacity, size_t *count,
                                  char *message, size_t message_size);
/* One line describing a device, as `clprop devices` prints it: index (P:D), type, name,
 * [platform], compute units and global memory. An empty line for a NULL info. */
CLPROP_API
void clprop_device_describe(const clprop_device_info *info, char *line, size_t size);

/* ---- Context: one device, its queue and its compiled kernels --------------------------------- */

typedef struct clprop_context clprop_context;

typedef enum clprop_gemm_backend {
    CLPROP_GEMM_NATIVE = 0, /* clprop's own GEMM kernels */
    CLPROP_GEMM_CLBLAST,    /* CLBlast's SGEMM */
    CLPROP_GEMM_AUTO        /* whichever of the two was faster on this device: measured on the
                               forward pass's shape and remembered in clprop_context_desc's
                               cache_dir (the clprop command's: $XDG_CACHE_HOME/clprop) */
} clprop_gemm_backend;

/* "native", "clblast", "auto"; NULL for an unknown value. Every enum with names has the pair
 * clprop_X_name(value) and clprop_X_from_name(text, &value), which returns 1 when the text is one
 * of the names (exactly, as the command line and the files spell them), else 0. */
CLPROP_API
const char *clprop_gemm_backend_name(clprop_gemm_backend backend);
CLPROP_API
int clprop_gemm_backend_from_name(const char *name, clprop_gemm_backend *backend);

/* The native GEMM's kernel families (host/tuning.c picks one per kind of device). */
typedef enum clprop_gemm_family {
    CLPROP_GEMM_FAMILY_DEFAULT = 0, /* the device kind's: cpu for CPUs, gpu for GPUs */
    CLPROP_GEMM_FAMILY_GENERIC,     /* portable register blocks, no local memory */
    CLPROP_GEMM_FAMILY_CPU,         /* float16 register tiles, one-item work-groups */
    CLPROP_GEMM_FAMILY_GPU          /* local-memory tiles */
} clprop_gemm_family;

/* When the CPU family copies panels of B into private memory. */
typedef enum clprop_cpu_panels {
    CLPROP_CPU_PANELS_DEFAULT = 0, /* auto */
    CLPROP_CPU_PANELS_AUTO,        /* for A·Bᵀ, and for a large B whose panels serve enough rows */
    CLPROP_CPU_PANELS_ALWAYS,
    CLPROP_CPU_PANELS_NEVER        /* but A·Bᵀ, which only the panel kernel does */
} clprop_cpu_panels;

/* "default", "generic", "cpu", "gpu" and "default", "auto", "always", "never". */
CLPROP_API
const char *clprop_gemm_family_name(clprop_gemm_family family);
CLPROP_API
int clprop_gemm_family_from_name(const char *name, clprop_gemm_family *family);
CLPROP_API
const char *clprop_cpu_panels_name(clprop_cpu_panels panels);
CLPROP_API
int clprop_cpu_panels_from_name(const char *name, clprop_cpu_panels *panels);

/* Overrides of the native GEMM's table for the device, for tuning and for tests; 0 keeps the
 * table's value (bench/RESULTS.md has how the table was measured). A value out of its range makes
 * clprop_context_create fail naming the field. */
typedef struct clprop_gemm_tuning {
    clprop_gemm_family family;
    size_t cpu_tile_m;           /* rows of the CPU family's register tile: 1..16 */
    size_t cpu_tiles;            /* most tiles a work-item of its in-place kernel takes: 1..64 */
    clprop_cpu_panels cpu_panels;
    size_t cpu_kblock;           /* most rows of B in one panel: 16..1024 */
    size_t cpu_items_per_unit;   /* work-items both CPU kernels aim for per compute unit: 1..1024 */
    size_t cpu_vector;           /* lanes of the CPU family's vectors, 8 (AVX2) or 16 (AVX-512);
                                    0: the device's native width */
    size_t cpu_kblock_transposed; /* the same for the panels of A.B^T, whose copy transposes:
                                     16..1024; 0 with cpu_kblock given: cpu_kblock */
} clprop_gemm_tuning;

typedef struct clprop_context_desc {
    /* Device selector: an index ("0"), "P:D", "gpu", "cpu", or a case-insensitive substring of the
     * device name. NULL or "" means the first GPU, else the first CPU. (The library reads no
     * environment variable: the clprop command takes the selector from $CLPROP_DEVICE.) */
    const char *device;
    clprop_gemm_backend gemm;
    clprop_gemm_tuning tuning;
    /* Kernel development: the .cl sources are read from this folder instead of the copies built
     * into the library. NULL: the built-in ones. */
    const char *kernel_dir;
    /* Data sets on this context stay on the host and stream to the device chunk by chunk even
     * when they would fit (to test and compare that path), in chunks of stream_chunk samples
     * (0: about 64 MiB; rounded to whole batches). */
    int keep_data_on_host;
    size_t stream_chunk;
    /* Where CLPROP_GEMM_AUTO remembers its choice per device and driver (the file gemm-backends
     * in it, created when missing). NULL: measured for every context. */
    const char *cache_dir;
} clprop_context_desc;

/* desc may be NULL for all defaults. */
CLPROP_API
clprop_status clprop_context_create(const clprop_context_desc *desc, clprop_context **out);
CLPROP_API
void clprop_context_destroy(clprop_context *context);
CLPROP_API
const char *clprop_context_message(const clprop_context *context);
/* The chosen device; valid until the context is destroyed (NULL if creation failed before). */
CLPROP_API
const clprop_device_info *clprop_context_device(const clprop_context *context);
/* The backend in use: native or clblast (auto has been resolved). */
CLPROP_API
clprop_gemm_backend clprop_context_gemm_backend(const clprop_context *context);

/* ---- Networks -------------------------------------------------------------------------------- */

/* The values are stored in model files: new ones are only ever appended. */
typedef enum clprop_activation {
    CLPROP_ACTIVATION_SIGMOID = 0,
    CLPROP_ACTIVATION_LINEAR,
    CLPROP_ACTIVATION_SOFTMAX, /* output layer only, with cross-entropy loss */
    CLPROP_ACTIVATION_TANH,
    CLPROP_ACTIVATION_RELU,
    CLPROP_ACTIVATION_LEAKY_RELU /* slope CLPROP_LEAKY_RELU_SLOPE below zero */
} clprop_activation;

#define CLPROP_LEAKY_RELU_SLOPE 0.01f

/* How initial weights are drawn (uniform, zero mean, biases zero). */
typedef enum clprop_weight_init {
    CLPROP_INIT_AUTO = 0, /* Glorot for sigmoid, tanh and linear layers, He for (leaky) ReLU */
    CLPROP_INIT_GLOROT,   /* U(±√(6/(inputs+outputs))): keeps signal variance through sigmoid/tanh */
    CLPROP_INIT_HE        /* U(±√(6/inputs)): makes up for ReLU zeroing half its inputs */
} clprop_weight_init;

typedef enum clprop_loss {
    CLPROP_LOSS_MSE = 0,      /* E = ½·Σ(y − t)², output delta (y − t)·f′(z) */
    CLPROP_LOSS_CROSS_ENTROPY /* E = −Σ t·log y with a softmax output, output delta y − t */
} clprop_loss;

/* "sigmoid", "linear", "softmax", "tanh", "relu", "leaky-relu" / "mse", "ce" /
 * "auto", "glorot", "he"; NULL for an unknown value. */
CLPROP_API
const char *clprop_activation_name(clprop_activation activation);
CLPROP_API
const char *clprop_weight_init_name(clprop_weight_init init);
CLPROP_API
const char *clprop_loss_name(clprop_loss loss);
CLPROP_API
int clprop_activation_from_name(const char *name, clprop_activation *activation);
CLPROP_API
int clprop_weight_init_from_name(const char *name, clprop_weight_init *init);
CLPROP_API
int clprop_loss_from_name(const char *name, clprop_loss *loss);

/* The shape of a network. Zero fields mean defaults. */
typedef struct clprop_net_desc {
    size_t layer_count;                   /* weight layers L; sizes holds L + 1 entries */
    const size_t *sizes;                  /* units per layer, input first */
    const clprop_activation *activations; /* L entries, for layers 1..L; NULL: all sigmoid */
    int no_bias;                          /* non-zero: no biases anywhere */
    clprop_loss loss;
    uint64_t seed;                        /* weight initialisation; the same seed, the same weights
                                             (and dropout's masks) */
    clprop_weight_init init;
    const float *dropout;                 /* L − 1 entries, for the hidden layers 1..L−1: each
                                             one's dropout rate, from 0 up to below 1 (see
                                             clprop_net_set_dropout); NULL: none */
} clprop_net_desc;

typedef struct clprop_net clprop_net;

/* Creates the network on the context's device with weights drawn from desc->seed (desc->init
 * says how; biases zero). Fails with CLPROP_ERROR_DOES_NOT_FIT, naming both figures, when the device is too
 * small. */
CLPROP_API
clprop_status clprop_net_create(clprop_context *context, const clprop_net_desc *desc,
                                clprop_net **out);
CLPROP_API
void clprop_net_destroy(clprop_net *net);
CLPROP_API
const char *clprop_net_message(const clprop_net *net);

CLPROP_API
size_t clprop_net_layer_count(const clprop_net *net);             /* L */
CLPROP_API
size_t clprop_net_units(const clprop_net *net, size_t layer);     /* 0..L */
CLPROP_API
clprop_activation clprop_net_activation(const clprop_net *net, size_t layer); /* 1..L */
CLPROP_API
int clprop_net_has_bias(const clprop_net *net);
CLPROP_API
clprop_loss clprop_net_loss(const clprop_net *net);

/* Inverted dropout on the hidden layers while training: in every training pass
 * (clprop_net_train_batch, clprop_net_compute_gradients, clprop_net_train_epoch, trainers) each
 * unit of hidden layer l is dropped (its output 0) with probability rates[l−1] and the units kept
 * are scaled by 1/(1 − rate), so clprop_net_forward and clprop_net_evaluate, which never drop,
 * need no scaling. `rates` has L − 1 entries (NULL or all 0: off), each from 0 up to below 1. The
 * masks are drawn on the device from `seed`, the optimizer's step count, the layer, the unit and
 * the sample's position in the step's batch (host/dropout.h): repeatable, the same when a step is
 * split among devices, and the same after a checkpoint, which keeps the rates and the seed. */
CLPROP_API
clprop_status clprop_net_set_dropout(clprop_net *net, const float *rates, uint64_t seed);
/* Layer 1..L's dropout rate (0 for the output layer and without dropout), and the masks' seed. */
CLPROP_API
float clprop_net_dropout(const clprop_net *net, size_t layer);
CLPROP_API
uint64_t clprop_net_dropout_seed(const clprop_net *net);

/* Weights of layer 1..L: (units(layer) × units(layer−1)); biases: units(layer) values, ignored
 * (may be NULL) in a network without biases. */
CLPROP_API
clprop_status clprop_net_set_weights(clprop_net *net, size_t layer, const float *weights,
                                     const float *biases);
CLPROP_API
clprop_status clprop_net_get_weights(clprop_net *net, size_t layer, float *weights,
                                     float *biases);

/* outputs (batch × units(L)) = the network applied to inputs (batch × units(0)), in the network's
 * own units: a network with a scaling takes scaled inputs here (clprop_net_predict scales). */
CLPROP_API
clprop_status clprop_net_forward(clprop_net *net, const float *inputs, size_t batch,
                                 float *outputs);

/* Forward and backward pass over one batch, without changing the weights. Afterwards
 * clprop_net_get_gradients() returns ∂(Σ_samples E)/∂W. *loss (may be NULL) receives the mean
 * per-sample loss E over the batch. */
CLPROP_API
clprop_status clprop_net_compute_gradients(clprop_net *net, const float *inputs,
                                           const float *targets, size_t batch, double *loss);
CLPROP_API
clprop_status clprop_net_get_gradients(clprop_net *net, size_t layer, float *weight_gradients,
                                       float *bias_gradients);

/* One step on a batch: with plain SGD, W ← W − (rate/batch)·Σ δ·a_prevᵀ, b ← b − (rate/batch)·Σ δ;
 * otherwise the optimizer's rule on the batch's mean gradient. *loss (may be NULL) receives the
 * batch's mean loss before the step. */
CLPROP_API
clprop_status clprop_net_train_batch(clprop_net *net, const float *inputs, const float *targets,
                                     size_t batch, float learning_rate, double *loss);

/* ---- Optimizers ---------------------------------------------------------------------------- */

/* The values are stored in model files: new ones are only ever appended. */
typedef enum clprop_optimizer_kind {
    CLPROP_OPTIMIZER_SGD = 0, /* w ← w − rate·(g + λw) */
    CLPROP_OPTIMIZER_MOMENTUM, /* v ← μv + g + λw; w ← w − rate·v (Nesterov: rate·(g + λw + μv)) */
    CLPROP_OPTIMIZER_ADAM,     /* Adam with decoupled weight decay (AdamW): w ← w − rate·(m̂/(√v̂+ε) + λw) */
    CLPROP_OPTIMIZER_RPROP     /* iRPROP− (FANN's default): per-weight steps from gradient signs; the
                                  learning rate is not used. Meant for full-batch training. */
} clprop_optimizer_kind;

/* g is the batch's mean gradient. Zero fields mean the defaults given. */
typedef struct clprop_optimizer {
    clprop_optimizer_kind kind;
    float momentum;     /* μ, momentum: 0.9 */
    int nesterov;       /* momentum: Nesterov's look-ahead form */
    float beta1, beta2; /* Adam: 0.9, 0.999 */
    float epsilon;      /* Adam: 1e-8 */
    float weight_decay; /* λ, all optimizers: 0 (none) */
} clprop_optimizer;

CLPROP_API
const char *clprop_optimizer_name(clprop_optimizer_kind kind); /* "sgd", "momentum", "adam", "rprop" */
CLPROP_API
int clprop_optimizer_from_name(const char *name, clprop_optimizer_kind *kind);

/* Chooses the optimizer for the following steps and resets its state (plain SGD until called). */
CLPROP_API
clprop_status clprop_net_set_optimizer(clprop_net *net, const clprop_optimizer *optimizer);
/* The optimizer in use, with its defaults filled in. */
CLPROP_API
void clprop_net_get_optimizer(const clprop_net *net, clprop_optimizer *optimizer);
/* The optimizer's state on the device (momentum's velocities; Adam's moments; RPROP's steps and
 * last gradients), so that training can stop and continue exactly: floats in the order of the
 * parameters, one block per slot the optimizer keeps. `steps` counts the updates so far. */
CLPROP_API
size_t clprop_net_optimizer_state_floats(const clprop_net *net);
CLPROP_API
clprop_status clprop_net_get_optimizer_state(clprop_net *net, uint64_t *steps, float *state);
CLPROP_API
clprop_status clprop_net_set_optimizer_state(clprop_net *net, uint64_t steps, const float *state);

/* What the last forward or backward pass left on the device for layer 0..L, each (batch × units):
 * z (the weighted input), a = f(z), and delta (∂E/∂z; layers 1..L, after a backward pass).
 * Any pointer may be NULL. Layer 0 has only a (the inputs). */
CLPROP_API
clprop_status clprop_net_get_layer_state(clprop_net *net, size_t layer, float *z, float *a,
                                         float *delta);

/* ---- Data sets in host memory ------------------------------------------------------------------ */

typedef struct clprop_data clprop_data;

typedef enum clprop_data_format {
    CLPROP_DATA_AUTO = 0, /* IDX by its magic number, else FANN by its header line, else CSV */
    CLPROP_DATA_FANN,     /* "samples inputs outputs", then inputs and outputs of each sample */
    CLPROP_DATA_CSV,      /* numeric columns, optional header row */
    CLPROP_DATA_IDX       /* MNIST-style images + labels, gzip-compressed or not */
} clprop_data_format;

typedef struct clprop_data_source {
    const char *path;        /* the data file; for IDX the images */
    const char *labels_path; /* IDX labels; required with IDX images */
    clprop_data_format format;
    size_t csv_targets;      /* CSV: the last K columns are the targets */
    long csv_label_column;   /* CSV: class-label column counted from 1, or -1 for the last */
    size_t classes;          /* one-hot width for class labels; 0: max label + 1 */
    size_t inputs;           /* inputs per sample the caller expects (its network's); 0: any.
                                Checked against the header (FANN, IDX) or the first row (CSV)
                                before the body is read: CLPROP_ERROR_MISMATCH */
    int inputs_only;         /* non-zero: the file may hold inputs alone, which gives a data set
                                of 0 outputs (for clprop_net_predict): a FANN header with 0
                                outputs, a CSV file without csv_targets and csv_label_column
                                (every column an input), IDX images without labels_path. Files
                                with targets load as usual. Training and evaluating refuse a set
                                without targets */
} clprop_data_source;

/* Loads a data set. Errors name the file and the line (text) or byte offset (binary). An
 * uncompressed IDX images file is memory-mapped read-only once its size is checked against its
 * header: the data set reads the file's pages, so it may be larger than memory; truncating that
 * file in place while the data set lives makes the next read of a lost page raise SIGBUS
 * (replacing the file is safe). A gzip-compressed one is decompressed into memory. */
CLPROP_API
clprop_status clprop_data_load(const clprop_data_source *source, clprop_data **out);
/* The format clprop_data_load would read the file as (CLPROP_DATA_AUTO's rule), without loading
 * it: IDX, FANN or CSV (which needs csv_targets or csv_label_column). Fails, with one line naming
 * the file and the line or byte in `message` (may be NULL), for what is no data set: not a
 * regular file, empty, a clprop model, binary or UTF-16 data, old Mac (CR-only) line endings, a
 * FANN header with a word too many. */
CLPROP_API
clprop_status clprop_data_detect_format(const char *path, clprop_data_format *format,
                                        char *message, size_t message_size);
/* A data set from arrays in memory (copied): inputs (samples × inputs), targets (samples × outputs).
 * Non-finite values are refused. */
CLPROP_API
clprop_status clprop_data_create(size_t samples, size_t inputs, size_t outputs,
                                 const float *input_values, const float *target_values,
                                 clprop_data **out);
/* The samples indices[0..count−1] of a data set, in that order, as a new data set (labels and
 * bytes kept): for holding out a validation set. */
CLPROP_API
clprop_status clprop_data_subset(const clprop_data *data, const size_t *indices, size_t count,
                                 clprop_data **out);
CLPROP_API
void clprop_data_destroy(clprop_data *data);
CLPROP_API
const char *clprop_data_message(const clprop_data *data);
CLPROP_API
size_t clprop_data_samples(const clprop_data *data);
CLPROP_API
size_t clprop_data_inputs(const clprop_data *data);
CLPROP_API
size_t clprop_data_outputs(const clprop_data *data);
/* samples × inputs. Data read as bytes (IDX images) are kept as bytes; their floats are made on
 * the first call (safe from several threads at once) and kept; NULL if host memory ran out. */
CLPROP_API
const float *clprop_data_input_values(const clprop_data *data);
CLPROP_API
const float *clprop_data_target_values(const clprop_data *data); /* samples × outputs */
/* The inputs as the bytes they were read from (samples × inputs), each input being byte / 255 —
 * IDX images; NULL for other data. */
CLPROP_API
const uint8_t *clprop_data_input_bytes(const clprop_data *data);
/* Non-zero when the targets came from class labels (one-hot); then labels() gives them. */
CLPROP_API
int clprop_data_has_labels(const clprop_data *data);
CLPROP_API
const uint32_t *clprop_data_labels(const clprop_data *data);

/* What the targets hold, to tell classes from values to fit. */
typedef enum clprop_target_kind {
    CLPROP_TARGETS_VALUES = 0,       /* anything else: values to fit (regression) */
    CLPROP_TARGETS_ONE_HOT,          /* 2 or more outputs, every row exactly one 1 and the rest 0
                                        (class labels, and FANN or CSV files written that way) */
    CLPROP_TARGETS_ONE_HOT_SYMMETRIC /* 2 or more outputs, every row exactly one 1 and the rest -1
                                        (FANN's symmetric classification files) */
} clprop_target_kind;

/* Whether the targets are classes, one-hot encoded: read from every row (labels are one-hot). */
CLPROP_API
clprop_target_kind clprop_data_target_kind(const clprop_data *data);

/* ---- Models: a network's shape and weights in host memory, and their files ------------------- */

typedef struct clprop_model clprop_model;

/* A model of the given shape with all weights and biases zero. */
CLPROP_API
clprop_status clprop_model_create(const clprop_net_desc *desc, clprop_model **out);
/* Reads a clprop model file, a JSON export or a FANN network (FANN_FLO_2.1, the .net files of
 * fann_save), told apart by content. A FANN network must be layered and fully connected, with
 * FANN_LINEAR, FANN_SIGMOID or FANN_SIGMOID_SYMMETRIC neurons (read as linear, sigmoid and tanh
 * layers, biases from the bias neurons, each neuron's steepness folded into its weights); others
 * are refused, naming what clprop cannot hold. */
CLPROP_API
clprop_status clprop_model_load(const char *path, clprop_model **out);
/* Writes the binary model file atomically: a temporary file beside it, flushed, then renamed over
 * it. A symbolic link is followed (the link stays); a device, FIFO, socket or directory is never
 * replaced; an existing file keeps its permission bits. */
CLPROP_API
clprop_status clprop_model_save(clprop_model *model, const char *path);
/* The model as one line of JSON (the export schema) on `out`. */
CLPROP_API
clprop_status clprop_model_write_json(clprop_model *model, FILE *out);
/* The model as a FANN network (FANN_FLO_2.1, as fann_save writes it) on `out`, for
 * fann_create_from_file: linear, sigmoid and tanh layers as FANN_LINEAR, FANN_SIGMOID and
 * FANN_SIGMOID_SYMMETRIC with FANN's default steepness 0.5 (weights scaled by 1 or 2, exactly),
 * biases on FANN's bias neurons (zero without biases). Softmax, ReLU and leaky ReLU layers, which
 * FANN 2.2 lacks, are refused naming the layer. Numbers are written in the C locale. */
CLPROP_API
clprop_status clprop_model_write_fann(clprop_model *model, FILE *out);
CLPROP_API
void clprop_model_destroy(clprop_model *model);
CLPROP_API
const char *clprop_model_message(const clprop_model *model);

CLPROP_API
size_t clprop_model_layer_count(const clprop_model *model);
CLPROP_API
size_t clprop_model_units(const clprop_model *model, size_t layer);
CLPROP_API
clprop_activation clprop_model_activation(const clprop_model *model, size_t layer);
CLPROP_API
int clprop_model_has_bias(const clprop_model *model);
CLPROP_API
clprop_loss clprop_model_loss(const clprop_model *model);
/* Layer 1..L's dropout rate and the masks' seed, as the network it was saved from trained
 * (clprop_net_set_dropout); 0 for a model without dropout. */
CLPROP_API
float clprop_model_dropout(const clprop_model *model, size_t layer);
CLPROP_API
uint64_t clprop_model_dropout_seed(const clprop_model *model);
/* Layer 1..L: weights (units(layer) × units(layer−1)) and biases (NULL without biases). The
 * arrays belong to the model and may be written through. */
CLPROP_API
float *clprop_model_weights(clprop_model *model, size_t layer);
CLPROP_API
float *clprop_model_biases(clprop_model *model, size_t layer);

/* Learning-rate schedules, per epoch. */
typedef enum clprop_schedule_kind {
    CLPROP_SCHEDULE_CONSTANT = 0,
    CLPROP_SCHEDULE_STEP,   /* × step_factor every step_every epochs */
    CLPROP_SCHEDULE_COSINE  /* from the base rate down along half a cosine to 0 after the last */
} clprop_schedule_kind;

/* What a step schedule's zero fields mean. */
#define CLPROP_SCHEDULE_DEFAULT_STEP_EVERY 10
#define CLPROP_SCHEDULE_DEFAULT_STEP_FACTOR 0.1

typedef struct clprop_schedule {
    clprop_schedule_kind kind;
    size_t warmup_epochs; /* first, a linear ramp: epoch e ≤ W gets rate·e/W */
    size_t step_every;    /* step: 0 means CLPROP_SCHEDULE_DEFAULT_STEP_EVERY (10) */
    float step_factor;    /* step: 0 means CLPROP_SCHEDULE_DEFAULT_STEP_FACTOR (0.1) */
    size_t reference_batch; /* linear scaling (Goyal et al. 2017): the rate given is the one for
                               a batch of this size, and a run with batch B trains at
                               rate·B/reference_batch, the warm-up ramping to that; 0: off */
} clprop_schedule;

/* What a pass over a data set measured. */
typedef struct clprop_pass_result {
    size_t samples;
    double loss;    /* mean per-sample loss E */
    double mse;     /* mean over samples and outputs of (y − t)² (FANN's MSE) */
    size_t correct; /* samples whose largest output is the target's largest (classification) */
} clprop_pass_result;

/* Optimizer state and training progress a model may carry (a checkpoint carries both; a model
 * saved from a network carries its optimizer). Absent parts read back as absent. */
typedef struct clprop_training_state {
    uint64_t epochs_done;     /* epochs completed */
    uint64_t samples_done;    /* samples of the next epoch already trained (an interrupted epoch) */
    uint64_t seed;            /* the run's --seed */
    uint64_t shuffle_state;   /* the generator that draws the next epoch's shuffle, before it does */
    double best_loss;         /* early stopping: the best validation loss so far */
    uint64_t best_epoch;      /* and the epoch that reached it */
    uint64_t stale_epochs;    /* epochs since it improved */
    /* How the run trains, so that a resumed run goes on the same way (all 0 in checkpoints made
     * before these were kept): the trainer's batch, learning rate, validation share and schedule
     * as it resolved them. */
    uint64_t batch;
    float learning_rate;
    float validation;
    clprop_schedule schedule;
} clprop_training_state;

/* The optimizer, its step count and its state (clprop_net_optimizer_state_floats floats);
 * `state` may be NULL when floats is 0. Replaces what the model carried. */
CLPROP_API
clprop_status clprop_model_set_optimizer(clprop_model *model, const clprop_optimizer *optimizer,
                                         uint64_t steps, const float *state, size_t floats);
/* Non-zero when the model carries an optimizer; then fills the pointers (any may be NULL) and
 * *state points into the model (NULL when it keeps no state). */
CLPROP_API
int clprop_model_optimizer(const clprop_model *model, clprop_optimizer *optimizer,
                           uint64_t *steps, const float **state, size_t *floats);
CLPROP_API
clprop_status clprop_model_set_training_state(clprop_model *model,
                                              const clprop_training_state *state);
/* Non-zero when the model carries training progress (a checkpoint); then fills *state. */
CLPROP_API
int clprop_model_training_state(const clprop_model *model, clprop_training_state *state);
/* A checkpoint made inside an epoch also carries the epoch's figures so far, so that the resumed
 * epoch reports the whole epoch: those of its samples_done samples (each batch's before its
 * step; figures->samples must be samples_done) and the seconds they took. Set after the training
 * state, which drops them when set again. */
CLPROP_API
clprop_status clprop_model_set_interrupted_epoch(clprop_model *model,
                                                 const clprop_pass_result *figures,
                                                 double seconds);
/* Non-zero when the model carries them; then fills the pointers (either may be NULL). */
CLPROP_API
int clprop_model_interrupted_epoch(const clprop_model *model, clprop_pass_result *figures,
                                   double *seconds);

/* A copy of the network's current shape and weights, and its optimizer with its state. */
CLPROP_API
clprop_status clprop_model_from_net(clprop_net *net, clprop_model **out);
/* A network on the context's device with the model's shape and weights, and the model's optimizer
 * and its state when it carries one. */
CLPROP_API
clprop_status clprop_net_create_from_model(clprop_context *context, const clprop_model *model,
                                           clprop_net **out);

/* Whether path can be written as an output before any work is done: its folder exists and is
 * writable, the name (and the temporary name written beside it first) fits, and it is not a
 * directory, a device, a FIFO, a socket, a file descriptor (/dev/stdout, /dev/fd/N, open or not)
 * or a file the user may not write or, in a sticky folder, may not replace (a symbolic link is
 * judged by the file it points to, which a save replaces, keeping the link). On failure `message`
 * receives one line naming path. Nothing is created. */
CLPROP_API
clprop_status clprop_check_output_path(const char *path, char *message, size_t message_size);
/* The file a save to path writes: symbolic links followed, its folder made absolute (when it
 * exists), so two names of one file give one answer even before the file exists. Fails with
 * CLPROP_ERROR_INVALID_ARGUMENT when it does not fit target_size. */
CLPROP_API
clprop_status clprop_output_target(const char *path, char *target, size_t target_size);

/* The short path: a network to a model file (atomically, with its optimizer state) and a model
 * file (or JSON export) to a network on the context's device. */
CLPROP_API
clprop_status clprop_net_save(clprop_net *net, const char *path);
CLPROP_API
clprop_status clprop_net_load(clprop_context *context, const char *path, clprop_net **out);

/* ---- Scaling: inputs and targets in the network's units ---------------------------------------- */

/* How each input (and, for regression, each target) is mapped before it enters the network:
 * x' = (x − offset)·scale, per feature, with offset and scale measured on a training set. A feature
 * that is constant there (zero variance, max = min) gets scale 1, so it becomes 0, never NaN. */
typedef enum clprop_scaling_kind {
    CLPROP_SCALING_NONE = 0,
    CLPROP_SCALING_STANDARD, /* offset the mean, scale 1/standard deviation (the population's) */
    CLPROP_SCALING_MINMAX    /* offset the minimum, scale 1/(max − min): [0, 1] on the set */
} clprop_scaling_kind;

/* "none", "standard", "minmax". */
CLPROP_API
const char *clprop_scaling_name(clprop_scaling_kind kind);
CLPROP_API
int clprop_scaling_from_name(const char *name, clprop_scaling_kind *kind);

/* A network's scaling: per input, per target. A side whose kind is NONE has count 0 and NULL
 * arrays. Targets are scaled like inputs, and the network's outputs are mapped back to the data's
 * units as y = y'/scale + offset. Every offset and scale is finite, every scale non-zero. */
typedef struct clprop_scaling {
    clprop_scaling_kind input_kind, target_kind;
    size_t inputs, outputs;                    /* units(0) and units(L), or 0 for an unscaled side */
    const float *input_offset, *input_scale;   /* `inputs` entries each */
    const float *target_offset, *target_scale; /* `outputs` entries each */
} clprop_scaling;

/* Measures the scaling of the given kinds on `data` (inputs; targets with target_kind, which a
 * softmax output refuses: its outputs are probabilities) and gives it to the network. Both NONE:
 * the network has no scaling. */
CLPROP_API
clprop_status clprop_net_fit_scaling(clprop_net *net, const clprop_data *data,
                                     clprop_scaling_kind input_kind,
                                     clprop_scaling_kind target_kind);
/* Copies `scaling` (checked against the network's shape) into the network; NULL removes it. */
CLPROP_API
clprop_status clprop_net_set_scaling(clprop_net *net, const clprop_scaling *scaling);
/* Non-zero when the network has a scaling; then fills *scaling (its arrays point into the
 * network, valid until its scaling changes). */
CLPROP_API
int clprop_net_scaling(const clprop_net *net, clprop_scaling *scaling);
/* The same for a model: saved in its file (section "SCAL"), in its JSON export, and carried
 * between models and networks by clprop_model_from_net and clprop_net_create_from_model. */
CLPROP_API
clprop_status clprop_model_set_scaling(clprop_model *model, const clprop_scaling *scaling);
CLPROP_API
int clprop_model_scaling(const clprop_model *model, clprop_scaling *scaling);

/* A copy of `data` in the network's units: inputs (and targets, when the scaling has them) mapped
 * by `scaling` (NULL or none: a plain copy); labels kept, byte inputs (IDX) made floats. Fails with
 * CLPROP_ERROR_NOT_FINITE, naming the sample, if a mapped value overflows, and with
 * CLPROP_ERROR_MISMATCH when the widths differ. */
CLPROP_API
clprop_status clprop_data_scale(const clprop_data *data, const clprop_scaling *scaling,
                                clprop_data **out);

/* outputs (batch × units(L)) = the network applied to inputs (batch × units(0)) in the data's
 * units: the network's scaling applied to the inputs and undone on the outputs (without a
 * scaling, clprop_net_forward). Fails with CLPROP_ERROR_NOT_FINITE, naming the sample (from 0,
 * within this call; a call of one sample names the output alone), rather than give NaN or
 * infinity. */
CLPROP_API
clprop_status clprop_net_predict(clprop_net *net, const float *inputs, size_t batch,
                                 float *outputs);

/* ---- Training on whole data sets ---------------------------------------------------------------- */

/* A data set on a context's device once, so epochs run without host round trips: copied to a
 * device with memory of its own; on one whose memory is the host's (a CPU device), the device's
 * buffers are the data set's own arrays, held by the device data, so the data are in memory once.
 * A data set too large for the device is kept on the host and sent chunk by chunk instead, held
 * the same way. Either way the caller may destroy its data set after the create. */
typedef struct clprop_device_data clprop_device_data;

CLPROP_API
clprop_status clprop_device_data_create(clprop_context *context, const clprop_data *data,
                                        clprop_device_data **out);
CLPROP_API
void clprop_device_data_destroy(clprop_device_data *data);
CLPROP_API
const char *clprop_device_data_message(const clprop_device_data *data);
/* Non-zero when the samples live on the device (0: sent per batch). */
CLPROP_API
int clprop_device_data_resident(const clprop_device_data *data);

/* Called now and then during a pass (about a hundred times) with the samples the device has
 * done so far, in order, the last call with the whole pass; may be NULL. It never makes the
 * device wait: each report is a marker the device passes (the calls may come a few steps late). */
typedef void (*clprop_progress_fn)(void *user, size_t done, size_t total);

typedef struct clprop_epoch_desc {
    size_t batch;          /* samples per step; the last batch of an epoch may be smaller */
    float learning_rate;
    uint64_t shuffle_seed; /* the epoch's sample order is a permutation drawn from this */
    clprop_progress_fn progress;
    void *progress_user;
    size_t first_sample;   /* resume an interrupted epoch: skip this many samples of the order */
    volatile const sig_atomic_t *stop; /* when it points at a non-zero value, the epoch stops
                                          after the batch in progress (set from a SIGINT handler,
                                          say) */
} clprop_epoch_desc;

/* One epoch of gradient descent over the data in a shuffled order. The loss and correct count are
 * those of each batch before its step, over the samples this call trained (result->samples).
 * Returns CLPROP_STOPPED when *stop ended it early (result then covers the samples done, and the
 * epoch continues with first_sample = the previous first_sample + result->samples). Fails with
 * CLPROP_ERROR_NOT_FINITE when the loss is NaN or infinite, and with CLPROP_ERROR_MISMATCH when the
 * data's widths differ from the network's. */
CLPROP_API
clprop_status clprop_net_train_epoch(clprop_net *net, clprop_device_data *data,
                                     const clprop_epoch_desc *options,
                                     clprop_pass_result *result);

CLPROP_API
const char *clprop_schedule_name(clprop_schedule_kind kind); /* "constant", "step", "cosine" */
CLPROP_API
int clprop_schedule_from_name(const char *name, clprop_schedule_kind *kind);
/* The rate for epoch `epoch` (from 1) of a run of `epochs`. */
CLPROP_API
float clprop_schedule_rate(const clprop_schedule *schedule, float base_rate, size_t epoch,
                           size_t epochs);
/* The base rate a run with this batch trains at: base_rate·batch/reference_batch with linear
 * scaling, else base_rate (what clprop_schedule_rate then warms up to and decays from). */
CLPROP_API
float clprop_schedule_scaled_rate(const clprop_schedule *schedule, float base_rate, size_t batch);

/* Loss, MSE and correct count of the network over the data, in order, without training. */
CLPROP_API
clprop_status clprop_net_evaluate(clprop_net *net, clprop_device_data *data, size_t batch,
                                  clprop_pass_result *result);


/* ---- Training runs: epochs, validation, early stopping, checkpoints --------------------------- */

/* What one epoch measured, handed to the epoch callback. */
typedef struct clprop_epoch_report {
    size_t epoch, epochs;             /* this epoch (from 1) and the run's total */
    float learning_rate;              /* the schedule's rate for this epoch */
    clprop_pass_result train;         /* each batch's figures before its step */
    int has_validation, has_test;
    clprop_pass_result validation, test; /* after the epoch, when the run has them */
    double seconds;                   /* the epoch's training time */
} clprop_epoch_report;

/* Called after each epoch; a non-zero return ends the run there (CLPROP_STOPPED). */
typedef int (*clprop_epoch_fn)(void *user, const clprop_epoch_report *report);

/* Several processes training one network (data parallelism across hosts, docs/SCALING.md): each
 * sums values with the others in place, every process getting the same sums (an all-reduce).
 * clprop_mpi_collective (clprop_mpi.h, the MPI build) makes one over MPI_COMM_WORLD. */
typedef struct clprop_collective {
    size_t rank, size; /* this process's place among `size` */
    void *user;
    clprop_status (*sum_floats)(void *user, float *values, size_t count);
    clprop_status (*sum_doubles)(void *user, double *values, size_t count);
    const char *(*message)(void *user); /* why the last sum failed; may be NULL */
    /* Optional, for per-layer sums overlapped with the backward pass (CLPROP_ALLREDUCE_LAYERS):
     * start_sum_floats begins an in-place sum and returns without waiting for it, letting the
     * sums begun before it advance (MPI_Iallreduce, then MPI_Testall); finish_sums waits for
     * every sum begun. The values must stay put until finish_sums. NULL: sums are whole. */
    clprop_status (*start_sum_floats)(void *user, float *values, size_t count);
    clprop_status (*finish_sums)(void *user);
} clprop_collective;

/* How a step's gradients are summed across processes (docs/SCALING.md measures both). */
typedef enum clprop_allreduce {
    CLPROP_ALLREDUCE_WHOLE = 0, /* one sum of the whole gradient store after the backward pass */
    CLPROP_ALLREDUCE_LAYERS     /* a sum per layer, begun as soon as the backward pass has that
                                   layer's gradients, while it computes the layers below (as
                                   PyTorch DDP's buckets); needs one device per process and a
                                   collective with start_sum_floats and finish_sums */
} clprop_allreduce;

/* A training run. Zero fields mean the defaults given. The strings are read during
 * clprop_trainer_create, and the data sets are uploaded (or held, when read in place): the caller
 * may destroy them after it. */
typedef struct clprop_trainer_desc {
    size_t epochs;        /* the run's total, counted from its start when resuming: 0 → 10 */
    size_t batch;         /* samples per step: 0 → 32 */
    float learning_rate;  /* 0 → 0.1 */
    clprop_schedule schedule;
    uint64_t seed;        /* draws the shuffles and the validation split (the weights are drawn
                             from clprop_net_desc.seed) */
    float validation;     /* share of the data held out to measure each epoch; 0: none */
    size_t patience;      /* early stopping: end after this many epochs without a better
                             validation loss, keeping the best epoch's weights; 0: never */
    double target_loss;   /* end after the first epoch whose loss (the validation loss when
                             there is a validation share) is at most this; 0: never */
    double target_accuracy; /* end after the first epoch whose accuracy (correct / samples,
                               of the validation share when there is one) is at least this,
                               from 0 up to 1; needs 2 or more outputs; 0: never */
    const clprop_data *test;  /* measured after every epoch; NULL: none */
    const char *checkpoint;   /* written every checkpoint_every epochs (with early stopping, its
                                 best network goes beside it, to PATH.best) */
    size_t checkpoint_every;  /* 0: never */
    const char *resume;       /* a checkpoint: the run continues exactly where it stopped, with
                                 its weights, optimizer state, progress and seed */
    clprop_epoch_fn on_epoch;
    void *user;               /* passed to on_epoch */
    clprop_progress_fn progress; /* during each epoch, as in clprop_epoch_desc */
    void *progress_user;
    volatile const sig_atomic_t *stop; /* non-zero: stop after the batch in progress */
    const char *log;          /* a CSV file of each epoch's figures (header line first). Checked
                                 as an output at create; it replaces an earlier file only once
                                 the first epoch's row is written, and is flushed after each row,
                                 so it always holds whole rows. A resumed run keeps the earlier
                                 log's rows of the epochs its checkpoint holds. NULL: none */
    /* Data parallelism (docs/SCALING.md). Each step's batch is split among the network's device
     * and replica_count more (a replica of the network on each, which needs the training set
     * resident on every device); their gradients are summed in device order and every device
     * applies the same update, so the run trains as on one device with that batch (to float
     * rounding: the sums are split differently). */
    clprop_context *const *replicas;
    size_t replica_count;
    const double *shares; /* replica_count + 1 positive weights (the network's device first):
                             each device's share of a batch; NULL: equal shares */
    /* Several processes (MPI): `batch` is the global batch, split equally among them; the
     * gradients and the epoch's figures are summed across them each step; a stop request in
     * any of them stops all after the same step. Each process gives the same settings and data
     * (the training set whole: each takes its part of every batch of the common order; or, with
     * `sharded` below, each its own part of the set). NULL: this process alone */
    const clprop_collective *collective;
    /* Scaling (clprop_scaling_kind) measured on the training part, after the validation share is
     * held out, given to the network (so saves and checkpoints carry it) and applied to the
     * training, validation and test sets. A network that already has a scaling (from its model or
     * the resumed checkpoint) keeps it, and these must then be NONE or its kinds. */
    clprop_scaling_kind scale_inputs, scale_targets;
    /* With a collective: one sum of the whole gradient store a step, or a sum per layer
     * overlapped with the backward pass. Either sums the same floats (the MPI collective: in the
     * same order for 2 and 4 processes; other counts may round differently). */
    clprop_allreduce allreduce;
    /* With a collective, non-zero: `data` is this process's own part of the training set (each
     * process a different part, every part the same number of samples), not the whole. Each
     * process shuffles its part with a seed of its own and trains batch / size samples of it
     * a step (batch must be a multiple of the processes), the gradients summed as usual: a
     * step still trains `batch` samples, and an epoch is every process's part once. A
     * validation share is held out of each part (the figures are those of every part's
     * share); scaling is refused (it would be measured on one part). Progress, the epoch's
     * figures and clprop_trainer_samples count the whole set. A checkpoint from between epochs
     * resumes under any number of processes; one from inside an epoch resumes that epoch
     * exactly under the same number (under another, the parts and their shuffles differ, so the
     * rest of that epoch is not the rest of the interrupted one). */
    int sharded;
} clprop_trainer_desc;

/* How a run ended. */
typedef enum clprop_run_end {
    CLPROP_RUN_COMPLETE = 0,    /* all its epochs */
    CLPROP_RUN_EARLY_STOP,      /* patience ran out; the best epoch's weights are in the network */
    CLPROP_RUN_TARGET_REACHED,  /* the target loss or accuracy was reached */
    CLPROP_RUN_STOPPED          /* a stop request or the callback; resumable from a checkpoint */
} clprop_run_end;

typedef struct clprop_trainer clprop_trainer;

/* Prepares a run of `net` (which must outlive the trainer) on `data`: the validation split, the
 * data on the network's device, and with params->resume the checkpoint's weights, optimizer and
 * progress put into the network. */
CLPROP_API
clprop_status clprop_trainer_create(clprop_net *net, const clprop_data *data,
                                    const clprop_trainer_desc *params, clprop_trainer **out);
CLPROP_API
void clprop_trainer_destroy(clprop_trainer *trainer);
CLPROP_API
const char *clprop_trainer_message(const clprop_trainer *trainer);
/* Runs the epochs left. CLPROP_SUCCESS when the run ended (clprop_trainer_end says how);
 * CLPROP_STOPPED after a stop request, when a checkpoint saved now resumes it exactly. */
CLPROP_API
clprop_status clprop_trainer_run(clprop_trainer *trainer);
CLPROP_API
clprop_run_end clprop_trainer_end(const clprop_trainer *trainer);
/* Writes the network, its optimizer state and the run's progress to path (atomically); with
 * early stopping, the best network so far to PATH.best. */
CLPROP_API
clprop_status clprop_trainer_save_checkpoint(clprop_trainer *trainer, const char *path);
/* Where the run stands: epochs done, the position in an interrupted epoch, the best epoch. */
CLPROP_API
void clprop_trainer_progress(const clprop_trainer *trainer, clprop_training_state *state);
CLPROP_API
size_t clprop_trainer_samples(const clprop_trainer *trainer);   /* training samples per epoch */
CLPROP_API
int clprop_trainer_data_resident(const clprop_trainer *trainer); /* 0: sent per batch */

/* Creates a trainer, runs it and destroys it; a failure's message goes to the network's. */
CLPROP_API
clprop_status clprop_fit(clprop_net *net, const clprop_data *data,
                         const clprop_trainer_desc *params);

#ifdef __cplusplus
}
#endif
#endif /* CLPROP_H */
