/* The elementary functions BASIC needs, because the kernel has no libm. Each reduces its
 * argument to a small interval where a short series converges to full double precision,
 * splitting constants such as ln 2 and pi/2 into a high part with trailing zero bits and a
 * low correction (Cody and Waite), so the reduction itself loses nothing. Doubles are
 * taken apart through their IEEE-754 bits, never through 64-bit integer arithmetic
 * (which would need libgcc on i386). The host tests compare every function with libm. */
#include "basic/internal.h"

#define EXPONENT_BIAS 1023
#define EXPONENT_SHIFT 20          /* in the high word */
#define EXPONENT_MASK 0x7FFu
#define MANTISSA_HIGH_MASK 0x000FFFFFu
#define FRACTION_BITS 52

static const double LN2_HI = 6.93147180369123816490e-01; /* ln 2, upper 32 bits */
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;
static const double PIO2_1 = 1.57079632673412561417e+00;  /* pi/2 in three parts */
static const double PIO2_2 = 6.07710050630396597660e-11;
static const double PIO2_3 = 2.02226624871116645580e-21;
static const double PIO2_3T = 8.47842766036889956997e-32;
static const double TWO_OVER_PI = 6.36619772367581382433e-01;
static const double PI_OVER_2 = 1.57079632679489655800e+00;
static const double PI_OVER_6 = 5.23598775598298815658e-01;
static const double SQRT3 = 1.73205080756887719318e+00;
static const double TAN_PI_OVER_12 = 2.67949192431122706473e-01;
static const double SQRT2 = 1.41421356237309514547e+00;
static const double EXP_OVERFLOW = 709.782712893383973096;
static const double EXP_UNDERFLOW = -745.13321910194110842;

union bits {
    double d;
    struct {
        uint32_t low, high; /* x86 is little-endian */
    } w;
};

static int exponent_of(double x) {
    union bits u = { x };
    return (int)((u.w.high >> EXPONENT_SHIFT) & EXPONENT_MASK) - EXPONENT_BIAS;
}

/* 2^k for -1022 <= k <= 1023 */
static double power_of_two(int k) {
    union bits u;
    u.w.high = (uint32_t)(k + EXPONENT_BIAS) << EXPONENT_SHIFT;
    u.w.low = 0;
    return u.d;
}

int bas_binary_exponent(double x) { return exponent_of(x); }

bool bas_is_finite(double x) { return exponent_of(x) != (int)EXPONENT_MASK - EXPONENT_BIAS; }

double bas_fabs(double x) { return x < 0 ? -x : x; }

double bas_ldexp(double x, int e) {
    while (e > EXPONENT_BIAS) {
        x *= power_of_two(EXPONENT_BIAS);
        e -= EXPONENT_BIAS;
        if (!bas_is_finite(x)) return x;
    }
    while (e < 1 - EXPONENT_BIAS) {
        x *= power_of_two(1 - EXPONENT_BIAS);
        e += EXPONENT_BIAS - 1;
        if (x == 0) return x;
    }
    return x * power_of_two(e);
}

/* Truncation toward zero: clears the fraction bits below the binary point. */
static double truncate(double x) {
    int e = exponent_of(x);
    if (e >= FRACTION_BITS) return x; /* already whole, or inf/nan */
    if (e < 0) return x < 0 ? -0.0 : 0.0;
    union bits u = { x };
    if (e < EXPONENT_SHIFT) {
        u.w.high &= ~(MANTISSA_HIGH_MASK >> e);
        u.w.low = 0;
    } else {
        u.w.low &= ~(0xFFFFFFFFu >> (e - EXPONENT_SHIFT));
    }
    return u.d;
}

double bas_floor(double x) {
    double t = truncate(x);
    return (t != x && x < 0) ? t - 1.0 : t;
}

double bas_fmod(double x, double y) { return x - y * truncate(x / y); }

double bas_sqrt(double x) {
    if (!(x > 0) || !bas_is_finite(x)) return x == 0 || x > 0 ? x : 0.0 / 0.0;
    int e = exponent_of(x);
    if (e == -EXPONENT_BIAS) { /* subnormal: scale into the normal range first */
        return bas_sqrt(x * power_of_two(108)) * power_of_two(-54);
    }
    int half = e >= 0 ? e / 2 : -((-e + 1) / 2);
    double m = bas_ldexp(x, -2 * half); /* in [1, 4) */
    double y = 0.5 * (m + 1.0);
    for (int i = 0; i < 6; i++) y = 0.5 * (y + m / y);
    return bas_ldexp(y, half);
}

double bas_exp(double x) {
    if (x != x) return x;
    if (x > EXP_OVERFLOW) return 1.0 / 0.0;
    if (x < EXP_UNDERFLOW) return 0.0;
    double kd = bas_floor(x * INV_LN2 + 0.5);
    int k = (int)kd;
    double r = (x - kd * LN2_HI) - kd * LN2_LO; /* |r| <= ln2/2 */
    double sum = 1.0;
    for (int n = 20; n >= 1; n--) sum = 1.0 + sum * r / n; /* Horner form of the Taylor series */
    return bas_ldexp(sum, k);
}

double bas_log(double x) {
    if (x != x || x < 0) return 0.0 / 0.0;
    if (x == 0) return -1.0 / 0.0;
    if (!bas_is_finite(x)) return x;
    int e = exponent_of(x);
    if (e == -EXPONENT_BIAS) { /* subnormal */
        x *= power_of_two(54);
        e = exponent_of(x) - 54;
    } else {
        e = exponent_of(x);
    }
    union bits u = { x };
    u.w.high = (u.w.high & MANTISSA_HIGH_MASK) | ((uint32_t)EXPONENT_BIAS << EXPONENT_SHIFT);
    double f = u.d; /* in [1, 2) */
    if (f > SQRT2) {
        f *= 0.5;
        e++;
    }
    double s = (f - 1.0) / (f + 1.0), s2 = s * s; /* |s| <= 0.172 */
    double sum = 0;
    for (int n = 27; n >= 1; n -= 2) sum = 1.0 / n + s2 * sum;
    double log_f = 2.0 * s * sum;
    return e * LN2_HI + (e * LN2_LO + log_f);
}

static double sin_kernel(double r) {
    double r2 = r * r, sum = 1.0;
    for (int n = 21; n >= 3; n -= 2) sum = 1.0 - sum * r2 / (n * (n - 1));
    return r * sum;
}

static double cos_kernel(double r) {
    double r2 = r * r, sum = 1.0;
    for (int n = 22; n >= 2; n -= 2) sum = 1.0 - sum * r2 / (n * (n - 1));
    return sum;
}

/* r = x - k*pi/2 with |r| <= pi/4; returns the quadrant k mod 4. Exact for |x| up to about
 * 1E+6; beyond that the reduction loses accuracy (documented in docs/AGENTS.md). */
static int reduce(double x, double *r) {
    double kd = bas_floor(x * TWO_OVER_PI + 0.5);
    *r = (((x - kd * PIO2_1) - kd * PIO2_2) - kd * PIO2_3) - kd * PIO2_3T;
    double quadrant = kd - 4.0 * bas_floor(kd / 4.0);
    return (int)quadrant & 3;
}

double bas_sin(double x) {
    if (!bas_is_finite(x)) return 0.0 / 0.0;
    double r;
    switch (reduce(x, &r)) {
    case 0: return sin_kernel(r);
    case 1: return cos_kernel(r);
    case 2: return -sin_kernel(r);
    default: return -cos_kernel(r);
    }
}

double bas_cos(double x) {
    if (!bas_is_finite(x)) return 0.0 / 0.0;
    double r;
    switch (reduce(x, &r)) {
    case 0: return cos_kernel(r);
    case 1: return -sin_kernel(r);
    case 2: return -cos_kernel(r);
    default: return sin_kernel(r);
    }
}

double bas_tan(double x) { return bas_sin(x) / bas_cos(x); }

double bas_atan(double x) {
    if (x != x) return x;
    if (x < 0) return -bas_atan(-x);
    if (x > 1.0) return PI_OVER_2 - bas_atan(1.0 / x);
    double base = 0;
    if (x > TAN_PI_OVER_12) { /* atan x = pi/6 + atan((x*sqrt3 - 1) / (sqrt3 + x)) */
        x = (x * SQRT3 - 1.0) / (SQRT3 + x);
        base = PI_OVER_6;
    }
    double x2 = x * x, sum = 0; /* |x| <= 0.268 */
    for (int n = 35; n >= 1; n -= 2) sum = 1.0 / n - x2 * sum;
    return base + x * sum;
}

double bas_pow(double x, double y, int *error) {
    *error = BAS_OK;
    if (y == 0) return 1.0;
    if (y == bas_floor(y) && bas_fabs(y) <= 2147483647.0) {
        if (x == 0 && y < 0) {
            *error = BAS_ERR_DIVISION_BY_ZERO;
            return 0;
        }
        uint32_t n = (uint32_t)(int32_t)bas_fabs(y);
        double result = 1.0, base = x;
        while (n) {
            if (n & 1) result *= base;
            base *= base;
            n >>= 1;
        }
        return y < 0 ? 1.0 / result : result;
    }
    if (x < 0) {
        *error = BAS_ERR_ILLEGAL_FUNCTION;
        return 0;
    }
    if (x == 0) return 0.0;
    return bas_exp(y * bas_log(x));
}
