// A Client logged in to the scripted server over a fake host, with what login sent forgotten, so
// that a test sees only what its own stanzas make the client send.
import { FakeHost, settle } from "./fake-host.js";
import { XmppTestServer } from "./xmpp-server.js";
import { Client, type ClientOptions } from "../../src/xmpp/client.js";

export async function onlineClient(options: Partial<ClientOptions> = {}) {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"] });
  const host = new FakeHost({ server: server.connection });
  const client = new Client({ host, jid: "device@hub.test/dev", password: "secret", ...options });
  await client.start();
  await settle();
  server.stanzas.length = 0; // the initial presence
  server.connection.received.length = 0; // and the writes that carried the login
  return { server, host, client };
}
