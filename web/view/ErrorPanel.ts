/**
 * Problems the person must see (bridge unreachable, image failed to load, emulator errors), each with
 * an optional retry button. One entry per key, so a recurring failure updates instead of piling up.
 */
export class ErrorPanel {
  private readonly entries = new Map<string, HTMLElement>();

  constructor(private readonly container: HTMLElement) {
    this.sync();
  }

  show(key: string, message: string, retry?: () => void): void {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = document.createElement('div');
      entry.className = 'error-entry';
      entry.dataset['key'] = key;
      entry.setAttribute('role', 'alert');
      this.entries.set(key, entry);
      this.container.append(entry);
    }
    const text = document.createElement('span');
    text.className = 'error-text';
    text.textContent = message;
    entry.replaceChildren(text);
    if (retry) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'retry';
      button.textContent = 'Retry';
      button.addEventListener('click', () => {
        button.disabled = true;
        retry();
      });
      entry.append(button);
    }
    this.sync();
  }

  clear(key: string): void {
    this.entries.get(key)?.remove();
    this.entries.delete(key);
    this.sync();
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  private sync(): void {
    this.container.hidden = this.entries.size === 0;
  }
}
