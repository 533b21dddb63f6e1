// The commands an owner sent lately, with their replies: a command that comes again (a resend
// after a stream resumption, a redelivery from the server's storage, a client repeating what it
// thinks was lost) gets the first reply again and is not carried out twice.

import type { Host } from "../host.js";

export interface RecentCommandsOptions {
  /** How long a command is remembered (default 10 min: Prosody keeps a stream to resume for up to 10 min). */
  windowMs?: number;
  /** Most commands remembered, the oldest forgotten first (default 64): memory stays bounded whatever arrives. */
  size?: number;
}

/**
 * What identifies a command: its sender's bare JID (a client that reconnected resends from a new
 * resource), the message id, and the text, so that a client that numbers its messages again from 1
 * after a restart is not taken to repeat a different command.
 *
 * Kept as a ring in columns, the oldest overwritten once full, with a Map from the message id to
 * the newest slot holding it: a Map keyed by the three joined made a string and an entry object
 * per command, kept for the next 64 commands, and on the desktop they were most of what outlived
 * V8's young generation, so that each of its collections copied and promoted them (README, command
 * benchmark). The strings kept here are the message's own. A scan of the ring instead of the Map
 * cost XS about 1,400 meter units a command (3%, bench:device-path); it is done only when the
 * newest command with the id is another sender's or another text.
 */
export class RecentCommands {
  readonly #host: Pick<Host, "now">;
  readonly #windowMs: number;
  readonly #size: number;
  readonly #senders: (string | undefined)[];
  readonly #ids: (string | undefined)[];
  readonly #bodies: (string | undefined)[];
  readonly #replies: (Promise<string> | undefined)[];
  readonly #at: Float64Array;
  /** Message id to the newest slot holding it. */
  readonly #slots = new Map<string, number>();
  /** The slot the next command goes to; the `#count` before it (going round) are the ones remembered. */
  #next = 0;
  #count = 0;

  constructor(host: Pick<Host, "now">, options: RecentCommandsOptions = {}) {
    this.#host = host;
    this.#windowMs = options.windowMs ?? 600_000;
    this.#size = options.size ?? 64;
    if (!(this.#size >= 1)) throw new RangeError(`RecentCommands: size must be 1 or more, not ${this.#size}`);
    this.#senders = new Array<string | undefined>(this.#size).fill(undefined);
    this.#ids = new Array<string | undefined>(this.#size).fill(undefined);
    this.#bodies = new Array<string | undefined>(this.#size).fill(undefined);
    this.#replies = new Array<Promise<string> | undefined>(this.#size).fill(undefined);
    this.#at = new Float64Array(this.#size);
  }

  /** The reply to the same command (sender's bare JID, message id, text) seen within the window, or undefined. */
  reply(sender: string, id: string, body: string): Promise<string> | undefined {
    this.#forgetOld();
    const newest = this.#slots.get(id);
    if (newest === undefined) return undefined;
    if (this.#matches(newest, sender, id, body)) return this.#replies[newest];
    // Another owner's command with the same id (clients that number their messages from 1), or
    // this one's with the same id and other text: an older slot may still hold this very command.
    const size = this.#size;
    for (let n = 0, slot = this.#next; n < this.#count; n++) {
      slot = slot === 0 ? size - 1 : slot - 1;
      if (this.#matches(slot, sender, id, body)) return this.#replies[slot];
    }
    return undefined;
  }

  /** Remembers a command that `reply()` did not know; the oldest is forgotten when `size` are remembered. */
  remember(sender: string, id: string, body: string, reply: Promise<string>): void {
    this.#forgetOld();
    const slot = this.#next;
    if (this.#count === this.#size) this.#clear(slot);
    this.#senders[slot] = sender;
    this.#ids[slot] = id;
    this.#bodies[slot] = body;
    this.#replies[slot] = reply;
    this.#at[slot] = this.#host.now();
    this.#slots.set(id, slot);
    this.#next = slot + 1 === this.#size ? 0 : slot + 1;
    if (this.#count < this.#size) this.#count += 1;
  }

  #matches(slot: number, sender: string, id: string, body: string): boolean {
    return this.#ids[slot] === id && this.#bodies[slot] === body && this.#senders[slot] === sender;
  }

  /** Forgets the command in `slot`, the oldest: any other slot with its id is newer, so the Map points at this one only if none is. */
  #clear(slot: number): void {
    const id = this.#ids[slot];
    if (id !== undefined && this.#slots.get(id) === slot) this.#slots.delete(id);
    this.#senders[slot] = this.#ids[slot] = this.#bodies[slot] = undefined;
    this.#replies[slot] = undefined;
  }

  get size(): number {
    this.#forgetOld();
    return this.#count;
  }

  /** Commands come in time order, so the old ones are the oldest slots: they are cleared, their replies let go. */
  #forgetOld(): void {
    const now = this.#host.now();
    while (this.#count > 0) {
      let oldest = this.#next - this.#count;
      if (oldest < 0) oldest += this.#size;
      if (now - this.#at[oldest]! < this.#windowMs) return;
      this.#clear(oldest);
      this.#count -= 1;
    }
  }
}
