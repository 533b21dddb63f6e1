// Data forms (XEP-0004) with XEP-0122 validation: a form rendered as XML, and a submitted
// form's values read back.

import { createElement as xml } from "ltx";
import { assert } from "../../support/assert.js";
import { formElement, submittedValues } from "../../../src/xmpp/dataforms.js";

describe("data forms", () => {
  it("renders title, instructions and fields in XEP-0004's order, with validation and options", () => {
    const x = formElement({
      title: "Fan",
      instructions: "usage: FAN <speed> <on>",
      fields: [
        { var: "speed", type: "list-single", label: "SPEED", desc: "one of low, high", required: true, options: [{ label: "low", value: "low" }, { label: "high", value: "high" }] },
        { var: "level", type: "text-single", values: ["5"], validate: { datatype: "xs:integer", min: "0", max: "10" } },
        { var: "on", type: "boolean" },
      ],
    });
    assert.equal(
      x.toString(),
      `<x xmlns="jabber:x:data" type="form"><title>Fan</title><instructions>usage: FAN &lt;speed&gt; &lt;on&gt;</instructions>` +
        `<field var="speed" type="list-single" label="SPEED"><desc>one of low, high</desc><required/>` +
        `<option label="low"><value>low</value></option><option label="high"><value>high</value></option></field>` +
        `<field var="level" type="text-single"><value>5</value>` +
        `<validate xmlns="http://jabber.org/protocol/xdata-validate" datatype="xs:integer"><range min="0" max="10"/></validate></field>` +
        `<field var="on" type="boolean"/></x>`,
    );
  });

  it("leaves out a range the validation does not give", () => {
    const x = formElement({ fields: [{ var: "t", type: "text-single", validate: { datatype: "xs:string" } }] });
    assert.equal(x.toString(), `<x xmlns="jabber:x:data" type="form"><field var="t" type="text-single"><validate xmlns="http://jabber.org/protocol/xdata-validate" datatype="xs:string"/></field></x>`);
  });

  it("reads a submitted form: each field's values in order, none for an empty field, fields without var skipped", () => {
    const values = submittedValues(
      xml(
        "x",
        { xmlns: "jabber:x:data", type: "submit" },
        xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, "urn:test")),
        xml("field", { var: "temp" }, xml("value", {}, "350")),
        xml("field", { var: "empty" }),
        xml("field", { var: "many" }, xml("value", {}, "a"), xml("value", {}, "b & c")),
        xml("field", {}, xml("value", {}, "lost")),
      ),
    );
    assert.deepEqual([...values.entries()], [
      ["FORM_TYPE", ["urn:test"]],
      ["temp", ["350"]],
      ["empty", []],
      ["many", ["a", "b & c"]],
    ]);
  });
});
