// Which contacts the devices list shows: those whose JID or name contains what was typed in the
// filter (any case), one page at a time, so that a roster of a thousand devices stays a short list.

export const PAGE_SIZE = 50;

export interface DevicePage<T> {
  /** The contacts on this page, in roster order. */
  readonly shown: readonly T[];
  /** How many contacts match the filter (all of them for an empty one). */
  readonly matching: number;
  /** The page shown, from 0; pulled back onto the last page when the list shrank. */
  readonly page: number;
  readonly pages: number;
  /** Index of the first shown contact among the matching ones. */
  readonly first: number;
}

/** Whether `contact` matches the typed filter: its JID or its name contains it, in any case. */
export function matchesFilter(contact: { readonly jid: string; readonly name: string }, filter: string): boolean {
  const wanted = filter.trim().toLowerCase();
  return wanted === "" || contact.jid.toLowerCase().includes(wanted) || contact.name.toLowerCase().includes(wanted);
}

/** Page `page` of the contacts matching `filter`. */
export function devicePage<T extends { readonly jid: string; readonly name: string }>(contacts: readonly T[], filter: string, page: number, size = PAGE_SIZE): DevicePage<T> {
  const matching = contacts.filter((contact) => matchesFilter(contact, filter));
  const pages = Math.max(1, Math.ceil(matching.length / size));
  const current = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const first = current * size;
  return { shown: matching.slice(first, first + size), matching: matching.length, page: current, pages, first };
}

/** The list's summary line: `1–50 of 1,000 contacts, 20 online`, or how many match the filter. */
export function pageSummary(page: DevicePage<unknown>, total: number, online: number, filter: string): string {
  const count = (n: number) => n.toLocaleString("en");
  const range = page.matching === 0 ? "none" : page.shown.length === page.matching ? count(page.matching) : `${count(page.first + 1)}–${count(page.first + page.shown.length)}`;
  const wanted = filter.trim();
  if (wanted === "") return `${range} of ${count(total)} contacts, ${count(online)} online`;
  return `${range} of ${count(page.matching)} matching "${wanted}" (${count(total)} contacts, ${count(online)} online)`;
}
