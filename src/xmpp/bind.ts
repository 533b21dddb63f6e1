// Resource binding (RFC 6120 §7), and the legacy session request some servers still mark required.

import { createElement as xml, type Element } from "ltx";
import { StanzaError, NegotiationError } from "./error.js";
import { Jid } from "./jid.js";
import { NS } from "./namespaces.js";
import type { XmppStream } from "./stream.js";

/** The resource binding request (`resource` empty: the server picks one). */
export function bindRequest(resource: string, id: string): Element {
  return xml("iq", { type: "set", id }, xml("bind", { xmlns: NS.BIND }, resource ? xml("resource", {}, resource) : ""));
}

/** Reads the answer to the bind request `id`, already sent (pipelined with the stream header), and returns the bound JID. */
export async function readBound(stream: XmppStream, id: string, timeoutMs: number): Promise<Jid> {
  const answer = await stream.next(timeoutMs, "the resource binding result");
  if (answer.name !== "iq" || answer.attrs.id !== id) {
    throw new NegotiationError("unsupported-stanza-type", `expected the answer to resource binding, got <${answer.name}/>`);
  }
  if (answer.attrs.type === "error") throw StanzaError.fromElement(answer);
  const text = answer.getChild("bind", NS.BIND)?.getChildText("jid");
  if (!text) throw new NegotiationError("undefined-condition", "the server bound a resource but did not say which JID");
  return Jid.parse(text);
}

/** RFC 3921 session establishment; RFC 6121 made it obsolete, so it is sent only when the server insists. */
export async function establishSession(stream: XmppStream, id: string, timeoutMs: number): Promise<void> {
  stream.send(xml("iq", { type: "set", id }, xml("session", { xmlns: NS.SESSION })));
  const answer = await stream.next(timeoutMs, "the session result");
  if (answer.attrs.type === "error") throw StanzaError.fromElement(answer);
}
