/** The classic external-modem front panel, left to right. */
export const LIGHTS = ['HS', 'AA', 'CD', 'OH', 'RD', 'SD', 'TR', 'MR'] as const;
export type LightName = (typeof LIGHTS)[number];

const TITLES: Record<LightName, string> = {
  HS: 'High Speed: connected at 14.4k or faster',
  AA: 'Auto Answer: S0 > 0',
  CD: 'Carrier Detect',
  OH: 'Off Hook',
  RD: 'Receive Data (modem → terminal)',
  SD: 'Send Data (terminal → modem)',
  TR: 'Terminal Ready (DTR)',
  MR: 'Modem Ready',
};

/** How long RD/SD stay lit after the last byte, so single bytes are still visible. */
const FLASH_MS = 80;

/** LEDs as `<span data-light=… data-on=…>`; steady lights follow signals, RD/SD flash on traffic. */
export class ModemLights {
  private readonly leds = new Map<LightName, HTMLElement>();
  private readonly flashTimers = new Map<LightName, ReturnType<typeof setTimeout>>();

  constructor(container: HTMLElement) {
    container.replaceChildren();
    for (const name of LIGHTS) {
      const led = document.createElement('span');
      led.className = 'led';
      led.dataset['light'] = name;
      led.dataset['on'] = 'false';
      led.title = TITLES[name];
      const label = document.createElement('span');
      label.className = 'led-label';
      label.textContent = name;
      const cell = document.createElement('span');
      cell.className = 'led-cell';
      cell.append(led, label);
      container.append(cell);
      this.leds.set(name, led);
    }
  }

  set(name: LightName, on: boolean): void {
    const led = this.leds.get(name);
    if (led) led.dataset['on'] = String(on);
  }

  isOn(name: LightName): boolean {
    return this.leds.get(name)?.dataset['on'] === 'true';
  }

  /** Lights RD or SD for a moment; repeated traffic keeps it lit. */
  flash(name: 'RD' | 'SD'): void {
    this.set(name, true);
    clearTimeout(this.flashTimers.get(name));
    this.flashTimers.set(name, setTimeout(() => this.set(name, false), FLASH_MS));
  }
}
