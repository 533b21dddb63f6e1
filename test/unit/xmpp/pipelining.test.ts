// Pipelined negotiation (RFC 6120 flow) against a scripted server: what does not depend on the
// server's answer leaves with the stream header, every check is still made before the next step
// (STARTTLS offered, the mechanisms read before the password is used, the SCRAM signature
// verified before the bind), and each guess that misses falls back within the same connection.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { smSession, XmppTestServer, type ServerBehaviour } from "../../support/xmpp-server.js";
import type { Endpoint } from "../../../src/host.js";
import { CertificateError } from "../../../src/host.js";
import { Client } from "../../../src/xmpp/client.js";
import { XMPPError } from "../../../src/xmpp/error.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";

const SM = "urn:xmpp:sm:3";

function setup(behaviour: ServerBehaviour = {}, server: Endpoint = { host: "127.0.0.1", port: 5222 }) {
  const scripted = new XmppTestServer({ mechanisms: ["PLAIN"], ...behaviour });
  const host = new FakeHost({ server: scripted.connection });
  const errors: string[] = [];
  const statuses: string[] = [];
  const client = new Client({
    host,
    jid: "device@hub.test/kitchen",
    password: "secret",
    server,
    onError: (error) => errors.push(error.message),
    onStatus: (status, detail) => statuses.push(`${status} ${detail}`),
  });
  return { server: scripted, host, client, errors, statuses };
}

/** The client's writes that open a stream, each with what left with its header. */
function headerWrites(server: XmppTestServer): string[] {
  return server.connection.received.filter((chunk) => chunk.includes("<stream:stream"));
}

describe("pipelined negotiation", () => {
  it("sends <starttls/>, the first SCRAM message and the bind request each with its stream header", async () => {
    const { server, client } = setup({ mechanisms: ["SCRAM-SHA-1", "PLAIN"] });
    await client.start();
    const [first, secured, authenticated] = headerWrites(server);
    assert.match(first!, /<stream:stream[^>]*><starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>$/);
    assert.match(secured!, /<stream:stream[^>]*><auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="SCRAM-SHA-1">/);
    assert.match(authenticated!, /<stream:stream[^>]*><iq type="set" id="[^"]+"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>kitchen<\/resource><\/bind><\/iq>$/);
    assert.deepEqual(server.auths, ["SCRAM-SHA-1"]);
    assert.equal(server.aborts, 0);
  });

  it("still stops without credentials when the server, answering the pipelined header, offers no STARTTLS", async () => {
    const { server, client } = setup({ offerStartTls: false });
    await assert.rejects(client.start(), /does not offer STARTTLS/);
    assert.equal(server.authAttempted, false);
    assert.doesNotMatch(server.connection.transcript, /<auth|<iq/);
  });

  it("gives up the guessed SCRAM-SHA-1 with <abort/> when the offer holds SCRAM-SHA-256, and pipelines that one next time", async () => {
    const { server, host, client, errors } = setup({ mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] });
    await client.start();
    assert.deepEqual(server.auths, ["SCRAM-SHA-1", "SCRAM-SHA-256"]);
    assert.equal(server.aborts, 1, "the guess was aborted before its password-dependent step");
    const transcript = server.connection.transcript;
    assert.equal(transcript.slice(0, transcript.indexOf("<abort")).includes("<response"), false, "no proof was sent for the guess");
    assert.deepEqual(errors, [], "a first guess that misses is not worth a line");
    client.stop();
    const second = new XmppTestServer({ mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] });
    host.server = second.connection;
    await client.start();
    assert.deepEqual(second.auths, ["SCRAM-SHA-256"]);
    assert.match(headerWrites(second)[1]!, /<stream:stream[^>]*><auth [^>]*mechanism="SCRAM-SHA-256">/);
  });

  it("falls back to PLAIN inside TLS when the guessed SCRAM is not offered, and never pipelines PLAIN (it carries the password)", async () => {
    const { server, host, client } = setup({ mechanisms: ["PLAIN"] });
    await client.start();
    assert.deepEqual(server.auths, ["SCRAM-SHA-1", "PLAIN"]);
    client.stop();
    const second = new XmppTestServer({ mechanisms: ["PLAIN"] });
    host.server = second.connection;
    await client.start();
    assert.deepEqual(second.auths, ["PLAIN"]);
    const secured = headerWrites(second)[1]!;
    assert.doesNotMatch(secured, /<auth/, "PLAIN waits for the offer");
  });

  it("says so in one line when the mechanism the server took last time is no longer offered", async () => {
    const { host, client, errors } = setup({ mechanisms: ["SCRAM-SHA-1"] });
    await client.start();
    client.stop();
    const second = new XmppTestServer({ mechanisms: ["PLAIN"] });
    host.server = second.connection;
    await client.start();
    assert.deepEqual(second.auths, ["SCRAM-SHA-1", "PLAIN"]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /now offers PLAIN: SASL SCRAM-SHA-1, which it took last time .* was given up for PLAIN/);
  });

  it("sends nothing after <success/> whose SCRAM signature is forged: no restart, no bind", async () => {
    const { server, client } = setup({ mechanisms: ["SCRAM-SHA-1"], forgeServerSignature: true });
    await assert.rejects(client.start(), (error) => error instanceof SASLError && error.condition === "server-signature-mismatch");
    assert.equal(headerWrites(server).length, 2);
    assert.equal(server.binds, 0);
  });

  it("goes online without waiting for <enabled/>, and counts what it sent after <enable/>", async () => {
    const session = smSession();
    const { server, client } = setup({ streamManagement: session });
    let heldEnable = false;
    server.intercept = (stanza) => {
      if (!stanza.is("enable", SM)) return undefined;
      heldEnable = true;
      return ""; // answered later, after the client is online
    };
    await client.start();
    await settle();
    assert.equal(heldEnable, true);
    assert.ok(client.online);
    assert.equal(client.streamManagement.resumable, false, "not resumable before <enabled/>");
    server.send(`<enabled xmlns='${SM}' id='late' resume='true' max='60'/>`);
    await settle();
    assert.equal(client.streamManagement.state?.id, "late");
    assert.equal(client.streamManagement.unackedCount, 2, "the roster get and the initial presence, sent after <enable/>, are kept until acknowledged");
    server.send(`<a xmlns='${SM}' h='2'/>`);
    await settle();
    assert.ok(client.online, "an ack that counts the roster get and the presence is accepted");
    assert.equal(client.streamManagement.unackedCount, 0);
  });

  it("reports a refused <enable/> in one line and stays online without stream management", async () => {
    const { server, client, errors } = setup({ streamManagement: smSession() });
    server.intercept = (stanza) => (stanza.is("enable", SM) ? `<failed xmlns='${SM}'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>` : undefined);
    await client.start();
    await settle();
    assert.ok(client.online);
    assert.equal(client.streamManagement.active, false);
    assert.deepEqual(errors, ["undefined-condition: the server refused stream management (feature-not-implemented): a lost connection will start a fresh session"]);
  });

  it("forgets the held session when the server, answering the pipelined <resume/>, no longer offers stream management; the next attempt binds", async () => {
    const session = smSession();
    const { server, host, client } = setup({ streamManagement: session });
    await client.start();
    await settle();
    server.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    assert.ok(client.streamManagement.resumable);
    const withoutSm = new XmppTestServer({ mechanisms: ["PLAIN"] });
    host.server = withoutSm.connection;
    await assert.rejects(client.start(), (error) => error instanceof XMPPError && /no longer offers stream management/.test(error.message));
    assert.equal(client.streamManagement.resumable, false);
    const again = new XmppTestServer({ mechanisms: ["PLAIN"] });
    host.server = again.connection;
    await client.start();
    assert.equal(again.binds, 1);
  });
});

describe("direct TLS (XEP-0368)", () => {
  const direct = { host: "127.0.0.1", port: 5223, directTls: true };

  it("secures the connection before its first byte, checks the certificate for the JID's domain, and sends no <starttls/>", async () => {
    const { server, client, statuses } = setup({ directTls: true, mechanisms: ["SCRAM-SHA-1"] }, direct);
    await client.start();
    assert.deepEqual(server.connection.serverNames, ["hub.test"]);
    assert.doesNotMatch(server.connection.transcript, /starttls/);
    const [first, authenticated] = headerWrites(server);
    assert.match(first!, /<stream:stream[^>]*><auth [^>]*mechanism="SCRAM-SHA-1">/, "the first header carries the first SCRAM message");
    assert.match(authenticated!, /<stream:stream[^>]*><iq type="set"/);
    assert.ok(statuses.includes("connecting tls://127.0.0.1:5223"));
    assert.ok(client.online);
  });

  it("sends nothing when the certificate is refused, and says it is a certificate problem", async () => {
    const { server, client } = setup({ directTls: true }, direct);
    server.connection.tlsFailure = new CertificateError("the server's certificate is not signed by the configured CA");
    await assert.rejects(client.start(), /the TLS upgrade with hub\.test failed: the server's certificate is not signed by the configured CA/);
    assert.deepEqual(server.connection.received, []);
  });
});
