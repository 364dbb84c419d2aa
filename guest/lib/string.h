/* The few libc string routines the kernel and the protocol code use. The host test build
 * uses the real libc instead, so these names must keep their standard meanings. */
#ifndef XP10_LIB_STRING_H
#define XP10_LIB_STRING_H

#include <stddef.h>

#ifdef XP10_HOSTED
#include <string.h>
#else
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
#endif

#endif
