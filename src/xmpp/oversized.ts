// What the client does with a stanza its reader skipped for being over the size or depth limit:
// the sender, when there is one to tell, gets a stanza error; the stream stays up.

import type { Element } from "ltx";
import { StanzaError, XMPPError } from "./error.js";
import { errorReply } from "./iq.js";

/**
 * The error reply to a skipped stanza (RFC 6120 §8.3.3.12 policy-violation, type modify), or
 * undefined where none may go: no sender, an error stanza (never answered, so that two parties
 * cannot answer each other forever), an iq result (RFC 6120 §8.2.3), or no start tag kept.
 */
export function refusalOf(stanza: Element | undefined, error: XMPPError): Element | undefined {
  if (!stanza?.attrs.from) return undefined;
  const type = stanza.attrs.type;
  if (type === "error" || (stanza.name === "iq" && type !== "get" && type !== "set")) return undefined;
  const limit = error.text.replace(/ at byte \d+$/, "");
  return errorReply(stanza, new StanzaError("policy-violation", `this device does not read ${limit}`, "modify"));
}

/** What the client reports (onError) about a skipped stanza. */
export function skippedReport(stanza: Element | undefined, error: XMPPError): XMPPError {
  const what = stanza ? `a <${stanza.name}/> from ${stanza.attrs.from ?? "the server"}` : "a stanza whose start tag was over the limit";
  return new XMPPError("policy-violation", `skipped ${what}: ${error.text}; the stream stays up`);
}
