// `npm run test:xs`: runs the unit suites bundled by scripts/build.mjs on the XS engine (xsnap),
// building xsnap first when needed; exits non-zero unless every test passed there.
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { projectRoot, runOnXs } from "./xsnap.js";

const script = process.argv[2] ?? join(projectRoot, "build", "test", "xs", "unit.js");
const shown = relative(process.cwd(), script) || script;

try {
  if (!existsSync(script)) {
    throw new Error(`${shown} is missing: run \`node scripts/build.mjs\` first (\`npm run test:xs\` does both)`);
  }
  console.log(`XS: running ${shown} on xsnap`);
  const run = await runOnXs(script);
  if (run.ok) {
    console.log(`XS: ${run.passed} passed${run.skipped ? `, ${run.skipped} skipped` : ""}`);
  } else {
    for (const problem of run.problems) console.error(`XS: ${problem}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`XS: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
