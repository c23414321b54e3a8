// run.mjs - runs every *.test.mjs of this folder in name order, one
// browser for all, and prints TAP.  Usage: node run.mjs [NAME-FILTER]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { failures, launch, ok, plan } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] || "";
const files = fs.readdirSync(here).filter((f) => f.endsWith(".test.mjs") && f.includes(filter)).sort();
const browser = await launch();
for (const f of files) {
  const mod = await import(path.join(here, f));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // status answers of pages and API calls are the tests' business; a failed
  // style, script, image or icon is an error, as is any script error
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("response", (r) => {
    const type = r.request().resourceType();
    if (r.status() >= 400 && !["document", "fetch", "xhr"].includes(type))
      errors.push(`${type} ${r.url()} answered ${r.status()}`);
  });
  try {
    await mod.default(page, context, browser);
  } catch (e) {
    ok(false, `${f} ran to its end`, e && e.stack ? e.stack : String(e));
  }
  ok(errors.length === 0, `${f}: no script errors or blocked resources in the pages`, errors.join("\n"));
  await context.close();
}
await browser.close();
plan();
process.exit(failures() === 0 ? 0 : 1);
