/** Runs `fn` on a microtask (ES2022 has no queueMicrotask without host types). */
export function defer(fn: () => void): void {
  void Promise.resolve().then(fn);
}
