// Settings changed over XMPP run on trial, like an updated image: the settings command keeps the
// settings in force before the change (the previous record) beside the new ones, and the device
// restarts on the new ones. Once it is online with them they stay; when it cannot log in with
// them (a refused account, a server or CA that does not answer as it should) or is not online
// within the trial, the previous record is stored again and the device restarts on it. A power
// cut at any point leaves a record that boots: the previous one is written before the new one,
// and the marker is removed only after the previous one is back.

import type { Host, SettingsStore, TimerHandle } from "../host.js";
import { settingsIn, writeStoredSettings, type StoredSettings } from "./settings.js";
import { StoredText } from "./stored-text.js";

/** Where the settings in force before a change are kept while the change is on trial. */
export const PREVIOUS_SETTINGS_RECORD = "prevsettings";

/** Called by the settings command before it stores a change: the settings it replaces, kept for going back. */
export function keepPreviousSettings(store: SettingsStore, previous: StoredSettings): void {
  new StoredText(store, PREVIOUS_SETTINGS_RECORD).set(JSON.stringify(previous));
}

/** Forgets a trial (a factory reset, or a change that came online). */
export function forgetPreviousSettings(store: SettingsStore): void {
  new StoredText(store, PREVIOUS_SETTINGS_RECORD).set(undefined);
}

export interface SettingsTrialOptions {
  store: SettingsStore;
  host: Pick<Host, "setTimeout" | "clearTimeout">;
  /** How long changed settings have to come online (update_trial_s). */
  trialMs: number;
  restart(): void;
  log(event: string, detail: string): void;
}

export class SettingsTrial {
  readonly #options: SettingsTrialOptions;
  #timer: TimerHandle | undefined;
  #previous: StoredSettings | undefined;

  constructor(options: SettingsTrialOptions) {
    this.#options = options;
  }

  /** Whether the settings in force are a change on trial. */
  get pending(): boolean {
    return this.#previous !== undefined;
  }

  /** At boot, before connecting: settings on trial get trialMs to come online. */
  boot(): void {
    const { store, host, trialMs, log } = this.#options;
    let text: string | undefined;
    try {
      text = new StoredText(store, PREVIOUS_SETTINGS_RECORD).get();
    } catch (error) {
      log("settings", `the record of the previous settings cannot be read (${(error as Error).message}): the settings in force stay`);
      return;
    }
    if (text === undefined) return;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null) throw new Error("not a record of settings");
      this.#previous = settingsIn(parsed);
    } catch (error) {
      log("settings", `the record of the previous settings is damaged (${(error as Error).message}): forgotten, the settings in force stay`);
      this.#forget();
      return;
    }
    log("settings", `changed settings on trial: they go back to the previous ones unless the device logs in with them within ${Math.round(trialMs / 1000)} s`);
    this.#timer = host.setTimeout(() => {
      this.#timer = undefined;
      this.revert(`no login within ${Math.round(trialMs / 1000)} s`);
    }, trialMs);
  }

  /** Online with the settings in force: a change on trial stays. */
  online(): void {
    if (!this.pending) return;
    this.#stopTimer();
    this.#forget();
    this.#options.log("settings", "the changed settings logged in: kept");
  }

  /** The settings on trial cannot work (`why`): the previous ones are stored again and the device restarts on them. Returns whether it does. */
  revert(why: string): boolean {
    if (!this.pending) return false;
    const { store, log, restart } = this.#options;
    this.#stopTimer();
    try {
      writeStoredSettings(store, this.#previous!);
    } catch (error) {
      log("error", `the previous settings could not be stored again (${(error as Error).message}); reset the device to its factory settings`);
      return false;
    }
    this.#forget();
    log("settings", `the changed settings did not work (${why}): back to the previous ones; restarting`);
    restart();
    return true;
  }

  /** Stops the timer (the runtime restarts in place: the next run decides). */
  close(): void {
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) this.#options.host.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #forget(): void {
    this.#previous = undefined;
    try {
      forgetPreviousSettings(this.#options.store);
    } catch (error) {
      this.#options.log("error", `the record of the previous settings could not be removed (${(error as Error).message})`);
    }
  }
}
