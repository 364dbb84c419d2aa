import { programTextMode3 } from './vgaTextMode.js';

/** v86's I/O port bus as the firmware stand-in uses it. */
export interface IoPorts {
  port_write8(port: number, value: number): void;
  port_read8(port: number): number;
}

const PS2_DATA = 0x60;
const PS2_STATUS = 0x64;
const PS2_STATUS_OUTPUT_FULL = 0x01;
const KEYBOARD_ENABLE_SCANNING = 0xf4;
const VGA_INPUT_STATUS_1 = 0x3da;

/**
 * What a PC BIOS does at power-on that XP10 relies on, done through the emulated ports because the
 * page boots the kernel by multiboot with no BIOS: VGA mode 3 (see vgaTextMode.ts), and the PS/2
 * keyboard told to start scanning (v86 drops key codes until a guest or BIOS sends 0xF4). The
 * keyboard's ACK is read back so the guest does not find a stray byte in the controller.
 */
export function runFirmwareStandIn(io: IoPorts): void {
  programTextMode3((port, value) => io.port_write8(port, value), () => io.port_read8(VGA_INPUT_STATUS_1));
  io.port_write8(PS2_DATA, KEYBOARD_ENABLE_SCANNING);
  for (let i = 0; i < 16 && io.port_read8(PS2_STATUS) & PS2_STATUS_OUTPUT_FULL; i++) io.port_read8(PS2_DATA);
}

/** v86's I/O bus; not in its public typings, so checked at run time (absent → undefined). */
export function ioPortsOf(emulator: unknown): IoPorts | undefined {
  const io = (emulator as { v86?: { cpu?: { io?: Partial<IoPorts> } } } | null | undefined)?.v86?.cpu?.io;
  return io && typeof io.port_write8 === 'function' && typeof io.port_read8 === 'function' ? (io as IoPorts) : undefined;
}
