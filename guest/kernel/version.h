#ifndef XP10_KERNEL_VERSION_H
#define XP10_KERNEL_VERSION_H

#define XP10_NAME "XP10"
#define XP10_VERSION "1.0"
#define XP10_PRODUCT "Konomi Corduroy-OS"

#endif
