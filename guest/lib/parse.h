/* Number parsing for shell arguments. Each returns false on anything but a clean number. */
#ifndef XP10_LIB_PARSE_H
#define XP10_LIB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

bool parse_u32(const char *text, uint32_t max, uint32_t *out);
/* Decimal with optional sign, fraction and exponent; stops at `*end` when end is non-NULL. */
bool parse_double(const char *text, double *out, const char **end);

#endif
