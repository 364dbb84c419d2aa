/* Host test program for XP10 BASIC: unit tests, the math library against libm, and the
 * fuzzer (100,000 programs by default; `xp10-basic-test N [SEED]` runs N from another seed). */
#include <stdlib.h>

#include "test/basic_host.h"
#include "test/check.h"

#define FUZZ_PROGRAMS 100000u
#define FUZZ_SEED 0xC0FFEEu

/* Built with -mfpmath=387, doubles are computed in the x87's extended precision, as in the kernel. */
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ == 2
#define DOUBLES " (x87 doubles)"
#else
#define DOUBLES ""
#endif

int check_failures;
int check_passes;

int main(int argc, char **argv) {
    unsigned programs = argc > 1 ? (unsigned)strtoul(argv[1], 0, 10) : FUZZ_PROGRAMS;
    run_basic_tests();
    run_basic_math_tests();
    uint32_t seed = argc > 2 ? (uint32_t)strtoul(argv[2], 0, 0) : FUZZ_SEED;
    run_basic_fuzz(programs, seed);
    printf("basic%s: %d checks passed, %d failed\n", DOUBLES, check_passes, check_failures);
    return check_failures ? 1 : 0;
}
