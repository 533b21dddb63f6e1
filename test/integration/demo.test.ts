// `npm run demo` end to end with piped input: hub, the example devices, the web dashboard and
// the owner console come up, each line gets the microwave's reply and then its receipt, and
// everything stops at end of input.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strict as assert } from "node:assert";

const demoCommand = new URL("../../hosts/node/demo.mjs", import.meta.url).pathname;

describe("demo command", function () {
  this.timeout(90_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-demo-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("sends each piped line to the microwave and prints its reply, then its receipt; PREHEAT 350 20 moves the oven's pin", async () => {
    const child = spawn(process.execPath, [demoCommand, `dir=${dir}`, "port=0"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    const dashboardUrl = new Promise<string>((resolve) => {
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        const url = /demo: web dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
        if (url !== undefined) resolve(url);
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
    });
    const exited = once(child, "exit");
    const url = await Promise.race([dashboardUrl, exited.then(() => assert.fail(`the demo ended before printing the dashboard's URL:\n${output}`))]);
    // The dashboard is up, with the owner's login and the hub's WebSocket endpoint filled in.
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form id="login-form">/);
    const login = (await (await fetch(new URL("/config.json", url))).json()) as Record<string, string>;
    assert.equal(login.jid, "owner@hub.test");
    assert.match(login.websocket ?? "", /^ws:\/\/127\.0\.0\.1:\d+\/xmpp-websocket$/);
    assert.ok((login.password ?? "").length > 0);
    child.stdin.end("help\nPREHEAT 350 20\nSTOP\n");
    const [code] = await exited;
    assert.equal(code, 0, output);
    assert.match(output, /microwave \| .*authenticated SCRAM-SHA-1/);
    for (const name of ["relayboard", "heater"]) assert.match(output, new RegExp(`${name} \\| .*online\\s+${name}@hub\\.test`));
    assert.match(output, /demo: microwave@hub\.test, relayboard@hub\.test, heater@hub\.test are online/);
    const lines = output.split("\n");
    for (const command of ["help", "PREHEAT 350 20", "STOP"]) {
      const sent = lines.indexOf(`owner> ${command}`);
      assert.ok(sent >= 0, `the console echoed "${command}":\n${output}`);
      const reply = lines.findIndex((line, i) => i > sent && line.startsWith("microwave: "));
      // The receipt names the command it confirms, not a message id.
      const receipt = lines.findIndex((line, i) => i > sent && line.includes(`acknowledged "${command}"`));
      assert.ok(reply > sent && receipt > reply, `reply then receipt after "${command}":\n${output}`);
    }
    assert.match(output, /microwave: Microwave: commands/);
    assert.match(output, /microwave: ok: PREHEAT 350 20, for 20 min/);
    const preheat = output.indexOf("owner> PREHEAT 350 20");
    assert.match(output.slice(preheat), /microwave \| .*pin\s+25 \(oven\) -> 1/);
    assert.match(output, /microwave: ok: STOP/);
    assert.match(output, /demo: stopping/);
    assert.doesNotMatch(output, /connection to the hub dropped|device stopped/, "stopping is not reported as a drop or a crash");
    assert.match(output, /microwave \| .*offline/);
  });

  it("reports the microwave going offline at once, a command then as bounced, a device killed at once, and prints the owner's login for other clients", async () => {
    const child = spawn(process.execPath, [demoCommand, `dir=${dir}`, "port=0"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    const waiters: { pattern: RegExp; resolve: () => void }[] = [];
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      for (const waiter of [...waiters]) if (waiter.pattern.test(output)) waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve();
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const exited = once(child, "exit");
    const seen = (pattern: RegExp) => Promise.race([
      new Promise<void>((resolve) => (pattern.test(output) ? resolve() : waiters.push({ pattern, resolve }))),
      exited.then(() => assert.fail(`the demo ended before printing ${pattern}:\n${output}`)),
    ]);
    try {
      await seen(/demo: other XMPP clients.*\n/);
      assert.match(output, /demo: other XMPP clients \(README, "Pointing a stock client at the demo hub"\): account owner@hub\.test, password \S+, server 127\.0\.0\.1 port \d+ \(STARTTLS\), trust the CA \S+ca\.crt/);
      child.stdin.write("help\n");
      await seen(/acknowledged "help"/);
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/).map(Number);
      const device = (name: string) => {
        const pid = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`devices/${name}/manifest.json`));
        return pid ?? assert.fail(`the ${name} among the demo's children ${children.join(" ")}`);
      };
      // The microwave stops (its unavailable presence): the console says so when the hub tells it.
      process.kill(device("microwave"), "SIGTERM");
      await seen(/demo: microwave@hub\.test\/appliance went offline/);
      // The heater dies without a word; the hub keeps its session for a resume, the demo sees its process end.
      process.kill(device("heater"), "SIGKILL");
      await seen(/demo: the heater device stopped \(SIGKILL\)/);
      child.stdin.end("status\n");
      await seen(/\(not delivered: "status": not delivered to microwave@hub\.test: service-unavailable: the device is offline or does not exist\)/);
      const [code] = await exited;
      assert.equal(code, 0, output);
      // Bounced, not waited out: no receipt timeout was needed to tell; and nothing said to wait for a connection that was up.
      assert.doesNotMatch(output, /no receipt|within \d+ s|waiting for the hub connection/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    }
  });
});
