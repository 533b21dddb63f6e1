// Service discovery (XEP-0030): who we are and what we support, for anyone who asks, and the
// items of the nodes we publish.

import { createElement as xml, type Element } from "ltx";
import { StanzaError } from "./error.js";
import type { IqHandler } from "./iq.js";
import { NS } from "./namespaces.js";

export interface Identity {
  category: string;
  type: string;
  name: string;
  /** xml:lang of the name, when it is in one language. */
  lang?: string;
}

export interface DiscoItem {
  jid: string;
  node?: string;
  name?: string;
}

/**
 * Answers disco#info for the entity itself, and for the nodes `infoNodes` gives (the caps node
 * `<node>#<ver>`, which describes the same entity); any other node is item-not-found.
 */
export function discoInfo(identity: Identity, features: () => readonly string[], infoNodes: () => readonly string[] = () => []): IqHandler {
  return (request, query) => {
    if (request.attrs.type !== "get") throw new StanzaError("bad-request", "disco#info is only read", "modify");
    const node = query.attrs.node;
    if (node !== undefined && !infoNodes().includes(node)) throw new StanzaError("item-not-found", `no node "${node}" here`, "cancel");
    return xml(
      "query",
      { xmlns: NS.DISCO_INFO, node },
      xml("identity", { category: identity.category, type: identity.type, name: identity.name, "xml:lang": identity.lang }),
      [...new Set([NS.DISCO_INFO, ...features()])].sort().map((feature) => xml("feature", { var: feature })),
    );
  };
}

/**
 * Answers disco#items: `items` gives the items of a node for the requester (the entity itself
 * when the node is undefined), undefined for a node that does not exist, or throws a StanzaError
 * (forbidden) for a requester who may not see them.
 */
export function discoItems(items: (request: Element, node: string | undefined) => readonly DiscoItem[] | undefined): IqHandler {
  return (request, query) => {
    if (request.attrs.type !== "get") throw new StanzaError("bad-request", "disco#items is only read", "modify");
    const node = query.attrs.node;
    const found = items(request, node);
    if (found === undefined) throw new StanzaError("item-not-found", `no node "${node ?? ""}" here`, "cancel");
    return xml(
      "query",
      { xmlns: NS.DISCO_ITEMS, node },
      found.map((item) => xml("item", { jid: item.jid, node: item.node, name: item.name })),
    );
  };
}

/** XEP-0199: an empty result is the whole answer to a ping. */
export const ping: IqHandler = (request) => {
  if (request.attrs.type !== "get") throw new StanzaError("bad-request", "a ping is a get", "modify");
  return undefined;
};
