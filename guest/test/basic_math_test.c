/* The kernel's math functions (basic/math.c) against the C library's libm, over random
 * arguments across each function's useful range: relative error within a few units in
 * the last place, which is what BASIC's 15 printed digits need. */
#include <math.h>

#include "basic/internal.h"
#include "test/basic_host.h"
#include "test/check.h"

#define SAMPLES 20000
#define TOLERANCE 4e-15

static uint64_t state = 0x9E3779B97F4A7C15ull;

static double uniform(double low, double high) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return low + (high - low) * ((double)(state >> 11) / 9007199254740992.0);
}

static double relative_error(double got, double want) {
    if (got == want) return 0;
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1e-300;
    return fabs(got - want) / scale;
}

typedef double (*unary)(double);

/* `absolute` set: errors are measured against max(|want|, 1) instead of |want|. */
static void compare(const char *name, unary ours, unary theirs, double low, double high, double tolerance,
                    double absolute) {
    double worst = 0, worst_at = 0;
    for (int i = 0; i < SAMPLES; i++) {
        double x = uniform(low, high);
        double got = ours(x), want = theirs(x);
        /* near a zero of the function, relative error means nothing: measure against 1 */
        double error = absolute > 0 ? fabs(got - want) / (fabs(want) > 1 ? fabs(want) : 1) : relative_error(got, want);
        if (error > worst) worst = error, worst_at = x;
    }
    CHECK(worst <= tolerance, "%s: relative error %.3g at %.17g", name, worst, worst_at);
}

static double our_floor(double x) { return bas_floor(x); }

int run_basic_math_tests(void) {
    int before = check_failures;
    compare("sqrt", bas_sqrt, sqrt, 0, 1e6, TOLERANCE, 0);
    compare("sqrt small", bas_sqrt, sqrt, 0, 1e-300, TOLERANCE, 0);
    compare("sqrt large", bas_sqrt, sqrt, 1e300, 1.7e308, TOLERANCE, 0);
    compare("exp", bas_exp, exp, -700, 700, 1e-13, 0);
    compare("exp near 0", bas_exp, exp, -1, 1, TOLERANCE, 0);
    compare("log", bas_log, log, 1e-300, 1e300, TOLERANCE, 0);
    compare("log near 1", bas_log, log, 0.5, 2, TOLERANCE, 1e-15);
    compare("sin", bas_sin, sin, -100, 100, TOLERANCE, 1e-15);
    compare("cos", bas_cos, cos, -100, 100, TOLERANCE, 1e-15);
    compare("sin wide", bas_sin, sin, -1e5, 1e5, 1e-12, 1e-12);
    compare("tan", bas_tan, tan, -1.5, 1.5, 1e-14, 1e-15);
    compare("atan", bas_atan, atan, -10, 10, TOLERANCE, 0);
    compare("atan wide", bas_atan, atan, -1e10, 1e10, TOLERANCE, 0);
    compare("floor", our_floor, floor, -1e16, 1e16, 0, 0);
    compare("floor small", our_floor, floor, -3, 3, 0, 0);
    /* exact corners */
    CHECK(bas_sqrt(0) == 0 && bas_sqrt(4) == 2 && bas_sqrt(1e-310) > 0, "sqrt corners");
    CHECK(bas_exp(0) == 1 && bas_exp(-800) == 0 && !bas_is_finite(bas_exp(710)), "exp corners");
    CHECK(bas_log(1) == 0, "log(1)");
    CHECK(bas_floor(-0.5) == -1 && bas_floor(0.5) == 0 && bas_floor(-3) == -3 && bas_floor(4503599627370497.0) ==
                                                                                   4503599627370497.0,
          "floor corners");
    int error;
    CHECK(bas_pow(2, 10, &error) == 1024 && error == 0, "2^10");
    CHECK(bas_pow(-2, 3, &error) == -8 && error == 0, "(-2)^3");
    CHECK(bas_pow(2, -2, &error) == 0.25, "2^-2");
    CHECK(relative_error(bas_pow(2, 0.5, &error), sqrt(2)) < 1e-15, "2^.5");
    bas_pow(-2, 0.5, &error);
    CHECK(error == BAS_ERR_ILLEGAL_FUNCTION, "(-2)^.5 is illegal");
    bas_pow(0, -1, &error);
    CHECK(error == BAS_ERR_DIVISION_BY_ZERO, "0^-1 divides by zero");
    for (int i = 0; i < SAMPLES; i++) {
        double x = uniform(0.01, 100), y = uniform(-50, 50);
        double got = bas_pow(x, y, &error), want = pow(x, y);
        CHECK(relative_error(got, want) < 1e-13, "pow(%.17g, %.17g) = %.17g, libm %.17g", x, y, got, want);
        if (check_failures - before > 5) break;
    }
    return check_failures - before;
}
