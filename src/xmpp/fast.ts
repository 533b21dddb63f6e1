// FAST (XEP-0484): a token the server issues inside a SASL2 success, kept where the host keeps
// settings, logs in next time in one round trip with an HT mechanism (the token's HMAC, no
// password and no key derivation), and is replaced by a fresh one at each such login.

import { createElement as xml, type Element } from "ltx";
import type { Host, SettingsStore } from "../host.js";
import { encodeUtf8 } from "../xml/utf8.js";
import type { SaslExchange } from "./authentication.js";
import { encodeBase64 } from "./sasl/base64.js";
import { SASLError } from "./sasl/error.js";
import type { SASLMechanism } from "./sasl/mechanism.js";
import type { Sasl2Offer } from "./sasl2.js";

export const FAST_NS = "urn:xmpp:fast:0";

/**
 * The HT mechanisms this device can use: no channel binding, since neither node:tls nor the
 * Moddable SDK's TLS gives the client tls-server-end-point, tls-unique or tls-exporter data.
 */
export const FAST_MECHANISMS = ["HT-SHA-256-NONE"] as const;
export type FastMechanismName = (typeof FAST_MECHANISMS)[number];

/** The stored record's key in the SettingsStore (NVS keys are at most 15 characters). */
export const FAST_RECORD = "fast";

/** A token as issued, and how often it has been offered (XEP-0484's `count`, against replays). */
export interface FastToken {
  readonly token: string;
  readonly mechanism: FastMechanismName;
  /** The server's expiry (XEP-0082 date-time), as given; the server is the judge of it. */
  readonly expiry: string;
  readonly count: number;
}

/** What a server offers in `<fast xmlns='urn:xmpp:fast:0'/>`, narrowed to what this device can use. */
export function readFastOffer(inline: Element | undefined): FastMechanismName[] {
  const fast = inline?.getChild("fast", FAST_NS);
  if (!fast) return [];
  const offered = fast.getChildren("mechanism").map((m) => m.text().trim());
  return FAST_MECHANISMS.filter((name) => offered.includes(name));
}

/** `<request-token/>`: asks for a (new) token with the success. */
export function tokenRequest(mechanism: FastMechanismName): Element {
  return xml("request-token", { xmlns: FAST_NS, mechanism });
}

/** `<fast/>`: says the exchange authenticates with a token, the `count`th use of it. */
export function fastElement(count: number): Element {
  return xml("fast", { xmlns: FAST_NS, count: String(count) });
}

/** The token a SASL2 <success/> carries, if any. */
export function readIssuedToken(success: Element, mechanism: FastMechanismName): FastToken | undefined {
  const token = success.getChild("token", FAST_NS);
  const secret = token?.attrs.token;
  if (!token || typeof secret !== "string" || secret === "") return undefined;
  return { token: secret, mechanism, expiry: typeof token.attrs.expiry === "string" ? token.attrs.expiry : "", count: 0 };
}

/**
 * HT-SHA-256-NONE (draft-schmaus-kitten-sasl-ht): the initial response is the username, a NUL
 * and HMAC-SHA-256(token, "Initiator"); the server proves it holds the token with
 * HMAC-SHA-256(token, "Responder") in its success, checked before the login counts.
 */
class HashedToken implements SASLMechanism {
  readonly name: FastMechanismName;
  readonly #host: Pick<Host, "hmac">;
  readonly #username: string;
  readonly #key: Uint8Array;
  #state: "initial" | "sent" | "verified" | "failed" = "initial";

  constructor(host: Pick<Host, "hmac">, username: string, token: FastToken) {
    this.name = token.mechanism;
    this.#host = host;
    this.#username = username;
    this.#key = encodeUtf8(token.token);
  }

  initialResponse(): Uint8Array {
    if (this.#state !== "initial") throw new Error(`${this.name}: an exchange is used once`);
    this.#state = "sent";
    const name = encodeUtf8(this.#username);
    const hash = this.#host.hmac("SHA-256", this.#key, encodeUtf8("Initiator"));
    const message = new Uint8Array(name.length + 1 + hash.length);
    message.set(name, 0);
    message.set(hash, name.length + 1);
    return message;
  }

  challenge(): Uint8Array {
    this.#state = "failed";
    throw new SASLError("invalid-server-message", `the server sent a challenge in ${this.name}, which has none`);
  }

  verify(additionalData: Uint8Array | null): void {
    const state = this.#state;
    this.#state = "failed";
    if (state !== "sent") throw new SASLError("invalid-server-message", `the server reported ${this.name} success out of turn`);
    const expected = this.#host.hmac("SHA-256", this.#key, encodeUtf8("Responder"));
    let difference = additionalData === null ? 1 : additionalData.length ^ expected.length;
    for (let k = 0; k < expected.length; k++) difference |= expected[k]! ^ (additionalData?.[k] ?? 0);
    if (difference !== 0) {
      throw new SASLError("server-signature-mismatch", `the server accepted the FAST token without proving it holds it (its ${this.name} answer is wrong or missing), so it may not be the server it claims to be`);
    }
    this.#state = "verified";
  }
}

/** The exchange that logs in with `token`; nothing is sent yet. */
export function beginFastAuthentication(host: Pick<Host, "hmac">, username: string, token: FastToken): SaslExchange {
  const mechanism = new HashedToken(host, username, token);
  const initial = encodeBase64(mechanism.initialResponse());
  return { name: token.mechanism, mechanism, initial, auth: xml("auth", {}) };
}

/** What the device keeps of FAST between logins and restarts, for one account. */
interface FastRecord {
  /** The bare JID the token is for: a device given another account does not offer it. */
  jid: string;
  /** Where it was issued (host:port): a token is not offered to another server. */
  server: string;
  /** The XEP-0388 user-agent id the server tied the token to: kept with it across restarts. */
  agent: string;
  token?: FastToken;
  /** The SASL2 offer the token came with: after a restart, the token is sent ahead with the header on its strength. */
  offer?: Sasl2Offer;
}

/**
 * The FAST token of one account and the user-agent id it is tied to, in memory and, where the
 * host has a SettingsStore, in it (one record, rewritten whole). A store that cannot be written
 * leaves the token in memory only: the next restart logs in with SCRAM.
 */
export class FastTokenStore {
  readonly #store: SettingsStore | undefined;
  readonly #jid: string;
  readonly #server: string;
  #record: FastRecord;
  /** Why the last write to the store failed, once (the caller logs it). */
  writeError: string | undefined;

  constructor(store: SettingsStore | undefined, bareJid: string, server: string, newAgentId: () => string) {
    this.#store = store;
    this.#jid = bareJid;
    this.#server = server;
    const stored = readRecord(store);
    this.#record = stored && stored.jid === bareJid && stored.server === server ? stored : { jid: bareJid, server, agent: newAgentId() };
  }

  get agentId(): string {
    return this.#record.agent;
  }

  get token(): FastToken | undefined {
    return this.#record.token;
  }

  /** The SASL2 offer stored with the token. */
  get offer(): Sasl2Offer | undefined {
    return this.#record.token ? this.#record.offer : undefined;
  }

  /** The count to send with the next use of the token, stored before it is sent (a count is never used twice). */
  nextUse(): number {
    const token = this.#record.token;
    if (!token) throw new Error("no FAST token to use");
    const count = token.count + 1;
    this.#write({ ...this.#record, token: { ...token, count } });
    return count;
  }

  /** Keeps a token the server issued, in place of the old one, with the offer it came in. */
  replace(token: FastToken, offer: Sasl2Offer): void {
    this.#write({ jid: this.#jid, server: this.#server, agent: this.#record.agent, token, offer });
  }

  /** Forgets the token (the server refused it); the user-agent id stays. */
  drop(): void {
    if (!this.#record.token) return;
    this.#write({ jid: this.#jid, server: this.#server, agent: this.#record.agent });
  }

  #write(record: FastRecord): void {
    this.#record = record;
    if (!this.#store) return;
    try {
      this.#store.set(FAST_RECORD, JSON.stringify(record));
      this.writeError = undefined;
    } catch (error) {
      this.writeError = `the FAST token could not be stored (${(error as Error).message}): it is kept until the device restarts`;
    }
  }
}

function readRecord(store: SettingsStore | undefined): FastRecord | undefined {
  const text = store?.get(FAST_RECORD);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<FastRecord>;
    if (typeof parsed.jid !== "string" || typeof parsed.server !== "string" || typeof parsed.agent !== "string") return undefined;
    const token = parsed.token;
    const record: FastRecord = { jid: parsed.jid, server: parsed.server, agent: parsed.agent };
    if (token && typeof token.token === "string" && FAST_MECHANISMS.includes(token.mechanism) && typeof token.count === "number") {
      record.token = { token: token.token, mechanism: token.mechanism, expiry: typeof token.expiry === "string" ? token.expiry : "", count: token.count };
      const offer = parsed.offer;
      if (offer && Array.isArray(offer.mechanisms) && Array.isArray(offer.fast)) {
        record.offer = { mechanisms: offer.mechanisms.filter((m) => typeof m === "string"), enableInBind: offer.enableInBind === true, resume: offer.resume === true, fast: FAST_MECHANISMS.filter((m) => offer.fast.includes(m)) };
      }
    }
    return record;
  } catch {
    return undefined; // a damaged record costs one SCRAM login, which writes a new one
  }
}
