#include "lib/format.h"

#include <stdbool.h>

#include "lib/string.h"

#define DIGITS_MAX 24
#define FLOAT_DECIMALS_DEFAULT 6
#define FLOAT_DECIMALS_MAX 9
#define FLOAT_INTEGER_LIMIT 9.0e18

/* 64-by-32 division with the CPU's divl, so the kernel needs no __udivdi3 from libgcc. */
static uint32_t divmod_u64_u32(uint64_t *value, uint32_t divisor) {
    uint32_t high = (uint32_t)(*value >> 32), low = (uint32_t)*value;
    uint32_t quotient_high = high / divisor, remainder = high % divisor;
    uint32_t quotient_low;
#if defined(__i386__)
    __asm__("divl %4" : "=a"(quotient_low), "=d"(remainder) : "a"(low), "d"(remainder), "rm"(divisor));
#else
    uint64_t rest = ((uint64_t)remainder << 32) | low;
    quotient_low = (uint32_t)(rest / divisor);
    remainder = (uint32_t)(rest % divisor);
#endif
    *value = ((uint64_t)quotient_high << 32) | quotient_low;
    return remainder;
}

static size_t format_unsigned(char *out, uint64_t value, uint32_t base, bool upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char reversed[DIGITS_MAX];
    size_t n = 0;
    do reversed[n++] = digits[divmod_u64_u32(&value, base)];
    while (value != 0);
    for (size_t i = 0; i < n; i++) out[i] = reversed[n - 1 - i];
    return n;
}

size_t format_u64(char *out, uint64_t value) { return format_unsigned(out, value, 10, false); }

static void emit_padded(format_sink_t sink, void *ctx, const char *text, size_t length, unsigned width, bool zero,
                        bool left) {
    static const char zeros[] = "0000000000000000", spaces[] = "                ";
    size_t pad = width > length ? width - length : 0;
    if (!left) {
        if (zero && length > 0 && text[0] == '-') {
            sink(ctx, text, 1);
            text++, length--;
        }
        while (pad > 0) {
            size_t chunk = pad > 16 ? 16 : pad;
            sink(ctx, zero ? zeros : spaces, chunk);
            pad -= chunk;
        }
    }
    sink(ctx, text, length);
    while (left && pad > 0) {
        size_t chunk = pad > 16 ? 16 : pad;
        sink(ctx, spaces, chunk);
        pad -= chunk;
    }
}

static size_t format_double(char *out, double value, unsigned decimals) {
    size_t n = 0;
    if (value != value) {
        memcpy(out, "nan", 3);
        return 3;
    }
    if (value < 0) {
        out[n++] = '-';
        value = -value;
    }
    if (value >= FLOAT_INTEGER_LIMIT) {
        memcpy(out + n, "inf", 3);
        return n + 3;
    }
    uint64_t scale = 1;
    for (unsigned i = 0; i < decimals; i++) scale *= 10;
    /* Rounded fixed point; signed conversion compiles to fistp, unsigned would need libgcc. */
    double scaled = value * (double)(int64_t)scale + 0.5;
    uint64_t fixed = scaled >= FLOAT_INTEGER_LIMIT ? (uint64_t)(int64_t)value * scale : (uint64_t)(int64_t)scaled;
    uint64_t integer = fixed;
    uint32_t fraction_digits[FLOAT_DECIMALS_MAX];
    for (unsigned i = 0; i < decimals; i++) fraction_digits[decimals - 1 - i] = divmod_u64_u32(&integer, 10);
    n += format_unsigned(out + n, integer, 10, false);
    if (decimals > 0) {
        out[n++] = '.';
        for (unsigned i = 0; i < decimals; i++) out[n++] = (char)('0' + fraction_digits[i]);
    }
    return n;
}

static const char *parse_width(const char *p, unsigned *width) {
    *width = 0;
    while (*p >= '0' && *p <= '9') *width = *width * 10 + (unsigned)(*p++ - '0');
    return p;
}

void format_v(format_sink_t sink, void *ctx, const char *fmt, va_list args) {
    char buffer[48];
    while (*fmt) {
        const char *start = fmt;
        while (*fmt && *fmt != '%') fmt++;
        if (fmt > start) sink(ctx, start, (size_t)(fmt - start));
        if (!*fmt) break;
        fmt++;
        bool left = false, zero = false;
        if (*fmt == '-') left = true, fmt++;
        if (*fmt == '0') zero = true, fmt++;
        unsigned width, precision = FLOAT_DECIMALS_DEFAULT;
        fmt = parse_width(fmt, &width);
        if (*fmt == '.') {
            fmt = parse_width(fmt + 1, &precision);
            if (precision > FLOAT_DECIMALS_MAX) precision = FLOAT_DECIMALS_MAX;
        }
        int longs = 0;
        while (*fmt == 'l') longs++, fmt++;
        size_t length = 0;
        const char *text = buffer;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = longs >= 2 ? va_arg(args, int64_t) : va_arg(args, int);
            if (v < 0) buffer[length++] = '-';
            length += format_unsigned(buffer + length, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, false);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longs >= 2 ? va_arg(args, uint64_t) : va_arg(args, unsigned);
            length = format_unsigned(buffer, v, *fmt == 'u' ? 10 : 16, *fmt == 'X');
            break;
        }
        case 'p':
            buffer[0] = '0', buffer[1] = 'x';
            length = 2 + format_unsigned(buffer + 2, (uintptr_t)va_arg(args, void *), 16, false);
            break;
        case 'c': buffer[length++] = (char)va_arg(args, int); break;
        case 's':
            text = va_arg(args, const char *);
            if (!text) text = "(null)";
            length = strlen(text);
            break;
        case 'f': length = format_double(buffer, va_arg(args, double), precision); break;
        case '%': buffer[length++] = '%'; break;
        case '\0': return;
        default: buffer[length++] = '?'; break;
        }
        emit_padded(sink, ctx, text, length, width, zero, left);
        fmt++;
    }
}

struct buffer_sink {
    char *buffer;
    size_t size;
    size_t used;
};

static void buffer_sink_write(void *context, const char *text, size_t length) {
    struct buffer_sink *sink = context;
    for (size_t i = 0; i < length && sink->used + 1 < sink->size; i++) sink->buffer[sink->used++] = text[i];
}

size_t format_to_buffer(char *buffer, size_t size, const char *fmt, ...) {
    struct buffer_sink sink = { buffer, size, 0 };
    va_list args;
    va_start(args, fmt);
    format_v(buffer_sink_write, &sink, fmt, args);
    va_end(args);
    if (size > 0) buffer[sink.used] = '\0';
    return sink.used;
}
