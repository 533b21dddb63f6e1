import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { logLines } from "../../hosts/node/log-lines.js";

describe("the desktop device's log lines", () => {
  it("writes the lines of one turn of the event loop in one write, in order", async () => {
    const writes: string[] = [];
    const lines = logLines((text) => writes.push(text));
    lines.line("a");
    lines.line("b");
    assert.deepEqual(writes, [], "nothing written before the turn is over");
    await new Promise((resolve) => setImmediate(resolve));
    lines.line("c");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ["a\nb\n", "c\n"]);
  });

  it("writes what is waiting at once on flush (the host's beforeSend), and nothing more at the end of the turn", async () => {
    const writes: string[] = [];
    const lines = logLines((text) => writes.push(text));
    lines.line("pin 26 (grill) -> 1");
    lines.flush();
    assert.deepEqual(writes, ["pin 26 (grill) -> 1\n"], "written before the reply that follows");
    lines.flush();
    lines.line("after the reply");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ["pin 26 (grill) -> 1\n", "after the reply\n"], "an empty flush writes nothing; a later line still leaves at the end of its turn");
  });

  it("writes what is waiting when the process exits at once", () => {
    const module = new URL("../../hosts/node/log-lines.mjs", import.meta.url).pathname;
    const script = `import(${JSON.stringify(module)}).then(({ logLines }) => { const lines = logLines(); lines.line("first"); lines.line("last"); process.exit(3); });`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    assert.equal(result.status, 3, result.stderr);
    assert.equal(result.stdout, "first\nlast\n");
  });
});
