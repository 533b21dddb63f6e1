// The connection keys of DESIGN.md: coerced from flat strings, checked, and named in every error.

import { assert } from "../../support/assert.js";
import { ConfigError, parseServer, readConnectionConfig } from "../../../src/app/config.js";

const valid = { jid: "microwave@hub.test/appliance", xmpp_password: "pw", ca: "ca.pem", server: "127.0.0.1:5333", owner: "a@hub.test, b@hub.test" };

function keyOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.key;
    throw error;
  }
  throw new Error("no ConfigError");
}

describe("connection config", () => {
  it("reads every key into its type", () => {
    const config = readConnectionConfig(valid);
    assert.equal(config.jid.toString(), "microwave@hub.test/appliance");
    assert.equal(config.password, "pw");
    assert.equal(config.ca, "ca.pem");
    assert.deepEqual(config.server, { host: "127.0.0.1", port: 5333 });
    assert.deepEqual(config.owners.map(String), ["a@hub.test", "b@hub.test"]);
  });

  it("defaults the server to the JID's domain on 5222 and owners to none", () => {
    const config = readConnectionConfig({ jid: "m@hub.test", xmpp_password: "pw", ca: "ca.pem", server: "", owner: "" });
    assert.deepEqual(config.server, { host: "hub.test", port: 5222 });
    assert.deepEqual(config.owners, []);
  });

  it("names the key that is missing, with an example", () => {
    for (const key of ["jid", "xmpp_password", "ca"]) {
      const config: Record<string, unknown> = { ...valid };
      delete config[key];
      assert.equal(keyOf(() => readConnectionConfig(config)), key);
      config[key] = "  ";
      assert.throws(() => readConnectionConfig(config), new RegExp(`config key "${key}": missing: .*e\\.g\\. ${key}=`));
    }
  });

  it("names the key whose value is wrong", () => {
    assert.equal(keyOf(() => readConnectionConfig({ ...valid, jid: "@hub.test" })), "jid");
    assert.equal(keyOf(() => readConnectionConfig({ ...valid, owner: "a@hub.test,not a jid@" })), "owner");
    assert.equal(keyOf(() => readConnectionConfig({ ...valid, owner: "a@hub.test/phone" })), "owner");
    assert.equal(keyOf(() => readConnectionConfig({ ...valid, server: "host:0" })), "server");
    assert.equal(keyOf(() => readConnectionConfig({ ...valid, xmpp_password: { nested: true } })), "xmpp_password");
  });

  it("reads max_command_age_s and dead_link_s in seconds (numbers or text), 30 s each by default", () => {
    assert.deepEqual([readConnectionConfig(valid).maxCommandAgeMs, readConnectionConfig(valid).deadLinkMs], [30_000, 30_000]);
    const config = readConnectionConfig({ ...valid, max_command_age_s: "120", dead_link_s: 10 });
    assert.deepEqual([config.maxCommandAgeMs, config.deadLinkMs], [120_000, 10_000]);
    assert.equal(readConnectionConfig({ ...valid, dead_link_s: "0" }).deadLinkMs, 0);
    for (const [key, bad] of [["max_command_age_s", "0"], ["max_command_age_s", "30s"], ["max_command_age_s", "-5"], ["dead_link_s", "1"], ["dead_link_s", "1.5"], ["dead_link_s", "100000"]] as const) {
      assert.equal(keyOf(() => readConnectionConfig({ ...valid, [key]: bad })), key, `${key}=${bad}`);
    }
    assert.throws(() => readConnectionConfig({ ...valid, dead_link_s: "1" }), /dead_link_s.*too short.*use 2 or more/);
  });

  it("parses host, host:port and [v6]:port, and refuses anything else", () => {
    assert.deepEqual(parseServer("hub", "d"), { host: "hub", port: 5222 });
    assert.deepEqual(parseServer("hub:1", "d"), { host: "hub", port: 1 });
    assert.deepEqual(parseServer("[::1]:5223", "d"), { host: "::1", port: 5223 });
    for (const bad of ["hub:", "hub:65536", "a b", "hub:12:13", ":5222"]) {
      assert.throws(() => parseServer(bad, "d"), ConfigError, bad);
    }
  });

  it("reads tls://host[:port] as direct TLS (XEP-0368) for the XMPP server only, on 5223 by default", () => {
    const direct = (server: string) => readConnectionConfig({ ...valid, server }).server;
    assert.deepEqual(direct("tls://hub.local"), { host: "hub.local", port: 5223, directTls: true });
    assert.deepEqual(direct("TLS://127.0.0.1:6000"), { host: "127.0.0.1", port: 6000, directTls: true });
    assert.deepEqual(direct("tls://[::1]:5224"), { host: "::1", port: 5224, directTls: true });
    assert.deepEqual(direct("tls://"), { host: "hub.test", port: 5223, directTls: true });
    assert.throws(() => direct("tls://hub:0"), /port 0 is not between 1 and 65535/);
    assert.throws(() => parseServer("tls://ntp.local", "d", { key: "sntp", port: 123 }), /"tls:\/\/ntp.local" is not host or host:port$/);
  });

  it("takes another endpoint's default port and key name (sntp on 123)", () => {
    assert.deepEqual(parseServer("", "hub.local", { key: "sntp", port: 123 }), { host: "hub.local", port: 123 });
    assert.deepEqual(parseServer("10.0.0.1", "hub.local", { key: "sntp", port: 123 }), { host: "10.0.0.1", port: 123 });
    assert.deepEqual(parseServer("10.0.0.1:1123", "hub.local", { key: "sntp", port: 123 }), { host: "10.0.0.1", port: 1123 });
    assert.throws(() => parseServer("a b", "hub.local", { key: "sntp", port: 123 }), /config key "sntp": "a b" is not host or host:port/);
  });
});
