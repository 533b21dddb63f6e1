// The owner-only ad-hoc command `settings`: the form shows the settings in force but never a
// password; a change is checked whole (the message names the field), stored in one write and
// followed by a restart; a refused one stores nothing; a factory reset forgets everything stored.

import type { Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { COMMANDS, command, iq as sendIq, refusal } from "../../support/adhoc.js";
import { Appliance } from "../../../src/app/appliance.js";
import { readConnectionConfig } from "../../../src/app/config.js";
import { DECLARATION_RECORD } from "../../../src/app/declared-device.js";
import { settingsCommand } from "../../../src/app/settings-command.js";
import { readStoredSettings, writeStoredSettings } from "../../../src/app/settings.js";
import { MemorySettingsStore, StoredText } from "../../../src/app/stored-text.js";
import { FAST_RECORD } from "../../../src/xmpp/fast.js";

const JID = "lamp@hub.test/appliance";
const MANIFEST = { jid: JID, xmpp_password: "old-account-secret", ca: "ca.pem", owner: "owner@hub.test", ssid: "Home", password: "old-wifi-secret" };
const SECRETS = ["old-account-secret", "old-wifi-secret", "new-account-secret", "new-wifi-secret"];

async function online() {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], username: "lamp", password: MANIFEST.xmpp_password });
  const host = new FakeHost({ server: server.connection });
  const store = new MemorySettingsStore();
  const logged: string[] = [];
  let restarts = 0;
  const settings = settingsCommand({ store, manifest: MANIFEST, restart: () => restarts++, log: (event, detail) => logged.push(`${event} ${detail}`) });
  const device = { name: "Lamp", opcodes: [], handle: async () => "ok", summary: () => "idle", safe() {} };
  const appliance = new Appliance({ host, config: readConnectionConfig(MANIFEST), device, commands: [settings], onEvent: () => {} });
  await appliance.start();
  await settle();
  return { server, store, logged, restarts: () => restarts };
}

function iq(server: XmppTestServer, payload: string, from?: string): Promise<Element> {
  return sendIq(server, JID, payload, { from, rounds: 40 });
}

/** Opens the settings form, submits `fields` and returns the form and the answer. */
async function submit(server: XmppTestServer, fields: Record<string, string>): Promise<{ form: Element; answer: Element }> {
  const form = command(await iq(server, `<command xmlns='${COMMANDS}' node='settings' action='execute'/>`));
  const values = Object.entries(fields).map(([name, value]) => `<field var='${name}'><value>${value}</value></field>`).join("");
  const answer = await iq(server, `<command xmlns='${COMMANDS}' node='settings' sessionid='${form.attrs.sessionid!}' action='complete'><x xmlns='jabber:x:data' type='submit'>${values}</x></command>`);
  return { form, answer };
}

function assertNoSecret(text: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret in ${text}`);
}

describe("the settings command", () => {
  it("shows the settings in force, the passwords as empty private fields, and no secret anywhere", async () => {
    const { server } = await online();
    const form = command(await iq(server, `<command xmlns='${COMMANDS}' node='settings' action='execute'/>`));
    const fields = new Map(form.getChild("x", "jabber:x:data")!.getChildren("field").map((field) => [field.attrs.var!, field]));
    assert.deepEqual([...fields.keys()], ["ssid", "password", "jid", "xmpp_password", "server", "ca", "owner", "factory_reset"]);
    assert.equal(fields.get("ssid")!.getChildText("value"), "Home");
    assert.equal(fields.get("owner")!.getChildText("value"), "owner@hub.test");
    for (const secret of ["password", "xmpp_password"]) {
      assert.equal(fields.get(secret)!.attrs.type, "text-private");
      assert.equal(fields.get(secret)!.getChildren("value").length, 0);
    }
    assertNoSecret(form.toString());
  });

  it("stores a change in one record, says which keys without their secret values, and restarts", async () => {
    const { server, store, logged, restarts } = await online();
    const { answer } = await submit(server, { ssid: "Home", password: "new-wifi-secret", xmpp_password: "new-account-secret", owner: "owner@hub.test, second@hub.test" });
    const note = command(answer).getChildText("note")!;
    assert.equal(note, "ok: stored password, xmpp_password, owner; the device restarts with them now");
    assert.deepEqual(readStoredSettings(store), { password: "new-wifi-secret", xmpp_password: "new-account-secret", owner: "owner@hub.test, second@hub.test" });
    assert.equal(restarts(), 1);
    assertNoSecret(answer.toString() + logged.join("\n"));
  });

  it("keeps a password whose field is left empty", async () => {
    const { server, store } = await online();
    const { answer } = await submit(server, { password: "", xmpp_password: "", server: "127.0.0.1:5223" });
    assert.equal(command(answer).getChildText("note"), "ok: stored server; the device restarts with them now");
    assert.deepEqual(readStoredSettings(store), { server: "127.0.0.1:5223" });
  });

  for (const [fields, key] of [
    [{ jid: "not a jid@" }, "jid"],
    [{ server: "hub.test:99999" }, "server"],
    [{ owner: " , " }, "owner"],
    [{ owner: "owner@hub.test/phone" }, "owner"],
    [{ password: "short-1" }, "password"],
    [{ ssid: "a network name that is longer than thirty-two bytes" }, "ssid"],
    [{ ca: "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----" }, "ca"],
  ] as const) {
    it(`refuses ${JSON.stringify(fields)} with a message naming ${key}, storing nothing and not restarting`, async () => {
      const { server, store, restarts } = await online();
      const { answer } = await submit(server, { ...fields, xmpp_password: "new-account-secret" });
      const { condition, text } = refusal(answer);
      assert.equal(condition, "bad-request");
      assert.match(text ?? "", new RegExp(`^error: config key "${key}": .*; nothing was changed$`));
      assert.ok(!(text ?? "").includes("short-1"), "the passphrase is not quoted back");
      assertNoSecret(answer.toString());
      assert.deepEqual(readStoredSettings(store), {});
      assert.equal(restarts(), 0);
    });
  }

  it("refuses a stranger with forbidden", async () => {
    const { server, store } = await online();
    const answer = await iq(server, `<command xmlns='${COMMANDS}' node='settings' action='execute'/>`, "stranger@hub.test/x");
    assert.equal(refusal(answer).condition, "forbidden");
    assertNoSecret(answer.toString());
    assert.deepEqual(readStoredSettings(store), {});
  });

  it("forgets every stored setting, the stored declaration and the FAST token on a factory reset, and restarts", async () => {
    const { server, store, restarts } = await online();
    writeStoredSettings(store, { owner: "other@hub.test" });
    new StoredText(store, DECLARATION_RECORD).set("{}");
    store.set(FAST_RECORD, JSON.stringify({ jid: "device@hub.test", agent: "a", token: { token: "t", mechanism: "HT-SHA-256-NONE", expiry: "", count: 0 } }));
    const { answer } = await submit(server, { factory_reset: "1", owner: "ignored@hub.test" });
    assert.match(command(answer).getChildText("note")!, /^ok: factory reset: /);
    assert.deepEqual([...store.values.keys()], []);
    assert.equal(restarts(), 1);
  });
});
