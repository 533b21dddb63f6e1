// When a stanza was first sent, from its delay stamps (XEP-0203, and the legacy XEP-0091 one):
// a server that stored or held a stanza (offline storage, a stream-management resend) adds one.

import type { Element } from "ltx";
import { NS } from "./namespaces.js";

const LEGACY_DELAY = "jabber:x:delay";

/**
 * The earliest stamp on the stanza, in Unix ms, or undefined when it carries none. Every entity
 * that delayed it may add its own; the earliest is the closest to when the sender sent it. A
 * stamp that cannot be read counts as no stamp of its own but is reported by `unreadable`.
 */
export function delayStamp(stanza: Element): { sentAt: number | undefined; unreadable: string | undefined } {
  let sentAt: number | undefined;
  let unreadable: string | undefined;
  for (const child of stanza.children) {
    if (typeof child === "string" || (child.name !== "delay" && child.name !== "x")) continue;
    const xmlns = child.attrs.xmlns;
    if (!(child.name === "delay" && xmlns === NS.DELAY) && !(child.name === "x" && xmlns === LEGACY_DELAY)) continue;
    const stamp = child.attrs.stamp ?? "";
    const time = xmlns === NS.DELAY ? readDateTime(stamp) : readLegacyStamp(stamp);
    if (time === undefined) unreadable = stamp;
    else if (sentAt === undefined || time < sentAt) sentAt = time;
  }
  return { sentAt, unreadable };
}

/** An XEP-0082 DateTime (`2026-12-02T06:00:00Z`, fractions and a `+hh:mm` offset allowed) in Unix ms. */
export function readDateTime(text: string): number | undefined {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  const offset = zone === "Z" ? 0 : (zone!.startsWith("-") ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  const time = utc + ms - offset;
  return Number.isFinite(time) ? time : undefined;
}

/** XEP-0091's `CCYYMMDDThh:mm:ss`, always UTC. */
function readLegacyStamp(text: string): number | undefined {
  const match = /^(\d{4})(\d\d)(\d\d)T(\d\d):(\d\d):(\d\d)$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  return Number.isFinite(time) ? time : undefined;
}

/** The XEP-0082 form of a Unix ms time, to the second (what a reply shows). */
export function dateTimeText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
