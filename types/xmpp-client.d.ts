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
  }

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
    readonly reconnect: EventEmitter & { delay: number; start(): void; stop(): void };
  }

  export function client(options?: ClientOptions): Client;
  export function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: Array<Element | string>): Element;
  export function jid(address: string): JID;
}
