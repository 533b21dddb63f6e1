// SASL2 (XEP-0388) with Bind2 (XEP-0386) and inline stream resumption against a scripted server:
// learnt on a first login over SASL, then sent with the stream header; each way it can fail
// falls back to SASL (at once where the protocol allows, else on the next attempt) with one line.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { smSession, XmppTestServer, type ServerBehaviour } from "../../support/xmpp-server.js";
import { Client, type ClientOptions, type ClientStatus } from "../../../src/xmpp/client.js";
import { XMPPError } from "../../../src/xmpp/error.js";
import { isPermanent } from "../../../src/xmpp/reconnect.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";

const SCRAM: ServerBehaviour = { mechanisms: ["SCRAM-SHA-1"], sasl2: {} };

function setup(behaviour: ServerBehaviour = SCRAM, options: Partial<ClientOptions> = {}) {
  const server = new XmppTestServer(behaviour);
  const host = new FakeHost({ server: server.connection });
  const statuses: string[] = [];
  const errors: string[] = [];
  const client = new Client({
    host,
    jid: "device@hub.test/kitchen",
    password: "secret",
    onStatus: (status: ClientStatus, detail) => statuses.push(`${status} ${detail}`),
    onError: (error) => errors.push(error.message),
    ...options,
  });
  return { server, host, client, statuses, errors };
}

/** Logs in once (over SASL, learning the SASL2 offer), stops, and points the host at a fresh server. */
async function secondLogin(behaviour: ServerBehaviour = SCRAM, options: Partial<ClientOptions> = {}) {
  const first = setup(behaviour, options);
  await first.client.start();
  assert.deepEqual(first.server.auths, ["SCRAM-SHA-1"], "the first login uses SASL: SASL2 only pays when sent ahead");
  first.client.stop();
  const server = new XmppTestServer(behaviour);
  first.host.server = server.connection;
  return { ...first, first: first.server, server };
}

const headerWrites = (server: XmppTestServer) => server.connection.received.filter((chunk) => chunk.includes("<stream:stream"));

describe("SASL2 with Bind2", () => {
  it("sends <authenticate/> with the stream header after TLS, and is online with no restart and no bind request", async () => {
    const { server, client, statuses } = await secondLogin();
    const jid = await client.start();
    assert.deepEqual(server.auths, ["SASL2 SCRAM-SHA-1"]);
    const writes = headerWrites(server);
    assert.equal(writes.length, 2, "the opening header and the one after TLS: no restart after SASL2");
    assert.match(writes[1]!, /<stream:stream[^>]*><authenticate xmlns="urn:xmpp:sasl:2" mechanism="SCRAM-SHA-1"><initial-response>[^<]+<\/initial-response><user-agent id="[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"><software>xmpp-appliance<\/software><\/user-agent><bind xmlns="urn:xmpp:bind:0"><tag>kitchen<\/tag><\/bind><\/authenticate>$/);
    assert.doesNotMatch(server.connection.transcript, /urn:ietf:params:xml:ns:xmpp-bind/);
    assert.equal(jid.toString(), "device@hub.test/kitchen~scripted");
    assert.ok(statuses.includes("authenticated SCRAM-SHA-1 (SASL2)"));
    await settle();
    assert.equal(server.stanzas[0]?.name, "presence");
    assert.ok(client.online, "the features sent after <success/> (no restart) are not a fault");
  });

  it("enables stream management inside the bind, then resumes the session inside <authenticate/> after a drop", async () => {
    const session = smSession();
    const { server, host, client, statuses } = await secondLogin({ ...SCRAM, streamManagement: session });
    await client.start();
    assert.match(server.authenticates[0]!.toString(), /<bind xmlns="urn:xmpp:bind:0"><tag>kitchen<\/tag><enable xmlns="urn:xmpp:sm:3" resume="true"\/><\/bind>/);
    assert.ok(client.streamManagement.state?.id, "enabled inline: resumable once lost");
    await settle();
    client.sendMessage("owner@hub.test/phone", "before the drop");
    await settle();
    session.handled = 1; // the server had the presence only
    server.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    const third = new XmppTestServer({ ...SCRAM, streamManagement: session });
    host.server = third.connection;
    await client.start();
    assert.equal(statuses.at(-1)?.split(" ")[0], "resumed");
    assert.match(third.authenticates[0]!.toString(), /<resume xmlns="urn:xmpp:sm:3" previd="sm-1" h="\d+"\/>/);
    assert.equal(third.binds, 0);
    await settle();
    assert.deepEqual(third.stanzas.filter((s) => s.name === "message").map((s) => s.getChildText("body")), ["before the drop"]);
  });

  it("where SM is not offered inside SASL2 (Prosody 0.12.3): enables it after Bind2 without waiting, and resumes a lost session with <resume/> over SASL", async () => {
    const session = smSession();
    const behaviour: ServerBehaviour = { ...SCRAM, sasl2: { inlineSm: false }, streamManagement: session };
    const { server, host, client, statuses } = await secondLogin(behaviour);
    await client.start();
    assert.deepEqual(server.auths, ["SASL2 SCRAM-SHA-1"]);
    assert.doesNotMatch(server.authenticates[0]!.toString(), /urn:xmpp:sm:3/);
    await settle();
    assert.ok(server.stanzas.some((s) => s.is("enable", "urn:xmpp:sm:3")), "<enable/> after the Bind2");
    assert.ok(client.streamManagement.state?.id, "resumable once <enabled/> came");
    server.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    const third = new XmppTestServer(behaviour);
    host.server = third.connection;
    await client.start();
    assert.deepEqual(third.auths, ["SCRAM-SHA-1"], "the session is resumed the RFC 6120 way");
    assert.equal(statuses.at(-1)?.split(" ")[0], "resumed");
    assert.equal(session.resumes, 1);
  });

  it("binds a fresh session in the same exchange when the inline resumption is refused, and says why", async () => {
    const session = smSession();
    const { server, host, client, errors } = await secondLogin({ ...SCRAM, streamManagement: session });
    await client.start();
    await settle();
    server.connection.drop();
    await settle();
    session.resumable = false; // the server restarted
    const third = new XmppTestServer({ ...SCRAM, streamManagement: session });
    host.server = third.connection;
    await client.start();
    assert.ok(client.online);
    assert.equal(third.binds, 1);
    assert.equal(third.authenticates.length, 1, "no second exchange");
    assert.ok(errors.some((line) => /did not resume the session \(item-not-found\)/.test(line)), errors.join("; "));
  });

  it("falls back to SASL on the next attempt when the server fails SASL2 for a reason other than the credentials", async () => {
    const { host, client } = await secondLogin({ ...SCRAM, sasl2: { failWith: "temporary-auth-failure" } });
    const failed = await client.start().then(() => undefined, (error: unknown) => error);
    assert.ok(failed instanceof XMPPError && /failed SASL2 .*the next attempt uses SASL/.test(failed.message), String(failed));
    assert.equal(isPermanent(failed), false);
    const again = new XmppTestServer({ ...SCRAM, sasl2: { failWith: "temporary-auth-failure" } });
    host.server = again.connection;
    await client.start();
    assert.deepEqual(again.auths, ["SCRAM-SHA-1"]);
  });

  it("falls back to SASL on the next attempt when the server no longer offers SASL2", async () => {
    const { host, client } = await secondLogin();
    const plain = new XmppTestServer({ mechanisms: ["SCRAM-SHA-1"] });
    host.server = plain.connection;
    await assert.rejects(client.start(), (error) => error instanceof XMPPError && /no longer offers SASL2/.test(error.message) && !isPermanent(error));
    const again = new XmppTestServer({ mechanisms: ["SCRAM-SHA-1"] });
    host.server = again.connection;
    await client.start();
    assert.deepEqual(again.auths, ["SCRAM-SHA-1"]);
  });

  it("stops on wrong credentials over SASL2 as over SASL, and on a forged server signature", async () => {
    const wrong = await secondLogin();
    const refusing = new XmppTestServer({ ...SCRAM, password: "changed" });
    wrong.host.server = refusing.connection;
    await assert.rejects(wrong.client.start(), (error) => error instanceof SASLError && error.condition === "not-authorized" && isPermanent(error));
    const forged = await secondLogin();
    const impostor = new XmppTestServer({ ...SCRAM, forgeServerSignature: true });
    forged.host.server = impostor.connection;
    await assert.rejects(forged.client.start(), (error) => error instanceof SASLError && error.condition === "server-signature-mismatch");
    assert.equal(forged.client.online, false);
  });

  it("never sends <authenticate/> with sasl2: false", async () => {
    const { server, client } = await secondLogin(SCRAM, { sasl2: false });
    await client.start();
    assert.deepEqual(server.auths, ["SCRAM-SHA-1"]);
    assert.equal(server.authenticates.length, 0);
  });
});
