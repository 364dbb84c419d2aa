#include "lib/parse.h"

#define DECIMAL_BASE 10u
#define EXPONENT_LIMIT 308

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool parse_u32(const char *text, uint32_t max, uint32_t *out) {
    uint32_t value = 0;
    if (!text || !*text) return false;
    for (const char *p = text; *p; p++) {
        if (!is_digit(*p)) return false;
        uint32_t digit = (uint32_t)(*p - '0');
        /* digit > max first: (max - digit) would wrap around for a single digit above max. */
        if (digit > max || value > (max - digit) / DECIMAL_BASE) return false;
        value = value * DECIMAL_BASE + digit;
    }
    *out = value;
    return true;
}

bool parse_double(const char *text, double *out, const char **end) {
    const char *p = text;
    double sign = 1.0, value = 0.0;
    if (*p == '-' || *p == '+') sign = (*p++ == '-') ? -1.0 : 1.0;
    bool digits = false;
    while (is_digit(*p)) value = value * DECIMAL_BASE + (*p++ - '0'), digits = true;
    if (*p == '.') {
        double scale = 0.1;
        for (p++; is_digit(*p); p++, scale /= DECIMAL_BASE) value += (*p - '0') * scale, digits = true;
    }
    if (!digits) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        int exponent_sign = 1, exponent = 0;
        if (*p == '-' || *p == '+') exponent_sign = (*p++ == '-') ? -1 : 1;
        if (!is_digit(*p)) return false;
        while (is_digit(*p) && exponent <= EXPONENT_LIMIT) exponent = exponent * (int)DECIMAL_BASE + (*p++ - '0');
        for (int i = 0; i < exponent; i++) value = exponent_sign > 0 ? value * DECIMAL_BASE : value / DECIMAL_BASE;
    }
    if (end) *end = p;
    else if (*p) return false;
    *out = sign * value;
    return true;
}
