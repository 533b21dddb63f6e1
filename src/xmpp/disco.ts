// Service discovery (XEP-0030): who we are and what we support, for anyone who asks.

import { createElement as xml } from "ltx";
import { StanzaError } from "./error.js";
import type { IqHandler } from "./iq.js";
import { NS } from "./namespaces.js";

export interface Identity {
  category: string;
  type: string;
  name: string;
}

/** Answers disco#info for the entity itself; nodes are not published, so a node query is item-not-found. */
export function discoInfo(identity: Identity, features: () => readonly string[]): IqHandler {
  return (request, query) => {
    if (request.attrs.type !== "get") throw new StanzaError("bad-request", "disco#info is only read", "modify");
    if (query.attrs.node) throw new StanzaError("item-not-found", `no node "${query.attrs.node}" here`, "cancel");
    return xml(
      "query",
      { xmlns: NS.DISCO_INFO },
      xml("identity", { category: identity.category, type: identity.type, name: identity.name }),
      [...new Set([NS.DISCO_INFO, ...features()])].sort().map((feature) => xml("feature", { var: feature })),
    );
  };
}

/** XEP-0199: an empty result is the whole answer to a ping. */
export const ping: IqHandler = (request) => {
  if (request.attrs.type !== "get") throw new StanzaError("bad-request", "a ping is a get", "modify");
  return undefined;
};
