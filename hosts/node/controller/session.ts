// The controller online as the owner: logged in, roster loaded, presence coming in (the
// owner-side client library, owner/), and a way to wait until the contacts it asks about have
// shown up.

import { randomBytes } from "node:crypto";
import { OwnerClient } from "../../../owner/owner-client.js";
import { seesPresence } from "../../../owner/roster.js";
import { logIn } from "./login.js";
import type { ControllerSettings } from "./settings.js";

const LOGIN_FLOOR_MS = 15_000;

export class Session {
  readonly owner: OwnerClient;
  readonly settings: ControllerSettings;

  private constructor(settings: ControllerSettings, owner: OwnerClient) {
    this.settings = settings;
    this.owner = owner;
  }

  static async open(settings: ControllerSettings, warn: (line: string) => void): Promise<Session> {
    // timeout= is about the device's answer; a login on a busy machine (SCRAM's 4096 rounds) may
    // take longer than a short reply limit, and is not what a script asking timeout=1 measures.
    const xmpp = await logIn({ ...settings, timeoutMs: Math.max(settings.timeoutMs, LOGIN_FLOOR_MS) });
    xmpp.on("error", (error: Error) => warn(`connection: ${error.message}`));
    // A negative priority keeps messages addressed to the owner's bare JID (a device's trip
    // notice) for the owner's own clients. The controller does not reconnect: what cannot be
    // sent is reported as not sent.
    const owner = new OwnerClient(xmpp, { timeoutMs: Math.max(settings.timeoutMs, LOGIN_FLOOR_MS), receiptTimeoutMs: settings.timeoutMs, idPrefix: `ctl-${randomBytes(3).toString("hex")}`, holdWhileOffline: false, priority: -1, warn });
    try {
      await owner.start();
      // What the hub sends in answer to initial presence (the subscription requests it kept for
      // us, its own users' presence) is in before the answer to a round trip.
      await owner.roundTrip(Math.max(settings.timeoutMs, LOGIN_FLOOR_MS));
      return new Session(settings, owner);
    } catch (error) {
      await xmpp.stop().catch(() => {});
      throw error;
    }
  }

  /** The domain of the owner's account: a device named without one lives there. */
  get domain(): string {
    return this.settings.jid.domain;
  }

  /**
   * Resolves once every contact of `bareJids` whose presence we may see is online, or after
   * `wait` (an offline contact sends nothing, so only the time limit can tell).
   */
  waitForPresence(bareJids: readonly string[]): Promise<void> {
    const { roster, presence } = this.owner;
    const watched = bareJids.filter((jid) => seesPresence(roster.get(jid)));
    return new Promise((resolve) => {
      const check = () => {
        if (watched.every((jid) => presence.isOnline(jid))) done();
      };
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, this.settings.waitMs);
      const stop = presence.onChange(check);
      check();
    });
  }

  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // A server that resets the connection as we leave (ejabberd does) is no news to the user.
    this.owner.xmpp.removeAllListeners("error");
    this.owner.xmpp.on("error", () => {});
    // A hub that does not close its side promptly must not keep a script waiting.
    await Promise.race([this.owner.xmpp.stop().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }
}
