// lib.mjs - what the browser tests share: Debian's chromium through
// playwright-core, the server under test, TAP output and screenshots.
//
// run.sh starts the server and sets MLV_URL (ends with '/'), MLV_KEY (the
// demo filer's API key), MLV_OFFICER_PASSWORD and the other people's
// passwords (MLV_PASSWORD, shared by the users run.sh creates), and
// MLV_SCREENSHOTS (a folder kept in the test output).
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

export const url = process.env.MLV_URL;
export const key = process.env.MLV_KEY;
export const officerPassword = process.env.MLV_OFFICER_PASSWORD;
export const password = process.env.MLV_PASSWORD;
const shots = process.env.MLV_SCREENSHOTS;

let count = 0;
let failed = 0;

export function ok(cond, name, detail) {
  count++;
  if (cond) {
    console.log(`ok ${count} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${count} - ${name}`);
    if (detail !== undefined)
      for (const line of String(detail).split("\n").slice(0, 20)) console.log(`  # ${line}`);
  }
  return cond;
}

export function failures() {
  return failed;
}

export function plan() {
  console.log(`1..${count}`);
}

export async function launch() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  return chromium.launch({
    executablePath,
    headless: true,
    // root in CI: the sandbox needs user namespaces the container may not give
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

export async function screenshot(page, name) {
  if (!shots) return;
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

// Signs in through the login form; returns once the console's home shows.
export async function signIn(page, username, pw, next) {
  const target = next ? `console/login?next=${encodeURIComponent(next)}` : "console/login";
  await page.goto(url + target);
  await page.fill("#username", username);
  await page.fill("#password", pw);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
}

// An API call with the demo filer's key (or another), answering {status, json}.
export async function api(method, p, body, apiKey = key) {
  const res = await fetch(url + p.replace(/^\//, ""), {
    method,
    headers: {
      Authorization: `Bearer ${apiKey}`,
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}
