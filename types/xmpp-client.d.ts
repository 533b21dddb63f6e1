// Types for @xmpp/client 0.14 (which ships none): the parts the tests use as a reference client.

declare module "@xmpp/client" {
  import type { Element } from "ltx";
  import type { EventEmitter } from "node:events";

  export interface JID {
    readonly local: string;
    readonly domain: string;
    readonly resource: string;
    bare(): JID;
    toString(): string;
  }

  export interface ClientOptions {
    /** xmpp://host:port (TCP, STARTTLS), xmpps://host:port (direct TLS) or ws(s)://.../xmpp-websocket */
    service?: string;
    domain?: string;
    username?: string;
    password?: string;
    resource?: string;
    lang?: string;
    timeout?: number;
    /**
     * In place of username/password: called when the server offers SASL, with `authenticate`
     * to run one mechanism, the mechanisms both sides know (best first) and the client.
     */
    credentials?: (
      authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<void>,
      mechanisms: string[],
      fast: unknown,
      entity: Client,
    ) => Promise<void>;
  }

  export interface IqContext {
    readonly stanza: Element;
    /** The iq's one child. */
    readonly element: Element;
  }

  /** Returns the result's child, true for an empty result, or an <error/> element. */
  export type IqHandler = (context: IqContext) => Element | boolean | Promise<Element | boolean>;

  export type ClientStatus =
    | "offline" | "connecting" | "connect" | "opening" | "open" | "online"
    | "closing" | "close" | "disconnecting" | "disconnect";

  export interface Client extends EventEmitter {
    readonly jid: JID | null;
    readonly status: ClientStatus;
    /** Connects, negotiates and resolves with the bound JID; rejects on any failure (e.g. SASL). */
    start(): Promise<JID>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
    sendMany(elements: Element[]): Promise<void>;
    readonly iqCaller: {
      request(element: Element, timeout?: number): Promise<Element>;
      get(child: Element, to?: string, timeout?: number): Promise<Element>;
      set(child: Element, to?: string, timeout?: number): Promise<Element>;
    };
    readonly iqCallee: {
      get(xmlns: string, name: string, handler: IqHandler): void;
      set(xmlns: string, name: string, handler: IqHandler): void;
    };
    /** Whether the stream runs over TLS. */
    isSecure(): boolean;
    readonly reconnect: EventEmitter & { delay: number; start(): void; stop(): void };
  }

  export function client(options?: ClientOptions): Client;
  export function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: Array<Element | string>): Element;
  export function jid(address: string): JID;
}
