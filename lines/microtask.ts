/**
 * The host's queueMicrotask. Every host we run on (Node, browsers, workers) has it, but lib ES2022
 * does not declare it; bound because browsers throw "Illegal invocation" when it is called with
 * another `this`.
 */
export const queueMicrotask: (task: () => void) => void = (
  globalThis as unknown as { queueMicrotask(task: () => void): void }
).queueMicrotask.bind(globalThis);
