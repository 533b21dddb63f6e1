// The floor of `npm run bench:commands`: an @xmpp/client bot that answers every chat message with
// its body and, when asked, the XEP-0184 receipt, both in one socket write. Run as its own process
// (its CPU is read from /proc): `node build/bench/echo-bot.mjs HUB_FILE_JSON`; prints "echo-bot: online".
import { readFileSync } from "node:fs";
import { xml } from "@xmpp/client";
import type { Element } from "ltx";
import { hubClient } from "../hosts/node/peer-client.js";

interface EchoBotSettings {
  domain: string;
  host: "127.0.0.1";
  c2sPort: number;
  caPem: string;
  user: string;
  password: string;
}

const settings = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as EchoBotSettings;
const bot = hubClient(settings, { user: settings.user, password: settings.password }, { resource: "echo" });
bot.on("error", (error: Error) => console.error(`echo-bot: ${error.message}`));
// The floor writes without Nagle's algorithm, as the device does: its stream-management answer
// (<a/>, sent by xmpp.js in a write of its own) would otherwise wait behind the reply for the hub's
// delayed ACK, 40 ms, whenever commands come in a burst. TCP_NODELAY is the socket's, so it holds
// after STARTTLS wraps it.
bot.on("connect", () => (bot as unknown as { socket?: { setNoDelay?(noDelay: boolean): void } }).socket?.setNoDelay?.(true));
bot.on("stanza", (stanza: Element) => {
  if (!stanza.is("message") || stanza.attrs.type === "error") return;
  const body = stanza.getChildText("body");
  if (body === null || !stanza.attrs.from) return;
  const thread = stanza.getChildText("thread");
  const reply = xml("message", { type: "chat", to: stanza.attrs.from }, xml("body", {}, body));
  if (thread !== null) reply.append(xml("thread", {}, thread));
  let out = reply.toString();
  if (stanza.getChild("request", "urn:xmpp:receipts") && stanza.attrs.id) {
    out += xml("message", { to: stanza.attrs.from }, xml("received", { xmlns: "urn:xmpp:receipts", id: stanza.attrs.id })).toString();
  }
  // One write: the reply and its receipt leave in one TLS record. Connection.write is xmpp.js's
  // (the typings leave it out).
  void (bot as unknown as { write(text: string): Promise<void> }).write(out);
});
bot.on("online", () => {
  void bot.send(xml("presence")).then(() => console.log("echo-bot: online"));
});
process.once("SIGTERM", () => {
  void bot.stop().finally(() => process.exit(0));
});
await bot.start();
