// Debian's Chromium driven by playwright-core (which downloads no browser of its own), headless,
// offline and with a fresh profile in the directory it is given.

import { existsSync } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGUMENTS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless browser with its profile in `profileDir`; fails, saying how to install it, when Chromium is missing. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: the dashboard's browser tests drive Debian's Chromium. ` +
        "Install it with: apt-get install -y chromium (as root), then run the tests again.",
    );
  }
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGUMENTS,
    viewport: { width: 1280, height: 1000 },
  });
}
