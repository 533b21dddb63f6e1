// Long text kept in a SettingsStore in chunks under a pointer that moves last, and the stored
// settings that come before the manifest's config.

import { assert } from "../../support/assert.js";
import { MemorySettingsStore, StoredText, checkSetting } from "../../../src/app/stored-text.js";
import { readStoredSettings, resolveSettings, writeStoredSettings } from "../../../src/app/settings.js";
import { ConfigError } from "../../../src/app/config.js";
import type { SettingsStore } from "../../../src/host.js";

/** A store that fails (like a power cut) once `budget` writes have gone through. */
class FailingStore implements SettingsStore {
  readonly inner = new MemorySettingsStore();
  budget = Infinity;
  get(key: string): string | undefined {
    return this.inner.get(key);
  }
  set(key: string, value: string | undefined): void {
    if (this.budget-- <= 0) throw new Error("power cut");
    this.inner.set(key, value);
  }
}

describe("stored text", () => {
  it("keeps text longer than one value in chunks that each fit the 4,000-byte limit", () => {
    const store = new MemorySettingsStore();
    const text = "€".repeat(5000); // 3 bytes each in UTF-8: 15,000 bytes
    new StoredText(store, "device").set(text);
    assert.equal(new StoredText(store, "device").get(), text);
    assert.ok(store.values.size > 4, `${store.values.size} keys`);
    for (const [key, value] of store.values) checkSetting(key, value);
  });

  it("leaves the old text readable when the writes stop at any point", () => {
    const old = "x".repeat(3000);
    const next = "y".repeat(4000);
    for (let budget = 0; budget < 12; budget++) {
      const store = new FailingStore();
      new StoredText(store, "device").set(old);
      store.budget = budget;
      try {
        new StoredText(store, "device").set(next);
      } catch {
        // the cut
      }
      const seen = new StoredText(store, "device").get();
      assert.ok(seen === old || seen === next, `after ${budget} writes the text is neither the old nor the new one`);
    }
  });

  it("removes the text and its chunks", () => {
    const store = new MemorySettingsStore();
    const stored = new StoredText(store, "device");
    stored.set("abc");
    stored.set(undefined);
    assert.equal(stored.get(), undefined);
    assert.equal(store.values.size, 0);
  });

  it("refuses keys the ESP32 cannot hold and values over 4,000 bytes, naming them", () => {
    assert.throws(() => checkSetting("a_key_longer_than_15", "v"), /a_key_longer_than_15.*15/);
    assert.throws(() => checkSetting("bad key", "v"), /bad key/);
    assert.throws(() => checkSetting("big", "é".repeat(2001)), /big: 4002 bytes/);
    checkSetting("xmpp_password", "ok");
  });
});

describe("stored settings", () => {
  it("come before the manifest's config, key by key", () => {
    const store = new MemorySettingsStore();
    writeStoredSettings(store, { jid: "stored@hub.test", ssid: "Home" });
    const config = resolveSettings(readStoredSettings(store), { jid: "built@hub.test", owner: "owner@hub.test", ssid: "Factory" });
    assert.equal(config.jid, "stored@hub.test");
    assert.equal(config.ssid, "Home");
    assert.equal(config.owner, "owner@hub.test");
  });

  it("are none without a store or a record, and an empty record removes them", () => {
    assert.deepEqual(readStoredSettings(undefined), {});
    const store = new MemorySettingsStore();
    assert.deepEqual(readStoredSettings(store), {});
    writeStoredSettings(store, { jid: "a@b" });
    writeStoredSettings(store, {});
    assert.deepEqual(readStoredSettings(store), {});
    assert.equal(store.values.size, 0);
  });

  it("a damaged record is a settings error that says what to do", () => {
    const store = new MemorySettingsStore();
    store.set("settings", "a:2");
    store.set("settings.a0", "{");
    assert.throws(() => readStoredSettings(store), (error: unknown) => error instanceof ConfigError && error.key === "settings" && /provision the device again/.test(error.message));
  });
});
