// Entry point of the page bundle (dist/web/app.js).
import { Page } from './Page.js';

const app = new Page({
  bridge: new URL('./', location.href),
  imageUrl: 'xp10.elf',
  wasmUrl: 'v86.wasm',
  blockLimit: 5_000,
  pollMs: 3_000,
});
app.start();

// A handle for the e2e tests and for curious people in the devtools console.
(window as unknown as { konomi: Page }).konomi = app;
