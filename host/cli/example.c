/* `clprop example seed1|seed2`: the lecture's two worked examples, step by step. Every figure is
 * computed by the library on the chosen device (float32) and printed beside the exact value from
 * the double-precision reference; wherever the slides' hand-rounded figure differs from the exact
 * one, a line says by how much and whether rounding explains it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "reference.h"

/* What the slides print for one quantity, and to how many decimals they rounded it. */
typedef struct slide_figure {
    const char *text; /* NULL: the slides show no figure for this quantity */
    double value;
    int decimals;
} slide_figure;

#define NO_SLIDE ((slide_figure){NULL, 0.0, 0})
#define SLIDE(text, decimals) ((slide_figure){#text, text, decimals})

typedef struct walkthrough {
    double largest_device_error; /* |device − exact| over every figure printed */
    int slide_differences;
} walkthrough;

/* printf pads by bytes; the formulas hold multi-byte symbols (·, Δ, ½), so pad by characters. */
static void print_padded(const char *text, int width)
{
    int characters = 0;
    for (const char *c = text; *c != '\0'; c++)
        characters += ((unsigned char)*c & 0xc0) != 0x80;
    fputs(text, stdout);
    printf("%*s", width > characters ? width - characters : 0, "");
}

static void print_figure(walkthrough *w, const char *name, const char *formula, float device,
                         double exact, slide_figure slide)
{
    double error = fabs((double)device - exact);
    if (error > w->largest_device_error)
        w->largest_device_error = error;
    fputs("  ", stdout);
    print_padded(name, 11);
    fputs(" = ", stdout);
    print_padded(formula, 32);
    printf(" device %12.8f   exact %12.8f\n", (double)device, exact);
    if (slide.text == NULL || fabs(slide.value - exact) < 1e-12)
        return;
    double scale = pow(10.0, slide.decimals);
    int agrees_when_rounded = fabs(round(exact * scale) / scale - slide.value) < 0.5 / scale;
    w->slide_differences++;
    printf("                slides: %s differs from the exact value by %+.8f; %s\n", slide.text,
           slide.value - exact,
           agrees_when_rounded ? "it is the exact value rounded by hand"
                               : "rounding does not explain it: the slides carried hand-rounded "
                                 "numbers forward");
}

static void print_summary(const walkthrough *w)
{
    printf("\nDevice (float32) against exact arithmetic (double): largest difference %.2e — %s.\n",
           w->largest_device_error,
           w->largest_device_error <= 1e-6 ? "agrees to 1e-6" : "DOES NOT agree to 1e-6");
    printf("The slides' figures differ from the exact ones in %d place%s (listed above).\n",
           w->slide_differences, w->slide_differences == 1 ? "" : "s");
}

static int fail_with(const char *what, const char *message)
{
    cli_error("%s: %s", what, message);
    return EXIT_FAILED;
}

/* ---- seed1: linear 2-2-1 without biases, inputs (2, 3), target 1, rate 0.05 ---- */

static int run_seed1(clprop_context *context)
{
    const size_t sizes[] = {2, 2, 1};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_LINEAR, CLPROP_ACTIVATION_LINEAR};
    const clprop_net_desc desc = {.layer_count = 2,
                                  .sizes = sizes,
                                  .activations = activations,
                                  .no_bias = 1,
                                  .loss = CLPROP_LOSS_MSE,
                                  .seed = 0};
    const float hidden_w[] = {0.11f, 0.21f, 0.12f, 0.08f}; /* w1 w2 into h1, w3 w4 into h2 */
    const float output_w[] = {0.14f, 0.15f};               /* w5 w6 */
    const float input[] = {2.0f, 3.0f}, target[] = {1.0f};
    const float rate = 0.05f;

    clprop_net *net = NULL;
    if (clprop_net_create(context, &desc, &net) != CLPROP_SUCCESS ||
        clprop_net_set_weights(net, 1, hidden_w, NULL) != CLPROP_SUCCESS ||
        clprop_net_set_weights(net, 2, output_w, NULL) != CLPROP_SUCCESS) {
        int code = fail_with("seed1", clprop_net_message(net));
        clprop_net_destroy(net);
        return code;
    }
    double device_loss = 0.0;
    float h[2], h_delta[2], y[1], y_delta[1], new_hidden[4], new_output[2];
    float hidden_grad[4], output_grad[2];
    clprop_status status = clprop_net_train_batch(net, input, target, 1, rate, &device_loss);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_layer_state(net, 1, NULL, h, h_delta);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_layer_state(net, 2, NULL, y, y_delta);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_gradients(net, 1, hidden_grad, NULL);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_gradients(net, 2, output_grad, NULL);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_weights(net, 1, new_hidden, NULL);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_weights(net, 2, new_output, NULL);
    if (status != CLPROP_SUCCESS) {
        int code = fail_with("seed1", clprop_net_message(net));
        clprop_net_destroy(net);
        return code;
    }
    clprop_net_destroy(net);

    /* The exact figures start from the decimal values themselves, not their float32 roundings. */
    const double exact_hidden[] = {0.11, 0.21, 0.12, 0.08}, exact_output[] = {0.14, 0.15};
    const double *exact_weights[] = {exact_hidden, exact_output};
    const double exact_input[] = {2.0, 3.0}, exact_target[] = {1.0};
    clprop_ref_net *ref = clprop_ref_net_create(&desc, exact_weights, NULL);
    if (ref == NULL)
        return fail_with("seed1", "out of host memory");
    double exact_loss = clprop_ref_train_batch(ref, exact_input, exact_target, 1, 0.05);
    const clprop_ref_layer *rh = &ref->layers[0], *ro = &ref->layers[1];

    walkthrough w = {0.0, 0};
    printf("Worked example seed1: a linear 2-2-1 network without biases, one step of gradient "
           "descent\n"
           "  inputs i1, i2 = 2, 3; target 1; learning rate a = 0.05\n"
           "  w1, w2 = 0.11, 0.21 into h1; w3, w4 = 0.12, 0.08 into h2; w5, w6 = 0.14, 0.15 into "
           "the output\n\nForward pass\n");
    print_figure(&w, "h1", "w1·i1 + w2·i2", h[0], rh->a[0], NO_SLIDE);
    print_figure(&w, "h2", "w3·i1 + w4·i2", h[1], rh->a[1], NO_SLIDE);
    print_figure(&w, "prediction", "w5·h1 + w6·h2", y[0], ro->a[0], SLIDE(0.191, 3));
    printf("\nError\n");
    print_figure(&w, "Δ", "prediction − target", y_delta[0], ro->delta[0], SLIDE(-0.809, 3));
    print_figure(&w, "E", "½·Δ²", (float)device_loss, exact_loss, NO_SLIDE);
    printf("\nBackward pass (linear units: f′ = 1, so each delta is the error passed back)\n");
    print_figure(&w, "δh1", "Δ·w5", h_delta[0], rh->delta[0], NO_SLIDE);
    print_figure(&w, "δh2", "Δ·w6", h_delta[1], rh->delta[1], NO_SLIDE);
    printf("\nSteps a·∂E/∂w, the products the slides subtract\n");
    const double *gh = rh->weight_gradients, *go = ro->weight_gradients;
    print_figure(&w, "a·Δ·h1", "step for w5", rate * output_grad[0], 0.05 * go[0],
                 SLIDE(-0.034, 3));
    print_figure(&w, "a·Δ·h2", "step for w6", rate * output_grad[1], 0.05 * go[1],
                 SLIDE(-0.019, 3));
    print_figure(&w, "a·i1·Δ·w5", "step for w1", rate * hidden_grad[0], 0.05 * gh[0],
                 SLIDE(-0.011, 3));
    print_figure(&w, "a·i2·Δ·w5", "step for w2", rate * hidden_grad[1], 0.05 * gh[1],
                 SLIDE(-0.017, 3));
    print_figure(&w, "a·i1·Δ·w6", "step for w3", rate * hidden_grad[2], 0.05 * gh[2],
                 SLIDE(-0.012, 3));
    print_figure(&w, "a·i2·Δ·w6", "step for w4", rate * hidden_grad[3], 0.05 * gh[3],
                 SLIDE(-0.018, 3));
    printf("\nUpdated weights, W ← W − a·δ·xᵀ (the hidden layer uses the old w5, w6)\n");
    print_figure(&w, "w5", "w5 − a·Δ·h1", new_output[0], ro->weights[0], SLIDE(0.17, 2));
    print_figure(&w, "w6", "w6 − a·Δ·h2", new_output[1], ro->weights[1], SLIDE(0.17, 2));
    print_figure(&w, "w1", "w1 − a·i1·Δ·w5", new_hidden[0], rh->weights[0], SLIDE(0.12, 2));
    print_figure(&w, "w2", "w2 − a·i2·Δ·w5", new_hidden[1], rh->weights[1], SLIDE(0.23, 2));
    print_figure(&w, "w3", "w3 − a·i1·Δ·w6", new_hidden[2], rh->weights[2], SLIDE(0.13, 2));
    print_figure(&w, "w4", "w4 − a·i2·Δ·w6", new_hidden[3], rh->weights[3], SLIDE(0.10, 2));
    clprop_ref_net_destroy(ref);
    print_summary(&w);
    return 0;
}

/* ---- seed2: the sigmoid output layer of the 2-2-2 example ---- */

static int run_seed2(clprop_context *context)
{
    const size_t sizes[] = {2, 2};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID};
    const clprop_net_desc desc = {.layer_count = 1,
                                  .sizes = sizes,
                                  .activations = activations,
                                  .no_bias = 0,
                                  .loss = CLPROP_LOSS_MSE,
                                  .seed = 0};
    const float weights[] = {0.67f, 0.54f, 0.84f, 0.52f}; /* into o1, into o2 */
    const float biases[] = {0.67f, 0.67f};
    const float input[] = {0.62f, 0.61f}; /* the hidden outputs f(j1), f(j2) */
    const float rate = 0.1f;

    clprop_net *net = NULL;
    float before[2], target[2], z[2], y[2], delta[2], new_w[4], new_b[2];
    double device_loss = 0.0;
    clprop_status status = clprop_net_create(context, &desc, &net);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_set_weights(net, 1, weights, biases);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_forward(net, input, 1, before);
    /* The slides give o2 the target 1 and o1 none: o1's target is its own output, so its delta
     * is zero and its weights stay as they are. */
    target[0] = before[0];
    target[1] = 1.0f;
    if (status == CLPROP_SUCCESS)
        status = clprop_net_train_batch(net, input, target, 1, rate, &device_loss);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_layer_state(net, 1, z, y, delta);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_get_weights(net, 1, new_w, new_b);
    if (status != CLPROP_SUCCESS) {
        int code = fail_with("seed2", clprop_net_message(net));
        clprop_net_destroy(net);
        return code;
    }
    clprop_net_destroy(net);

    const double exact_w[] = {0.67, 0.54, 0.84, 0.52}, exact_b[] = {0.67, 0.67};
    const double *ws[] = {exact_w}, *bs[] = {exact_b};
    const double exact_input[] = {0.62, 0.61};
    clprop_ref_net *ref = clprop_ref_net_create(&desc, ws, bs);
    if (ref == NULL)
        return fail_with("seed2", "out of host memory");
    clprop_ref_forward(ref, exact_input, 1);
    const double exact_target[] = {ref->layers[0].a[0], 1.0}; /* o1 held at its own output */
    double exact_loss = clprop_ref_train_batch(ref, exact_input, exact_target, 1, 0.1);
    const clprop_ref_layer *r = &ref->layers[0];

    walkthrough w = {0.0, 0};
    printf("Worked example seed2: the sigmoid output layer of the 2-2-2 network, one step\n"
           "  inputs f(j1), f(j2) = 0.62, 0.61 (the hidden outputs); bias b2 = 0.67 on both units\n"
           "  into o1: 0.67, 0.54; into o2: 0.84, 0.52; target for o2 = 1; learning rate 0.1\n"
           "  (the slides give o1 no target: it is held at its own output, so δo1 = 0)\n\n"
           "Forward pass\n");
    print_figure(&w, "o1", "0.62·0.67 + 0.61·0.54 + 0.67", z[0], r->z[0], SLIDE(1.42, 2));
    print_figure(&w, "f(o1)", "1 / (1 + e^−o1)", y[0], r->a[0], SLIDE(0.80, 2));
    print_figure(&w, "o2", "0.62·0.84 + 0.61·0.52 + 0.67", z[1], r->z[1], SLIDE(1.51, 2));
    print_figure(&w, "f(o2)", "1 / (1 + e^−o2)", y[1], r->a[1], SLIDE(0.82, 2));
    printf("\nError, E = Σ ½·(target − output)²\n");
    print_figure(&w, "E", "½·(1 − f(o2))²", (float)device_loss, exact_loss, NO_SLIDE);
    printf("\nBackward pass, δ = (output − target)·f(o)·(1 − f(o))\n");
    print_figure(&w, "δo1", "(f(o1) − f(o1))·f′(o1)", delta[0], r->delta[0], NO_SLIDE);
    print_figure(&w, "δo2", "(f(o2) − 1)·f(o2)·(1 − f(o2))", delta[1], r->delta[1],
                 SLIDE(-0.027812, 6));
    printf("\nUpdated weights into o2, w ← w − a·δo2·input\n");
    print_figure(&w, "w(o2,j1)", "0.84 − 0.1·δo2·0.62", new_w[2], r->weights[2],
                 SLIDE(0.84171787, 8));
    print_figure(&w, "w(o2,j2)", "0.52 − 0.1·δo2·0.61", new_w[3], r->weights[3],
                 SLIDE(0.52168517, 8));
    print_figure(&w, "b(o2)", "0.67 − 0.1·δo2", new_b[1], r->biases[1], NO_SLIDE);
    print_figure(&w, "w(o1,j1)", "unchanged (δo1 = 0)", new_w[0], r->weights[0], NO_SLIDE);
    print_figure(&w, "w(o1,j2)", "unchanged (δo1 = 0)", new_w[1], r->weights[1], NO_SLIDE);
    printf("\nThe slides' δo2 uses f(o2) rounded to 0.82 and then slips: 0.18·0.82·0.18 is "
           "0.026568, not 0.027812;\nits weight steps 0.00171787 and 0.00168517 do not follow "
           "from 0.027812 either (0.1·0.027812·0.62 = 0.00172434).\n");
    clprop_ref_net_destroy(ref);
    print_summary(&w);
    return 0;
}

static void print_usage(FILE *out)
{
    fputs("usage: clprop example seed1|seed2 [--device SPEC] [--gemm native|clblast|auto]\n"
          "\n"
          "Walks through one of the lecture's worked examples: forward values, error, deltas\n"
          "and every updated weight, computed on the device and beside the exact values,\n"
          "with a line wherever the slides' hand-rounded figures differ.\n"
          "  seed1   linear 2-2-1 network without biases, inputs (2, 3), target 1, rate 0.05\n"
          "  seed2   sigmoid output layer of the 2-2-2 network, target 1 for o2, rate 0.1\n"
          "  --device SPEC   index, P:D, gpu, cpu or part of a device name\n"
          "  --gemm BACKEND  native (default), clblast or auto\n",
          out);
}

int cli_example(int argc, char **argv)
{
    const char *which = NULL, *device = NULL, *gemm_text = NULL;
    clprop_gemm_backend gemm = CLPROP_GEMM_NATIVE;
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (cli_option_value(argc, argv, &i, "--device", &device, &bad))
            continue;
        if (cli_option_value(argc, argv, &i, "--gemm", &gemm_text, &bad)) {
            bad = bad || !cli_parse_gemm("--gemm", gemm_text, &gemm);
            continue;
        }
        if (argv[i][0] == '-') {
            cli_unknown_option("example", argv[i]);
            bad = 1;
        } else if (which != NULL) {
            char first[128], second[128];
            cli_error("example: name one example, seed1 or seed2, not \"%s\" and \"%s\" (see "
                      "clprop example --help)",
                      cli_quote(which, first, sizeof first),
                      cli_quote(argv[i], second, sizeof second));
            bad = 1;
        } else {
            which = argv[i];
        }
    }
    if (!bad && (which == NULL || (strcmp(which, "seed1") != 0 && strcmp(which, "seed2") != 0))) {
        char shown[128];
        if (which == NULL)
            cli_error("example: name seed1 or seed2 (see clprop example --help)");
        else
            cli_error("example: name seed1 or seed2, not \"%s\" (see clprop example --help)",
                      cli_quote(which, shown, sizeof shown));
        bad = 1;
    }
    if (bad)
        return EXIT_USAGE;
    clprop_context *context = cli_open_context(device, gemm);
    if (context == NULL)
        return EXIT_FAILED;
    printf("device: %s\n\n", clprop_context_device(context)->name);
    int code = strcmp(which, "seed1") == 0 ? run_seed1(context) : run_seed2(context);
    clprop_context_destroy(context);
    return code;
}
