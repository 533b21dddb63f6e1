// The firmware is preloaded on Moddable (hosts/moddable/manifest.json): module bodies run at link
// time and their objects end up in flash. A module-level RegExp with the g or y flag is then
// unusable (its lastIndex is read-only, so replace() and exec() throw), which only an ESP32 or
// simulator build would show. This check finds them in everything the firmware bundles.

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

/** Module-level declarations initialised with a regular expression literal that has the g or y flag. */
export function statefulRegExps(text: string): string[] {
  return [...text.matchAll(/^(?:export\s+)?(?:const|let|var)\s+([\w$]+)\s*=\s*\/(?:\\.|\[(?:\\.|[^\]])*\]|[^/\n\\[])+\/([a-z]*)/gm)]
    .filter((match) => /[gy]/.test(match[2]!))
    .map((match) => match[1]!);
}

describe("code preloaded on Moddable", () => {
  it("the check finds a module-level RegExp with the g or y flag, and only those", () => {
    assert.deepEqual(statefulRegExps("const A = /[a-z]/g;\nconst B = /x/i;\n  const C = /y/g;\nexport let D = /\\//y;\n"), ["A", "D"]);
  });

  it("has no module-level RegExp with the g or y flag in src/, hosts/moddable, hosts/sim or ltx", () => {
    const root = projectRoot();
    const files = [...["src", "hosts/moddable", "hosts/sim", "node_modules/ltx/lib"].flatMap((dir) => sources(join(root, dir)))];
    assert.ok(files.length > 50, `${files.length} files checked`);
    const found = files.flatMap((file) => statefulRegExps(readFileSync(file, "utf8")).map((name) => `${relative(root, file)}: ${name}`));
    assert.deepEqual(found, []);
  });
});
