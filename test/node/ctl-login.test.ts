// The controller never authenticates outside TLS: a scripted server that offers no STARTTLS,
// or refuses it, gets no <auth/>, and the user reads why.

import { strict as assert } from "node:assert";
import net from "node:net";
import { LoginError, logIn } from "../../hosts/node/controller/login.js";
import type { ControllerSettings } from "../../hosts/node/controller/settings.js";
import { Jid } from "../../src/xmpp/jid.js";

const HEADER = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='hub.test' version='1.0'>`;
const MECHANISMS = `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms>`;

/** A server that answers the stream header with `features` and `<starttls/>` with `starttlsAnswer`; records what it read. */
async function scriptedServer(features: string, starttlsAnswer = ""): Promise<{ port: number; received: () => string; close: () => void }> {
  let received = "";
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (chunk) => {
      const text = chunk.toString();
      received += text;
      if (text.includes("<stream:stream") || text.includes("<stream:stream ")) socket.write(`${HEADER}<stream:features>${features}</stream:features>`);
      if (text.includes("<starttls")) socket.write(starttlsAnswer);
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => received,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

function settings(port: number): ControllerSettings {
  return {
    jid: Jid.parse("owner@hub.test/ctl-test"),
    password: "secret",
    server: { host: "127.0.0.1", port },
    ca: "ca.pem",
    caPem: "",
    timeoutMs: 5000,
    waitMs: 1000,
  };
}

describe("terminal controller: login", () => {
  it("does not authenticate when the server offers no STARTTLS, not even with SCRAM", async () => {
    const server = await scriptedServer(MECHANISMS);
    try {
      await assert.rejects(logIn(settings(server.port)), (error: unknown) => error instanceof LoginError && /did not offer STARTTLS; the controller never sends the password in the clear/.test(error.message));
      assert.doesNotMatch(server.received(), /<auth/);
    } finally {
      server.close();
    }
  });

  it("says so when the server refuses STARTTLS", async () => {
    const server = await scriptedServer(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>${MECHANISMS}`, `<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    try {
      await assert.rejects(logIn(settings(server.port)), (error: unknown) => error instanceof LoginError && /refused STARTTLS/.test(error.message));
      assert.doesNotMatch(server.received(), /<auth/);
    } finally {
      server.close();
    }
  });

  it("gives up after the time limit when the server never answers", async () => {
    const server = await scriptedServer("");
    try {
      const quick = { ...settings(server.port), timeoutMs: 300 };
      await assert.rejects(logIn(quick), (error: unknown) => error instanceof LoginError && /no login at 127\.0\.0\.1:\d+ within 0\.3 s/.test(error.message));
    } finally {
      server.close();
    }
  });
});
