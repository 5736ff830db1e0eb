/* A clprop model as an ONNX model (`clprop export --format onnx`), encoded by protobuf-c over
 * ONNX's own schema (onnx.proto, turned into C by protoc-c at build time: cmake/onnx.cmake).
 *
 * The graph takes "input" (N × inputs, float32, N the batch, symbolic) and gives "output"
 * (N × outputs). Layer k is a Gemm of the previous layer's values with "layerK.weight"
 * (outputs × inputs, clprop's own row-major layout, so transB = 1) plus "layerK.bias" (no C
 * input without biases), then its activation: Sigmoid, Tanh, Relu, LeakyRelu (alpha =
 * CLPROP_LEAKY_RELU_SLOPE) or Softmax (axis 1); a linear layer is the Gemm alone. The model's
 * metadata_props say which clprop wrote it and what the model file carried beyond its weights
 * (the loss, the optimizer and its steps, a checkpoint's epochs and best validation loss).
 * A model with scaling (clprop_scaling) gets it as nodes: Sub "input.offset" and Mul
 * "input.scale" before the first Gemm, and Div "output.scale" and Add "output.offset" after the
 * last layer (each a vector of the width, broadcast over the batch), so the graph takes and gives
 * values in the data's units, as clprop predict does.
 *
 * Built only with protobuf-c; a client of the public header, as the command is. */
#ifndef CLPROP_MODEL_ONNX_H
#define CLPROP_MODEL_ONNX_H

#include <stdio.h>

#include "clprop.h"

#define CLPROP_ONNX_OPSET 13 /* the default ("ai.onnx") operator set the graph uses */
#define CLPROP_ONNX_INPUT "input"
#define CLPROP_ONNX_OUTPUT "output"
#define CLPROP_ONNX_BATCH "N" /* the symbolic batch dimension of input and output */

/* Writes `model` to `out` as one ONNX ModelProto and flushes it. On failure `message` receives
 * one line: CLPROP_ERROR_INVALID_ARGUMENT for an empty model or one whose file would pass
 * protobuf's 2 GiB limit (checked before anything is written), CLPROP_ERROR_OUT_OF_HOST_MEMORY,
 * or CLPROP_ERROR_IO when a write to `out` failed (with the system's reason; the caller knows
 * what `out` is and names it). */
clprop_status clprop_onnx_write(clprop_model *model, FILE *out, char *message, size_t message_size);

#endif
