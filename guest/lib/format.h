/* printf-style formatting into any sink. Supports %d %i %u %x %X %c %s %p %%, %llu/%llx,
 * field width with optional 0 padding and '-', and %.Nf for doubles (no libgcc needed). */
#ifndef XP10_LIB_FORMAT_H
#define XP10_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*format_sink_t)(void *context, const char *text, size_t length);

void format_v(format_sink_t sink, void *context, const char *fmt, va_list args);
/* Always NUL-terminates (when size > 0); returns the length written, truncated to size-1. */
size_t format_to_buffer(char *buffer, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes the decimal digits of `value` into `out` (at least 21 bytes); returns the length. */
size_t format_u64(char *out, uint64_t value);

#endif
