// Settings changed over XMPP on trial: the settings command keeps the ones in force before the
// change; a boot on the change keeps it once online, and goes back to the previous ones (stored
// again, then a restart) when it cannot log in or is not online within the trial. A factory reset
// ends a trial. No trial without a change.

import { assert } from "../../support/assert.js";
import { FakeClock } from "../../support/fake-host.js";
import { readStoredSettings, writeStoredSettings } from "../../../src/app/settings.js";
import { forgetPreviousSettings, keepPreviousSettings, PREVIOUS_SETTINGS_RECORD, SettingsTrial } from "../../../src/app/settings-trial.js";
import { MemorySettingsStore, StoredText } from "../../../src/app/stored-text.js";

const OLD = { owner: "owner@hub.test", xmpp_password: "old-secret" };
const NEW = { owner: "owner@hub.test", xmpp_password: "mistyped-secret" };

function changed() {
  const store = new MemorySettingsStore();
  writeStoredSettings(store, OLD);
  // What the settings command does with a change: the settings in force first, then the new ones.
  keepPreviousSettings(store, readStoredSettings(store));
  writeStoredSettings(store, NEW);
  const clock = new FakeClock();
  const lines: string[] = [];
  let restarts = 0;
  const trial = new SettingsTrial({ store, host: clock, trialMs: 300_000, restart: () => restarts++, log: (event, detail) => lines.push(`${event} ${detail}`) });
  return { store, clock, lines, trial, restarts: () => restarts };
}

describe("settings on trial", () => {
  it("keeps a change once the device is online with it", () => {
    const { store, clock, lines, trial, restarts } = changed();
    trial.boot();
    assert.equal(trial.pending, true);
    assert.match(lines.join("\n"), /changed settings on trial: they go back to the previous ones unless the device logs in with them within 300 s/);
    trial.online();
    clock.advance(400_000);
    assert.deepEqual(readStoredSettings(store), NEW);
    assert.equal(new StoredText(store, PREVIOUS_SETTINGS_RECORD).get(), undefined);
    assert.equal(restarts(), 0);
    assert.match(lines.at(-1)!, /the changed settings logged in: kept/);
  });

  it("goes back to the previous settings, stored again, and restarts when not online within the trial", () => {
    const { store, clock, lines, trial, restarts } = changed();
    trial.boot();
    clock.advance(299_000);
    assert.equal(restarts(), 0);
    clock.advance(1000);
    assert.deepEqual(readStoredSettings(store), OLD);
    assert.equal(new StoredText(store, PREVIOUS_SETTINGS_RECORD).get(), undefined);
    assert.equal(restarts(), 1);
    assert.match(lines.at(-1)!, /the changed settings did not work \(no login within 300 s\): back to the previous ones; restarting/);
    assert.ok(!lines.join("\n").includes("secret"), "no password in the log");
  });

  it("goes back at once when the change cannot log in", () => {
    const { store, trial, restarts } = changed();
    trial.boot();
    assert.equal(trial.revert("not-authorized: the server refused the password"), true);
    assert.deepEqual(readStoredSettings(store), OLD);
    assert.equal(restarts(), 1);
    assert.equal(trial.revert("again"), false, "once");
  });

  it("forgets a previous-settings record that is not one, keeping the settings in force, with a line", () => {
    for (const text of ["null", "[not json", "\"a string\""]) {
      const { store, clock, lines, trial, restarts } = changed();
      new StoredText(store, PREVIOUS_SETTINGS_RECORD).set(text);
      trial.boot();
      assert.equal(trial.pending, false, text);
      assert.match(lines.join("\n"), /the record of the previous settings is damaged \(.+\): forgotten, the settings in force stay/, text);
      clock.advance(400_000);
      assert.deepEqual(readStoredSettings(store), NEW, text);
      assert.equal(new StoredText(store, PREVIOUS_SETTINGS_RECORD).get(), undefined, text);
      assert.equal(restarts(), 0, text);
    }
  });

  it("is no trial without a change, nor after a factory reset", () => {
    const store = new MemorySettingsStore();
    writeStoredSettings(store, OLD);
    let restarts = 0;
    const clock = new FakeClock();
    const trial = new SettingsTrial({ store, host: clock, trialMs: 5000, restart: () => restarts++, log: () => {} });
    trial.boot();
    assert.equal(trial.pending, false);
    assert.equal(trial.revert("refused"), false);
    const after = changed();
    forgetPreviousSettings(after.store);
    after.trial.boot();
    after.clock.advance(400_000);
    assert.equal(after.trial.pending, false);
    assert.equal(after.restarts(), 0);
    assert.equal(restarts, 0);
  });

  it("a power cut after the previous settings were kept, before the new ones, boots a trial of the previous ones, which passes", () => {
    const store = new MemorySettingsStore();
    writeStoredSettings(store, OLD);
    keepPreviousSettings(store, readStoredSettings(store));
    const clock = new FakeClock();
    const trial = new SettingsTrial({ store, host: clock, trialMs: 5000, restart: () => {}, log: () => {} });
    trial.boot();
    trial.online();
    assert.deepEqual(readStoredSettings(store), OLD);
    assert.equal(trial.pending, false);
  });
});
