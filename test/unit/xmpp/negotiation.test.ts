// Negotiation against a scripted server over a fake connection: STARTTLS is required before
// any credential leaves, SASL picks the best mechanism and checks the server, bind follows.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer, type ServerBehaviour } from "../../support/xmpp-server.js";
import { Client, type ClientStatus } from "../../../src/xmpp/client.js";
import { NegotiationError, StreamError, TimeoutError } from "../../../src/xmpp/error.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";
import { CertificateError } from "../../../src/host.js";
import { isPermanent } from "../../../src/xmpp/reconnect.js";

// PLAIN unless a test is about SCRAM: SCRAM's 4096 iterations in pure-JS digests take seconds on XS.
function setup(behaviour: ServerBehaviour = {}, jid = "device@hub.test/kitchen") {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], ...behaviour });
  const host = new FakeHost({ server: server.connection });
  const statuses: ClientStatus[] = [];
  const client = new Client({
    host,
    jid,
    password: "secret",
    server: { host: "127.0.0.1", port: 5222 },
    onStatus: (status) => statuses.push(status),
  });
  return { server, host, client, statuses };
}

describe("negotiation", () => {
  it("goes STARTTLS -> SCRAM-SHA-1 -> bind -> presence and reports each step", async () => {
    const { server, client, statuses } = setup({ mechanisms: ["SCRAM-SHA-1", "PLAIN"] });
    const jid = await client.start();
    assert.equal(jid.toString(), "device@hub.test/kitchen");
    assert.deepEqual(statuses, ["connecting", "connected", "secure", "authenticated", "bound", "online"]);
    assert.deepEqual(server.connection.serverNames, ["hub.test"], "TLS checks the certificate against the JID's domain");
    assert.deepEqual(server.connection.endpoint, { host: "127.0.0.1", port: 5222 });
    const transcript = server.connection.transcript;
    assert.ok(transcript.indexOf("<starttls") < transcript.indexOf("<auth"), "STARTTLS comes before auth");
    assert.match(transcript, /<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="SCRAM-SHA-1">/);
    assert.match(transcript, /<resource>kitchen<\/resource>/);
    await settle();
    assert.equal(server.stanzas[0]?.name, "presence", "initial presence follows the bind");
    assert.ok(client.online);
  });

  it("says in the secure step whether the host resumed its TLS session or the server made it do a full handshake", async () => {
    const details = new Map<string, string>();
    for (const tlsSession of [undefined, "resumed", "refused"] as const) {
      const server = new XmppTestServer({ mechanisms: ["PLAIN"] });
      server.connection.tlsSession = tlsSession;
      const client = new Client({
        host: new FakeHost({ server: server.connection }),
        jid: "device@hub.test/kitchen",
        password: "secret",
        server: { host: "127.0.0.1", port: 5222 },
        onStatus: (status, detail) => {
          if (status === "secure") details.set(String(tlsSession), detail);
        },
      });
      await client.start();
      client.stop();
    }
    assert.equal(details.get("undefined"), "hub.test");
    assert.equal(details.get("resumed"), "hub.test (TLS session resumed)");
    assert.equal(details.get("refused"), "hub.test (TLS session not resumed: the server no longer has it; full handshake, certificate checked)");
  });

  it("prefers SCRAM-SHA-256 when offered", async () => {
    const { server, client } = setup({ mechanisms: ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"] });
    await client.start();
    assert.match(server.connection.transcript, /mechanism="SCRAM-SHA-256"/);
  });

  it("uses PLAIN only inside TLS and only when no SCRAM is offered", async () => {
    const { server, client } = setup({ mechanisms: ["PLAIN"] });
    await client.start();
    assert.match(server.connection.transcript, /mechanism="PLAIN"/);
    assert.ok(server.connection.secure);
  });

  it("lets the server assign the resource when the JID has none", async () => {
    const { client } = setup({}, "device@hub.test");
    const jid = await client.start();
    assert.equal(jid.toString(), "device@hub.test/server-chose");
  });

  it("sends the legacy session request only when the server requires it", async () => {
    const required = setup({ requireSession: true });
    await required.client.start();
    assert.match(required.server.connection.transcript, /<session xmlns="urn:ietf:params:xml:ns:xmpp-session"\/>/);
    const optional = setup();
    await optional.client.start();
    assert.doesNotMatch(optional.server.connection.transcript, /xmpp-session/);
  });

  it("stops without sending credentials when the server offers no STARTTLS", async () => {
    const { server, client, statuses } = setup({ offerStartTls: false, mechanisms: ["PLAIN", "SCRAM-SHA-1"] });
    await assert.rejects(client.start(), (error) => error instanceof NegotiationError && /does not offer STARTTLS/.test(error.message));
    assert.equal(server.authAttempted, false);
    assert.doesNotMatch(server.connection.transcript, /<auth/);
    assert.ok(server.connection.closed, "the connection is closed");
    assert.ok(!statuses.includes("secure"));
  });

  it("stops without sending credentials when the server refuses STARTTLS", async () => {
    const { server, client } = setup({ refuseStartTls: true });
    await assert.rejects(client.start(), (error) => error instanceof NegotiationError && /refused STARTTLS/.test(error.message));
    assert.doesNotMatch(server.connection.transcript, /<auth/);
  });

  it("stops without sending credentials when the TLS upgrade fails (wrong CA)", async () => {
    const { server, client } = setup();
    server.connection.tlsFailure = new CertificateError("the server's certificate is not signed by the configured CA");
    await assert.rejects(client.start(), (error) => error instanceof NegotiationError && /not signed by the configured CA/.test(error.message));
    assert.doesNotMatch(server.connection.transcript, /<auth/);
  });

  it("gives up a TLS handshake that never completes after the step's time limit, as a transient failure", async () => {
    const { server, client, host } = setup();
    server.connection.tlsHangs = true;
    let failure: unknown;
    const started = client.start().catch((error: unknown) => (failure = error));
    await settle();
    host.clock.advance(29_999);
    await settle();
    assert.equal(failure, undefined);
    host.clock.advance(1);
    await started;
    assert.ok(failure instanceof TimeoutError && /TLS handshake did not finish within 30000 ms/.test(failure.message), String(failure));
    assert.ok(!isPermanent(failure));
    assert.ok(server.connection.closed, "the half-open connection is closed");
  });

  it("reports a TLS handshake cut by the network as transient, not as a certificate problem", async () => {
    const { server, client } = setup();
    server.connection.tlsFailure = new Error("Client network socket disconnected before secure TLS connection was established");
    await assert.rejects(client.start(), (error) => !(error instanceof NegotiationError) && !isPermanent(error) && /did not complete/.test((error as Error).message));
    assert.doesNotMatch(server.connection.transcript, /<auth/);
    assert.ok(server.connection.closed);
  });

  it("reports wrong credentials as a SASLError naming the keys to check", async () => {
    const { server, client } = setup({ mechanisms: ["SCRAM-SHA-1"], password: "other" });
    await assert.rejects(client.start(), (error) => error instanceof SASLError && error.condition === "not-authorized" && /xmpp_password/.test(error.message));
    assert.ok(server.connection.closed);
  });

  it("refuses a server that cannot prove it knows the password (SCRAM server signature)", async () => {
    const { client } = setup({ mechanisms: ["SCRAM-SHA-1"], forgeServerSignature: true });
    await assert.rejects(client.start(), (error) => error instanceof SASLError && error.condition === "server-signature-mismatch");
    assert.equal(client.online, false);
  });

  it("refuses when only mechanisms it must not use are offered", async () => {
    const { client } = setup({ mechanisms: ["DIGEST-MD5"] });
    await assert.rejects(client.start(), SASLError);
  });

  it("times out when the server goes silent, by the host's clock", async () => {
    const { server, host, client } = setup();
    server.muted = true;
    let outcome: unknown = "pending";
    const started = client.start().then(
      () => (outcome = "online"),
      (error: unknown) => (outcome = error),
    );
    await settle();
    host.clock.advance(29_999);
    await settle();
    assert.equal(outcome, "pending", "still waiting just before the timeout");
    host.clock.advance(1);
    await started;
    assert.ok(outcome instanceof TimeoutError, `expected a TimeoutError, got ${String(outcome)}`);
    assert.match((outcome as Error).message, /stream features/);
    assert.ok(server.connection.closed);
  });

  it("fails with the server's stream error, condition and text, as a transient failure", async () => {
    const { server, client } = setup();
    server.intercept = (stanza) =>
      stanza.name === "starttls"
        ? "<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>restarting</text></stream:error>"
        : undefined;
    await assert.rejects(client.start(), (error) => error instanceof StreamError && error.condition === "system-shutdown" && error.text === "restarting" && !isPermanent(error));
    assert.ok(server.connection.closed);
  });

  for (const condition of ["host-unknown", "host-gone", "improper-addressing"]) {
    it(`stops on the stream error ${condition}, saying which key to change`, async () => {
      const { server, client } = setup();
      server.intercept = (stanza) =>
        stanza.name === "starttls"
          ? `<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such host</text></stream:error>`
          : undefined;
      await assert.rejects(
        client.start(),
        (error) => error instanceof NegotiationError && error.condition === condition && isPermanent(error) && /no such host/.test(error.message) && /jid key/.test(error.message),
      );
      assert.ok(server.connection.closed);
    });
  }

  it("ends the stream with not-well-formed when the server sends broken XML", async () => {
    const { server, client } = setup();
    server.intercept = (stanza) => (stanza.name === "starttls" ? "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'></wrong>" : undefined);
    await assert.rejects(client.start(), (error) => error instanceof StreamError && error.condition === "not-well-formed");
    assert.match(server.connection.transcript, /<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/><\/stream:error><\/stream:stream>/);
  });

  it("opens each stream to the JID's domain, escaped, and restarts it after TLS and after SASL", async () => {
    const { server, client } = setup({ domain: "hub'x" }, "device@hub'x/kitchen");
    await client.start();
    assert.deepEqual(server.headers.map((h) => h.to), ["hub'x", "hub'x", "hub'x"]);
    assert.equal(server.headers[0]!.version, "1.0");
  });

  it("says which endpoint it could not reach", async () => {
    const host = new FakeHost();
    const client = new Client({ host, jid: "device@hub.test", password: "secret" });
    await assert.rejects(client.start(), /cannot connect to hub\.test:5222/);
  });
});
