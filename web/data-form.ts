// XEP-0004 data forms (with XEP-0122 ranges) as the dashboard's instruction fields: a form the
// device sends read into fields, and the values typed into them written back as a submit form.

import { xml } from "@xmpp/client";
import type { Element } from "ltx";
import type { FieldValues, InstructionField } from "./instruction.js";

export const NS_DATA = "jabber:x:data";
export const NS_VALIDATE = "http://jabber.org/protocol/xdata-validate";

export interface DataForm {
  readonly title?: string;
  readonly instructions?: string;
  readonly fields: readonly InstructionField[];
}

function numberOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function readField(field: Element): InstructionField | undefined {
  const name = field.attrs.var as string | undefined;
  const type = (field.attrs.type as string | undefined) ?? "text-single";
  if (name === undefined && type !== "fixed") return undefined;
  const values = field.getChildren("value").map((value) => value.getText());
  const description = field.getChildText("desc") ?? undefined;
  const common = {
    name: name ?? "",
    label: (field.attrs.label as string | undefined) ?? name ?? "",
    required: field.getChild("required") !== undefined,
    ...(description !== undefined ? { description } : {}),
    ...(values.length > 0 ? { value: values.join("\n") } : {}),
  };
  switch (type) {
    case "boolean":
      return { ...common, kind: "switch" };
    case "list-single":
      return {
        ...common,
        kind: "choice",
        options: field.getChildren("option").map((option) => {
          const value = option.getChildText("value") ?? "";
          return { label: (option.attrs.label as string | undefined) ?? value, value };
        }),
      };
    case "fixed":
      return { ...common, kind: "fixed" };
    case "hidden":
      return { ...common, kind: "hidden" };
    default: {
      const validate = field.getChild("validate", NS_VALIDATE);
      const datatype = validate?.attrs.datatype as string | undefined;
      if (datatype === "xs:integer" || datatype === "xs:int" || datatype === "xs:decimal" || datatype === "xs:double") {
        const range = validate!.getChild("range");
        const min = numberOrUndefined(range?.attrs.min as string | undefined);
        const max = numberOrUndefined(range?.attrs.max as string | undefined);
        return {
          ...common, kind: "number", integer: datatype === "xs:integer" || datatype === "xs:int",
          ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}),
        };
      }
      return { ...common, kind: "text" };
    }
  }
}

/** Reads `<x xmlns='jabber:x:data' type='form'>`; fields the dashboard cannot show are kept as text. */
export function readDataForm(x: Element): DataForm {
  const fields = x.getChildren("field").map(readField).filter((field): field is InstructionField => field !== undefined);
  const title = x.getChildText("title") ?? undefined;
  const instructions = x.getChildren("instructions").map((line) => line.getText()).join("\n") || undefined;
  return { ...(title !== undefined ? { title } : {}), ...(instructions !== undefined ? { instructions } : {}), fields };
}

/** `<x type='submit'>` with every field's value; a switch is sent as XEP-0004's true/false. */
export function submitDataForm(form: DataForm, values: FieldValues): Element {
  const fields = form.fields
    .filter((field) => field.kind !== "fixed")
    .map((field) => {
      let value = field.kind === "hidden" ? field.value ?? "" : (values.get(field.name) ?? "").trim();
      if (field.kind === "switch") value = value === "on" || value === "true" || value === "1" ? "true" : "false";
      return xml("field", { var: field.name }, ...(value === "" ? [] : [xml("value", {}, value)]));
    });
  return xml("x", { xmlns: NS_DATA, type: "submit" }, ...fields);
}
