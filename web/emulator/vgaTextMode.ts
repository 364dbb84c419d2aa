/**
 * Standard VGA mode 3 (80×25 colour text at 0xB8000), programmed through the emulated I/O ports.
 *
 * XP10 boots by multiboot with no BIOS, so no video BIOS ever sets a text mode: v86's VGA starts with
 * its memory window at 0xA0000, no CRTC geometry and an all-black DAC, and whatever the kernel writes
 * to 0xB8000 stays invisible. Loading these tables before the first instruction is what the video BIOS
 * of a real PC does at power-on; a kernel that programs the VGA itself simply overwrites them.
 */

/** What this needs from v86: a port write. */
export type PortWriter = (port: number, value: number) => void;

const MISC_OUTPUT = 0x67;
const SEQUENCER = [0x03, 0x00, 0x03, 0x00, 0x02];
const CRTC = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x50,
  0x9c, 0x0e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
const GRAPHICS = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff];
const ATTRIBUTE = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
  0x0c, 0x00, 0x0f, 0x08, 0x00,
];

const enum Port {
  ATTRIBUTE = 0x3c0,
  MISC_WRITE = 0x3c2,
  SEQ_INDEX = 0x3c4,
  SEQ_DATA = 0x3c5,
  DAC_WRITE_INDEX = 0x3c8,
  DAC_DATA = 0x3c9,
  GC_INDEX = 0x3ce,
  GC_DATA = 0x3cf,
  CRTC_INDEX = 0x3d4,
  CRTC_DATA = 0x3d5,
  INPUT_STATUS_1 = 0x3da,
}

/** The EGA 64-colour palette as 6-bit DAC values: bit r/g/b = 2/3 intensity, R/G/B = 1/3. */
export function egaDacEntry(index: number): [number, number, number] {
  const channel = (high: number, low: number): number =>
    ((index >> high) & 1) * 0x2a + ((index >> low) & 1) * 0x15;
  return [channel(2, 5), channel(1, 4), channel(0, 3)];
}

export function programTextMode3(write: PortWriter, readStatus?: () => void): void {
  write(Port.MISC_WRITE, MISC_OUTPUT);
  SEQUENCER.forEach((value, index) => { write(Port.SEQ_INDEX, index); write(Port.SEQ_DATA, value); });
  // Unlock CRTC registers 0–7 (bit 7 of the vertical retrace end register) before loading them.
  write(Port.CRTC_INDEX, 0x11);
  write(Port.CRTC_DATA, 0x0e);
  CRTC.forEach((value, index) => { write(Port.CRTC_INDEX, index); write(Port.CRTC_DATA, value); });
  GRAPHICS.forEach((value, index) => { write(Port.GC_INDEX, index); write(Port.GC_DATA, value); });
  // Reading input status 1 resets the attribute controller's index/data flip-flop.
  readStatus?.();
  ATTRIBUTE.forEach((value, index) => { write(Port.ATTRIBUTE, index); write(Port.ATTRIBUTE, value); });
  write(Port.ATTRIBUTE, 0x20); // palette address source: the screen shows the palette again
  write(Port.DAC_WRITE_INDEX, 0);
  for (let i = 0; i < 64; i++) for (const component of egaDacEntry(i)) write(Port.DAC_DATA, component);
}

export { Port as VgaPort };
