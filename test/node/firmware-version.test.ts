// The version the firmware reports (XEP-0092, updates) is package.json's.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../hosts/node/project.js";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../../src/app/version.js";

describe("firmware version", () => {
  it("is package.json's name and version", () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { name: string; version: string };
    assert.deepEqual([FIRMWARE_NAME, FIRMWARE_VERSION], [pkg.name, pkg.version]);
  });
});
