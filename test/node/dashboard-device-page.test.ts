// The dashboard's devices list with a thousand contacts: the filter on JID or name, the pages,
// and the summary line that says how many match and how many are online.

import { strict as assert } from "node:assert";
import { devicePage, matchesFilter, pageSummary, PAGE_SIZE } from "../../web/device-page.js";

const fleet = Array.from({ length: 1000 }, (_, i) => ({ jid: `fleet-${String(i + 1).padStart(5, "0")}@hub.test`, name: i === 41 ? "Kitchen oven" : "" }));

describe("dashboard: the devices list a page at a time", () => {
  it("shows the first page of a thousand, and says which part of how many", () => {
    const page = devicePage(fleet, "", 0);
    assert.equal(page.shown.length, PAGE_SIZE);
    assert.equal(page.shown[0]!.jid, "fleet-00001@hub.test");
    assert.deepEqual([page.matching, page.pages, page.page], [1000, 20, 0]);
    assert.equal(pageSummary(page, 1000, 20, ""), "1–50 of 1,000 contacts, 20 online");
    const last = devicePage(fleet, "", 19);
    assert.equal(last.shown.at(-1)!.jid, "fleet-01000@hub.test");
    assert.equal(pageSummary(last, 1000, 20, ""), "951–1,000 of 1,000 contacts, 20 online");
  });

  it("pulls a page past the end back onto the last one, and a negative one onto the first", () => {
    assert.equal(devicePage(fleet, "", 25).page, 19);
    assert.equal(devicePage(fleet, "", -3).page, 0);
    assert.equal(devicePage(fleet, "fleet-0099", 4).page, 0);
  });

  it("finds a device by part of its JID or its name, in any case", () => {
    const one = devicePage(fleet, " FLEET-00777 ", 0);
    assert.deepEqual(one.shown.map((c) => c.jid), ["fleet-00777@hub.test"]);
    assert.equal(pageSummary(one, 1000, 20, " FLEET-00777 "), '1 of 1 matching "FLEET-00777" (1,000 contacts, 20 online)');
    assert.deepEqual(devicePage(fleet, "kitchen", 0).shown.map((c) => c.jid), ["fleet-00042@hub.test"]);
    assert.equal(devicePage(fleet, "fleet-001", 0).matching, 100);
    assert.equal(matchesFilter({ jid: "microwave@hub.test", name: "" }, "hub.TEST"), true);
    const none = devicePage(fleet, "toaster", 0);
    assert.deepEqual([none.shown.length, none.pages], [0, 1]);
    assert.equal(pageSummary(none, 1000, 0, "toaster"), 'none of 0 matching "toaster" (1,000 contacts, 0 online)');
  });
});
