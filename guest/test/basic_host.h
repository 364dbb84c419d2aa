/* A host for XP10 BASIC in the host test build: output captured in memory, INPUT lines
 * from a script, a manual clock, and a small in-memory Konomi core that answers
 * BLOCK_SET/BLOCK_GET/LLM_QUERY/CUBE_MSG/TENSOR_OP through the real payload codecs. */
#ifndef XP10_TEST_BASIC_HOST_H
#define XP10_TEST_BASIC_HOST_H

#include "basic/basic.h"

#define TEST_OUTPUT_MAX (256u * 1024u)
#define TEST_CELLS_MAX 256u

struct test_cell {
    uint16_t x, y, z;
    double value;
};

struct test_host {
    struct basic_host host;
    char output[TEST_OUTPUT_MAX];
    size_t output_length;
    const char *const *inputs; /* NULL-terminated; then hang-up; "^C" is Ctrl-C */
    unsigned input_next;
    uint32_t now_ms;
    uint32_t steps;
    uint32_t break_after_steps; /* 0 = never */
    uint32_t core_calls;
    int core_fail_code;         /* answer every call with this error when set */
    struct test_cell cells[TEST_CELLS_MAX];
    unsigned cell_count;
};

void test_host_init(struct test_host *t);
/* Empties the in-memory program store all hosts share (SAVE, LOAD, FILES, KILL). */
void test_programs_reset(void);
/* Enters each line of `program` (lines separated by '\n') at the Ok prompt; returns the
 * captured output (valid until the next call). */
const char *test_basic_run(struct test_host *t, struct basic *b, const char *program);

int run_basic_tests(void);
int run_basic_math_tests(void);
/* `programs` programs from seeds first_seed, first_seed + 2654435761, ... */
int run_basic_fuzz(unsigned programs, uint32_t first_seed);

#endif
