/* A small JSON reader for the host test program (tests/vectors/frames.json). */
#ifndef XP10_TEST_JSON_H
#define XP10_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    bool boolean;
    double number;
    char *string;          /* UTF-8, NUL-terminated */
    size_t string_length;
    size_t count;          /* array items or object members */
    struct json **items;
    char **keys;           /* object member names */
};

/* Returns NULL (and prints where) when `text` is not valid JSON. */
struct json *json_parse(const char *text);
const struct json *json_get(const struct json *object, const char *key);
const struct json *json_at(const struct json *array, size_t index);
double json_number(const struct json *object, const char *key);
const char *json_string(const struct json *object, const char *key);

#endif
