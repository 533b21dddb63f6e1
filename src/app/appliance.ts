// The composition root shared by every runtime: connection settings -> XMPP client -> the
// device's message handling, kept online across network loss.

import type { Host, TimerHandle } from "../host.js";
import type { Identity } from "../xmpp/disco.js";
import { Client, type ClientStatus } from "../xmpp/client.js";
import type { Jid } from "../xmpp/jid.js";
import type { IncomingMessage } from "../xmpp/messages.js";
import { Backoff, isPermanent } from "../xmpp/reconnect.js";
import type { ConnectionConfig } from "./config.js";

export type ApplianceEvent = ClientStatus | "retrying" | "error";

export interface ApplianceOptions {
  host: Host;
  config: ConnectionConfig;
  identity?: Identity;
  status?: string;
  /** One line per event: the host decides where it goes (console, trace). */
  onEvent(event: ApplianceEvent, detail: string): void;
  /** Answers a chat message; the reply is sent, then the receipt. */
  onMessage(message: IncomingMessage): string | Promise<string>;
}

export class Appliance {
  readonly #options: ApplianceOptions;
  readonly #client: Client;
  readonly #backoff: Backoff;
  #retry: TimerHandle | undefined;
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(options: ApplianceOptions) {
    this.#options = options;
    const { config, host } = options;
    this.#backoff = new Backoff(host);
    this.#client = new Client({
      host,
      jid: config.jid,
      password: config.password,
      server: config.server,
      identity: options.identity,
      status: options.status,
      onStatus: (status, detail) => {
        options.onEvent(status, detail);
        if (status === "offline") this.#scheduleRetry();
      },
      onMessage: async (message) => {
        const reply = await options.onMessage(message);
        this.#client.sendMessage(message.from, reply, message.thread);
      },
      onSubscriptionRequest: (from) => this.isOwner(from),
      onError: (error) => options.onEvent("error", error.message),
    });
  }

  get client(): Client {
    return this.#client;
  }

  isOwner(jid: Jid): boolean {
    const bare = jid.bare.toString();
    return this.#options.config.owners.some((owner) => owner.toString() === bare);
  }

  /** The first connection: resolves when online, rejects on a failure that a retry cannot fix. Transient failures are retried. */
  async start(): Promise<Jid> {
    this.#stopped = false;
    for (;;) {
      try {
        const jid = await this.#client.start();
        this.#backoff.reset();
        return jid;
      } catch (error) {
        if (isPermanent(error) || this.#stopped) throw error;
        const delay = this.#backoff.next();
        this.#options.onEvent("retrying", `${(error as Error).message}; next attempt in ${Math.round(delay / 100) / 10} s`);
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#retry = this.#options.host.setTimeout(resolve, delay);
        });
        this.#wake = undefined;
        if (this.#stopped) throw new Error("stopped before the device came online");
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== undefined) this.#options.host.clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#wake?.();
    this.#client.stop();
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    const delay = this.#backoff.next();
    this.#options.onEvent("retrying", `next attempt in ${Math.round(delay / 100) / 10} s`);
    this.#retry = this.#options.host.setTimeout(() => {
      this.#retry = undefined;
      if (this.#stopped) return;
      this.#client.start().then(
        () => this.#backoff.reset(),
        (error: unknown) => {
          this.#options.onEvent("error", (error as Error).message);
          this.#scheduleRetry();
        },
      );
    }, delay);
  }
}
