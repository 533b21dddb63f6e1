// `npm run demo` end to end with piped input: hub, microwave and owner console come up, each
// line gets the device's reply and then its receipt, and everything stops at end of input.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
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
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdin.end("help\nPREHEAT 350 20\nSTOP\n");
    const [code] = await once(child, "exit");
    assert.equal(code, 0, output);
    assert.match(output, /microwave \| .*authenticated SCRAM-SHA-1/);
    assert.match(output, /demo: microwave@hub\.test is online/);
    const lines = output.split("\n");
    for (const [command, id] of [["help", "demo-1"], ["PREHEAT 350 20", "demo-2"], ["STOP", "demo-3"]] as const) {
      const sent = lines.indexOf(`owner> ${command}`);
      assert.ok(sent >= 0, `the console echoed "${command}":\n${output}`);
      const reply = lines.findIndex((line, i) => i > sent && line.startsWith("microwave: "));
      const receipt = lines.findIndex((line, i) => i > sent && line.includes(`acknowledged ${id}`));
      assert.ok(reply > sent && receipt > reply, `reply then receipt after "${command}":\n${output}`);
    }
    assert.match(output, /microwave: Microwave: commands/);
    assert.match(output, /microwave: ok: PREHEAT 350 20, for 20 min/);
    const preheat = output.indexOf("owner> PREHEAT 350 20");
    assert.match(output.slice(preheat), /microwave \| .*pin\s+25 \(oven\) -> 1/);
    assert.match(output, /microwave: ok: STOP/);
    assert.match(output, /demo: stopping/);
    assert.match(output, /microwave \| .*offline/);
  });
});
