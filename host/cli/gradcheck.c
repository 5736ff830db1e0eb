/* `clprop gradcheck`: the device's backward pass against finite differences, on a small random
 * network — for students who want to see backpropagation checked, and for anyone bringing up a
 * new device or GEMM backend.
 *
 * The story: a network with weights drawn from the seed and random biases, random inputs and
 * targets (one-hot with softmax); the device computes ∂(Σ_b E_b)/∂W in float32; the double
 * reference (host/reference.c), given the device's own weights, differentiates the same loss by
 * central differences; per gradient tensor the two are compared norm-wise:
 *
 *     relative error = max_i |device_i − fd_i| / max(max_i |fd_i|, TINY)
 *
 * (as tests/support.c's test_relative_error; NaN counts as infinite). The verdict is the largest
 * over all tensors against TOLERANCE. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "reference.h"

/* float32 gradients against double differences. The differences carry almost no error of their
 * own: the reference runs in double on the device's very weights, inputs and targets, so with the
 * step H the truncation error is ~H² ≈ 1e-12 and the rounding error ~1e-16/H ≈ 1e-10. What is left
 * is the device's float32 rounding (unit roundoff 6e-8), grown by the sums over fan-in and batch
 * and by the layers it passes back through: 1e-7 to 1e-5 relative on networks of the sizes allowed
 * here. 1e-3 stays clear of that, while a wrong derivative, a transposed index or a missing term
 * shows up as 1e-2 and more. */
#define TOLERANCE 1e-3
/* A gradient tensor whose largest difference is below this is as good as zero next to the
 * differences' own rounding error; the error is then measured against TINY instead. */
#define TINY 1e-7
#define STEP 1e-6
/* Each parameter costs two forward passes of the whole batch, each about parameters × batch
 * multiply-adds in double, so the work grows as parameters² × batch. The limits keep it to
 * seconds: 20000 parameters at batch 3 took 2.5 s on a 2-core CPU, at batch 10 8 s, at batch 100
 * seven minutes. */
#define MAX_PARAMETERS 20000
#define MAX_WORK (20000.0 * 20000.0 * 10.0) /* parameters² × batch */

typedef struct gradcheck_options {
    cli_network_options network;
    int json;
    size_t batch;
    uint64_t seed;
} gradcheck_options;

static void print_usage(FILE *out)
{
    fprintf(
        out,
        "usage: clprop gradcheck [options]\n"
        "\n"
        "Checks the device's backward pass against finite differences. A random network\n"
        "(weights from --seed as training would draw them, random biases, random inputs and\n"
        "targets, one-hot targets with softmax) is run forward and backward on the device in\n"
        "float32; the double-precision reference differentiates the same loss, with the\n"
        "device's own weights, by central differences (step %g). Per weight and bias tensor:\n"
        "\n"
        "  relative error = max|device - fd| / max(max|fd|, %g)\n"
        "\n"
        "The check passes (exit 0) when the largest relative error is at most %g, the\n"
        "float32 rounding of the device's sums with a wide margin; otherwise exit 1.\n"
        "\n"
        "  --layers N0,N1,...,NL  units per layer, input first (default 4,5,3); at most %d\n"
        "                         parameters, as each costs two forward passes\n"
        "  --activation NAME      hidden layers: sigmoid (default), tanh, relu, leaky-relu or\n"
        "                         linear\n"
        "  --output NAME          output layer: any of those, or softmax (default: softmax\n"
        "                         with --loss ce, else linear)\n"
        "  --loss mse|ce          squared error, or cross-entropy with softmax (default: ce\n"
        "                         with softmax, else mse)\n"
        "  --no-bias              no biases\n"
        "  --batch B              samples (default 3); parameters² × batch may be at most\n"
        "                         %.0e (20000 parameters at batch 10)\n"
        "  --seed S               weights, biases, inputs and targets (default 1)\n"
        "  --device SPEC          index, P:D, gpu, cpu or part of a name ($CLPROP_DEVICE)\n"
        "  --gemm BACKEND         native (default), clblast or auto\n"
        "  --json                 one line: {\"max_rel_error\":E,\"tolerance\":T,\"passed\":B,\n"
        "                         \"layers\":[{\"weights\":E,\"biases\":E},...]}\n",
        STEP, TINY, TOLERANCE, MAX_PARAMETERS, MAX_WORK);
}

/* One option at argv[*i]; 0 when it is not a gradcheck option. */
static int take_option(int argc, char **argv, int *i, gradcheck_options *o, int *bad)
{
    const char *value = NULL;
    if (strcmp(argv[*i], "--json") == 0)
        return o->json = 1;
    if (cli_take_network_option(argc, argv, i, &o->network, bad))
        return 1;
    if (cli_option_value(argc, argv, i, "--batch", &value, bad)) {
        *bad = *bad || !cli_parse_count("--batch", value, &o->batch);
    } else if (cli_option_value(argc, argv, i, "--seed", &value, bad)) {
        *bad = *bad || !cli_parse_seed("--seed", value, &o->seed);
    } else {
        return 0;
    }
    return 1;
}

/* Weights and biases of the network; SIZE_MAX when a layer alone has more than MAX_PARAMETERS
 * units (every layer meets another of at least one unit, so the network is over the limit), which
 * keeps the sum below from overflowing. */
static size_t parameter_count(const gradcheck_options *o)
{
    const cli_network_options *n = &o->network;
    size_t count = 0;
    for (size_t l = 0; l < n->size_count; l++)
        if (n->sizes[l] > MAX_PARAMETERS)
            return SIZE_MAX;
    for (size_t l = 1; l < n->size_count; l++)
        count += n->sizes[l - 1] * n->sizes[l] + (n->no_bias ? 0 : n->sizes[l]);
    return count;
}

/* Returns -1 to go on, else the exit status. */
static int parse_arguments(int argc, char **argv, gradcheck_options *o)
{
    memset(o, 0, sizeof *o);
    const size_t default_sizes[] = {4, 5, 3};
    memcpy(o->network.sizes, default_sizes, sizeof default_sizes);
    o->network.size_count = 3;
    o->batch = 3;
    o->seed = 1;
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (!take_option(argc, argv, &i, o, &bad)) {
            cli_unknown_option("gradcheck", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (bad)
        return EXIT_USAGE;
    cli_settle_output(&o->network, 0);
    size_t parameters = parameter_count(o);
    const cli_network_options *n = &o->network;
    const char *softmax_units = cli_softmax_units_problem(n);
    if (n->hidden == CLPROP_ACTIVATION_SOFTMAX) {
        cli_error("--activation: softmax is for the output layer only (--output softmax)");
    } else if ((n->output == CLPROP_ACTIVATION_SOFTMAX) != (n->loss == CLPROP_LOSS_CROSS_ENTROPY)) {
        /* The library's cross-entropy delta, y − t, is the derivative only through a softmax. */
        cli_error("gradcheck: --output softmax and --loss ce go together");
    } else if (softmax_units != NULL) {
        cli_error("%s", softmax_units);
    } else if (parameters > MAX_PARAMETERS) {
        cli_error("gradcheck: the network has %s%zu parameters; finite differences cost two "
                  "forward passes per parameter, so gradcheck allows at most %d",
                  parameters == SIZE_MAX ? "more than " : "",
                  parameters == SIZE_MAX ? (size_t)MAX_PARAMETERS : parameters, MAX_PARAMETERS);
    } else if ((double)parameters * (double)parameters * (double)o->batch > MAX_WORK) {
        cli_error("gradcheck: %zu parameters at batch %zu is too much work: each parameter costs "
                  "two forward passes of the whole batch, and parameters² × batch may be at most "
                  "%.0e (try a smaller --batch)",
                  parameters, o->batch, MAX_WORK);
    } else {
        return -1;
    }
    return EXIT_USAGE;
}

/* ---- The random problem ---------------------------------------------------------------------- */

/* Everything the device and the reference both see, in host memory. */
typedef struct problem {
    clprop_net_desc desc;
    clprop_activation activations[CLI_MAX_LAYERS];
    size_t batch;
    double *weights[CLI_MAX_LAYERS], *biases[CLI_MAX_LAYERS]; /* layer l at [l-1], widened */
    float *inputs, *targets;                                  /* batch × units(0), units(L) */
} problem;

static void problem_free(problem *p)
{
    for (size_t l = 0; l < p->desc.layer_count; l++)
        free(p->weights[l]), free(p->biases[l]);
    free(p->inputs), free(p->targets);
}

/* Random biases go onto the device's network (which drew its weights from the seed); then both
 * are read back and widened for the reference, so that both sides hold the same numbers. */
static clprop_status make_problem(problem *p, clprop_net *net, clprop_ref_random *rng)
{
    const size_t *sizes = p->desc.sizes;
    for (size_t l = 1; l <= p->desc.layer_count; l++) {
        size_t count = sizes[l - 1] * sizes[l];
        float *w = malloc(count * sizeof *w), *b = malloc(sizes[l] * sizeof *b);
        clprop_status status =
            w != NULL && b != NULL ? CLPROP_SUCCESS : CLPROP_ERROR_OUT_OF_HOST_MEMORY;
        if (status == CLPROP_SUCCESS)
            status = clprop_net_get_weights(net, l, w, NULL);
        for (size_t o = 0; status == CLPROP_SUCCESS && o < sizes[l]; o++)
            b[o] = p->desc.no_bias ? 0.0f : (float)clprop_ref_random_uniform(rng, -0.5, 0.5);
        if (status == CLPROP_SUCCESS)
            status = clprop_net_set_weights(net, l, w, b);
        if (status == CLPROP_SUCCESS)
            status = clprop_net_get_weights(net, l, w, b);
        if (status == CLPROP_SUCCESS) {
            p->weights[l - 1] = clprop_ref_widen(w, count);
            p->biases[l - 1] = clprop_ref_widen(b, sizes[l]);
            if (p->weights[l - 1] == NULL || p->biases[l - 1] == NULL)
                status = CLPROP_ERROR_OUT_OF_HOST_MEMORY;
        }
        free(w), free(b);
        if (status != CLPROP_SUCCESS)
            return status;
    }
    size_t inputs = sizes[0], outputs = sizes[p->desc.layer_count];
    p->inputs = malloc(p->batch * inputs * sizeof *p->inputs);
    p->targets = malloc(p->batch * outputs * sizeof *p->targets);
    if (p->inputs == NULL || p->targets == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    for (size_t i = 0; i < p->batch * inputs; i++)
        p->inputs[i] = (float)clprop_ref_random_uniform(rng, -1.0, 1.0);
    int one_hot = p->desc.loss == CLPROP_LOSS_CROSS_ENTROPY;
    for (size_t b = 0; b < p->batch; b++) {
        size_t hot = (size_t)(clprop_ref_random_next(rng) % outputs);
        for (size_t u = 0; u < outputs; u++)
            p->targets[b * outputs + u] = one_hot ? (u == hot ? 1.0f : 0.0f)
                                                  : (float)clprop_ref_random_uniform(rng, 0.0, 1.0);
    }
    return CLPROP_SUCCESS;
}

/* ---- Finite differences and the comparison --------------------------------------------------- */

/* ∂(Σ_b E_b)/∂p by central differences; the reference's loss is the batch mean. */
static double numerical_gradient(clprop_ref_net *ref, double *parameter, const double *inputs,
                                 const double *targets, size_t batch)
{
    const double saved = *parameter;
    *parameter = saved + STEP;
    double plus = clprop_ref_loss(ref, inputs, targets, batch);
    *parameter = saved - STEP;
    double minus = clprop_ref_loss(ref, inputs, targets, batch);
    *parameter = saved;
    return (plus - minus) / (2 * STEP) * (double)batch;
}

/* max|device − fd| / max(max|fd|, TINY); NaN anywhere gives infinity. */
static double relative_error(const float *device, const double *fd, size_t count)
{
    double largest_diff = 0.0, largest_fd = 0.0;
    for (size_t i = 0; i < count; i++) {
        double diff = fabs((double)device[i] - fd[i]);
        if (!(diff <= largest_diff))
            largest_diff = isnan(diff) ? INFINITY : diff;
        largest_fd = fmax(largest_fd, fabs(fd[i]));
    }
    return largest_diff / fmax(largest_fd, TINY);
}

typedef struct layer_result {
    double weights, biases; /* relative errors; biases is unused without biases */
} layer_result;

/* The device's gradients of layer l (1..L) against the differences of every parameter in it. */
static clprop_status check_layer(layer_result *result, clprop_net *net, clprop_ref_net *ref,
                                 size_t l, const double *inputs, const double *targets,
                                 size_t batch)
{
    clprop_ref_layer *layer = &ref->layers[l - 1];
    size_t count = layer->inputs * layer->outputs, n = count + layer->outputs;
    float *device = malloc(n * sizeof *device);
    double *fd = malloc(n * sizeof *fd);
    clprop_status status =
        device != NULL && fd != NULL ? CLPROP_SUCCESS : CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_gradients(net, l, device, device + count);
    if (status == CLPROP_SUCCESS) {
        for (size_t i = 0; i < count; i++)
            fd[i] = numerical_gradient(ref, &layer->weights[i], inputs, targets, batch);
        result->weights = relative_error(device, fd, count);
        result->biases = 0.0;
        if (layer->biases != NULL) {
            for (size_t o = 0; o < layer->outputs; o++)
                fd[count + o] = numerical_gradient(ref, &layer->biases[o], inputs, targets, batch);
            result->biases = relative_error(device + count, fd + count, layer->outputs);
        }
    }
    free(device), free(fd);
    return status;
}

/* ---- Reports --------------------------------------------------------------------------------- */

static double largest_error(const layer_result *results, size_t layers, int has_bias)
{
    double largest = 0.0;
    for (size_t l = 0; l < layers; l++) {
        largest = fmax(largest, results[l].weights);
        if (has_bias)
            largest = fmax(largest, results[l].biases);
    }
    return largest;
}

/* JSON has no infinity: a non-finite error is written as null. */
static void print_json_number(double value)
{
    if (isfinite(value))
        printf("%.6g", value);
    else
        fputs("null", stdout);
}

static void print_json(const problem *p, const layer_result *results, double largest, int passed)
{
    fputs("{\"max_rel_error\":", stdout);
    print_json_number(largest);
    printf(",\"tolerance\":%g,\"passed\":%s,\"layers\":[", TOLERANCE, passed ? "true" : "false");
    for (size_t l = 0; l < p->desc.layer_count; l++) {
        printf("%s{\"weights\":", l == 0 ? "" : ",");
        print_json_number(results[l].weights);
        if (!p->desc.no_bias) {
            fputs(",\"biases\":", stdout);
            print_json_number(results[l].biases);
        }
        putchar('}');
    }
    puts("]}");
}

static void print_human(const problem *p, const clprop_context *context,
                        const layer_result *results, size_t parameters, double device_loss,
                        double reference_loss, double largest, int passed)
{
    const size_t L = p->desc.layer_count, *sizes = p->desc.sizes;
    printf("device: %s\nnetwork: ", clprop_context_device(context)->name);
    for (size_t l = 0; l <= L; l++)
        printf(l == 0 ? "%zu" : "-%zu", sizes[l]);
    printf(", %s hidden, %s output, %s loss, %s, batch %zu, seed %llu (%zu parameters)\n",
           L > 1 ? clprop_activation_name(p->activations[0]) : "no",
           clprop_activation_name(p->activations[L - 1]), clprop_loss_name(p->desc.loss),
           p->desc.no_bias ? "no biases" : "biases", p->batch, (unsigned long long)p->desc.seed,
           parameters);
    printf("loss: device %.9g, double reference %.9g\n", device_loss, reference_loss);
    printf("relative error of the gradients, device (float32) against finite differences "
           "(double):\n");
    for (size_t l = 1; l <= L; l++) {
        printf("  layer %zu (%zu -> %zu %s): weights %.2e", l, sizes[l - 1], sizes[l],
               clprop_activation_name(p->activations[l - 1]), results[l - 1].weights);
        if (!p->desc.no_bias)
            printf("  biases %.2e", results[l - 1].biases);
        /* The first layer marked, counting from the output, is where the backward pass goes
         * wrong: its error reaches every layer before it. */
        int above = !(results[l - 1].weights <= TOLERANCE) ||
                    (!p->desc.no_bias && !(results[l - 1].biases <= TOLERANCE));
        puts(above ? "  above tolerance" : "");
    }
    printf("largest relative error %.2e: %s (tolerance %.0e)\n", largest, passed ? "PASS" : "FAIL",
           TOLERANCE);
}

/* ---- The command ----------------------------------------------------------------------------- */

int cli_gradcheck(int argc, char **argv)
{
    gradcheck_options o;
    int code = parse_arguments(argc, argv, &o);
    if (code >= 0)
        return code;
    problem p;
    memset(&p, 0, sizeof p);
    const cli_network_options *n = &o.network;
    size_t L = n->size_count - 1;
    cli_network_activations(n, p.activations);
    p.desc = (clprop_net_desc){L,       n->sizes, p.activations,   n->no_bias,
                               n->loss, o.seed,   CLPROP_INIT_AUTO};
    p.batch = o.batch;

    clprop_context *context = cli_open_context(n->device, n->gemm);
    if (context == NULL)
        return EXIT_FAILED;
    clprop_net *net = NULL;
    clprop_ref_net *ref = NULL;
    double *wide_inputs = NULL, *wide_targets = NULL, device_loss = 0.0;
    layer_result results[CLI_MAX_LAYERS];
    /* Its own stream for biases, inputs and targets, apart from the weights' stream. */
    clprop_ref_random rng = clprop_ref_random_seeded(o.seed ^ 0x6772616463686b00u);
    clprop_status status = clprop_net_create(context, &p.desc, &net);
    if (status == CLPROP_SUCCESS)
        status = make_problem(&p, net, &rng);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_compute_gradients(net, p.inputs, p.targets, p.batch, &device_loss);
    if (status != CLPROP_SUCCESS) {
        cli_error("gradcheck: %s", status == CLPROP_ERROR_OUT_OF_HOST_MEMORY
                                       ? "out of host memory"
                                       : clprop_net_message(net));
        code = EXIT_FAILED;
    }
    if (code < 0) {
        ref = clprop_ref_net_create(&p.desc, (const double *const *)p.weights,
                                    (const double *const *)p.biases);
        wide_inputs = clprop_ref_widen(p.inputs, p.batch * n->sizes[0]);
        wide_targets = clprop_ref_widen(p.targets, p.batch * n->sizes[L]);
        if (ref == NULL || wide_inputs == NULL || wide_targets == NULL) {
            cli_error("gradcheck: out of host memory");
            code = EXIT_FAILED;
        }
    }
    for (size_t l = 1; code < 0 && l <= L; l++) {
        status = check_layer(&results[l - 1], net, ref, l, wide_inputs, wide_targets, p.batch);
        if (status != CLPROP_SUCCESS) {
            cli_error("gradcheck: layer %zu: %s", l,
                      status == CLPROP_ERROR_OUT_OF_HOST_MEMORY ? "out of host memory"
                                                                : clprop_net_message(net));
            code = EXIT_FAILED;
        }
    }
    if (code < 0) {
        double largest = largest_error(results, L, !n->no_bias);
        int passed = largest <= TOLERANCE; /* false for NaN and infinity too */
        if (o.json)
            print_json(&p, results, largest, passed);
        else
            print_human(&p, context, results, parameter_count(&o), device_loss,
                        clprop_ref_loss(ref, wide_inputs, wide_targets, p.batch), largest, passed);
        code = passed ? 0 : EXIT_FAILED;
    }
    free(wide_inputs), free(wide_targets);
    clprop_ref_net_destroy(ref);
    problem_free(&p);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    return code;
}
