// Entity capabilities (XEP-0115): the verification string of our identities and features
// (§5.1, SHA-1 from the host), and the `<c/>` element that carries it in presence.

import { createElement as xml, type Element } from "ltx";
import type { Host } from "../host.js";
import { encodeUtf8 } from "../xml/utf8.js";
import type { Identity } from "./disco.js";
import { NS } from "./namespaces.js";
import { encodeBase64 } from "./sasl/base64.js";

/** i;octet order: by code point, which is the order of the UTF-8 bytes (UTF-16 units differ above U+FFFF). */
export function compareOctets(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
}

function compareIdentities(a: Identity, b: Identity): number {
  return compareOctets(a.category, b.category)
    || compareOctets(a.type, b.type)
    || compareOctets(a.lang ?? "", b.lang ?? "")
    || compareOctets(a.name, b.name);
}

/** The string S of §5.1 step 1–6: identities then features, each sorted and ended by "<". */
export function capsString(identities: readonly Identity[], features: readonly string[]): string {
  let text = "";
  for (const identity of [...identities].sort(compareIdentities)) {
    text += `${identity.category}/${identity.type}/${identity.lang ?? ""}/${identity.name}<`;
  }
  for (const feature of [...new Set(features)].sort(compareOctets)) text += `${feature}<`;
  return text;
}

/** The `ver` attribute: base64 of the SHA-1 of S in UTF-8. */
export function capsVer(host: Pick<Host, "digest">, identities: readonly Identity[], features: readonly string[]): string {
  return encodeBase64(host.digest("SHA-1", encodeUtf8(capsString(identities, features))));
}

/** `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node=... ver=.../>` for presence. */
export function capsElement(node: string, ver: string): Element {
  return xml("c", { xmlns: NS.CAPS, hash: "sha-1", node, ver });
}
