// Which device a command names: a bare or full JID, or a local part on the owner's own domain.

import { Jid } from "../../../src/xmpp/jid.js";
import { UsageError } from "./arguments.js";

export function resolveDevice(word: string, domain: string): Jid {
  try {
    return word.includes("@") ? Jid.parse(word) : new Jid(word, domain);
  } catch (error) {
    throw new UsageError(`"${word}" does not name a device: ${(error as Error).message}`);
  }
}
