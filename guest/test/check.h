/* Minimal assertions for the host test program: count, report, keep going. */
#ifndef XP10_TEST_CHECK_H
#define XP10_TEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int check_failures;
extern int check_passes;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            check_passes++;                                                                                            \
        } else {                                                                                                       \
            check_failures++;                                                                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                      \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

/* Decodes lowercase/uppercase hex; returns the byte count or -1. `out` must hold len/2. */
long hex_decode(const char *hex, uint8_t *out, size_t capacity);
bool bytes_equal_hex(const uint8_t *bytes, size_t length, const char *hex);

int run_vector_tests(const char *path);
int run_session_tests(void);
int run_xmodem_tests(void);
int run_fuzz_tests(void);
int run_lineedit_tests(void);

#endif
