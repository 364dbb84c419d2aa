interface Entry {
  readonly element: HTMLElement;
  readonly text: HTMLElement;
  readonly button: HTMLButtonElement;
  retry: (() => void) | undefined;
}

/**
 * Problems the person must see (bridge unreachable, image failed to load, emulator errors), each with
 * an optional retry button. One entry per key, updated in place: a recurring failure (a reconnect
 * every few seconds) changes the text but keeps the same Retry button, so a click aimed at it lands.
 */
export class ErrorPanel {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly container: HTMLElement) {
    this.sync();
  }

  show(key: string, message: string, retry?: () => void): void {
    const entry = this.entries.get(key) ?? this.create(key);
    if (entry.text.textContent !== message) entry.text.textContent = message;
    entry.retry = retry;
    if (retry) {
      // A new failure re-arms the button a previous click disabled.
      entry.button.disabled = false;
      if (entry.button.parentElement !== entry.element) entry.element.append(entry.button);
    } else {
      entry.button.remove();
    }
    this.sync();
  }

  clear(key: string): void {
    this.entries.get(key)?.element.remove();
    this.entries.delete(key);
    this.sync();
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  private create(key: string): Entry {
    const element = document.createElement('div');
    element.className = 'error-entry';
    element.dataset['key'] = key;
    element.setAttribute('role', 'alert');
    const text = document.createElement('span');
    text.className = 'error-text';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'retry';
    button.textContent = 'Retry';
    const entry: Entry = { element, text, button, retry: undefined };
    button.addEventListener('click', () => {
      button.disabled = true;
      entry.retry?.();
    });
    element.append(text);
    this.entries.set(key, entry);
    this.container.append(element);
    return entry;
  }

  private sync(): void {
    this.container.hidden = this.entries.size === 0;
  }
}
