// The controller online as the owner: logged in, roster loaded, presence coming in, and a way
// to wait until the contacts it asks about have shown up.

import { type Client, xml } from "@xmpp/client";
import { Capabilities } from "./capabilities.js";
import { logIn } from "./login.js";
import { PresenceBook } from "./presence-book.js";
import { Roster, seesPresence } from "./roster.js";
import type { ControllerSettings } from "./settings.js";

export class Session {
  readonly xmpp: Client;
  readonly roster: Roster;
  readonly presence: PresenceBook;
  readonly capabilities: Capabilities;
  readonly settings: ControllerSettings;

  private constructor(settings: ControllerSettings, xmpp: Client, roster: Roster, presence: PresenceBook, warn: (line: string) => void) {
    this.settings = settings;
    this.xmpp = xmpp;
    this.roster = roster;
    this.presence = presence;
    this.capabilities = new Capabilities(xmpp, settings.timeoutMs, warn);
  }

  static async open(settings: ControllerSettings, warn: (line: string) => void): Promise<Session> {
    const xmpp = await logIn(settings);
    xmpp.on("error", (error: Error) => warn(`connection: ${error.message}`));
    try {
      const presence = new PresenceBook(xmpp);
      const roster = await Roster.load(xmpp, settings.timeoutMs);
      // Initial presence makes the hub send us our contacts' presence. A negative priority keeps
      // messages addressed to the owner's bare JID (a device's trip notice) for the owner's own clients.
      await xmpp.send(xml("presence", {}, xml("priority", {}, "-1")));
      // A round trip to the hub: what it sends in answer to initial presence (the subscription
      // requests it kept for us, its own users' presence) is in before the answer.
      await xmpp.iqCaller.get(xml("ping", { xmlns: "urn:xmpp:ping" }), settings.jid.domain, settings.timeoutMs);
      return new Session(settings, xmpp, roster, presence, warn);
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
    const watched = bareJids.filter((jid) => seesPresence(this.roster.get(jid)));
    return new Promise((resolve) => {
      const check = () => {
        if (watched.every((jid) => this.presence.isOnline(jid))) done();
      };
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, this.settings.waitMs);
      const stop = this.presence.onChange(check);
      check();
    });
  }

  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // A hub that does not close its side promptly must not keep a script waiting.
    await Promise.race([this.xmpp.stop().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }
}
