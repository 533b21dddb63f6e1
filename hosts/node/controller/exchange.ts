// One command to a device: a chat message with a receipt request (XEP-0184) out, then the
// device's reply and its receipt, which the device sends only after it has acted.

import { randomBytes } from "node:crypto";
import { type Client, xml } from "@xmpp/client";
import type { Element } from "ltx";

const NS_RECEIPTS = "urn:xmpp:receipts";
const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

export interface Exchange {
  /** The device's reply, when it came. */
  readonly reply: string | undefined;
  /** Whether its receipt came. */
  readonly received: boolean;
  /** Set when the message could not be delivered, or the device went offline before it answered. */
  readonly undelivered: string | undefined;
}

/**
 * Sends `text` to the full JID `to` and resolves when the reply and the receipt are in, when
 * delivery fails, or after `timeoutMs` with whatever came.
 */
export function exchange(xmpp: Client, to: string, text: string, timeoutMs: number): Promise<Exchange> {
  const id = `ctl-${randomBytes(6).toString("hex")}`;
  // The device answers in the thread it was asked in, so its reply is told from anything else it says.
  const thread = id;
  const from = to.toLowerCase();
  return new Promise((resolve, reject) => {
    let reply: string | undefined;
    let received = false;
    const finish = (undelivered?: string) => {
      xmpp.off("stanza", onStanza);
      clearTimeout(timer);
      resolve({ reply, received, undelivered });
    };
    const onStanza = (stanza: Element) => {
      if (String(stanza.attrs.from ?? "").toLowerCase() !== from) return;
      if (stanza.is("presence") && stanza.attrs.type === "unavailable") return finish(`${to} went offline before it answered`);
      if (!stanza.is("message")) return;
      if (stanza.attrs.type === "error") {
        if (stanza.attrs.id === id) finish(`the hub could not deliver the message to ${to}: ${errorCondition(stanza)}`);
        return;
      }
      const body = stanza.getChildText("body");
      const inThread = stanza.getChildText("thread");
      if (body !== null && reply === undefined && (inThread === null || inThread === thread)) reply = body;
      if (stanza.getChild("received", NS_RECEIPTS)?.attrs.id === id) received = true;
      if (reply !== undefined && received) finish();
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    xmpp.on("stanza", onStanza);
    xmpp
      .send(xml("message", { type: "chat", to, id }, xml("body", {}, text), xml("thread", {}, thread), xml("request", { xmlns: NS_RECEIPTS })))
      .catch((error: unknown) => {
        xmpp.off("stanza", onStanza);
        clearTimeout(timer);
        reject(error);
      });
  });
}

function errorCondition(stanza: Element): string {
  const error = stanza.getChild("error");
  const condition = error?.getChildElements().find((child) => child.attrs.xmlns === NS_STANZAS)?.name ?? "unknown error";
  const text = error?.getChildText("text", NS_STANZAS);
  return text ? `${condition} (${text})` : condition;
}
