/**
 * Works around a v86 0.5.x restore bug: its PCI `set_state` reads `pci_bars[i].original_bar` for every
 * BAR whose saved value has the I/O bit set, but the IDE controller's legacy BARs 0 and 1 are holes in
 * `pci_bars` while its config space says `1` there. So `restore_state` throws "Cannot read properties
 * of undefined (reading 'original_bar')" on any machine, in the browser and in Node. For the duration
 * of the restore the holes get an inert zero-sized BAR (set_io_bars then moves no ports); afterwards
 * they are holes again, so nothing else sees a difference.
 */

interface PciBar { size: number; original_bar: number; entries: unknown[] }
interface PciDevice { pci_bars: (PciBar | undefined)[] }
interface PciBus { devices: (PciDevice | undefined)[] }

/** v86's PCI bus, if the internals look as expected; otherwise undefined (no fix applied). */
export function pciBusOf(emulator: unknown): PciBus | undefined {
  const pci = (emulator as { v86?: { cpu?: { devices?: { pci?: Partial<PciBus> } } } } | null | undefined)?.v86?.cpu?.devices?.pci;
  return pci && Array.isArray(pci.devices) ? (pci as PciBus) : undefined;
}

export async function withPciBarHolesFilled<T>(bus: PciBus | undefined, restore: () => Promise<T>): Promise<T> {
  const filled: [PciDevice, number][] = [];
  for (const device of bus?.devices ?? []) {
    if (!device || !Array.isArray(device.pci_bars)) continue;
    for (let i = 0; i < device.pci_bars.length; i++) {
      if (device.pci_bars[i] === undefined) {
        device.pci_bars[i] = { size: 0, original_bar: 0, entries: [] };
        filled.push([device, i]);
      }
    }
  }
  try {
    return await restore();
  } finally {
    for (const [device, i] of filled) device.pci_bars[i] = undefined;
  }
}
