// XEP-0004 data forms (with XEP-0122 ranges) as fields an owner's tool shows: a form the
// device sends read into fields, values checked against the ranges the form gives, and the
// values typed in written back as a submit form.

import { xml } from "@xmpp/client";
import type { Element } from "ltx";
import { NS } from "../src/xmpp/namespaces.js";

/** How a field is entered: a number in a range, one of a list, a switch, free text, or text shown only. */
export type FieldKind = "number" | "choice" | "switch" | "text" | "fixed" | "hidden";

export interface FieldOption {
  readonly label: string;
  readonly value: string;
}

export interface FormField {
  /** The operand's name (the data form's var). */
  readonly name: string;
  /** What the form shows, e.g. `TEMP (C, 50–400)`. */
  readonly label: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description?: string;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** Whole numbers only (xs:integer); undefined when not known (the help table does not say). */
  readonly integer?: boolean;
  readonly options?: readonly FieldOption[];
  /** The value the form starts with (a default, or a fixed or hidden field's value). */
  readonly value?: string;
}

/** What a form gives back: field name -> value as typed ("on"/"off" for a switch). */
export type FieldValues = ReadonlyMap<string, string>;

export interface DataForm {
  readonly title?: string;
  readonly instructions?: string;
  readonly fields: readonly FormField[];
}

function numberOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function readField(field: Element): FormField | undefined {
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
      const validate = field.getChild("validate", NS.DATA_VALIDATE);
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
  const fields = x.getChildren("field").map(readField).filter((field): field is FormField => field !== undefined);
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
  return xml("x", { xmlns: NS.DATA_FORMS, type: "submit" }, ...fields);
}

/**
 * What is wrong with `value` for `field`, by the form's own rules (required, a number, whole,
 * within its range, one of its options), or undefined when it passes. The device checks again:
 * this only spares a round trip and marks the field before anything is sent.
 */
export function fieldProblem(field: FormField, value: string): string | undefined {
  const text = value.trim();
  if (field.kind === "fixed" || field.kind === "hidden" || field.kind === "switch") return undefined;
  if (text === "") return field.required ? `${field.label}: required` : undefined;
  if (field.kind === "choice") {
    const options = field.options ?? [];
    return options.length === 0 || options.some((option) => option.value === text) ? undefined : `${field.label}: one of ${options.map((option) => option.value).join(", ")}`;
  }
  if (field.kind !== "number") return undefined;
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return `${field.label}: "${text}" is not a number`;
  const number = Number(text);
  if (field.integer === true && !Number.isInteger(number)) return `${field.label}: a whole number, not ${text}`;
  const { min, max } = field;
  if ((min !== undefined && number < min) || (max !== undefined && number > max)) {
    const range = min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    return `${field.label}: ${text} is out of range (${range}${field.unit ? ` ${field.unit}` : ""})`;
  }
  return undefined;
}
