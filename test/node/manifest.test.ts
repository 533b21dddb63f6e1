// The desktop host reads a manifest's config as mcconfig does: includes, own keys, then key=value.

import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManifestError, applyOverrides, readManifestConfig } from "../../hosts/node/manifest.js";

describe("manifest config on the desktop", () => {
  let dir: string;
  const write = (name: string, value: unknown) => {
    const path = join(dir, name);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-manifest-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("merges included manifests first, deep, with the including manifest's keys winning", () => {
    write("base.json", { config: { server: "hub:5222", device: { name: "base", drivers: { a: 1 } } } });
    const path = write("devices/m/manifest.json", { include: ["../../base.json"], config: { jid: "m@hub", device: { drivers: { b: 2 } } } });
    assert.deepEqual(readManifestConfig(path), { server: "hub:5222", jid: "m@hub", device: { name: "base", drivers: { a: 1, b: 2 } } });
  });

  it("takes a single include string, and skips SDK includes when $(MODDABLE) is not set", () => {
    write("base.json", { config: { a: "1" } });
    const path = write("m.json", { include: ["$(MODDABLE)/examples/manifest_base.json", "./base.json"], config: {} });
    assert.deepEqual(readManifestConfig(path, {}), { a: "1" });
    const single = write("s.json", { include: "./base.json" });
    assert.deepEqual(readManifestConfig(single, {}), { a: "1" });
  });

  it("puts key=value overrides over everything, as flat strings", () => {
    assert.deepEqual(applyOverrides({ jid: "a@b", port: 1 }, ["jid=c@d", "xmpp_password=x=y"]), { jid: "c@d", port: 1, xmpp_password: "x=y" });
    assert.throws(() => applyOverrides({}, ["novalue"]), /"novalue" is not key=value/);
  });

  it("names the file for a missing manifest, bad JSON, a bad config and an include cycle", () => {
    assert.throws(() => readManifestConfig(join(dir, "nope.json")), (e: unknown) => e instanceof ManifestError && /nope\.json: no such file/.test(e.message));
    const bad = write("bad.json", "{ not json");
    assert.throws(() => readManifestConfig(bad), /cannot read manifest .*bad\.json/);
    const list = write("list.json", { config: [] });
    assert.throws(() => readManifestConfig(list), /list\.json: "config" must be an object/);
    write("a.json", { include: "./b.json" });
    const b = write("b.json", { include: "./a.json" });
    assert.throws(() => readManifestConfig(b), /includes itself/);
  });
});
