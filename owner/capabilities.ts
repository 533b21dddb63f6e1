// Which contacts are devices with commands: disco#info (XEP-0030) of a resource, asked once per
// entity-capabilities version (XEP-0115) and kept only when the answer hashes to that version.
// Hashing is WebCrypto's, which Node and browsers both have.

import { type Client, xml } from "@xmpp/client";
import type { Element } from "ltx";
import { compareOctets } from "../src/xmpp/caps.js";
import { NS } from "../src/xmpp/namespaces.js";
import { encodeBase64 } from "../src/xmpp/sasl/base64.js";
import { encodeUtf8 } from "../src/xml/utf8.js";
import type { Caps, Resource } from "./presence-book.js";

export interface DiscoInfo {
  readonly identities: ReadonlyArray<{ category: string; type: string; lang: string; name: string }>;
  readonly features: readonly string[];
}

/** XEP-0115 hash names (IANA) -> WebCrypto's. */
const DIGESTS: Readonly<Record<string, string>> = { "sha-1": "SHA-1", "sha-256": "SHA-256", "sha-384": "SHA-384", "sha-512": "SHA-512" };

/**
 * XEP-0115 §5.1's string S of a disco#info answer: identities, features, then extended
 * forms (XEP-0128), each sorted. Undefined when §5.4 calls the answer ill-formed (duplicates).
 */
export function verificationString(query: Element): string | undefined {
  const identities = query.getChildren("identity").map((identity) => {
    const { category = "", type = "", name = "" } = identity.attrs as Record<string, string>;
    const lang = (identity.attrs["xml:lang"] as string | undefined) ?? "";
    return `${category}/${type}/${lang}/${name}`;
  });
  const features = query.getChildren("feature").map((feature) => String(feature.attrs.var ?? ""));
  const forms: Array<{ formType: string; text: string }> = [];
  for (const form of query.getChildren("x", NS.DATA_FORMS)) {
    const fields = form.getChildren("field");
    const formTypes = fields.filter((field) => field.attrs.var === "FORM_TYPE");
    if (formTypes.length === 0) continue; // forms without a FORM_TYPE are left out of S
    if (formTypes.length > 1 || formTypes[0]!.attrs.type !== "hidden") return undefined;
    const formType = formTypes[0]!.getChildText("value") ?? "";
    let text = `${formType}<`;
    const others = fields.filter((field) => field.attrs.var !== "FORM_TYPE").sort((a, b) => compareOctets(String(a.attrs.var), String(b.attrs.var)));
    for (const field of others) {
      text += `${String(field.attrs.var)}<`;
      for (const value of field.getChildren("value").map((v) => v.text()).sort(compareOctets)) text += `${value}<`;
    }
    forms.push({ formType, text });
  }
  const distinct = (list: string[]) => new Set(list).size === list.length;
  if (!distinct(identities) || !distinct(features) || !distinct(forms.map((form) => form.formType))) return undefined;
  return [
    ...identities.sort(compareOctets).map((identity) => `${identity}<`),
    ...features.sort(compareOctets).map((feature) => `${feature}<`),
    ...forms.sort((a, b) => compareOctets(a.formType, b.formType)).map((form) => form.text),
  ].join("");
}

/** Whether `query` hashes to `caps.ver` with `caps.hash`; false for a hash WebCrypto does not have (or legacy caps). */
export async function matchesVer(query: Element, caps: Caps): Promise<boolean> {
  const algorithm = caps.hash === undefined ? undefined : DIGESTS[caps.hash.toLowerCase()];
  const text = verificationString(query);
  if (algorithm === undefined || text === undefined) return false;
  const digest = await globalThis.crypto.subtle.digest(algorithm, new Uint8Array(encodeUtf8(text)));
  return encodeBase64(new Uint8Array(digest)) === caps.ver;
}

export function readDiscoInfo(query: Element): DiscoInfo {
  return {
    identities: query.getChildren("identity").map((identity) => ({
      category: String(identity.attrs.category ?? ""),
      type: String(identity.attrs.type ?? ""),
      lang: String(identity.attrs["xml:lang"] ?? ""),
      name: String(identity.attrs.name ?? ""),
    })),
    features: query.getChildren("feature").map((feature) => String(feature.attrs.var ?? "")),
  };
}

export class Capabilities {
  readonly #xmpp: Client;
  readonly #timeoutMs: number;
  readonly #warn: (line: string) => void;
  // "hash ver" -> the verified answer (undefined: unverified or none); a promise, so that
  // resources that share a ver while the first query is out wait for it instead of asking too.
  readonly #byVer = new Map<string, Promise<DiscoInfo | undefined>>();
  /** How many disco#info queries were sent (caching shows as fewer). */
  queries = 0;

  constructor(xmpp: Client, timeoutMs: number, warn: (line: string) => void) {
    this.#xmpp = xmpp;
    this.#timeoutMs = timeoutMs;
    this.#warn = warn;
  }

  /** The resource's disco#info, or undefined when it does not answer. */
  async info(resource: Pick<Resource, "jid" | "caps">): Promise<DiscoInfo | undefined> {
    const { caps } = resource;
    if (caps?.hash === undefined) return this.#ask(resource.jid, undefined).then((query) => query && readDiscoInfo(query));
    const key = `${caps.hash} ${caps.ver}`;
    const shared = this.#byVer.get(key);
    if (shared !== undefined) {
      const info = await shared;
      if (info !== undefined) return info;
    }
    const query = this.#ask(resource.jid, `${caps.node}#${caps.ver}`);
    const verified = query.then(async (answer) => (answer !== undefined && (await matchesVer(answer, caps)) ? readDiscoInfo(answer) : undefined));
    if (!this.#byVer.has(key)) this.#byVer.set(key, verified);
    const answer = await query;
    if (answer === undefined) return undefined;
    if ((await verified) === undefined) {
      // Not kept for others: a resource that answers truthfully may share the ver.
      if (this.#byVer.get(key) === verified) this.#byVer.delete(key);
      this.#warn(`${resource.jid}: its disco#info does not hash to its caps ver ${caps.ver} (${caps.hash}); not trusted for other contacts`);
    }
    return readDiscoInfo(answer);
  }

  async hasCommands(resource: Pick<Resource, "jid" | "caps">): Promise<boolean> {
    return (await this.info(resource))?.features.includes(NS.COMMANDS) === true;
  }

  async #ask(to: string, node: string | undefined): Promise<Element | undefined> {
    this.queries++;
    try {
      return await this.#xmpp.iqCaller.get(xml("query", { xmlns: NS.DISCO_INFO, ...(node !== undefined ? { node } : {}) }), to, this.#timeoutMs);
    } catch {
      // An error answer (a client without disco#info) or none: not a device with commands.
      return undefined;
    }
  }
}
