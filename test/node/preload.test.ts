// The firmware is preloaded on Moddable (hosts/moddable/manifest.json): module bodies run at link
// time and their objects end up in flash. A RegExp made there cannot keep its match state: with
// the g or y flag, lastIndex is read-only and replace() throws; and XS 8.2.3 crashed (SIGSEGV in
// fx_RegExp_prototype_exec) on exec() of the preloaded XML-declaration pattern, which has capture
// groups. Only an ESP32 or simulator build would show either, so this check finds module-level
// RegExp literals in everything the firmware bundles; patterns are made per use instead.

import { strict as assert } from "node:assert";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { projectRoot } from "../../hosts/node/project.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Module-level declarations initialised with a regular expression literal (on the same line or the next). */
export function moduleRegExps(text: string): string[] {
  return [...text.matchAll(/^(?:export\s+)?(?:const|let|var)\s+([\w$]+)(?:\s*:[^=\n]+)?\s*=\s*\/(?:\\.|\[(?:\\.|[^\]])*\]|[^/\n\\[*])(?:\\.|\[(?:\\.|[^\]])*\]|[^/\n\\[])*\/[a-z]*/gm)].map((match) => match[1]!);
}

/** Error classes that assign `this.name`: on XS, once preloaded, that throws (Error.prototype is frozen). */
export function errorNameAssignments(text: string): string[] {
  return [...text.matchAll(/class\s+([\w$]+)\s+extends\s+[\w$.]*Error\b[^{]*\{([\s\S]*?)\n\}/g)]
    .filter((match) => /this\.name\s*=[^=]/.test(match[2]!))
    .map((match) => match[1]!);
}

describe("code preloaded on Moddable", () => {
  it("the check finds module-level RegExp literals, also on the next line, and nothing inside functions", () => {
    const text = "const A = /[a-z]/g;\nconst B =\n  /x(y)/;\n  const C = /y/g;\nexport let D = /\\//y;\nconst E = () => /z/;\nconst F = 1 / 2 / 3;\nconst G: RegExp = /q/;\n";
    assert.deepEqual(moduleRegExps(text), ["A", "B", "D", "G"]);
  });

  it("has no module-level RegExp in src/, hosts/moddable, hosts/sim or ltx", () => {
    const root = projectRoot();
    const files = [...["src", "hosts/moddable", "hosts/sim", "node_modules/ltx/lib"].flatMap((dir) => sources(join(root, dir)))];
    assert.ok(files.length > 50, `${files.length} files checked`);
    const found = files.flatMap((file) => moduleRegExps(readFileSync(file, "utf8")).map((name) => `${relative(root, file)}: ${name}`));
    assert.deepEqual(found, []);
  });

  it("the check finds Error classes that assign this.name, and not those with a name field", () => {
    const text = 'class A extends Error {\n  constructor() {\n    super();\n    this.name = "A";\n  }\n}\nclass B extends XMPPError {\n  override readonly name = "B";\n}\nclass C {\n  constructor() { this.name = "c"; }\n}\n';
    assert.deepEqual(errorNameAssignments(text), ["A"]);
  });

  it("has no Error class in src/, hosts/moddable or hosts/sim that assigns this.name (a CertificateError aborted the simulator so)", () => {
    const root = projectRoot();
    const files = ["src", "hosts/moddable", "hosts/sim"].flatMap((dir) => sources(join(root, dir)));
    const found = files.flatMap((file) => errorNameAssignments(readFileSync(file, "utf8")).map((name) => `${relative(root, file)}: ${name}`));
    assert.deepEqual(found, []);
  });
});
