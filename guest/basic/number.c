/* Numbers as text, both ways, without libc or libgcc (no 64-bit division in the kernel):
 * literals and VAL are read digit by digit into a double and scaled once by an exact power
 * of ten where possible; output keeps 15 significant digits (what a double holds for
 * sure, so 0.1 + 0.2 prints as .3) in the style of the Microsoft BASICs: no leading zero
 * (.5), exponent form 1E+20 / 1E-05 outside 1E-04..1E+15 as printf's %.15g would switch. */
#include "basic/internal.h"

#define SIGNIFICANT_DIGITS 15
#define EXACT_POWERS 22 /* 10^0..10^22 are exact doubles */
#define MANTISSA_DIGITS_MAX 18
#define EXPONENT_CAP 400

static const double powers_of_ten[EXACT_POWERS + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* x * 10^k, exact in one step when |k| <= 22 and x is an integer below 2^53. */
static double scale10(double x, int k) {
    while (k > EXACT_POWERS) x *= powers_of_ten[EXACT_POWERS], k -= EXACT_POWERS;
    while (k < -EXACT_POWERS) x /= powers_of_ten[EXACT_POWERS], k += EXACT_POWERS;
    return k >= 0 ? x * powers_of_ten[k] : x / powers_of_ten[-k];
}

#define EXACT_EXTENDED_POWERS 27 /* 10^27 = 2^27 * 5^27 fits a 64-bit mantissa */

static long double scale10_extended(long double x, int k) {
    long double power = 1.0L;
    int magnitude = k < 0 ? -k : k;
    while (magnitude > EXACT_EXTENDED_POWERS) {
        x = k < 0 ? x / 1e27L : x * 1e27L;
        magnitude -= EXACT_EXTENDED_POWERS;
    }
    for (int i = 0; i < magnitude; i++) power *= 10.0L; /* exact: every step is below 10^27 */
    return k < 0 ? x / power : x * power;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

size_t bas_number_parse(const char *text, double *out) {
    const char *p = text;
    double mantissa = 0;
    int digits = 0, exponent = 0;
    bool any = false;
    for (; is_digit(*p); p++, any = true) {
        if (digits < MANTISSA_DIGITS_MAX) {
            mantissa = mantissa * 10 + (*p - '0');
            if (mantissa > 0) digits++;
        } else {
            exponent++;
        }
    }
    if (*p == '.') {
        for (p++; is_digit(*p); p++, any = true) {
            if (digits < MANTISSA_DIGITS_MAX) {
                mantissa = mantissa * 10 + (*p - '0');
                if (mantissa > 0) digits++;
                exponent--;
            }
        }
    }
    if (!any) return 0;
    if ((*p == 'E' || *p == 'e') && (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
        p++;
        int sign = 1, value = 0;
        if (*p == '+' || *p == '-') sign = (*p++ == '-') ? -1 : 1;
        for (; is_digit(*p); p++)
            if (value < EXPONENT_CAP) value = value * 10 + (*p - '0');
        exponent += sign * value;
    }
    *out = mantissa == 0 ? 0.0 : scale10(mantissa, exponent);
    return (size_t)(p - text);
}

static size_t put_u32_digits(char *out, uint32_t value, int width) {
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return (size_t)width;
}

size_t bas_number_format(double value, char *out) { return bas_number_format_digits(value, SIGNIFICANT_DIGITS, out); }

size_t bas_number_format_digits(double value, int precision, char *out) {
    size_t n = 0;
    if (value != value) {
        out[0] = 'N', out[1] = 'A', out[2] = 'N', out[3] = '\0';
        return 3;
    }
    if (value < 0) {
        out[n++] = '-';
        value = -value;
    }
    if (value == 0) {
        out[n++] = '0';
        out[n] = '\0';
        return n;
    }
    if (!bas_is_finite(value)) {
        out[n++] = 'I', out[n++] = 'N', out[n++] = 'F';
        out[n] = '\0';
        return n;
    }
    if (precision < 1 || precision > SIGNIFICANT_DIGITS) precision = SIGNIFICANT_DIGITS;
    /* the decimal exponent e with 10^e <= value < 10^(e+1), from the binary one */
    long double x = value;
    int e = (int)((double)bas_binary_exponent(value) * 0.30102999566398119521);
    while (scale10_extended(1.0L, e + 1) <= x && e < 400) e++;
    while (scale10_extended(1.0L, e) > x && e > -400) e--;
    /* The digits, rounded once: scaling in the x87's 64-bit mantissa (long double, on the
     * kernel and on the x86 host alike) leaves 11 guard bits, so a double that sits just
     * below a rounding boundary is not pushed across it by the scaling itself. */
    long long m = (long long)(scale10_extended(x, precision - 1 - e) + 0.5L);
    if (m >= (long long)powers_of_ten[precision]) {
        m = (long long)powers_of_ten[precision - 1];
        e++;
    }
    for (int i = precision; i < SIGNIFICANT_DIGITS; i++) m *= 10;
    uint32_t high = (uint32_t)((long double)m / 1e8L);
    uint32_t low = (uint32_t)(m - (long long)high * 100000000LL);
    char digits[SIGNIFICANT_DIGITS + 1];
    put_u32_digits(digits, high, SIGNIFICANT_DIGITS - 8);
    put_u32_digits(digits + SIGNIFICANT_DIGITS - 8, low, 8);
    int count = SIGNIFICANT_DIGITS;
    while (count > 1 && digits[count - 1] == '0') count--;
    if (e < -4 || e >= SIGNIFICANT_DIGITS) {
        out[n++] = digits[0];
        if (count > 1) {
            out[n++] = '.';
            for (int i = 1; i < count; i++) out[n++] = digits[i];
        }
        out[n++] = 'E';
        out[n++] = e < 0 ? '-' : '+';
        int magnitude = e < 0 ? -e : e;
        if (magnitude >= 100) out[n++] = (char)('0' + magnitude / 100);
        out[n++] = (char)('0' + magnitude / 10 % 10);
        out[n++] = (char)('0' + magnitude % 10);
    } else if (e >= 0) {
        for (int i = 0; i <= e; i++) out[n++] = i < count ? digits[i] : '0';
        if (count > e + 1) {
            out[n++] = '.';
            for (int i = e + 1; i < count; i++) out[n++] = digits[i];
        }
    } else {
        out[n++] = '.';
        for (int i = 0; i < -e - 1; i++) out[n++] = '0';
        for (int i = 0; i < count; i++) out[n++] = digits[i];
    }
    out[n] = '\0';
    return n;
}

bool bas_to_int(double value, int32_t min, int32_t max, int32_t *out) {
    if (!(value >= (double)min && value <= (double)max)) return false;
    *out = (int32_t)value;
    return true;
}
