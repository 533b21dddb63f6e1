// One instruction as an HTML form: a number input with its range, a select, a checkbox or a
// text field per operand, and the values read back. A value outside the form's own ranges is
// marked on its field with the reason and nothing is sent; the device still checks what it gets.

import { fieldProblem } from "../owner/data-form.js";
import { el } from "./dom.js";
import type { FieldValues, Instruction, InstructionField } from "./instruction.js";

function rangeText(field: InstructionField): string {
  const range = field.min !== undefined && field.max !== undefined ? `${field.min}–${field.max}` : "";
  return [range, field.unit].filter(Boolean).join(" ");
}

function input(field: InstructionField, example: string | undefined): HTMLElement {
  const id = `field-${field.name}`;
  switch (field.kind) {
    case "number":
      return el("input", {
        id, name: field.name, type: "number", inputmode: field.integer ? "numeric" : "decimal",
        min: field.min, max: field.max, step: field.integer ? 1 : "any", value: field.value, placeholder: example ?? rangeText(field),
      });
    case "choice":
      return el("select", { id, name: field.name }, (field.options ?? []).map((option) =>
        el("option", { value: option.value, selected: option.value === field.value }, option.label)));
    case "switch":
      return el("input", { id, name: field.name, type: "checkbox", checked: field.value === "true" || field.value === "1" || field.value === "on" });
    case "text":
      return el("input", { id, name: field.name, type: "text", value: field.value, placeholder: example });
    case "fixed":
    case "hidden":
      return el("span", {}, field.value ?? "");
  }
}

/** The form for `instruction`; `onSubmit` gets the values (a switch as "on" or "off"). */
export function instructionForm(instruction: Instruction, submitLabel: string, onSubmit: (values: FieldValues) => void): HTMLFormElement {
  // The help table's example gives each operand a sensible placeholder: PREHEAT 350 20.
  const exampleTokens = instruction.example?.split(/\s+/).slice(1) ?? [];
  const operands = instruction.fields.filter((field) => field.kind !== "hidden" && field.kind !== "fixed");
  const form = el(
    "form",
    { class: "instruction", "data-opcode": instruction.opcode, novalidate: true },
    el("h4", {}, `${instruction.task} `, el("code", {}, instruction.opcode)),
    instruction.instructions ? el("p", { class: "usage" }, instruction.instructions) : null,
    instruction.fields.filter((field) => field.kind === "fixed").map((field) => el("p", { class: "fixed" }, field.value ?? "")),
    operands.map((field, index) =>
      el(
        "p",
        { class: `field ${field.kind}` },
        el("label", { for: `field-${field.name}` }, field.label),
        input(field, exampleTokens[index]),
        field.description ? el("small", {}, field.description) : field.kind === "number" ? el("small", {}, rangeText(field)) : null,
      )),
    operands.length === 0 ? el("p", { class: "usage" }, "No operands.") : null,
    el("button", { type: "submit" }, submitLabel),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = new Map<string, string>();
    const problems: Array<{ control: HTMLInputElement | HTMLSelectElement; problem: string }> = [];
    for (const field of operands) {
      const control = form.elements.namedItem(field.name) as HTMLInputElement | HTMLSelectElement | null;
      if (control === null) continue;
      const value = control instanceof HTMLInputElement && control.type === "checkbox" ? (control.checked ? "on" : "off") : control.value;
      // A number input gives "" for text that is not a number: say that, not "required".
      const problem = control instanceof HTMLInputElement && control.validity.badInput ? `${field.label}: not a number` : fieldProblem(field, value);
      mark(control, problem);
      if (problem !== undefined) problems.push({ control, problem });
      values.set(field.name, value);
    }
    if (problems.length > 0) return problems[0]!.control.focus();
    onSubmit(values);
  });
  // The mark goes as soon as the value is changed: it is checked again on the next submission.
  form.addEventListener("input", (event) => {
    const control = event.target;
    if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement) mark(control, undefined);
  });
  return form;
}

/** Marks `control` invalid with `problem` shown under it, or clears the mark. */
function mark(control: HTMLInputElement | HTMLSelectElement, problem: string | undefined): void {
  const id = `${control.id}-problem`;
  control.parentElement?.querySelector(`#${CSS.escape(id)}`)?.remove();
  if (problem === undefined) {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
    return;
  }
  control.setAttribute("aria-invalid", "true");
  control.setAttribute("aria-describedby", id);
  control.parentElement?.append(el("small", { id, class: "problem", role: "alert" }, problem));
}
