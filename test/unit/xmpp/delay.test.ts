// Delay stamps (XEP-0203, XEP-0091) read as Unix ms, and XEP-0082 times both ways.

import { createElement as xml } from "ltx";
import { assert } from "../../support/assert.js";
import { dateTimeText, delayStamp, readDateTime } from "../../../src/xmpp/delay.js";

describe("delay stamps", () => {
  it("reads XEP-0082 times with fractions and offsets", () => {
    assert.equal(readDateTime("2026-12-02T06:00:00Z"), Date.UTC(2026, 11, 2, 6, 0, 0));
    assert.equal(readDateTime("2026-12-02T06:00:00.25Z"), Date.UTC(2026, 11, 2, 6, 0, 0, 250));
    assert.equal(readDateTime("2026-12-02T08:00:00+02:00"), Date.UTC(2026, 11, 2, 6, 0, 0));
    assert.equal(readDateTime("2026-12-02T01:30:00-04:30"), Date.UTC(2026, 11, 2, 6, 0, 0));
    for (const bad of ["", "2026-12-02", "2026-12-02T06:00:00", "2026-12-02 06:00:00Z", "yesterday"]) assert.equal(readDateTime(bad), undefined, bad);
    assert.equal(dateTimeText(Date.UTC(2026, 11, 2, 6, 0, 0, 999)), "2026-12-02T06:00:00Z");
  });

  it("gives the earliest stamp of a stanza, the legacy one included, and reports one it cannot read", () => {
    const stanza = xml(
      "message",
      {},
      xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2026-12-02T06:00:10Z" }),
      xml("x", { xmlns: "jabber:x:delay", stamp: "20261202T06:00:05" }),
      xml("delay", { xmlns: "other", stamp: "2020-01-01T00:00:00Z" }),
    );
    assert.deepEqual(delayStamp(stanza), { sentAt: Date.UTC(2026, 11, 2, 6, 0, 5), unreadable: undefined });
    assert.deepEqual(delayStamp(xml("message", {}, xml("body", {}, "x"))), { sentAt: undefined, unreadable: undefined });
    assert.deepEqual(delayStamp(xml("message", {}, xml("delay", { xmlns: "urn:xmpp:delay", stamp: "soon" }))), { sentAt: undefined, unreadable: "soon" });
  });
});
