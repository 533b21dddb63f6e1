// FAST (XEP-0484) against a scripted server: a SCRAM login over SASL2 asks for a token, kept in the
// host's SettingsStore; the next login authenticates with it in one exchange and gets a fresh one;
// a refused token is forgotten and SCRAM follows in the same stream, with one line.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { fastTokens, smSession, XmppTestServer, type FastTokens, type ServerBehaviour } from "../../support/xmpp-server.js";
import { MemorySettingsStore } from "../../../src/app/stored-text.js";
import { Client, type ClientOptions } from "../../../src/xmpp/client.js";
import { XMPPError } from "../../../src/xmpp/error.js";
import { FAST_RECORD } from "../../../src/xmpp/fast.js";
import { isPermanent } from "../../../src/xmpp/reconnect.js";

function behaviour(fast: FastTokens, extra: ServerBehaviour = {}): ServerBehaviour {
  return { mechanisms: ["SCRAM-SHA-1"], sasl2: { fast }, ...extra };
}

function setup(fast: FastTokens, options: Partial<ClientOptions> = {}, extra: ServerBehaviour = {}) {
  const server = new XmppTestServer(behaviour(fast, extra));
  const host = new FakeHost({ server: server.connection });
  const store = new MemorySettingsStore();
  const lines: string[] = [];
  const client = new Client({
    host,
    jid: "device@hub.test/kitchen",
    password: "secret",
    store,
    onStatus: (status, detail) => lines.push(`${status} ${detail}`),
    onError: (error) => lines.push(`error ${error.message}`),
    ...options,
  });
  /** Stops the client and points it at a fresh server sharing the token record. */
  const next = (more: ServerBehaviour = extra) => {
    client.stop();
    const fresh = new XmppTestServer(behaviour(fast, more));
    host.server = fresh.connection;
    return fresh;
  };
  return { server, host, store, client, lines, next };
}

/** Logs in over SASL (learning the offer), then over SASL2 with SCRAM (getting a token); returns the server of the third login. */
async function withToken(fast: FastTokens, options: Partial<ClientOptions> = {}, extra: ServerBehaviour = {}) {
  const context = setup(fast, options, extra);
  await context.client.start();
  const second = context.next();
  await context.client.start();
  assert.deepEqual(second.auths, ["SASL2 SCRAM-SHA-1"]);
  return context;
}

const storedToken = (store: MemorySettingsStore) => (JSON.parse(store.get(FAST_RECORD) ?? "{}") as { token?: { token: string; count: number } }).token;

describe("FAST (XEP-0484)", () => {
  it("asks for a token in a SCRAM login over SASL2 and keeps it in the host's store, tied to a user-agent id", async () => {
    const fast = fastTokens();
    const { store, server, client, next } = setup(fast);
    await client.start();
    assert.equal(server.authenticates.length, 0, "the first login uses SASL: it learns the offer");
    const second = next();
    await client.start();
    const request = second.authenticates[0]!;
    assert.match(request.toString(), /<request-token xmlns="urn:xmpp:fast:0" mechanism="HT-SHA-256-NONE"\/>/);
    assert.equal(request.getChild("fast", "urn:xmpp:fast:0"), undefined, "no token yet");
    assert.deepEqual(fast.issued, ["secret-token:fast-1"]);
    const record = JSON.parse(store.get(FAST_RECORD)!) as { jid: string; agent: string; token: { token: string; count: number } };
    assert.equal(record.jid, "device@hub.test");
    assert.equal(record.agent, request.getChild("user-agent")?.attrs.id);
    assert.equal(record.token.token, "secret-token:fast-1");
    assert.equal(record.token.count, 0);
  });

  it("logs in with the token in one exchange sent with the header (count 1, a fresh token asked for), and keeps the new one", async () => {
    const fast = fastTokens();
    const { store, client, lines, next } = await withToken(fast);
    const third = next();
    lines.length = 0;
    await client.start();
    assert.deepEqual(third.auths, ["SASL2 HT-SHA-256-NONE"]);
    const writes = third.connection.received.filter((chunk) => chunk.includes("<stream:stream"));
    assert.equal(writes.length, 2);
    assert.match(writes[1]!, /<stream:stream[^>]*><authenticate xmlns="urn:xmpp:sasl:2" mechanism="HT-SHA-256-NONE"><initial-response>[^<]+<\/initial-response><user-agent [^>]*>.*<\/user-agent><fast xmlns="urn:xmpp:fast:0" count="1"\/><request-token xmlns="urn:xmpp:fast:0" mechanism="HT-SHA-256-NONE"\/>/);
    assert.doesNotMatch(third.connection.transcript, /<response /, "no challenge, no response: one round trip");
    assert.ok(lines.includes("authenticated HT-SHA-256-NONE (SASL2)"), lines.join("; "));
    assert.deepEqual(fast.counts, ["1"]);
    assert.equal(storedToken(store)?.token, "secret-token:fast-2", "rotated: the token of this login replaces the old one");
    // The next login uses the new token, whose count starts again.
    const fourth = next();
    await client.start();
    assert.deepEqual(fourth.auths, ["SASL2 HT-SHA-256-NONE"]);
    assert.deepEqual(fast.counts, ["1", "1"]);
    assert.equal(fast.offered.at(-1), "secret-token:fast-2");
  });

  it("counts each use of a token the server did not replace, the count stored before the exchange leaves", async () => {
    const fast = fastTokens();
    const { store, client, next } = await withToken(fast);
    const storedCounts: number[] = [];
    // A server that keeps its tokens: it never sees the <request-token/>, so it issues none.
    const keepTokens = (stanza: import("ltx").Element) => {
      if (stanza.name !== "authenticate") return undefined;
      storedCounts.push(storedToken(store)?.count ?? -1);
      stanza.remove("request-token", "urn:xmpp:fast:0");
      return undefined;
    };
    next().intercept = keepTokens;
    await client.start();
    next().intercept = keepTokens;
    await client.start();
    assert.deepEqual(fast.counts, ["1", "2"]);
    assert.deepEqual(storedCounts, [1, 2]);
    assert.equal(storedToken(store)?.token, "secret-token:fast-1");
  });

  it("survives a restart: a new client on the same store logs in with the token at once, as the same user agent", async () => {
    const fast = fastTokens();
    const { store, client, host } = await withToken(fast);
    const agent = JSON.parse(store.get(FAST_RECORD)!).agent as string;
    client.stop();
    const server = new XmppTestServer(behaviour(fast));
    host.server = server.connection;
    const restarted = new Client({ host, jid: "device@hub.test/kitchen", password: "secret", store });
    await restarted.start();
    assert.deepEqual(server.auths, ["SASL2 HT-SHA-256-NONE"]);
    assert.equal(server.authenticates[0]!.getChild("user-agent")?.attrs.id, agent);
    restarted.stop();
  });

  for (const condition of ["credentials-expired", "not-authorized"]) {
    it(`forgets a token refused with ${condition} and logs in with SCRAM in the same stream, with one line`, async () => {
      const fast = fastTokens();
      const { store, client, lines, next } = await withToken(fast);
      fast.refuseWith = condition;
      const third = next();
      lines.length = 0;
      // The server takes tokens again for the SCRAM login's request.
      third.intercept = (stanza) => {
        if (stanza.name === "authenticate" && stanza.attrs.mechanism !== "HT-SHA-256-NONE") delete fast.refuseWith;
        return undefined;
      };
      await client.start();
      assert.ok(client.online);
      assert.deepEqual(third.auths, ["SASL2 HT-SHA-256-NONE", "SASL2 SCRAM-SHA-1"]);
      assert.equal(third.connection.received.filter((chunk) => chunk.includes("<stream:stream")).length, 2, "no new stream, no new connection");
      const said = lines.filter((line) => line.startsWith("error "));
      assert.equal(said.length, 1, said.join("; "));
      assert.match(said[0]!, new RegExp(`refused the FAST token \\(${condition}\\): it is forgotten, and SASL2 SCRAM-SHA-1 follows in the same stream`));
      assert.equal(storedToken(store)?.token, "secret-token:fast-2", "the SCRAM login asked for, and kept, a new token");
    });
  }

  it("forgets the token and fails the attempt (not permanently) when the server does not prove it holds it; the next one uses SCRAM", async () => {
    const fast = fastTokens();
    const { store, client, next } = await withToken(fast);
    fast.omitProof = true;
    next();
    const failed = await client.start().then(() => undefined, (error: unknown) => error);
    assert.ok(failed instanceof XMPPError && /without proving it holds it/.test(failed.message), String(failed));
    assert.equal(isPermanent(failed), false);
    assert.equal(client.online, false);
    assert.equal(storedToken(store), undefined);
    fast.omitProof = false;
    const after = next();
    await client.start();
    assert.deepEqual(after.auths, ["SASL2 SCRAM-SHA-1"]);
  });

  it("sends nothing of the token, and no from, before TLS; never the token itself, and never in a log line", async () => {
    const fast = fastTokens();
    const { client, lines, next } = await withToken(fast);
    const third = next();
    await client.start();
    const [clear, ...secured] = third.connection.received;
    assert.doesNotMatch(clear!, /authenticate|from=/, "the first header goes out in the clear: no JID, nothing of FAST");
    assert.match(secured.join(""), /<stream:stream to='hub\.test' from='device@hub\.test'/);
    assert.doesNotMatch(third.connection.transcript, /secret-token/);
    assert.doesNotMatch(lines.join("\n"), /secret-token/);
  });

  it("sends no token after a failed certificate check", async () => {
    const fast = fastTokens();
    const { client, next } = await withToken(fast);
    const third = next();
    third.connection.tlsFailure = new (await import("../../../src/host.js")).CertificateError("not signed by the configured CA");
    await assert.rejects(client.start());
    assert.doesNotMatch(third.connection.transcript, /authenticate/);
    assert.deepEqual(fast.counts, []);
  });

  it("offers no token of another account, and asks for none with fast: false", async () => {
    const fast = fastTokens();
    const { store, host, client } = await withToken(fast);
    client.stop();
    const other = new XmppTestServer(behaviour(fast, { username: "other" }));
    host.server = other.connection;
    const stranger = new Client({ host, jid: "other@hub.test/kitchen", password: "secret", store });
    await stranger.start();
    assert.deepEqual(other.auths, ["SCRAM-SHA-1"], "its first login: SASL, no token");
    stranger.stop();
    const plain = setup(fast, { fast: false });
    await plain.client.start();
    const second = plain.next();
    await plain.client.start();
    assert.doesNotMatch(second.authenticates[0]!.toString(), /urn:xmpp:fast:0/);
    assert.equal(plain.store.get(FAST_RECORD), undefined);
  });

  it("resumes the stream-managed session in the FAST exchange where the server resumes inside SASL2", async () => {
    const fast = fastTokens();
    const session = smSession();
    const { client, host, lines, next } = setup(fast, {}, { streamManagement: session });
    await client.start();
    const second = next();
    await client.start();
    await settle();
    second.connection.drop(new Error("Wi-Fi lost")); // not stop(): the session stays resumable
    await settle();
    const third = new XmppTestServer(behaviour(fast, { streamManagement: session }));
    host.server = third.connection;
    lines.length = 0;
    await client.start();
    assert.deepEqual(third.auths, ["SASL2 HT-SHA-256-NONE"]);
    assert.match(third.authenticates[0]!.toString(), /<fast [^>]*\/><request-token [^>]*\/><resume xmlns="urn:xmpp:sm:3"/);
    assert.equal(lines.at(-1)?.split(" ")[0], "resumed");
    assert.equal(third.binds, 0);
  });
});
