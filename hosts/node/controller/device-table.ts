// `devices` output: one line per contact, tab-separated with a header for scripts (columns
// padded with spaces on a terminal), or JSON.

export type ContactState = "online" | "offline" | "pending" | "unsubscribed";

export interface ContactRow {
  /** Bare JID. */
  readonly jid: string;
  /** online/offline when we see its presence; pending: we asked, it has not approved; unsubscribed: we cannot see it. */
  readonly state: ContactState;
  /** Whether its disco#info lists XEP-0050 ad-hoc commands. */
  readonly commands: boolean;
  /** Its presence status text ("" when offline or none). */
  readonly status: string;
}

const HEADER = ["JID", "STATE", "COMMANDS", "STATUS"];

function cells(row: ContactRow): string[] {
  // A status is one line of free text: tabs and newlines in it would break the columns.
  return [row.jid, row.state, row.commands ? "commands" : "-", row.status.replace(/\s+/g, " ").trim()];
}

/** Tab-separated lines with a header; `aligned` pads the columns with spaces instead (for people). */
export function formatTable(rows: readonly ContactRow[], aligned: boolean): string {
  const lines = [HEADER, ...rows.map(cells)];
  if (!aligned) return lines.map((line) => line.join("\t")).join("\n") + "\n";
  const widths = HEADER.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  return lines.map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ").trimEnd()).join("\n") + "\n";
}

export function formatJson(rows: readonly ContactRow[]): string {
  return JSON.stringify(rows, null, 2) + "\n";
}
