/* What every loader does with inputs that are not what they should be: files that are not regular
 * files, empty files, lines without end, damaged gzip, text that is not text, files of the wrong
 * kind, and a width that differs from the caller's. Each failure is one line naming the file and
 * the line or byte, with the status the header promises; nothing here may hang or crash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include "clprop.h"
#include "support.h"

/* ---- Helpers --------------------------------------------------------------------------------- */

static char *dir; /* this test's temporary directory */

static void make_dir(void) { dir = test_make_temp_dir(); }

static void remove_dir(void)
{
    test_remove_tree(dir);
    free(dir);
}

TestSuite(inputs, .init = make_dir, .fini = remove_dir);

static char *in_dir(const char *name)
{
    size_t length = strlen(dir) + strlen(name) + 2;
    char *path = malloc(length);
    snprintf(path, length, "%s/%s", dir, name);
    return path;
}

/* The message must be one line naming `path` and holding every part; the status must be `want`;
 * nothing may have been loaded. */
static void expect_data_refused(clprop_status status, clprop_data *data, clprop_status want,
                                const char *path, const char *const *parts)
{
    const char *message = clprop_data_message(data);
    cr_expect_eq(status, want, "status %s, want %s: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect_not_null(strstr(message, path), "the message \"%s\" does not name %s", message, path);
    for (; *parts != NULL; parts++)
        cr_expect_not_null(strstr(message, *parts), "the message \"%s\" lacks \"%s\"", message,
                           *parts);
    cr_expect_null(strchr(message, '\n'), "one line: %s", message);
    cr_expect_eq(clprop_data_samples(data), 0);
}

#define PARTS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_load_refused(clprop_data_source source, clprop_status want, const char *path,
                                const char *const *parts)
{
    clprop_data *data = NULL;
    clprop_status status = clprop_data_load(&source, &data);
    expect_data_refused(status, data, want, path, parts);
    clprop_data_destroy(data);
}

static clprop_data *load_or_fail(clprop_data_source source)
{
    clprop_data *data = NULL;
    clprop_status status = clprop_data_load(&source, &data);
    cr_assert_eq(status, CLPROP_SUCCESS, "%s", clprop_data_message(data));
    return data;
}

static void expect_model_refused(const char *path, clprop_status want, const char *part)
{
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    const char *message = clprop_model_message(model);
    cr_expect_eq(status, want, "status %s, want %s: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect(strncmp(message, path, strlen(path)) == 0, "\"%s\" should start with %s", message,
              path);
    cr_expect_not_null(strstr(message, part), "the message \"%s\" lacks \"%s\"", message, part);
    cr_expect_eq(clprop_model_layer_count(model), 0);
    clprop_model_destroy(model);
}

static void expect_detect_refused(const char *path, clprop_status want, const char *part)
{
    char message[4096] = "untouched";
    clprop_data_format format = CLPROP_DATA_AUTO;
    clprop_status status = clprop_data_detect_format(path, &format, message, sizeof message);
    cr_expect_eq(status, want, "status %s, want %s: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect_not_null(strstr(message, path), "the message \"%s\" does not name %s", message, path);
    cr_expect_not_null(strstr(message, part), "the message \"%s\" lacks \"%s\"", message, part);
}

/* A 2×2-pixel IDX pair of three images (images, labels), written as given. */
static const unsigned char IDX_IMAGES[] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2,
                                           1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const unsigned char IDX_LABELS[] = {0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 1};

static char *write_gzip(const char *name, const void *bytes, size_t size)
{
    char *path = in_dir(name);
    gzFile file = gzopen(path, "wb");
    cr_assert_not_null(file);
    cr_assert_eq(gzwrite(file, bytes, (unsigned)size), (int)size);
    cr_assert_eq(gzclose(file), Z_OK);
    return path;
}

static void append_bytes(const char *path, const void *bytes, size_t size)
{
    FILE *file = fopen(path, "ab");
    cr_assert_not_null(file);
    cr_assert_eq(fwrite(bytes, 1, size, file), size);
    fclose(file);
}

static const char XOR_FANN[] = "4 2 1\n0 0\n0\n0 1\n1\n1 0\n1\n1 1\n0\n";

/* Every way a data file is named to the library: each loader forced, and detection. */
static void expect_every_data_loader_refuses(const char *path, clprop_status want,
                                             const char *part)
{
    char *labels = test_write_bytes(dir, "labels.idx", IDX_LABELS, sizeof IDX_LABELS);
    char *images = test_write_bytes(dir, "images.idx", IDX_IMAGES, sizeof IDX_IMAGES);
    expect_load_refused((clprop_data_source){.path = path}, want, path, PARTS(part));
    expect_load_refused((clprop_data_source){.path = path, .format = CLPROP_DATA_FANN}, want, path,
                        PARTS(part));
    expect_load_refused((clprop_data_source){.path = path, .format = CLPROP_DATA_CSV,
                                             .csv_targets = 1},
                        want, path, PARTS(part));
    expect_load_refused((clprop_data_source){.path = path, .labels_path = labels,
                                             .format = CLPROP_DATA_IDX},
                        want, path, PARTS(part));
    expect_load_refused((clprop_data_source){.path = images, .labels_path = path,
                                             .format = CLPROP_DATA_IDX},
                        want, path, PARTS(part));
    expect_detect_refused(path, want, part);
    free(labels);
    free(images);
}

/* ---- 1. Files that are not regular files ----------------------------------------------------- */

Test(inputs, a_fifo_is_refused_at_once_by_every_loader_and_as_a_model)
{
    char *fifo = in_dir("pipe");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    /* No writer ever opens the FIFO: a loader that opened it for reading would block here, until
     * ctest's timeout. (No Criterion .timeout in this file: with --jobs=2 it leaks a record of
     * Criterion's now and then, which fails the sanitizer build.) */
    expect_every_data_loader_refuses(fifo, CLPROP_ERROR_IO, ": is a FIFO (named pipe), not a "
                                                            "regular file");
    expect_model_refused(fifo, CLPROP_ERROR_IO, "is a FIFO");
    free(fifo);
}

Test(inputs, a_directory_is_refused_by_every_loader_and_as_a_model)
{
    char *sub = in_dir("sub");
    cr_assert_eq(mkdir(sub, 0700), 0);
    expect_every_data_loader_refuses(sub, CLPROP_ERROR_IO, ": is a directory, not a regular file");
    expect_model_refused(sub, CLPROP_ERROR_IO, "is a directory");
    free(sub);
}

Test(inputs, dev_null_and_dev_zero_are_refused_as_character_devices)
{
    expect_every_data_loader_refuses("/dev/null", CLPROP_ERROR_IO, ": is a character device");
    expect_every_data_loader_refuses("/dev/zero", CLPROP_ERROR_IO, ": is a character device");
    expect_model_refused("/dev/zero", CLPROP_ERROR_IO, "is a character device");
}

Test(inputs, a_socket_is_refused)
{
    char *path = in_dir("socket");
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    cr_assert(strlen(path) < sizeof address.sun_path);
    strcpy(address.sun_path, path);
    cr_assert_eq(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
    expect_every_data_loader_refuses(path, CLPROP_ERROR_IO, ": is a socket");
    expect_model_refused(path, CLPROP_ERROR_IO, "is a socket");
    close(fd);
    free(path);
}

Test(inputs, an_empty_file_is_refused_as_empty_by_every_loader_and_as_a_model)
{
    char *path = test_write_file(dir, "empty", "");
    expect_every_data_loader_refuses(path, CLPROP_ERROR_FORMAT, ": is empty");
    expect_model_refused(path, CLPROP_ERROR_FORMAT, ": is empty");
    free(path);
}

/* /proc's files read as size 0 and have content: not "empty" */
Test(inputs, a_file_whose_size_reads_0_but_has_content_is_not_called_empty)
{
    const char *path = "/proc/self/status";
    struct stat info;
    cr_assert(stat(path, &info) == 0 && info.st_size == 0, "needs Linux's /proc");
    expect_every_data_loader_refuses(path, CLPROP_ERROR_IO, "size reads as 0 but it has content");
    expect_model_refused(path, CLPROP_ERROR_IO, "size reads as 0 but it has content");
}

Test(inputs, a_symbolic_link_to_a_regular_file_loads_like_the_file)
{
    char *data = test_write_file(dir, "xor.data", XOR_FANN);
    char *link = in_dir("link.data");
    cr_assert_eq(symlink(data, link), 0);
    clprop_data *loaded = load_or_fail((clprop_data_source){.path = link});
    cr_expect_eq(clprop_data_samples(loaded), 4);
    clprop_data_destroy(loaded);

    size_t sizes[] = {2, 1};
    clprop_net_desc desc = {.layer_count = 1, .sizes = sizes};
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS);
    char *saved = in_dir("m.clprop"), *model_link = in_dir("m-link.clprop");
    cr_assert_eq(clprop_model_save(model, saved), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    clprop_model_destroy(model);
    cr_assert_eq(symlink(saved, model_link), 0);
    cr_expect_eq(clprop_model_load(model_link, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    cr_expect_eq(clprop_model_layer_count(model), 1);
    clprop_model_destroy(model);
    free(data);
    free(link);
    free(saved);
    free(model_link);
}

/* ---- 2. Bounded memory: lines, gzip, the caller's width -------------------------------------- */

Test(inputs, a_line_over_64_mib_is_an_error_at_its_line)
{
    /* 65 MiB of digits, no line feed: one line that a reader without a limit would hold whole. */
    char *path = in_dir("long.csv");
    FILE *file = fopen(path, "wb");
    cr_assert_not_null(file);
    fputs("1,2\n", file);
    static char chunk[1 << 20];
    memset(chunk, '7', sizeof chunk);
    for (int i = 0; i < 65; i++)
        cr_assert_eq(fwrite(chunk, 1, sizeof chunk, file), sizeof chunk);
    fclose(file);
#if !defined(__SANITIZE_ADDRESS__)
    /* The line stops at 64 MiB; a reader that went on doubling would need 128 MiB more. */
    struct rlimit limit = {400ul << 20, 400ul << 20};
    cr_assert_eq(setrlimit(RLIMIT_AS, &limit), 0);
#endif
    expect_load_refused((clprop_data_source){.path = path, .csv_targets = 1}, CLPROP_ERROR_FORMAT,
                        path, PARTS(":2: the line is longer than 64 MiB"));
    expect_load_refused((clprop_data_source){.path = path, .format = CLPROP_DATA_FANN},
                        CLPROP_ERROR_FORMAT, path, PARTS(":1: expected the FANN header"));
    free(path);
}

Test(inputs, a_huge_file_of_zeros_stops_at_its_first_byte)
{
    char *path = test_write_file(dir, "zeros", "");
    cr_assert_eq(truncate(path, (off_t)1 << 32), 0); /* 4 GiB, sparse: made in an instant */
    expect_load_refused((clprop_data_source){.path = path}, CLPROP_ERROR_FORMAT, path,
                        PARTS(": byte 0: a NUL byte: this is a binary file"));
    expect_load_refused((clprop_data_source){.path = path, .csv_targets = 1}, CLPROP_ERROR_FORMAT,
                        path, PARTS(": byte 0: a NUL byte"));
    free(path);
}

Test(inputs, a_gzip_file_with_data_after_its_stream_is_refused_naming_the_byte)
{
    char *gz = write_gzip("xor.data.gz", XOR_FANN, strlen(XOR_FANN));
    struct stat info;
    cr_assert_eq(stat(gz, &info), 0);
    append_bytes(gz, "garbage", 7);
    char part[128];
    snprintf(part, sizeof part, ": byte %lld of the compressed file: data after the end of the "
             "gzip stream", (long long)info.st_size);
    expect_load_refused((clprop_data_source){.path = gz}, CLPROP_ERROR_FORMAT, gz, PARTS(part));

    char *images = write_gzip("images.gz", IDX_IMAGES, sizeof IDX_IMAGES);
    char *labels = write_gzip("labels.gz", IDX_LABELS, sizeof IDX_LABELS);
    append_bytes(labels, "\0\0\0\0", 4);
    expect_load_refused((clprop_data_source){.path = images, .labels_path = labels},
                        CLPROP_ERROR_FORMAT, labels, PARTS("data after the end of the gzip stream"));
    free(gz);
    free(images);
    free(labels);
}

Test(inputs, a_gzip_idx_file_holding_more_than_its_header_counts_is_refused)
{
    unsigned char longer[sizeof IDX_IMAGES + 4];
    memcpy(longer, IDX_IMAGES, sizeof IDX_IMAGES);
    memset(longer + sizeof IDX_IMAGES, 9, 4);
    char *images = write_gzip("images.gz", longer, sizeof longer);
    char *labels = write_gzip("labels.gz", IDX_LABELS, sizeof IDX_LABELS);
    expect_load_refused((clprop_data_source){.path = images, .labels_path = labels},
                        CLPROP_ERROR_FORMAT, images,
                        PARTS(": byte 28: more data after the last of the 3 images"));
    free(images);
    free(labels);
}

Test(inputs, a_truncated_gzip_text_file_is_refused_where_its_data_stop)
{
    char *gz = write_gzip("xor.data.gz", XOR_FANN, strlen(XOR_FANN));
    size_t size;
    char *bytes = test_read_file(gz, &size);
    char *cut = test_write_bytes(dir, "cut.data.gz", bytes, size - 6); /* into the trailer */
    expect_load_refused((clprop_data_source){.path = cut}, CLPROP_ERROR_FORMAT, cut,
                        PARTS("the gzip data ends early (the file is truncated)"));
    free(gz);
    free(bytes);
    free(cut);
}

Test(inputs, concatenated_gzip_members_read_as_one_file)
{
    size_t half = 14; /* "4 2 1\n0 0\n0\n0 " | "1\n1\n..." */
    char *gz = write_gzip("xor.data.gz", XOR_FANN, half);
    char *second = write_gzip("second.gz", XOR_FANN + half, strlen(XOR_FANN) - half);
    size_t size;
    char *bytes = test_read_file(second, &size);
    append_bytes(gz, bytes, size);
    clprop_data *data = load_or_fail((clprop_data_source){.path = gz});
    cr_expect_eq(clprop_data_samples(data), 4);
    cr_expect_eq(clprop_data_input_values(data)[3], 1.0f);
    clprop_data_destroy(data);
    free(gz);
    free(second);
    free(bytes);
}

Test(inputs, the_expected_inputs_are_checked_against_each_header_before_the_body)
{
    char *images = test_write_bytes(dir, "images.idx", IDX_IMAGES, sizeof IDX_IMAGES);
    char *labels = test_write_bytes(dir, "labels.idx", IDX_LABELS, sizeof IDX_LABELS);
    expect_load_refused((clprop_data_source){.path = images, .labels_path = labels, .inputs = 784},
                        CLPROP_ERROR_MISMATCH, images,
                        PARTS(": byte 8: images of 2×2 = 4 pixels, but 784 inputs are expected"));
    /* The body here is broken after the header: the mismatch must be found first. */
    char *fann = test_write_file(dir, "x.data", "4 3 1\nnot numbers at all\n");
    expect_load_refused((clprop_data_source){.path = fann, .inputs = 2}, CLPROP_ERROR_MISMATCH,
                        fann, PARTS(":1: the header says 3 inputs per sample, but 2 are expected"));
    char *csv = test_write_file(dir, "x.csv", "a,b,c,label\n1,2,3,x\n");
    expect_load_refused((clprop_data_source){.path = csv, .csv_label_column = -1, .inputs = 2},
                        CLPROP_ERROR_MISMATCH, csv,
                        PARTS(":1: rows have 3 input columns, but 2 inputs are expected"));
    clprop_data *data = load_or_fail((clprop_data_source){.path = images, .labels_path = labels,
                                                          .inputs = 4});
    cr_expect_eq(clprop_data_inputs(data), 4);
    clprop_data_destroy(data);
    free(images);
    free(labels);
    free(fann);
    free(csv);
}

/* ---- 4. Files that are no data set, named for what they are ---------------------------------- */

Test(inputs, a_clprop_model_given_as_data_is_named_as_one)
{
    size_t sizes[] = {2, 1};
    clprop_net_desc desc = {.layer_count = 1, .sizes = sizes};
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS);
    char *path = in_dir("m.clprop");
    cr_assert_eq(clprop_model_save(model, path), CLPROP_SUCCESS);
    const char *part = ": byte 0: is a clprop model file, not a data set";
    expect_load_refused((clprop_data_source){.path = path}, CLPROP_ERROR_FORMAT, path, PARTS(part));
    expect_load_refused((clprop_data_source){.path = path, .format = CLPROP_DATA_FANN},
                        CLPROP_ERROR_FORMAT, path, PARTS(part));
    expect_detect_refused(path, CLPROP_ERROR_FORMAT, part);

    char *json = in_dir("m.json");
    FILE *file = fopen(json, "w");
    cr_assert_eq(clprop_model_write_json(model, file), CLPROP_SUCCESS);
    fclose(file);
    expect_load_refused((clprop_data_source){.path = json, .csv_targets = 1}, CLPROP_ERROR_FORMAT,
                        json, PARTS(": byte 0: is a clprop JSON model export, not a data set"));
    clprop_model_destroy(model);
    free(path);
    free(json);
}

Test(inputs, a_binary_file_is_named_binary_at_its_first_nul_byte)
{
    static const unsigned char bytes[] = {'1', ' ', '2', 0, 7, 9};
    char *path = test_write_bytes(dir, "blob", bytes, sizeof bytes);
    expect_load_refused((clprop_data_source){.path = path}, CLPROP_ERROR_FORMAT, path,
                        PARTS(": byte 3: a NUL byte: this is a binary file, not a text data set"));
    expect_detect_refused(path, CLPROP_ERROR_FORMAT, ": byte 3: a NUL byte");
    free(path);
}

Test(inputs, a_control_byte_past_the_first_bytes_is_named_escaped_at_its_line)
{
    char text[2048];
    memset(text, '\n', 1000); /* past the bytes looked at first */
    strcpy(text + 1000, "2 1 1\n1 1\n\x1b[31m 0\n");
    char *path = test_write_file(dir, "escape.data", text);
    expect_load_refused((clprop_data_source){.path = path}, CLPROP_ERROR_FORMAT, path,
                        PARTS(":1003: byte 1010 is \"\\x1b\", which is not text"));
    clprop_data *data = NULL;
    clprop_data_source source = {.path = path};
    clprop_data_load(&source, &data);
    cr_expect_null(strchr(clprop_data_message(data), 0x1b), "a raw escape byte in: %s",
                   clprop_data_message(data));
    clprop_data_destroy(data);
    free(path);
}

Test(inputs, a_non_ascii_byte_in_a_bad_field_is_shown_escaped)
{
    char *path = test_write_file(dir, "latin1.csv", "1,2\n3,4\xe9\n");
    expect_load_refused((clprop_data_source){.path = path, .csv_targets = 1}, CLPROP_ERROR_FORMAT,
                        path, PARTS(":2: field 2 \"4\\xe9\" is not a number"));
    free(path);
}

Test(inputs, utf16_text_is_named_with_or_without_a_byte_order_mark)
{
    static const unsigned char with_bom[] = {0xFF, 0xFE, '1', 0, ' ', 0, '1', 0, '\n', 0};
    static const unsigned char without[] = {'1', 0, ' ', 0, '1', 0, ' ', 0, '1', 0, '\n', 0};
    char *bom = test_write_bytes(dir, "bom.data", with_bom, sizeof with_bom);
    char *bare = test_write_bytes(dir, "bare.csv", without, sizeof without);
    expect_load_refused((clprop_data_source){.path = bom}, CLPROP_ERROR_FORMAT, bom,
                        PARTS(": byte 0: is UTF-16 text (it starts with a UTF-16 byte-order "
                              "mark)"));
    expect_load_refused((clprop_data_source){.path = bare, .csv_targets = 1}, CLPROP_ERROR_FORMAT,
                        bare, PARTS(": byte 1: is UTF-16 text (NUL bytes between the characters)"));
    expect_detect_refused(bare, CLPROP_ERROR_FORMAT, "UTF-16");
    free(bom);
    free(bare);
}

Test(inputs, old_mac_line_endings_are_named_at_the_first_carriage_return)
{
    char *path = test_write_file(dir, "mac.data", "4 2 1\r0 0\r0\r0 1\r1\r1 0\r1\r1 1\r0\r");
    const char *part = ":1: byte 5: a carriage return without a line feed: old Mac (CR-only) line "
                       "endings";
    expect_load_refused((clprop_data_source){.path = path}, CLPROP_ERROR_FORMAT, path, PARTS(part));
    expect_load_refused((clprop_data_source){.path = path, .format = CLPROP_DATA_FANN},
                        CLPROP_ERROR_FORMAT, path, PARTS(part));
    expect_detect_refused(path, CLPROP_ERROR_FORMAT, part);
    /* CRLF, and a last line ending in CR alone, stay fine. */
    char *crlf = test_write_file(dir, "dos.data", "1 1 1\r\n5\r\n6\r");
    clprop_data *data = load_or_fail((clprop_data_source){.path = crlf});
    cr_expect_eq(clprop_data_target_values(data)[0], 6.0f);
    clprop_data_destroy(data);
    free(path);
    free(crlf);
}

Test(inputs, a_fann_header_with_an_extra_word_is_named_not_read_as_csv)
{
    char *path = test_write_file(dir, "extra.data", "\n4 2 1 xor\n0 0\n0\n");
    const char *part = ":2: a FANN header is three whole numbers \"samples inputs outputs\", but "
                       "this one goes on with \"xor\"";
    expect_load_refused((clprop_data_source){.path = path}, CLPROP_ERROR_FORMAT, path, PARTS(part));
    expect_detect_refused(path, CLPROP_ERROR_FORMAT, part);
    free(path);
}

/* ---- 5. Detection without loading ------------------------------------------------------------ */

Test(inputs, detect_format_tells_fann_csv_and_idx_plain_or_compressed)
{
    char *fann = test_write_file(dir, "x.data", XOR_FANN);
    char *csv = test_write_file(dir, "x.csv", "a,b,t\n0,1,1\n");
    char *idx = test_write_bytes(dir, "images.idx", IDX_IMAGES, sizeof IDX_IMAGES);
    char *idx_gz = write_gzip("images.idx.gz", IDX_IMAGES, sizeof IDX_IMAGES);
    char *csv_gz = write_gzip("x.csv.gz", "1,2\n", 4);
    const char *paths[] = {fann, csv, idx, idx_gz, csv_gz};
    const clprop_data_format want[] = {CLPROP_DATA_FANN, CLPROP_DATA_CSV, CLPROP_DATA_IDX,
                                       CLPROP_DATA_IDX, CLPROP_DATA_CSV};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        char message[256] = "";
        clprop_data_format format = CLPROP_DATA_AUTO;
        cr_expect_eq(clprop_data_detect_format(paths[i], &format, message, sizeof message),
                     CLPROP_SUCCESS, "%s: %s", paths[i], message);
        cr_expect_eq(format, want[i], "%s: format %d, want %d", paths[i], (int)format,
                     (int)want[i]);
        free((void *)paths[i]);
    }
}

Test(inputs, detect_format_checks_its_arguments_and_accepts_no_message_buffer)
{
    clprop_data_format format;
    char message[256];
    cr_expect_eq(clprop_data_detect_format(NULL, &format, message, sizeof message),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(message, "path is NULL"), "%s", message);
    cr_expect_eq(clprop_data_detect_format("/dev/null", NULL, message, sizeof message),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_data_detect_format("/dev/null", &format, NULL, 0), CLPROP_ERROR_IO);
    char *missing = in_dir("missing.csv");
    expect_detect_refused(missing, CLPROP_ERROR_IO, "cannot open: No such file or directory");
    char *blank = test_write_file(dir, "blank.csv", "\n \n");
    expect_detect_refused(blank, CLPROP_ERROR_FORMAT, "no data (the file is empty or blank)");
    free(missing);
    free(blank);
}
