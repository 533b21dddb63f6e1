// The XMPP client of a device: connects through the host, negotiates, then serves iq, messages
// and presence until the stream ends. Runtime-independent; everything external comes in `options`.

import { createElement as xml, type Element } from "ltx";
import type { Endpoint, Host, SettingsStore } from "../host.js";
import type { StanzaLimits } from "../xml/stanza-stream.js";
import { NegotiationError, StanzaError, StreamError, TimeoutError, XMPPError } from "./error.js";
import { capsElement, capsVer } from "./caps.js";
import { discoInfo, ping, type Identity } from "./disco.js";
import { FastTokenStore } from "./fast.js";
import { IqTracker, type IqHandler } from "./iq.js";
import { Jid } from "./jid.js";
import { Liveness } from "./liveness.js";
import { chatMessage, readMessage, receipt, type IncomingMessage } from "./messages.js";
import { negotiate, type Negotiated, type NegotiationStep, type Sasl2Memory } from "./negotiation.js";
import { refusalOf, skippedReport } from "./oversized.js";
import { NS } from "./namespaces.js";
import { availablePresence, subscriptionAnswer } from "./presence.js";
import { misaddressed } from "./reconnect.js";
import { isOwnPush, Roster, rosterRequest } from "./roster.js";
import type { MechanismName } from "./sasl/mechanisms.js";
import { SaltedPasswordCache } from "./sasl/pbkdf2.js";
import { XmppStream } from "./stream.js";
import { SM_NS, StreamManagement } from "./stream-management.js";

/** "online": a fresh session (initial presence sent); "resumed": a stream-managed session taken up again. */
export type ClientStatus = "connecting" | "connected" | NegotiationStep | "online" | "resumed" | "offline";

export interface ClientOptions {
  host: Host;
  jid: Jid | string;
  password: string;
  /** Where to connect; default: the JID's domain on port 5222. */
  server?: Endpoint;
  identity?: Identity;
  /** disco#info features beyond the ones the client implements itself. */
  features?: string[];
  /**
   * Entity capabilities (XEP-0115): with a node (a URI naming the software), every available
   * presence carries `<c node ver/>` and disco#info answers for `<node>#<ver>` too.
   */
  capsNode?: string;
  /** The status text of the initial presence, or a function giving it at each login. */
  status?: string | (() => string);
  limits?: Partial<StanzaLimits>;
  /** How long each negotiation step (TCP, TLS, SASL, bind, resume) and each iq request may wait for the server (default 30 s). */
  timeoutMs?: number;
  /**
   * A link that stays silent this long is given up (default 30 s; 0: never): after half of it
   * without a byte from the server the client probes (an SM ack request, else a ping).
   */
  deadLinkMs?: number;
  /**
   * SASL2 (XEP-0388) with Bind2 (XEP-0386) and inline resumption when the server offers them
   * (default true): from the second login on, one exchange sent with the stream header
   * authenticates and binds or resumes.
   */
  sasl2?: boolean;
  /**
   * FAST (XEP-0484) over SASL2 where the server offers it (default true): a SCRAM login asks for
   * a token, the next login authenticates with it in one round trip and gets a fresh one.
   */
  fast?: boolean;
  /** Where the FAST token survives a restart (default: the host's store; none: memory only). */
  store?: SettingsStore;
  /** XEP-0198 stream management when the server offers it (default true). */
  streamManagement?: boolean;
  /** Most stanzas kept for retransmission on resume (default 64). */
  maxUnacked?: number;
  /** Progress, one call per step: "connecting", "connected", "secure", "authenticated", "bound", "online" or "resumed", "offline". */
  onStatus?(status: ClientStatus, detail: string): void;
  /** A chat message. A requested receipt is sent when the returned promise settles (or at once for void). */
  onMessage?(message: IncomingMessage): void | Promise<void>;
  /** Decides a presence subscription request; the default refuses everyone. */
  onSubscriptionRequest?(from: Jid): boolean | Promise<boolean>;
  /**
   * After each fresh session's roster read, while that session is still up: the roster is known,
   * or not (`roster.known` false) when the server refused it or did not answer in time (reported
   * through onError). "online" comes before this: the roster get and the initial presence leave
   * in one write, and what must follow the roster (subscription requests) waits for this call.
   * Not called for a resumed session (its roster is as it was), nor when the stream ends first.
   */
  onRoster?(roster: Roster): void;
  /** A problem that does not end the stream (a handler that threw, a refused stanza). */
  onError?(error: Error): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class Client {
  readonly #options: ClientOptions;
  readonly #host: Host;
  readonly #jid: Jid;
  /** The bare JID as text, for the stream header's from (made once: not a string per connect). */
  readonly #bareText: string;
  readonly #cache: SaltedPasswordCache;
  readonly #idPrefix: string;
  readonly #features = new Set<string>([NS.PING, NS.RECEIPTS]);
  #stream: XmppStream | undefined;
  #iq: IqTracker | undefined;
  #bound: Jid | undefined;
  #counter = 0;
  #handlers: [string, string, IqHandler][] = [];
  #liveness: Liveness | undefined;
  readonly #sm: StreamManagement;
  readonly #roster = new Roster();
  /** The mechanism the server took last: the next login sends its first message unasked. */
  #mechanism: MechanismName | undefined;
  readonly #sasl2: Sasl2Memory | undefined;

  constructor(options: ClientOptions) {
    if (!options.host) throw new TypeError("Client needs a host");
    if (!options.password) throw new TypeError("Client needs the account's password");
    this.#options = options;
    this.#host = options.host;
    this.#jid = typeof options.jid === "string" ? Jid.parse(options.jid) : options.jid;
    this.#bareText = this.#jid.bare.toString();
    for (const feature of options.features ?? []) this.#features.add(feature);
    if (options.capsNode !== undefined) this.#features.add(NS.CAPS);
    this.#idPrefix = hex(options.host.randomBytes(4));
    this.#cache = new SaltedPasswordCache(options.host);
    const newAgentId = () => uuid(options.host.randomBytes(16));
    if (options.sasl2 === false) {
      this.#sasl2 = undefined;
    } else if (options.fast === false) {
      this.#sasl2 = { offer: undefined, streamManagement: false, agentId: newAgentId(), software: "xmpp-appliance" };
    } else {
      const server = options.server ?? { host: this.#jid.domain, port: 5222 };
      const tokens = new FastTokenStore(options.store ?? options.host.store, this.#jid.bare.toString(), `${server.host}:${server.port}`, newAgentId);
      // A token stored before a restart is sent ahead with the header, on the offer it came with.
      this.#sasl2 = { offer: tokens.offer, streamManagement: false, agentId: tokens.agentId, software: "xmpp-appliance", tokens };
    }
    this.#sm = new StreamManagement({
      host: options.host,
      maxUnacked: options.maxUnacked,
      onOverflow: (dropped) =>
        this.#report(new XMPPError("resource-constraint", `more than ${options.maxUnacked ?? 64} stanzas unacknowledged: a <${dropped.name}/> to ${dropped.attrs.to ?? "the server"} is no longer kept for a resumption`)),
    });
  }

  /** The full JID the server bound, while online. */
  get jid(): Jid | undefined {
    return this.#bound;
  }

  get online(): boolean {
    return this.#bound !== undefined;
  }

  /** Online, or offline with a stream-managed session to resume: a stanza sent now is delivered once it is resumed. */
  get canSend(): boolean {
    return this.#bound !== undefined || this.#sm.resumable;
  }

  /**
   * The account's roster: asked for at each fresh login just before initial presence, in the same
   * write (RFC 6121 §2.2's order), and kept current by the server's pushes; not known when the
   * server would not give it. It is read a round trip after "online": see `onRoster`.
   */
  get roster(): Roster {
    return this.#roster;
  }

  /** The stream management state (XEP-0198), for a login that resumes the session another way (SASL2). */
  get streamManagement(): StreamManagement {
    return this.#sm;
  }

  /** Registers an iq handler for payloads `<name xmlns=namespace/>` (and a disco feature for the namespace). */
  handleIq(name: string, namespace: string, handler: IqHandler): void {
    this.#handlers.push([name, namespace, handler]);
    this.#features.add(namespace);
    this.#iq?.handle(name, namespace, handler);
  }

  /** Announces a feature in disco#info (and so in the caps ver) that no iq handler stands for. */
  addFeature(feature: string): void {
    this.#features.add(feature);
  }

  /** Stops announcing a feature added with `addFeature` (the caps ver changes with it). */
  removeFeature(feature: string): void {
    this.#features.delete(feature);
  }

  /**
   * Connects, negotiates and sends initial presence. Resolves with the bound JID once online;
   * rejects with the error that stopped it (and the stream is closed). `onStatus("offline")`
   * reports the end of the stream later.
   */
  async start(): Promise<Jid> {
    if (this.#stream) throw new Error("the client is already started; call stop() first");
    const options = this.#options;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const endpoint = options.server ?? { host: this.#jid.domain, port: 5222 };
    const stream = new XmppStream({ host: this.#host, domain: this.#jid.domain, from: this.#bareText, limits: options.limits });
    this.#stream = stream;
    let started = false;
    stream.onSent = (element) => {
      // After the rest of this write: the server answers it at once, and would otherwise route
      // what follows it (a reply's receipt) only after it has written its <a/>.
      if (this.#sm.sent(element)) stream.sendLast(this.#sm.request());
    };
    stream.onClose = (error) => {
      this.#liveness?.stop();
      this.#liveness = undefined;
      this.#sm.lost();
      this.#iq?.cancelAll(error ?? new StreamError("connection-closed", "the stream was closed"));
      this.#stream = undefined;
      this.#iq = undefined;
      this.#bound = undefined;
      if (started) this.#status("offline", error ? error.message : "closed");
    };

    try {
      const where = `${endpoint.directTls === true ? "tls://" : ""}${endpoint.host}:${endpoint.port}`;
      this.#status("connecting", where);
      await stream.connect(endpoint, timeoutMs);
      this.#status("connected", where);
      const negotiated = await negotiate(stream, {
        host: this.#host,
        jid: this.#jid,
        username: this.#jid.local,
        password: options.password,
        cache: this.#cache,
        timeoutMs,
        nextId: () => this.nextId(),
        onStep: (step, detail) => this.#status(step, detail),
        onFallback: (text) => this.#report(new XMPPError("undefined-condition", text)),
        ...(this.#mechanism === undefined ? {} : { expectedMechanism: this.#mechanism }),
        ...(this.#sasl2 === undefined ? {} : { sasl2: this.#sasl2 }),
        ...(endpoint.directTls === true ? { directTls: true } : {}),
        ...(options.streamManagement === false ? {} : { streamManagement: this.#sm }),
      });
      this.#mechanism = negotiated.mechanism;
      if (negotiated.resumeRefused !== undefined) {
        this.#report(new XMPPError("item-not-found", `the server did not resume the session (${negotiated.resumeRefused}); started a new one`));
      }
      this.#goOnline(stream, negotiated);
      this.#goLive(stream, negotiated, timeoutMs);
      started = true;
      const bound = negotiated.jid;
      this.#status(negotiated.resumed ? "resumed" : "online", bound.toString());
      return bound;
    } catch (error) {
      stream.onClose = undefined;
      stream.close();
      this.#stream = undefined;
      const change = misaddressed(error);
      if (change !== undefined) throw new NegotiationError((error as StreamError).condition, `${(error as StreamError).message}: ${change}`);
      throw error;
    }
  }

  /** Ends the stream and the session (nothing is left to resume); safe to call when not started or twice. */
  stop(): void {
    this.#sm.reset();
    this.#stream?.close();
  }

  /** Sends a stanza as it is; while a session waits to be resumed, it is kept and sent then; throws when offline otherwise. */
  send(stanza: Element): void {
    if (this.#stream && this.#bound) this.#stream.send(stanza);
    else if (!this.#sm.hold(stanza)) throw new XMPPError("not-connected", "the device is offline; the stanza was not sent");
  }

  sendMessage(to: Jid | string, body: string, thread?: string): void {
    this.send(chatMessage(to.toString(), body, this.nextId(), thread));
  }

  /** Sends available presence with a new status text (and our capabilities). */
  setStatus(status: string): void {
    this.send(this.#presence(status));
  }

  /** The caps `ver` of what disco#info answers now (XEP-0115 §5.1); undefined without a caps node. */
  get capsVer(): string | undefined {
    if (this.#options.capsNode === undefined) return undefined;
    return capsVer(this.#host, [this.#identity()], [NS.DISCO_INFO, ...this.#features]);
  }

  /** Sends an iq get or set and resolves with the result stanza; rejects with a StanzaError or TimeoutError. */
  request(iq: Element, timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS): Promise<Element> {
    if (!this.#iq || !this.#bound) return Promise.reject(new XMPPError("not-connected", "the device is offline"));
    if (!iq.attrs.id) iq.attrs.id = this.nextId();
    return this.#iq.request(iq, timeoutMs);
  }

  nextId(): string {
    this.#counter += 1;
    return `${this.#idPrefix}-${this.#counter}`;
  }

  #goOnline(stream: XmppStream, negotiated: Negotiated): void {
    const bound = negotiated.jid;
    const iq = new IqTracker(this.#host, (stanza) => this.send(stanza));
    iq.ownAddresses = [bound.bare.toString(), bound.domain];
    const capsNode = this.#options.capsNode;
    const infoNodes = () => (capsNode === undefined ? [] : [`${capsNode}#${this.capsVer!}`]);
    iq.handle("query", NS.DISCO_INFO, discoInfo(this.#identity(), () => [...this.#features], infoNodes));
    iq.handle("ping", NS.PING, ping);
    for (const [name, namespace, handler] of this.#handlers) iq.handle(name, namespace, handler);
    // Roster pushes (RFC 6121 §2.1.6), only from our own account.
    iq.handle("query", NS.ROSTER, (request, payload) => {
      if (!isOwnPush(request.attrs.from, bound.toString())) throw new StanzaError("service-unavailable", "", "cancel");
      this.#roster.apply(payload, false);
      return undefined;
    });
    this.#iq = iq;
    this.#bound = bound;
    stream.listen((stanza) => this.#dispatch(stanza));
    stream.onSkipped = (skipped, error) => {
      this.#report(skippedReport(skipped, error));
      const refusal = refusalOf(skipped, error);
      if (refusal) stream.send(refusal);
      // The server counted it as sent: so does stream management, or a resumption would repeat it.
      if (skipped) this.#sm.received(skipped);
    };
  }

  /**
   * Reads the roster of the session on `stream` (the get is sent now), then hands it to onRoster.
   * A refusal or no answer leaves it unknown (reported; subscriptions are then asked for as if it
   * were empty); a stream that ends meanwhile ends it quietly (offline is reported, and the next
   * session reads it again). Never rejects.
   */
  async #loadRoster(stream: XmppStream, timeoutMs: number): Promise<void> {
    try {
      const result = await this.request(rosterRequest(this.nextId()), timeoutMs);
      if (this.#stream !== stream) return;
      this.#roster.apply(result.getChild("query", NS.ROSTER), true);
    } catch (error) {
      if (this.#stream !== stream) return;
      this.#roster.forget();
      this.#report(new XMPPError("undefined-condition", `the server did not give the roster (${(error as Error).message}); subscriptions are asked for as if it were empty`));
    }
    try {
      this.#options.onRoster?.(this.#roster);
    } catch (error) {
      this.#report(error);
    }
  }

  /**
   * A fresh session: the roster get and initial presence in one write, the get first (RFC 6121
   * §2.2: the server answers it before it takes the presence; the get cannot go with the bind
   * request, RFC 6120 §7.1); the stanzas kept for resending; the dead-link watch.
   */
  #goLive(stream: XmppStream, negotiated: Negotiated, timeoutMs: number): void {
    const bound = negotiated.jid;
    const iq = this.#iq!;
    const release = stream.hold();
    try {
      if (!negotiated.resumed) {
        void this.#loadRoster(stream, timeoutMs);
        const status = this.#options.status;
        stream.send(this.#presence(typeof status === "function" ? status() : status));
      }
      for (const stanza of negotiated.resend) stream.send(stanza);
    } finally {
      release();
    }
    const deadLinkMs = this.#options.deadLinkMs ?? 30_000;
    if (deadLinkMs > 0) {
      const idleMs = Math.ceil(deadLinkMs / 2);
      this.#liveness = new Liveness({
        host: this.#host,
        idleMs,
        timeoutMs: deadLinkMs - idleMs,
        heardAt: () => stream.heardAt,
        probe: () => {
          if (this.#sm.active) stream.send(this.#sm.request());
          else iq.request(xml("iq", { type: "get", to: bound.domain, id: this.nextId() }, xml("ping", { xmlns: NS.PING })), deadLinkMs).catch(() => {});
        },
        onDead: (reason) => stream.abort("connection-timeout", reason),
      });
      this.#liveness.start();
    }
    stream.deliverQueued();
  }

  #identity(): Identity {
    return this.#options.identity ?? { category: "client", type: "bot", name: this.#jid.local };
  }

  #presence(status: string | undefined): Element {
    const capsNode = this.#options.capsNode;
    return capsNode === undefined ? availablePresence(status) : availablePresence(status, capsElement(capsNode, this.capsVer!));
  }

  /** Everything one incoming stanza makes us send (a reply, its receipt, a presence update) leaves in one write. */
  #dispatch(stanza: Element): void {
    if (stanza.attrs.xmlns === SM_NS) {
      this.#onStreamManagement(stanza);
      return;
    }
    const release = this.#stream?.hold();
    let work: Promise<void> | undefined;
    try {
      work = this.#route(stanza);
    } finally {
      if (work) work.then(release, release);
      else release?.();
    }
    this.#sm.received(stanza);
  }

  #onStreamManagement(element: Element): void {
    if (element.name === "failed" && this.#sm.active) {
      this.#report(new XMPPError("undefined-condition", `the server refused stream management (${XMPPError.partsOf(element, NS.STANZAS).condition}): a lost connection will start a fresh session`));
    }
    try {
      const answer = this.#sm.receive(element);
      if (answer) this.#stream?.send(answer);
    } catch (error) {
      this.#stream?.abort("undefined-condition", (error as Error).message);
    }
  }

  #route(stanza: Element): Promise<void> | undefined {
    switch (stanza.name) {
      case "iq":
        return this.#iq?.receive(stanza);
      case "message":
        return this.#onMessage(stanza);
      case "presence":
        return this.#onPresence(stanza);
      case "stream:features":
        // SASL2 does not restart the stream: Prosody's mod_sasl2 sends the features of the
        // authenticated stream after <success/>. Bind2 has done what they offer.
        return undefined;
      default:
        this.#stream?.abort("unsupported-stanza-type", `<${stanza.name}/> is not a stanza of jabber:client`);
        return undefined;
    }
  }

  #onMessage(stanza: Element): Promise<void> | undefined {
    const message = readMessage(stanza);
    if (!message) return undefined;
    const handler = this.#options.onMessage;
    return Promise.resolve()
      .then(() => handler?.(message))
      .catch((error: unknown) => this.#report(error))
      .then(() => {
        if (message.receiptRequested && this.canSend) this.send(receipt(message, this.nextId()));
      })
      .catch((error: unknown) => this.#report(error));
  }

  #onPresence(stanza: Element): Promise<void> | undefined {
    if (stanza.attrs.type !== "subscribe" || !stanza.attrs.from) return undefined;
    let from: Jid;
    try {
      from = Jid.parse(stanza.attrs.from).bare;
    } catch {
      return undefined;
    }
    const policy = this.#options.onSubscriptionRequest ?? (() => false);
    return Promise.resolve()
      .then(() => policy(from))
      .catch((error: unknown) => {
        this.#report(error);
        return false;
      })
      .then((approve) => {
        if (this.canSend) this.send(subscriptionAnswer(from.toString(), approve));
      })
      .catch((error: unknown) => this.#report(error));
  }

  #status(status: ClientStatus, detail: string): void {
    this.#options.onStatus?.(status, detail);
  }

  #report(error: unknown): void {
    this.#options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A random UUID (RFC 9562 version 4) from 16 random bytes. */
function uuid(bytes: Uint8Array): string {
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const text = hex(bytes);
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}
