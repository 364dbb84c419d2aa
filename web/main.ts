// Entry point of the page bundle (dist/web/app.js).
import { Page } from './Page.js';

// A bridge exposed beyond loopback wants its token: open the page as http://host:3000/?token=T.
const token = new URLSearchParams(location.search).get('token') ?? undefined;

const app = new Page({
  bridge: new URL('./', location.href),
  imageUrl: 'xp10.elf',
  wasmUrl: 'v86.wasm',
  blockLimit: 5_000,
  pollMs: 3_000,
  ...(token ? { token } : {}),
});
app.start();

// A handle for the e2e tests and for curious people in the devtools console.
(window as unknown as { konomi: Page }).konomi = app;
