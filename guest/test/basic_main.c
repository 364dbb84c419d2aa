/* Host test program for XP10 BASIC: unit tests, the math library against libm, and the
 * fuzzer (100,000 programs by default; `xp10-basic-test N` runs N). */
#include <stdlib.h>

#include "test/basic_host.h"
#include "test/check.h"

#define FUZZ_PROGRAMS 100000u

int check_failures;
int check_passes;

int main(int argc, char **argv) {
    unsigned programs = argc > 1 ? (unsigned)strtoul(argv[1], 0, 10) : FUZZ_PROGRAMS;
    run_basic_tests();
    run_basic_math_tests();
    run_basic_fuzz(programs);
    printf("basic: %d checks passed, %d failed\n", check_passes, check_failures);
    return check_failures ? 1 : 0;
}
