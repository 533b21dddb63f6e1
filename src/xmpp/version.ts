// Software version (XEP-0092): the firmware's name and the version running, so an owner can see
// that an update took. Answered to the requesters a policy allows only (XEP-0092 §5: a version
// tells an attacker which holes to try), forbidden to the rest.

import { createElement as xml } from "ltx";
import { StanzaError } from "./error.js";
import type { IqHandler } from "./iq.js";
import { Jid } from "./jid.js";

export const VERSION_NS = "jabber:iq:version";

export interface Software {
  readonly name: string;
  readonly version: string;
  /** The runtime it runs on ("esp32", "simulator", "Node.js 20.11.0"): optional in XEP-0092. */
  readonly os?: string;
}

export function softwareVersion(software: Software, allowed: (from: Jid) => boolean): IqHandler {
  return (request) => {
    if (request.attrs.type !== "get") throw new StanzaError("bad-request", "the software version is only read", "modify");
    let from: Jid | undefined;
    try {
      from = request.attrs.from === undefined ? undefined : Jid.parse(request.attrs.from);
    } catch {
      from = undefined;
    }
    if (!from || !allowed(from)) throw new StanzaError("forbidden", "only the device's owners may ask its software version", "auth");
    return xml(
      "query",
      { xmlns: VERSION_NS },
      xml("name", {}, software.name),
      xml("version", {}, software.version),
      software.os !== undefined ? xml("os", {}, software.os) : null,
    );
  };
}
