/* Multiboot v1 entry point. v86 (and GRUB) jump here in 32-bit protected mode with
 * EAX = multiboot magic, EBX = multiboot info, interrupts off, no GDT we can rely on. */

#define MULTIBOOT_MAGIC       0x1BADB002
#define MULTIBOOT_PAGE_ALIGN  (1 << 0)
#define MULTIBOOT_MEMORY_INFO (1 << 1)
#define MULTIBOOT_FLAGS       (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)
#define BOOT_STACK_SIZE       16384

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    .section .bss
    .align 16
boot_stack_bottom:
    .skip BOOT_STACK_SIZE
    .global boot_stack_top
boot_stack_top:

    .section .text
    .global _start
    .type _start, @function
_start:
    cli
    cld
    /* The loader need not zero .bss: do it before any C code relies on it. EAX/EBX survive. */
    movl $kernel_bss_start, %edi
    movl $kernel_bss_end, %ecx
    subl %edi, %ecx
    movl %eax, %edx
    xorl %eax, %eax
    rep stosb
    movl %edx, %eax
    movl $boot_stack_top, %esp
    xorl %ebp, %ebp
    pushl %ebx          /* multiboot info */
    pushl %eax          /* multiboot magic */
    call kmain
1:  cli
    hlt
    jmp 1b
