// Runs `npm run dashboard`'s command as a child process for tests, and reads the URL it prints.

import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

const dashboardCommand = new URL("../../hosts/node/dashboard.mjs", import.meta.url).pathname;

export interface DashboardRun {
  readonly child: ChildProcess;
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function runDashboard(args: readonly string[], timeoutMs = 10_000): Promise<DashboardRun> {
  const child = spawn(process.execPath, [dashboardCommand, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const exit = once(child, "exit");
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard printed no URL within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    const take = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /Dashboard: (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    void exit.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`the dashboard exited (${code}) before printing its URL:\n${text}`));
    });
  });
  return {
    child,
    url,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exit;
      }
    },
  };
}
