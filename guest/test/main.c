/* Host test program: the kernel's protocol sources, built natively, against the shared
 * golden vectors (written by the TypeScript side) plus session behaviour tests, and the
 * shell's line editor. */
#include <stdlib.h>
#include <string.h>

#include "test/check.h"

int check_failures;
int check_passes;

long hex_decode(const char *hex, uint8_t *out, size_t capacity) {
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > capacity) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned value;
        if (sscanf(hex + 2 * i, "%2x", &value) != 1) return -1;
        out[i] = (uint8_t)value;
    }
    return (long)(n / 2);
}

bool bytes_equal_hex(const uint8_t *bytes, size_t length, const char *hex) {
    if (!hex || strlen(hex) != 2 * length) return false;
    for (size_t i = 0; i < length; i++) {
        char pair[3];
        snprintf(pair, sizeof(pair), "%02x", bytes[i]);
        if (strncmp(pair, hex + 2 * i, 2) != 0) return false;
    }
    return true;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "../tests/vectors/frames.json";
    if (run_vector_tests(path) != 0) return 2;
    run_session_tests();
    run_fuzz_tests();
    run_lineedit_tests();
    run_xmodem_tests();
    printf("%d checks passed, %d failed\n", check_passes, check_failures);
    return check_failures ? 1 : 0;
}
