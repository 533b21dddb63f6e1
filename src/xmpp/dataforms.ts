// Data forms (XEP-0004) with validation hints (XEP-0122): a form described in plain objects
// rendered as `<x xmlns='jabber:x:data'/>`, and the values of a submitted form read back.

import { createElement as xml, type Element } from "ltx";
import { NS } from "./namespaces.js";

export type FieldType = "boolean" | "fixed" | "hidden" | "list-single" | "list-multi" | "text-multi" | "text-private" | "text-single";

/** XEP-0122: the datatype a value must have and, for numbers, its range. */
export interface Validation {
  /** An XML Schema datatype such as "xs:integer" or "xs:decimal". */
  readonly datatype: string;
  readonly min?: string;
  readonly max?: string;
}

export interface FieldOption {
  readonly label: string;
  readonly value: string;
}

export interface FormField {
  readonly var: string;
  readonly type: FieldType;
  readonly label?: string;
  readonly desc?: string;
  readonly required?: boolean;
  /** Default values shown in the form. */
  readonly values?: readonly string[];
  readonly options?: readonly FieldOption[];
  readonly validate?: Validation;
}

export interface Form {
  readonly title?: string;
  readonly instructions?: string;
  readonly fields: readonly FormField[];
}

/** The values of a submitted form: field var -> its values, in the order sent. */
export type SubmittedValues = ReadonlyMap<string, readonly string[]>;

function fieldElement(field: FormField): Element {
  // XEP-0004's order within a field: desc, required, values, options; the XEP-0122 element after them.
  const validate = field.validate;
  return xml(
    "field",
    { var: field.var, type: field.type, label: field.label },
    field.desc !== undefined ? xml("desc", {}, field.desc) : null,
    field.required ? xml("required", {}) : null,
    (field.values ?? []).map((value) => xml("value", {}, value)),
    (field.options ?? []).map((option) => xml("option", { label: option.label }, xml("value", {}, option.value))),
    validate
      ? xml(
          "validate",
          { xmlns: NS.DATA_VALIDATE, datatype: validate.datatype },
          validate.min !== undefined || validate.max !== undefined ? xml("range", { min: validate.min, max: validate.max }) : null,
        )
      : null,
  );
}

/** `<x xmlns='jabber:x:data' type='form'>` for a form to fill in. */
export function formElement(form: Form): Element {
  return xml(
    "x",
    { xmlns: NS.DATA_FORMS, type: "form" },
    form.title !== undefined ? xml("title", {}, form.title) : null,
    form.instructions !== undefined ? xml("instructions", {}, form.instructions) : null,
    form.fields.map(fieldElement),
  );
}

/** The values of `<x type='submit'>`: every field with a var, its `<value/>` texts in order (none for an empty field). */
export function submittedValues(x: Element): SubmittedValues {
  const values = new Map<string, string[]>();
  for (const field of x.getChildren("field")) {
    const name = field.attrs.var;
    if (name === undefined) continue;
    values.set(name, field.getChildren("value").map((value) => value.getText()));
  }
  return values;
}
