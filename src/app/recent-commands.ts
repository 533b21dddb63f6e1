// The commands an owner sent lately, with their replies: a command that comes again (a resend
// after a stream resumption, a redelivery from the server's storage, a client repeating what it
// thinks was lost) gets the first reply again and is not carried out twice.

import type { Host } from "../host.js";
import type { IncomingMessage } from "../xmpp/messages.js";

export interface RecentCommandsOptions {
  /** How long a command is remembered (default 10 min: Prosody keeps a stream to resume for up to 10 min). */
  windowMs?: number;
  /** Most commands remembered, the oldest forgotten first (default 64): memory stays bounded whatever arrives. */
  size?: number;
}

interface Entry {
  at: number;
  reply: Promise<string>;
}

export class RecentCommands {
  readonly #host: Pick<Host, "now">;
  readonly #windowMs: number;
  readonly #size: number;
  readonly #entries = new Map<string, Entry>();

  constructor(host: Pick<Host, "now">, options: RecentCommandsOptions = {}) {
    this.#host = host;
    this.#windowMs = options.windowMs ?? 600_000;
    this.#size = options.size ?? 64;
  }

  /**
   * What identifies a command: its sender's bare JID (a client that reconnected resends from a new
   * resource), the message id, and the text, so that a client that numbers its messages again from 1
   * after a restart is not taken to repeat a different command. Undefined without an id.
   */
  static key(message: IncomingMessage): string | undefined {
    if (message.id === undefined || message.id === "") return undefined;
    return `${message.from.bare.toString()}\n${message.id}\n${message.body}`;
  }

  /** The reply to the same command seen within the window, or undefined. */
  reply(key: string): Promise<string> | undefined {
    this.#forgetOld();
    return this.#entries.get(key)?.reply;
  }

  remember(key: string, reply: Promise<string>): void {
    this.#forgetOld();
    this.#entries.delete(key);
    while (this.#entries.size >= this.#size) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { at: this.#host.now(), reply });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Entries are kept in the order they came, so the old ones are at the front. */
  #forgetOld(): void {
    const now = this.#host.now();
    for (const [key, entry] of this.#entries) {
      if (now - entry.at < this.#windowMs) break;
      this.#entries.delete(key);
    }
  }
}
