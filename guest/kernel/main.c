/* XP10 kernel entry: bring up the CPU tables, the interrupt controllers and the drivers,
 * size memory, then start the tasks (link, agents, shells) and become the idle loop. */
#include <stdint.h>

#include "agents/agents.h"
#include "arch/gdt.h"
#include "arch/idt.h"
#include "arch/io.h"
#include "drivers/keyboard.h"
#include "drivers/pic.h"
#include "drivers/pit.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "kernel/console.h"
#include "kernel/fpu.h"
#include "kernel/panic.h"
#include "kernel/task.h"
#include "kernel/version.h"
#include "mm/heap.h"
#include "mm/multiboot.h"
#include "kernel/bootargs.h"
#include "mm/pmm.h"
#include "shell/shell.h"

#define PIC_SLAVE_VECTOR (IDT_IRQ_BASE + 8)
#define KIB 1024u

void kmain(uint32_t magic, const struct multiboot_info *info);

static void report_memory(void) {
    const struct pmm_info *mem = pmm_info();
    klog("Memory: %u KiB usable in %u regions, %u pages free\n", (unsigned)(mem->total_bytes / KIB),
         mem->region_count, mem->free_pages);
}

void kmain(uint32_t magic, const struct multiboot_info *info) {
    gdt_init();
    idt_init();
    pic_init(IDT_IRQ_BASE, PIC_SLAVE_VECTOR);
    vga_init();
    serial_init();
    fpu_init();
    klog("%s kernel %s booting\n", XP10_NAME, XP10_VERSION);
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) panic("not loaded by a multiboot loader");
    bootargs_init(info); /* before pmm_init: the command line is in memory the loader owns */
    if (pmm_init(info) != 0) panic("no usable memory map from the loader");
    heap_init();
    report_memory();
    sched_init();
    pit_init();
    keyboard_init();
    agents_init();
    shell_start(&console_com2);
    shell_start(&console_vga);
    cpu_sti();
    sched_run_idle();
}
