// `npm run dashboard [-- key=value ...]`: serves the web dashboard on 127.0.0.1 and prints its
// URL; the page logs in to the hub over XMPP-over-WebSocket itself. Ctrl-C stops it.

import { join } from "node:path";
import { ConfigError } from "../../src/app/config.js";
import { startDashboardServer } from "./dashboard/server.js";
import { DASHBOARD_KEYS, readDashboardSettings, type DashboardSettings } from "./dashboard/settings.js";
import { asksForHelp } from "./help-flag.js";
import { withPassword } from "./password-source.js";
import { projectRoot } from "./project.js";

function usage(): string {
  const lines = Object.entries(DASHBOARD_KEYS).map(([key, meaning]) => `  ${key.padEnd(14)} ${meaning}`);
  return `usage: npm run dashboard [-- key=value ...]\n${lines.join("\n")}`;
}

async function main(argv: readonly string[]): Promise<number> {
  if (asksForHelp(argv)) {
    console.log(usage());
    return 0;
  }
  let settings: DashboardSettings;
  try {
    settings = readDashboardSettings(withPassword(argv));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`dashboard: ${error.message}\n${usage()}`);
    return 2;
  }
  const server = await startDashboardServer({ pageDir: join(projectRoot(), "build/web"), port: settings.port, login: settings.login });
  console.log(`Dashboard: ${server.url}`);
  if (settings.login.websocket === "") {
    console.log("  (no websocket= given: enter the hub's WebSocket URL on the page; npm run hub -- websocket=true prints it)");
  }
  console.log("Open it in a browser on this machine; Ctrl-C stops the dashboard.");
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => resolve());
  });
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
