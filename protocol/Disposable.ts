/** A subscription or resource that can be released; the xterm.js convention. */
export interface Disposable {
  dispose(): void;
}
