// A scripted XMPP server for unit tests: it parses what the client sends with the project's
// own stream reader and answers as a server would, with knobs for each way a server can fail.

import { createElement as xml, escapeXML, type Element } from "ltx";
import { StanzaStream } from "../../src/xml/stanza-stream.js";
import { encodeUtf8, decodeUtf8 } from "../../src/xml/utf8.js";
import { decodeBase64, encodeBase64 } from "../../src/xmpp/sasl/base64.js";
import { pbkdf2 } from "../../src/xmpp/sasl/pbkdf2.js";
import { digest, hmac } from "./digest.js";
import { ScriptedServer } from "./fake-host.js";

export interface ServerBehaviour {
  domain?: string;
  offerStartTls?: boolean;
  /** Answer <starttls/> with <failure/> instead of <proceed/>. */
  refuseStartTls?: boolean;
  mechanisms?: string[];
  username?: string;
  password?: string;
  /** SCRAM iteration count; the client refuses fewer than 4096. */
  iterations?: number;
  /** Corrupts the SCRAM server signature: the client must notice. */
  forgeServerSignature?: boolean;
  /** Marks <session/> as required in the post-auth features. */
  requireSession?: boolean;
  resource?: string;
  /** Offer SASL2 (XEP-0388) with Bind2 (and inline SM with `streamManagement`); `failWith`: answer every <authenticate/> with that condition. */
  sasl2?: {
    failWith?: string;
    /** false: no SM inside SASL2 (Prosody 0.12.3 without mod_sasl2_sm). */ inlineSm?: boolean;
    /** Offer FAST (XEP-0484) HT-SHA-256-NONE, with this token record shared by the servers a test reconnects to. */
    fast?: FastTokens;
  };
  /** Direct TLS (XEP-0368): the connection is secure before the first header, so SASL is offered at once. */
  directTls?: boolean;
  /** The roster a roster get is answered with (RFC 6121 §2.1.4); default: empty. */
  roster?: Array<{ jid: string; subscription?: string; ask?: string }>;
  /** Answer a roster get with this stanza error condition instead. */
  refuseRoster?: string;
  /** Offer XEP-0198 stream management, with this session record shared by the servers a test reconnects to. */
  streamManagement?: SmSession;
}

/** The server side of a stream-managed session, kept across the connections of one test. */
export interface SmSession {
  id: string;
  /** Stanzas received from the client since <enable/> (the server's h). */
  handled: number;
  /** The client's last <a h/>. */
  clientAcked: number | undefined;
  /** Whether a <resume/> with this id is accepted. */
  resumable: boolean;
  enabled: boolean;
  /** <resume/> elements received. */
  resumes: number;
  /** Stanzas the server sends right behind <resumed/> (what it held for the client), in the same write. */
  resendOnResume?: string[];
}

/** The server side of FAST: the tokens it issued and still accepts, kept across the connections of one test. */
export interface FastTokens {
  /** Tokens accepted, newest last. */
  valid: string[];
  /** Tokens issued, in order. */
  issued: string[];
  /** Refuse every token with this condition (an expiry: credentials-expired; a server that lost them: not-authorized). */
  refuseWith?: string;
  /** Answer a token without the server's HT proof (an impostor's success). */
  omitProof?: boolean;
  /** The `count` of each FAST attempt. */
  counts: string[];
  /** <request-token/> elements received. */
  requests: number;
  /** Every token the server saw offered (what a client must never send before TLS). */
  offered: string[];
}

export function fastTokens(): FastTokens {
  return { valid: [], issued: [], counts: [], requests: 0, offered: [] };
}

export function smSession(): SmSession {
  return { id: "sm-1", handled: 0, clientAcked: undefined, resumable: true, enabled: false, resumes: 0 };
}

// The server derives each password once per run: pure-JS PBKDF2 at 4096 iterations is slow on XS.
const derived = new Map<string, Uint8Array>();
function saltedPassword(alg: "SHA-1" | "SHA-256", password: string, salt: Uint8Array, iterations: number): Uint8Array {
  const key = `${alg} ${password} ${iterations} ${encodeBase64(salt)}`;
  let salted = derived.get(key);
  if (!salted) derived.set(key, (salted = pbkdf2({ hmac }, alg, encodeUtf8(password), salt, iterations)));
  return salted;
}

type Stage = "initial" | "secured" | "authenticated";

const SASL1 = "urn:ietf:params:xml:ns:xmpp-sasl";
const SASL2 = "urn:xmpp:sasl:2";
const BIND2 = "urn:xmpp:bind:0";
const FAST = "urn:xmpp:fast:0";

/** Runs the server side of the negotiation on a ScriptedServer; `stanzas` collects what the client sent after it. */
export class XmppTestServer {
  readonly connection = new ScriptedServer();
  readonly stanzas: Element[] = [];
  readonly behaviour: Required<Omit<ServerBehaviour, "resource" | "streamManagement" | "sasl2">> & { resource: string; streamManagement: SmSession | undefined; sasl2: ServerBehaviour["sasl2"] };
  stage: Stage = "initial";
  /** Whether the client ever sent <auth/>. */
  authAttempted = false;
  /** The attributes of each stream header the client sent. */
  readonly headers: Record<string, string>[] = [];
  /** SASL exchanges the client aborted. */
  aborts = 0;
  /** SASL2 <authenticate/> elements received. */
  readonly authenticates: Element[] = [];
  /** The mechanism of each <auth/> the client sent. */
  readonly auths: string[] = [];
  /** Resource binding requests answered. */
  binds = 0;
  /** Pings the server answered (XEP-0199, to its domain). */
  pings = 0;
  /** Roster gets the server answered. */
  rosterGets = 0;
  /** A muted server reads but never answers. */
  muted = false;
  /** Answers a stanza in place of the script when it returns text. */
  intercept: ((stanza: Element) => string | undefined) | undefined;
  #reader: StanzaStream;
  /** The namespace of the SASL exchange under way: SASL or SASL2. */
  #ns = SASL1;
  #scram: { clientFirstBare: string; serverFirst: string; salted: Uint8Array; nonce: string; alg: "SHA-1" | "SHA-256" } | undefined;

  constructor(behaviour: ServerBehaviour = {}) {
    this.behaviour = {
      domain: "hub.test",
      offerStartTls: true,
      refuseStartTls: false,
      mechanisms: ["SCRAM-SHA-1", "PLAIN"],
      username: "device",
      password: "secret",
      iterations: 4096,
      forgeServerSignature: false,
      roster: [],
      refuseRoster: "",
      requireSession: false,
      resource: "server-chose",
      streamManagement: undefined,
      directTls: false,
      sasl2: undefined,
      ...behaviour,
    };
    if (this.behaviour.directTls) this.stage = "secured";
    this.#reader = this.#newReader();
    this.connection.onReceive((text) => this.#reader.write(encodeUtf8(text)));
  }

  get fullJid(): string {
    return `${this.behaviour.username}@${this.behaviour.domain}/${this.behaviour.resource}`;
  }

  /** Sends a stanza (as text) to the client. */
  send(stanza: Element | string): void {
    this.connection.push(stanza.toString());
  }

  #newReader(): StanzaStream {
    return new StanzaStream({
      onHeader: (attrs) => {
        this.headers.push(attrs);
        this.#onHeader();
      },
      onStanza: (stanza) => this.#onStanza(stanza),
      onEnd: () => {},
      onError: (error) => {
        throw new Error(`the client sent bad XML: ${error.condition} ${error.text}`);
      },
    });
  }

  #onHeader(): void {
    if (this.muted) return;
    const { domain } = this.behaviour;
    const header = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s-${this.stage}' from='${escapeXML(domain)}' version='1.0' xml:lang='en'>`;
    const features = xml("stream:features", {});
    if (this.stage === "initial" && this.behaviour.offerStartTls) {
      features.c("starttls", { xmlns: "urn:ietf:params:xml:ns:xmpp-tls" }).c("required");
    } else if (this.stage === "secured" || (this.stage === "initial" && !this.behaviour.offerStartTls)) {
      const mechanisms = features.c("mechanisms", { xmlns: "urn:ietf:params:xml:ns:xmpp-sasl" });
      for (const name of this.behaviour.mechanisms) mechanisms.c("mechanism").t(name);
      if (this.behaviour.sasl2) {
        const authentication = features.c("authentication", { xmlns: SASL2 });
        for (const name of this.behaviour.mechanisms) authentication.c("mechanism").t(name);
        const inline = authentication.c("inline");
        if (this.behaviour.sasl2.fast) inline.c("fast", { xmlns: FAST }).c("mechanism").t("HT-SHA-256-NONE");
        const bind = inline.c("bind", { xmlns: BIND2 });
        if (this.behaviour.streamManagement && this.behaviour.sasl2.inlineSm !== false) {
          bind.c("inline").c("feature", { var: "urn:xmpp:sm:3" });
          inline.c("sm", { xmlns: "urn:xmpp:sm:3" });
        }
      }
    } else if (this.stage === "authenticated") {
      features.c("bind", { xmlns: "urn:ietf:params:xml:ns:xmpp-bind" });
      const session = features.c("session", { xmlns: "urn:ietf:params:xml:ns:xmpp-session" });
      if (!this.behaviour.requireSession) session.c("optional");
      if (this.behaviour.streamManagement) features.c("sm", { xmlns: "urn:xmpp:sm:3" });
    }
    this.connection.push(header + features.toString());
  }

  #onStanza(stanza: Element): void {
    if (this.muted) return;
    const answer = this.intercept?.(stanza);
    if (answer !== undefined) {
      this.send(answer);
      return;
    }
    const sm = this.behaviour.streamManagement;
    if (sm && stanza.attrs.xmlns === "urn:xmpp:sm:3") {
      this.#streamManagement(sm, stanza);
      return;
    }
    if (sm?.enabled && (stanza.name === "message" || stanza.name === "presence" || stanza.name === "iq")) sm.handled += 1;
    if (stanza.name === "starttls") {
      if (this.behaviour.refuseStartTls) {
        this.send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
        return;
      }
      this.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      // The client upgrades, then opens a new stream.
      this.stage = "secured";
      this.#reader = this.#newReader();
      return;
    }
    if (stanza.name === "abort" && stanza.attrs.xmlns === "urn:ietf:params:xml:ns:xmpp-sasl") {
      this.aborts += 1;
      this.#scram = undefined;
      this.#fail("aborted");
      return;
    }
    if (stanza.name === "authenticate" && stanza.attrs.xmlns === SASL2 && this.behaviour.sasl2) {
      this.authenticates.push(stanza);
      this.authAttempted = true;
      this.auths.push(`SASL2 ${stanza.attrs.mechanism ?? ""}`);
      this.#ns = SASL2;
      if (this.behaviour.sasl2.failWith) {
        this.#fail(this.behaviour.sasl2.failWith);
        return;
      }
      if (stanza.attrs.mechanism === "HT-SHA-256-NONE") {
        this.#fastAuth(stanza);
        return;
      }
      this.#auth(stanza.attrs.mechanism ?? "", decodeBase64(stanza.getChildText("initial-response") ?? ""));
      return;
    }
    if (stanza.name === "abort" && stanza.attrs.xmlns === SASL2) {
      this.aborts += 1;
      this.#scram = undefined;
      this.#fail("aborted");
      return;
    }
    if (stanza.name === "response" && stanza.attrs.xmlns === SASL2 && this.#scram) {
      this.#scramFinal(decodeUtf8(decodeBase64(stanza.text())));
      return;
    }
    if (stanza.name === "auth") {
      this.#ns = SASL1;
      this.authAttempted = true;
      this.auths.push(stanza.attrs.mechanism ?? "");
      this.#auth(stanza.attrs.mechanism ?? "", decodeBase64(stanza.text()));
      return;
    }
    if (stanza.name === "response" && this.#scram) {
      this.#scramFinal(decodeUtf8(decodeBase64(stanza.text())));
      return;
    }
    if (stanza.name === "iq" && stanza.getChild("bind", "urn:ietf:params:xml:ns:xmpp-bind")) {
      this.binds += 1;
      const requested = stanza.getChild("bind")?.getChildText("resource");
      if (requested) this.behaviour.resource = requested;
      this.send(
        xml("iq", { type: "result", id: stanza.attrs.id }, xml("bind", { xmlns: "urn:ietf:params:xml:ns:xmpp-bind" }, xml("jid", {}, this.fullJid))),
      );
      return;
    }
    if (stanza.name === "iq" && stanza.attrs.type === "get" && stanza.attrs.to === this.behaviour.domain && stanza.getChild("ping", "urn:xmpp:ping")) {
      this.pings += 1;
      this.send(xml("iq", { type: "result", id: stanza.attrs.id, from: this.behaviour.domain }));
      return;
    }
    if (stanza.name === "iq" && stanza.attrs.type === "get" && stanza.getChild("query", "jabber:iq:roster")) {
      this.rosterGets += 1;
      const { roster = [], refuseRoster } = this.behaviour;
      if (refuseRoster) {
        this.send(xml("iq", { type: "error", id: stanza.attrs.id }, xml("error", { type: "cancel" }, xml(refuseRoster, { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }))));
      } else {
        this.send(xml("iq", { type: "result", id: stanza.attrs.id }, xml("query", { xmlns: "jabber:iq:roster" }, ...roster.map((item) => xml("item", item)))));
      }
      return;
    }
    if (stanza.name === "iq" && stanza.getChild("session", "urn:ietf:params:xml:ns:xmpp-session")) {
      this.send(xml("iq", { type: "result", id: stanza.attrs.id }));
      return;
    }
    this.stanzas.push(stanza);
  }

  #streamManagement(sm: SmSession, element: Element): void {
    const ns = "urn:xmpp:sm:3";
    switch (element.name) {
      case "enable":
        sm.enabled = true;
        sm.handled = 0;
        sm.resumable = true;
        this.send(xml("enabled", { xmlns: ns, id: sm.id, resume: "true", max: "300" }));
        break;
      case "resume":
        sm.resumes += 1;
        if (sm.resumable && element.attrs.previd === sm.id) {
          sm.clientAcked = Number(element.attrs.h);
          this.send(xml("resumed", { xmlns: ns, previd: sm.id, h: String(sm.handled) }).toString() + (sm.resendOnResume ?? []).join(""));
        } else {
          this.send(xml("failed", { xmlns: ns }, xml("item-not-found", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })));
        }
        break;
      case "r":
        this.send(xml("a", { xmlns: ns, h: String(sm.handled) }));
        break;
      case "a":
        sm.clientAcked = Number(element.attrs.h);
        break;
    }
    this.stanzas.push(element);
  }

  #auth(mechanism: string, data: Uint8Array): void {
    const { username, password } = this.behaviour;
    if (!this.behaviour.mechanisms.includes(mechanism)) {
      this.#fail("invalid-mechanism");
      return;
    }
    if (mechanism === "PLAIN") {
      const [, user, pass] = decodeUtf8(data).split("\u0000");
      if (user === username && pass === password) this.#succeed("");
      else this.#fail("not-authorized");
      return;
    }
    if (mechanism === "SCRAM-SHA-1" || mechanism === "SCRAM-SHA-256") {
      const alg = mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256";
      const clientFirst = decodeUtf8(data);
      const clientFirstBare = clientFirst.slice(clientFirst.indexOf(",", clientFirst.indexOf(",") + 1) + 1);
      const clientNonce = /(?:^|,)r=([^,]*)/.exec(clientFirstBare)?.[1] ?? "";
      const salt = encodeUtf8("pepper-salt");
      const nonce = `${clientNonce}server-nonce`;
      const serverFirst = `r=${nonce},s=${encodeBase64(salt)},i=${this.behaviour.iterations}`;
      const salted = saltedPassword(alg, password, salt, this.behaviour.iterations);
      this.#scram = { clientFirstBare, serverFirst, salted, nonce, alg };
      this.send(`<challenge xmlns='${this.#ns}'>${encodeBase64(encodeUtf8(serverFirst))}</challenge>`);
      return;
    }
    this.#fail("invalid-mechanism");
  }

  #scramFinal(clientFinal: string): void {
    const scram = this.#scram!;
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(",p="));
    const proof = decodeBase64(clientFinal.slice(clientFinal.lastIndexOf(",p=") + 3));
    const authMessage = encodeUtf8(`${scram.clientFirstBare},${scram.serverFirst},${withoutProof}`);
    const clientKey = hmac(scram.alg, scram.salted, encodeUtf8("Client Key"));
    const storedKey = digest(scram.alg, clientKey);
    const signature = hmac(scram.alg, storedKey, authMessage);
    const recovered = proof.map((b, i) => b ^ signature[i]!);
    const ok = encodeBase64(digest(scram.alg, recovered)) === encodeBase64(storedKey) && withoutProof.includes(`r=${scram.nonce}`);
    if (!ok) {
      this.#fail("not-authorized");
      return;
    }
    const serverKey = hmac(scram.alg, scram.salted, encodeUtf8("Server Key"));
    const serverSignature = hmac(scram.alg, serverKey, authMessage);
    if (this.behaviour.forgeServerSignature) serverSignature[0] ^= 0xff;
    this.#succeed(`v=${encodeBase64(serverSignature)}`);
  }

  /** HT-SHA-256-NONE: the username, NUL, HMAC(token, "Initiator"); the answer proves the token with HMAC(token, "Responder"). */
  #fastAuth(stanza: Element): void {
    const fast = this.behaviour.sasl2!.fast;
    const marker = stanza.getChild("fast", FAST);
    if (!fast || !marker) {
      this.#fail("invalid-mechanism");
      return;
    }
    fast.counts.push(marker.attrs.count ?? "");
    const data = decodeBase64(stanza.getChildText("initial-response") ?? "");
    const nul = data.indexOf(0);
    const user = decodeUtf8(data.slice(0, nul));
    const hash = encodeBase64(data.slice(nul + 1));
    const token = fast.valid.find((secret) => encodeBase64(hmac("SHA-256", encodeUtf8(secret), encodeUtf8("Initiator"))) === hash);
    fast.offered.push(token ?? hash);
    if (fast.refuseWith || user !== this.behaviour.username || token === undefined) {
      this.#fail(fast.refuseWith ?? "not-authorized");
      return;
    }
    this.#succeed(fast.omitProof ? "" : hmac("SHA-256", encodeUtf8(token), encodeUtf8("Responder")));
  }

  #succeed(additional: string | Uint8Array): void {
    if (this.#ns === SASL2) {
      this.#sasl2Success(additional);
      return;
    }
    this.stage = "authenticated";
    this.#reader = this.#newReader();
    this.#scram = undefined;
    this.send(`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${additional ? encodeBase64(encodeUtf8(additional as string)) : ""}</success>`);
  }

  #fail(condition: string): void {
    const inner = this.#ns === SASL2 ? ` xmlns='${SASL1}'` : "";
    this.send(`<failure xmlns='${this.#ns}'><${condition}${inner}/><text>scripted refusal</text></failure>`);
  }

  /** SASL2 success: what <authenticate/> asked inline (resume, else bind with SM enabled), no restart. */
  #sasl2Success(additional: string | Uint8Array): void {
    const request = this.authenticates.at(-1)!;
    this.#scram = undefined;
    this.stage = "authenticated";
    const success = xml("success", { xmlns: SASL2 });
    if (additional.length > 0) success.c("additional-data").t(encodeBase64(typeof additional === "string" ? encodeUtf8(additional) : additional));
    const fast = this.behaviour.sasl2?.fast;
    if (fast && request.getChild("request-token", FAST)) {
      fast.requests += 1;
      const secret = `secret-token:fast-${fast.issued.length + 1}`;
      fast.issued.push(secret);
      fast.valid.push(secret);
      success.cnode(xml("token", { xmlns: FAST, token: secret, expiry: "2026-12-23T00:00:00Z" }));
    }
    const sm = this.behaviour.streamManagement;
    const resume = request.getChild("resume", "urn:xmpp:sm:3");
    if (resume && sm) {
      sm.resumes += 1;
      if (sm.resumable && resume.attrs.previd === sm.id) {
        sm.clientAcked = Number(resume.attrs.h);
        success.c("authorization-identifier").t(this.fullJid);
        success.cnode(xml("resumed", { xmlns: "urn:xmpp:sm:3", previd: sm.id, h: String(sm.handled) }));
        this.send(success);
        return;
      }
      success.cnode(xml("failed", { xmlns: "urn:xmpp:sm:3" }, xml("item-not-found", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })));
    }
    const bind = request.getChild("bind", BIND2);
    if (bind) {
      this.binds += 1;
      this.behaviour.resource = `${bind.getChildText("tag") ?? "none"}~scripted`;
      const bound = xml("bound", { xmlns: BIND2 });
      if (sm && bind.getChild("enable", "urn:xmpp:sm:3")) {
        sm.enabled = true;
        sm.handled = 0;
        sm.resumable = true;
        bound.cnode(xml("enabled", { xmlns: "urn:xmpp:sm:3", id: sm.id, resume: "true", max: "300" }));
      }
      success.c("authorization-identifier").t(this.fullJid);
      success.cnode(bound);
    } else {
      success.c("authorization-identifier").t(`${this.behaviour.username}@${this.behaviour.domain}`);
    }
    this.send(success);
    // As Prosody's mod_sasl2: the features of the authenticated stream follow, with no restart.
    this.send(xml("stream:features", {}, xml("sm", { xmlns: "urn:xmpp:sm:3" })));
  }
}
