// The login form: filled in from the dashboard command's settings (/config.json), and the
// reason shown when the hub refuses or cannot be reached.

import type { Client } from "@xmpp/client";
import { logIn, type LoginDetails } from "./connection.js";
import { byId } from "./dom.js";

/** What `npm run dashboard -- key=value` gave for the form; empty strings for what it did not. */
interface LoginDefaults {
  readonly websocket: string;
  readonly domain: string;
  readonly jid: string;
  readonly password: string;
}

async function loadDefaults(): Promise<LoginDefaults> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`the dashboard server answered /config.json with ${response.status}`);
  return (await response.json()) as LoginDefaults;
}

/** Shows the form until a login succeeds; resolves with the client online and the domain to complete JIDs with. */
export async function showLogin(): Promise<{ client: Client; details: LoginDetails }> {
  const form = byId<HTMLFormElement>("login-form");
  const error = byId("login-error");
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  let domain = "";
  try {
    const defaults = await loadDefaults();
    domain = defaults.domain;
    field("jid").value = defaults.jid;
    field("password").value = defaults.password;
    field("websocket").value = defaults.websocket;
    field("jid").placeholder = `owner@${defaults.domain}`;
  } catch (problem) {
    error.textContent = `Could not read the login defaults (${(problem as Error).message}); enter them by hand.`;
  }
  const button = form.querySelector("button")!;
  return new Promise((resolve) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const details: LoginDetails = { jid: field("jid").value, password: field("password").value, websocket: field("websocket").value, domain };
      button.disabled = true;
      error.textContent = "Logging in…";
      logIn(details).then(
        (client) => {
          error.textContent = "";
          resolve({ client, details });
        },
        (problem: Error) => {
          error.textContent = problem.message;
          button.disabled = false;
        },
      );
    });
  });
}
