#include "test/json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *p;
    const char *start;
    bool failed;
};

static struct json *parse_value(struct parser *ps);

static void skip_space(struct parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t') ps->p++;
}

static struct json *fail(struct parser *ps, const char *what) {
    if (!ps->failed) fprintf(stderr, "json: %s at offset %ld\n", what, (long)(ps->p - ps->start));
    ps->failed = true;
    return NULL;
}

static struct json *node(enum json_type type) {
    struct json *j = calloc(1, sizeof(*j));
    if (!j) abort();
    j->type = type;
    return j;
}

static void push_item(struct json *j, struct json *item, char *key) {
    j->items = realloc(j->items, (j->count + 1) * sizeof(*j->items));
    j->keys = realloc(j->keys, (j->count + 1) * sizeof(*j->keys));
    if (!j->items || !j->keys) abort();
    j->items[j->count] = item;
    j->keys[j->count] = key;
    j->count++;
}

static size_t put_utf8(char *out, uint32_t cp) {
    if (cp < 0x80) return out[0] = (char)cp, 1;
    if (cp < 0x800) return out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12), out[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18), out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool hex4(struct parser *ps, uint32_t *out) {
    char buf[5] = { 0 };
    for (int i = 0; i < 4; i++) {
        if (!ps->p[i]) return false;
        buf[i] = ps->p[i];
    }
    char *end;
    *out = (uint32_t)strtoul(buf, &end, 16);
    ps->p += 4;
    return end == buf + 4;
}

static char *parse_string_raw(struct parser *ps, size_t *length) {
    if (*ps->p != '"') return fail(ps, "expected string"), NULL;
    ps->p++;
    size_t cap = 16, n = 0;
    char *out = malloc(cap);
    for (;;) {
        if (n + 8 > cap) out = realloc(out, cap *= 2);
        char c = *ps->p++;
        if (c == '\0') return free(out), fail(ps, "unterminated string"), NULL;
        if (c == '"') break;
        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        char e = *ps->p++;
        uint32_t cp;
        switch (e) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'u':
            if (!hex4(ps, &cp)) return free(out), fail(ps, "bad \\u escape"), NULL;
            if (cp >= 0xD800 && cp < 0xDC00 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                uint32_t low;
                ps->p += 2;
                if (!hex4(ps, &low)) return free(out), fail(ps, "bad surrogate"), NULL;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            n += put_utf8(out + n, cp);
            break;
        default: out[n++] = e; break;
        }
    }
    out[n] = '\0';
    *length = n;
    return out;
}

static struct json *parse_container(struct parser *ps, bool object) {
    struct json *j = node(object ? JSON_OBJECT : JSON_ARRAY);
    ps->p++;
    skip_space(ps);
    if (*ps->p == (object ? '}' : ']')) {
        ps->p++;
        return j;
    }
    for (;;) {
        char *key = NULL;
        skip_space(ps);
        if (object) {
            size_t length;
            key = parse_string_raw(ps, &length);
            if (!key) return NULL;
            skip_space(ps);
            if (*ps->p++ != ':') return fail(ps, "expected ':'");
        }
        struct json *item = parse_value(ps);
        if (!item) return NULL;
        push_item(j, item, key);
        skip_space(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == (object ? '}' : ']')) {
            ps->p++;
            return j;
        }
        return fail(ps, "expected ',' or end of container");
    }
}

static struct json *parse_value(struct parser *ps) {
    skip_space(ps);
    char c = *ps->p;
    if (c == '{' || c == '[') return parse_container(ps, c == '{');
    if (c == '"') {
        struct json *j = node(JSON_STRING);
        j->string = parse_string_raw(ps, &j->string_length);
        return j->string ? j : NULL;
    }
    if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
        struct json *j = node(JSON_BOOL);
        j->boolean = c == 't';
        ps->p += j->boolean ? 4 : 5;
        return j;
    }
    if (strncmp(ps->p, "null", 4) == 0) {
        ps->p += 4;
        return node(JSON_NULL);
    }
    char *end;
    double value = strtod(ps->p, &end);
    if (end == ps->p) return fail(ps, "unexpected character");
    ps->p = end;
    struct json *j = node(JSON_NUMBER);
    j->number = value;
    return j;
}

struct json *json_parse(const char *text) {
    struct parser ps = { text, text, false };
    struct json *j = parse_value(&ps);
    return ps.failed ? NULL : j;
}

const struct json *json_get(const struct json *object, const char *key) {
    if (!object || object->type != JSON_OBJECT) return NULL;
    for (size_t i = 0; i < object->count; i++)
        if (strcmp(object->keys[i], key) == 0) return object->items[i];
    return NULL;
}

const struct json *json_at(const struct json *array, size_t index) {
    if (!array || array->type != JSON_ARRAY || index >= array->count) return NULL;
    return array->items[index];
}

double json_number(const struct json *object, const char *key) {
    const struct json *j = json_get(object, key);
    return j && j->type == JSON_NUMBER ? j->number : (j && j->type == JSON_BOOL ? j->boolean : -1);
}

const char *json_string(const struct json *object, const char *key) {
    const struct json *j = json_get(object, key);
    return j && j->type == JSON_STRING ? j->string : NULL;
}
