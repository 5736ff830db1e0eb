/* JSON text checked once, then walked by offsets: RFC 8259's grammar, no tree. */
#include "json_text.h"

#include <stdlib.h>
#include <string.h>

/* ---- Checking -------------------------------------------------------------------------------- */

typedef struct json_checker {
    const char *text;
    size_t length, at;
    size_t depth;
    char open[CLPROP_JSON_MAX_DEPTH]; /* '{' or '[' for each level open */
    int too_deep;
} json_checker;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void skip_space(json_checker *checker)
{
    while (checker->at < checker->length && is_space(checker->text[checker->at]))
        checker->at++;
}

/* The byte at the cursor, or NUL past the end (the text is NUL-terminated there). */
static char peek(const json_checker *checker)
{
    return checker->at < checker->length ? checker->text[checker->at] : '\0';
}

static int check_escape(json_checker *checker)
{
    char c = peek(checker);
    if (c != 'u') {
        if (c == '\0' || strchr("\"\\/bfnrt", c) == NULL)
            return 0;
        checker->at++;
        return 1;
    }
    checker->at++;
    for (int i = 0; i < 4; i++, checker->at++)
        if (!is_hex(peek(checker)))
            return 0;
    return 1;
}

static int check_string(json_checker *checker)
{
    checker->at++; /* the opening quote */
    for (;;) {
        char c = peek(checker);
        if (checker->at >= checker->length || (unsigned char)c < 0x20)
            return 0;
        checker->at++;
        if (c == '"')
            return 1;
        if (c == '\\' && !check_escape(checker))
            return 0;
    }
}

static int check_digits(json_checker *checker)
{
    if (!is_digit(peek(checker)))
        return 0;
    while (is_digit(peek(checker)))
        checker->at++;
    return 1;
}

static int check_number(json_checker *checker)
{
    if (peek(checker) == '-')
        checker->at++;
    if (peek(checker) == '0')
        checker->at++;
    else if (!check_digits(checker))
        return 0;
    if (peek(checker) == '.') {
        checker->at++;
        if (!check_digits(checker))
            return 0;
    }
    if (peek(checker) == 'e' || peek(checker) == 'E') {
        checker->at++;
        if (peek(checker) == '+' || peek(checker) == '-')
            checker->at++;
        if (!check_digits(checker))
            return 0;
    }
    return 1;
}

static int check_word(json_checker *checker, const char *word)
{
    size_t length = strlen(word);
    if (checker->length - checker->at < length || memcmp(checker->text + checker->at, word,
                                                         length) != 0)
        return 0;
    checker->at += length;
    return 1;
}

/* Opens an array or object at the cursor. */
static int open_container(json_checker *checker)
{
    if (checker->depth == CLPROP_JSON_MAX_DEPTH) {
        checker->too_deep = 1;
        return 0;
    }
    checker->open[checker->depth++] = checker->text[checker->at++];
    return 1;
}

/* A member's key and colon, the cursor at the key. */
static int check_key(json_checker *checker)
{
    if (peek(checker) != '"' || !check_string(checker))
        return 0;
    skip_space(checker);
    if (peek(checker) != ':')
        return 0;
    checker->at++;
    return 1;
}

/* A scalar, or the start of an array or object (*opened then set). */
static int check_value_start(json_checker *checker, int *opened)
{
    skip_space(checker);
    char c = peek(checker);
    *opened = c == '{' || c == '[';
    if (*opened)
        return open_container(checker);
    if (c == '"')
        return check_string(checker);
    if (c == '-' || is_digit(c))
        return check_number(checker);
    return check_word(checker, c == 't' ? "true" : c == 'f' ? "false" : "null");
}

/* After a value: a comma and the next member or element, or closings. 1 when the cursor then
 * expects a value, 0 on an error, 2 when the whole document is done. */
static int after_value(json_checker *checker)
{
    for (;;) {
        skip_space(checker);
        if (checker->depth == 0)
            return checker->at == checker->length ? 2 : 0;
        char c = peek(checker), open = checker->open[checker->depth - 1];
        if (c == ',') {
            checker->at++;
            skip_space(checker);
            return open == '[' || check_key(checker);
        }
        if (c != (open == '[' ? ']' : '}'))
            return 0;
        checker->at++;
        checker->depth--;
    }
}

/* Just after an opening bracket: an empty container, or its first member or element. */
static int after_open(json_checker *checker)
{
    skip_space(checker);
    char open = checker->open[checker->depth - 1];
    if (peek(checker) == (open == '[' ? ']' : '}')) {
        checker->at++;
        checker->depth--;
        return after_value(checker);
    }
    return open == '[' || check_key(checker);
}

int clprop_json_check(const char *text, size_t length, size_t *offset, int *too_deep)
{
    json_checker checker = {.text = text, .length = length};
    int state = 1, opened;
    while (state == 1) {
        if (!check_value_start(&checker, &opened))
            state = 0;
        else
            state = opened ? after_open(&checker) : after_value(&checker);
    }
    *offset = checker.at;
    *too_deep = checker.too_deep;
    return state == 2;
}

/* ---- Walking checked text -------------------------------------------------------------------- */

static size_t skip_space_at(const char *text, size_t at)
{
    while (is_space(text[at]))
        at++;
    return at;
}

/* Past the string whose opening quote is at `at`. */
static size_t skip_string(const char *text, size_t at)
{
    for (at++; text[at] != '"'; at++)
        if (text[at] == '\\')
            at++;
    return at + 1;
}

/* Past the value at `at`. */
static size_t skip_value(const char *text, size_t at)
{
    char c = text[at];
    if (c == '"')
        return skip_string(text, at);
    if (c != '[' && c != '{') {
        while (text[at] != '\0' && strchr(",]} \t\r\n", text[at]) == NULL)
            at++;
        return at;
    }
    size_t depth = 0;
    do {
        c = text[at];
        if (c == '"') {
            at = skip_string(text, at);
            continue;
        }
        depth += c == '[' || c == '{';
        depth -= c == ']' || c == '}';
        at++;
    } while (depth > 0);
    return at;
}

size_t clprop_json_root(const char *text)
{
    return skip_space_at(text, 0);
}

clprop_json_type clprop_json_type_of(const char *text, size_t value)
{
    if (value == CLPROP_JSON_NONE)
        return CLPROP_JSON_ABSENT;
    switch (text[value]) {
    case '{': return CLPROP_JSON_OBJECT;
    case '[': return CLPROP_JSON_ARRAY;
    case '"': return CLPROP_JSON_STRING;
    case 't': return CLPROP_JSON_TRUE;
    case 'f': return CLPROP_JSON_FALSE;
    case 'n': return CLPROP_JSON_NULL;
    default: return CLPROP_JSON_NUMBER;
    }
}

/* The first member's key or element of the container at `at`, or CLPROP_JSON_NONE. */
static size_t first_inside(const char *text, size_t at)
{
    at = skip_space_at(text, at + 1);
    return text[at] == ']' || text[at] == '}' ? CLPROP_JSON_NONE : at;
}

size_t clprop_json_first(const char *text, size_t array)
{
    if (clprop_json_type_of(text, array) != CLPROP_JSON_ARRAY)
        return CLPROP_JSON_NONE;
    return first_inside(text, array);
}

size_t clprop_json_next(const char *text, size_t element)
{
    size_t at = skip_space_at(text, skip_value(text, element));
    return text[at] == ',' ? skip_space_at(text, at + 1) : CLPROP_JSON_NONE;
}

size_t clprop_json_count(const char *text, size_t array)
{
    size_t count = 0;
    CLPROP_JSON_FOR_EACH(element, text, array)
        count++;
    return count;
}

size_t clprop_json_member(const char *text, size_t object, const char *key)
{
    if (clprop_json_type_of(text, object) != CLPROP_JSON_OBJECT)
        return CLPROP_JSON_NONE;
    /* A member is its key then, past the colon, its value; the next member follows the value. */
    for (size_t at = first_inside(text, object); at != CLPROP_JSON_NONE;) {
        size_t value = skip_space_at(text, skip_space_at(text, skip_string(text, at)) + 1);
        if (clprop_json_string_is(text, at, key))
            return value;
        at = clprop_json_next(text, value);
    }
    return CLPROP_JSON_NONE;
}

double clprop_json_number(const char *text, size_t value)
{
    return strtod(text + value, NULL);
}

/* ---- Strings --------------------------------------------------------------------------------- */

static unsigned hex_value(const char *digits)
{
    unsigned value = 0;
    for (int i = 0; i < 4; i++) {
        char c = digits[i];
        value = value * 16 + (unsigned)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return value;
}

/* The code point of the \u escape at `at` (a surrogate pair taken together); *at moves past. */
static unsigned long unicode_escape(const char *text, size_t *at)
{
    unsigned long code = hex_value(text + *at + 2);
    *at += 6;
    if (code >= 0xD800 && code < 0xDC00 && text[*at] == '\\' && text[*at + 1] == 'u') {
        unsigned long low = hex_value(text + *at + 2);
        if (low >= 0xDC00 && low < 0xE000) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            *at += 6;
        }
    }
    return code;
}

/* The code point as UTF-8 into out (4 bytes of room); returns its length. */
static size_t utf8(unsigned long code, char *out)
{
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | code >> 6);
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xE0 | code >> 12);
        out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | code >> 18);
    out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code & 0x3F));
    return 4;
}

/* The next decoded piece of the string at *at (1 to 4 bytes into piece); 0 at its end. */
static size_t next_piece(const char *text, size_t *at, char piece[4])
{
    char c = text[*at];
    if (c == '"')
        return 0;
    if (c != '\\') {
        piece[0] = c;
        (*at)++;
        return 1;
    }
    char escape = text[*at + 1];
    if (escape == 'u')
        return utf8(unicode_escape(text, at), piece);
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    piece[0] = to[strchr(from, escape) - from];
    *at += 2;
    return 1;
}

size_t clprop_json_string(const char *text, size_t value, char *buffer, size_t size)
{
    size_t at = value + 1, length = 0, got;
    char piece[4];
    while ((got = next_piece(text, &at, piece)) > 0) {
        for (size_t i = 0; i < got; i++, length++)
            if (length + 1 < size)
                buffer[length] = piece[i];
    }
    if (size > 0)
        buffer[length < size ? length : size - 1] = '\0';
    return length;
}

int clprop_json_string_is(const char *text, size_t value, const char *expected)
{
    if (clprop_json_type_of(text, value) != CLPROP_JSON_STRING)
        return 0;
    size_t at = value + 1, matched = 0, got;
    char piece[4];
    while ((got = next_piece(text, &at, piece)) > 0) {
        if (strncmp(expected + matched, piece, got) != 0 || strlen(expected + matched) < got)
            return 0;
        matched += got;
    }
    return expected[matched] == '\0';
}
