// Chat messages in, replies out, and delivery receipts (XEP-0184) that go out only when the
// handler has acted, so that "received" means "carried out".

import { createElement as xml, type Element } from "ltx";
import { Jid } from "./jid.js";
import { NS } from "./namespaces.js";

export interface IncomingMessage {
  readonly from: Jid;
  readonly id: string | undefined;
  /** "chat" or "normal": both are what a person types into a client. */
  readonly type: string;
  readonly body: string;
  readonly thread: string | undefined;
  readonly receiptRequested: boolean;
  readonly stanza: Element;
}

/** Reads a stanza as a message a person sent, or returns undefined for anything else (errors, chat states, groupchat). */
export function readMessage(stanza: Element): IncomingMessage | undefined {
  const type = stanza.attrs.type ?? "normal";
  if (type !== "chat" && type !== "normal") return undefined;
  const body = stanza.getChild("body");
  const from = stanza.attrs.from;
  if (!body || !from) return undefined;
  let sender: Jid;
  try {
    sender = Jid.parse(from);
  } catch {
    return undefined;
  }
  return {
    from: sender,
    id: stanza.attrs.id,
    type,
    body: body.text(),
    thread: stanza.getChildText("thread") ?? undefined,
    receiptRequested: stanza.getChild("request", NS.RECEIPTS) !== undefined && stanza.attrs.id !== undefined,
    stanza,
  };
}

export function chatMessage(to: string, body: string, id: string, thread?: string): Element {
  return xml(
    "message",
    { type: "chat", to, id },
    xml("body", {}, body),
    thread ? xml("thread", {}, thread) : null,
  );
}

/**
 * A chat message from a device (a reply, a trip notice), marked as such: a person's client shows
 * it like any chat message, and another device reads the mark and does not answer it, so two
 * devices that message each other (a trip notice to an owner that is itself a device) cannot
 * start a reply loop.
 */
export function deviceMessage(to: string, body: string, id: string, thread?: string): Element {
  return chatMessage(to, body, id, thread).c("device-message", { xmlns: NS.DEVICE_MESSAGE }).root();
}

/** Whether the message carries the mark of `deviceMessage`. */
export function fromDevice(message: IncomingMessage): boolean {
  return message.stanza.getChild("device-message", NS.DEVICE_MESSAGE) !== undefined;
}

/** The receipt for `message`, addressed to its sender (the full JID that asked). */
export function receipt(message: IncomingMessage, id: string): Element {
  return xml("message", { to: message.from.toString(), id }, xml("received", { xmlns: NS.RECEIPTS, id: message.id }));
}
