// Relays that must never be on together (ESPHome's gpio switch interlock): one switching on
// first switches the others off, then waits until they have been off for its wait time.

import type { Host } from "../host.js";

/** A relay as its group sees it. */
export interface InterlockMember {
  readonly name: string;
  /** When it last went from on to off (its pin's opening counts: it may have been on before a reset). */
  offSince(): number;
  /** Switches off at once and drops any switch-on it is waiting for, because `by` is switching on. */
  yieldTo(by: string): void;
}

export class InterlockGroup {
  readonly name: string;
  readonly #host: Pick<Host, "now">;
  readonly #members: InterlockMember[] = [];

  constructor(name: string, host: Pick<Host, "now">) {
    this.name = name;
    this.#host = host;
  }

  join(member: InterlockMember): void {
    this.#members.push(member);
  }

  /**
   * Switches every other member off and returns how many ms `member` must still wait before it
   * may switch on. Waiting on every recent switch-off, not only on the ones made here, also
   * covers a relay that went off on its own (safe state, max-on) just before.
   */
  clear(member: InterlockMember, waitMs: number): number {
    let wait = 0;
    for (const other of this.#members) {
      if (other === member) continue;
      other.yieldTo(member.name);
      wait = Math.max(wait, other.offSince() + waitMs - this.#host.now());
    }
    // Whole ms: timers have no finer grain, and a fraction left by clock arithmetic must not keep a relay waiting forever.
    return Math.ceil(wait);
  }
}
