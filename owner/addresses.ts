// The owner's tools see JIDs as the server sends them: the bare JID of a full one, and whether
// two name the same account, read with the core's own JID parser (src/xmpp/jid.ts).

import { Jid } from "../src/xmpp/jid.js";

export { bareOf } from "../src/xmpp/roster.js";

/** The JID as the parser writes it (case-folded local part and domain), or the text lower-cased when it does not parse. */
export function canonical(jid: string): string {
  try {
    return Jid.parse(jid).toString();
  } catch {
    return jid.toLowerCase();
  }
}

/** Whether `jid` carries a resource. */
export function isFull(jid: string): boolean {
  try {
    return Jid.parse(jid).resource !== "";
  } catch {
    return jid.includes("/");
  }
}
