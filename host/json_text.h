/* JSON text held in memory, read without building a tree: checked once against the grammar, then
 * walked value by value, each value named by the offset of its first byte. A document costs
 * nothing beyond its text, however it is shaped (a tree such as cJSON's costs some 80 bytes per
 * value: 40 times the text of a document of bare zeros). */
#ifndef CLPROP_JSON_TEXT_H
#define CLPROP_JSON_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Arrays and objects nested deeper than this are refused: no document of ours comes close. */
#define CLPROP_JSON_MAX_DEPTH 1000
/* An offset that names no value: a member that is absent, the element after the last. */
#define CLPROP_JSON_NONE SIZE_MAX

typedef enum clprop_json_type {
    CLPROP_JSON_OBJECT,
    CLPROP_JSON_ARRAY,
    CLPROP_JSON_STRING,
    CLPROP_JSON_NUMBER,
    CLPROP_JSON_TRUE,
    CLPROP_JSON_FALSE,
    CLPROP_JSON_NULL,
    CLPROP_JSON_ABSENT /* the type of CLPROP_JSON_NONE */
} clprop_json_type;

/* Checks that text[0..length) (NUL-terminated there) is one JSON value with only white space
 * around it. Returns 1, or 0 with the offset of the first byte that does not fit in *offset and
 * *too_deep set when the nesting limit was the reason. */
int clprop_json_check(const char *text, size_t length, size_t *offset, int *too_deep);

/* The functions below take checked text. */

size_t clprop_json_root(const char *text);
clprop_json_type clprop_json_type_of(const char *text, size_t value);
/* The value of `key` in the object at `object` (the first one when a key repeats), or
 * CLPROP_JSON_NONE when it is absent or `object` is no object. */
size_t clprop_json_member(const char *text, size_t object, const char *key);
/* The first element of the array at `array` / the element after `element`: CLPROP_JSON_NONE when
 * there is none. */
size_t clprop_json_first(const char *text, size_t array);
size_t clprop_json_next(const char *text, size_t element);
/* The number of elements of the array at `array` (0 for anything else). */
size_t clprop_json_count(const char *text, size_t array);
/* The number at `value`, read in the C locale by the caller's choice (uselocale). */
double clprop_json_number(const char *text, size_t value);
/* The string at `value`, its escapes decoded (as UTF-8), written to buffer and cut at size − 1
 * bytes; returns its whole decoded length. */
size_t clprop_json_string(const char *text, size_t value, char *buffer, size_t size);
/* 1 when the string at `value` decodes to exactly `expected`. */
int clprop_json_string_is(const char *text, size_t value, const char *expected);

#define CLPROP_JSON_FOR_EACH(element, text, array)                                              \
    for (size_t element = clprop_json_first(text, array); element != CLPROP_JSON_NONE;         \
         element = clprop_json_next(text, element))

#endif
