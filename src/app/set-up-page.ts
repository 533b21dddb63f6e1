// The HTML of the set-up page a device serves while it is being provisioned: the form, the
// confirmation (the CA's fingerprint before anything is stored) and the last page. Every value
// shown is escaped; a password is never written into a page.

import type { AccessPoint } from "./wifi-link.js";
import { offersWpa2 } from "./wifi-link.js";
import { SETTING_LABELS } from "./settings-command.js";
import type { SettingKey } from "./settings.js";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem;line-height:1.4}" +
  "label{display:block;margin-top:.8rem;font-weight:600}input,select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.3rem}" +
  "textarea{font-family:monospace;font-size:.8rem}small{color:#555;font-weight:400}.error{border:2px solid #b00;background:#fee;padding:.5rem}" +
  ".bad{outline:2px solid #b00}button{margin-top:1rem;font:inherit;padding:.5rem 1rem}code{word-break:break-all}dt{font-weight:600}dd{margin:0 0 .5rem}";

// Reads the chosen PEM file into the CA field, so the form posts text (no multipart parser on the
// device). Without scripts the PEM can still be pasted.
const SCRIPT =
  "document.getElementById('ca_file').addEventListener('change',function(e){var f=e.target.files[0];if(!f)return;" +
  "var r=new FileReader();r.onload=function(){document.getElementById('ca').value=r.result};r.readAsText(f)})";

function page(title: string, body: string, script = ""): string {
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}${script ? `<script>${script}</script>` : ""}</body></html>`
  );
}

/** A network as the page lists it: one line per SSID, its strongest access point. */
interface Listed {
  ssid: string;
  authentication: string;
  rssi: number;
  accepted: boolean;
}

function listNetworks(seen: readonly AccessPoint[]): Listed[] {
  const bySsid = new Map<string, Listed>();
  for (const ap of seen) {
    if (ap.ssid === "") continue;
    const accepted = offersWpa2(ap.authentication) && !/enterprise|owe/i.test(ap.authentication);
    const known = bySsid.get(ap.ssid);
    // A network is offered when any of its access points is WPA2 or better (the join picks that one by BSSID).
    if (!known || (accepted && !known.accepted) || (accepted === known.accepted && ap.rssi > known.rssi)) {
      bySsid.set(ap.ssid, { ssid: ap.ssid, authentication: ap.authentication, rssi: ap.rssi, accepted });
    }
  }
  return [...bySsid.values()].sort((a, b) => Number(b.accepted) - Number(a.accepted) || b.rssi - a.rssi);
}

export interface FormPageOptions {
  deviceName: string;
  seen: readonly AccessPoint[];
  /** Values to fill in again (never a password). */
  values: Partial<Record<SettingKey, string>>;
  /** Secrets already in force: their fields may be left empty to keep them. */
  kept: readonly SettingKey[];
  /** The CA in force when it is not PEM text (a resource or file the firmware was built with). */
  builtInCa: boolean;
  token: string;
  error?: { key: string; text: string };
}

function field(key: SettingKey, input: string, hint: string, error: FormPageOptions["error"]): string {
  return `<label for="${key}">${escapeHtml(SETTING_LABELS[key])} <small>${escapeHtml(hint)}</small></label>${input}`.replace(
    error?.key === key ? `id="${key}"` : "\u0000",
    `id="${key}" class="bad" aria-invalid="true"`,
  );
}

export function formPage(options: FormPageOptions): string {
  const { values, kept, error } = options;
  const value = (key: SettingKey) => escapeHtml(values[key] ?? "");
  const networks = listNetworks(options.seen);
  const choices = networks
    .map((n) => {
      const what = `${escapeHtml(n.ssid)} (${escapeHtml(n.authentication)}, ${n.rssi} dBm)`;
      if (!n.accepted) return `<option disabled>${what}: refused, less than WPA2 or needs 802.1X</option>`;
      return `<option value="${escapeHtml(n.ssid)}"${values.ssid === n.ssid ? " selected" : ""}>${what}</option>`;
    })
    .join("");
  const keepHint = (key: SettingKey, missing: string) => (kept.includes(key) ? "never shown; leave empty to keep the one in use" : missing);
  const body =
    `<h1>Set up ${escapeHtml(options.deviceName)}</h1>` +
    (error ? `<p class="error" role="alert" id="problem">${escapeHtml(SETTING_LABELS[error.key as SettingKey] ?? error.key)} (${escapeHtml(error.key)}): ${escapeHtml(error.text)}. Nothing was stored.${kept.includes("password") && kept.includes("xmpp_password") ? "" : " Passwords are never sent back: enter them again."}</p>` : "") +
    `<form method="post" action="/check" autocomplete="off">` +
    `<input type="hidden" name="token" value="${escapeHtml(options.token)}">` +
    field("ssid", `<select id="ssid" name="ssid"><option value="">choose a network</option>${choices}</select>`, networks.length ? "WPA2 or better only" : "no network in range: scan again", error) +
    `<p><a href="/?scan">Scan again</a> <small>(the new list shows when the page is loaded again, a few seconds later)</small></p>` +
    field("password", `<input id="password" name="password" type="password">`, keepHint("password", "8 to 63 characters"), error) +
    field("jid", `<input id="jid" name="jid" value="${value("jid")}" placeholder="microwave@hub.local">`, "the device's own account", error) +
    field("xmpp_password", `<input id="xmpp_password" name="xmpp_password" type="password">`, keepHint("xmpp_password", "the device account's password"), error) +
    field("server", `<input id="server" name="server" value="${value("server")}" placeholder="hub.local:5222">`, "empty: the JID's domain, port 5222", error) +
    field(
      "ca",
      `<input id="ca_file" type="file" accept=".pem,.crt,.cer,text/plain"><textarea id="ca" name="ca" rows="6" placeholder="-----BEGIN CERTIFICATE-----">${value("ca")}</textarea>`,
      options.builtInCa || kept.includes("ca") ? "a PEM file or its text; empty: keep the one in use" : "a PEM file or its text; its fingerprint is shown before it is stored",
      error,
    ) +
    field("owner", `<input id="owner" name="owner" value="${value("owner")}" placeholder="you@hub.local">`, "who may command the device, comma-separated", error) +
    `<button type="submit">Check</button></form>`;
  return page(`Set up ${options.deviceName}`, body, SCRIPT);
}

export interface ConfirmPageOptions {
  deviceName: string;
  token: string;
  rows: readonly [string, string][];
  fingerprint: string | undefined;
}

export function confirmPage(options: ConfirmPageOptions): string {
  const rows = options.rows.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join("");
  const ca = options.fingerprint
    ? `<p>CA certificate SHA-256 fingerprint (compare it with the one your hub prints, e.g. <code>openssl x509 -noout -fingerprint -sha256 -in ca.crt</code>):</p><p><code id="fingerprint">${options.fingerprint}</code></p>`
    : "";
  const body =
    `<h1>Check and store</h1><p>Every value was checked. Nothing is stored until you confirm.</p><dl>${rows}</dl>${ca}` +
    `<form method="post" action="/store"><input type="hidden" name="token" value="${escapeHtml(options.token)}"><button type="submit" id="store">Store and restart</button></form>` +
    `<p><a href="/">Back to the form</a> (nothing stored; passwords are asked again)</p>`;
  return page(`Set up ${options.deviceName}: confirm`, body);
}

export function messagePage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(text)}</p><p><a href="/">The form</a></p>`);
}
