// Ad-hoc command exchanges against a client online on the scripted server, for unit suites.

import type { Element } from "ltx";
import { assert } from "./assert.js";
import { settle } from "./fake-host.js";
import type { XmppTestServer } from "./xmpp-server.js";

export const COMMANDS = "http://jabber.org/protocol/commands";
export const OWNER = "owner@hub.test/phone";

/** Sends an iq with `payload` to the client at `to` and returns its answer. */
export async function iq(server: XmppTestServer, to: string, payload: string, options: { from?: string; type?: string; rounds?: number } = {}): Promise<Element> {
  const id = `q${server.stanzas.length}-${Math.random().toString(36).slice(2)}`;
  server.send(`<iq type='${options.type ?? "set"}' id='${id}' from='${options.from ?? OWNER}' to='${to}'>${payload}</iq>`);
  await settle(options.rounds);
  const answer = server.stanzas.find((stanza) => stanza.name === "iq" && stanza.attrs.id === id);
  assert.ok(answer, `an answer to ${payload}`);
  return answer;
}

/** The <command/> of a result, failing the test on an error answer. */
export function command(answer: Element): Element {
  assert.equal(answer.attrs.type, "result", `a result, got ${answer.toString()}`);
  return answer.getChild("command", COMMANDS)!;
}

/** An error answer's parts: its type, its stanza condition, the XEP-0050 condition beside it and its text. */
export function refusal(answer: Element): { type: string | undefined; condition: string | undefined; specific: string | undefined; text: string | undefined } {
  assert.equal(answer.attrs.type, "error", `an error, got ${answer.toString()}`);
  const error = answer.getChild("error")!;
  const children = error.getChildElements();
  return {
    type: error.attrs.type,
    condition: children.find((child) => child.attrs.xmlns === "urn:ietf:params:xml:ns:xmpp-stanzas" && child.name !== "text")?.name,
    specific: children.find((child) => child.attrs.xmlns === COMMANDS)?.name,
    text: error.getChild("text")?.getText(),
  };
}
