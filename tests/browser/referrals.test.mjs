// referrals.test.mjs - referrals and the registry in the console: an
// officer opens a request for information to the filer from a
// consignment's page, the filer answers through the API with a text and a
// document, the officer reads the answer (and the document through the
// console) and closes the referral; an administrator registers an
// operator through the API with the session's CSRF token and finds it on
// /console/operators and its record page.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { api, ok, officerPassword, password, screenshot, signIn, url } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(fs.readFileSync(path.join(here, "../fixtures/consignment.json"), "utf8"));

function consignment(lrn) {
  const c = structuredClone(fixture);
  c.lrn = lrn;
  const arrival = new Date(Date.now() + 2 * 86400000);
  c.transport.expected_arrival = arrival.toISOString().replace(/\.\d+Z$/, "Z");
  c.transaction.order_date = new Date().toISOString().slice(0, 10);
  return c;
}

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
}

export default async function (page, context, browser) {
  const filed = await api("POST", "/v1/consignments", consignment("BROWSER-REF-1"));
  ok(filed.status === 201, "the filer files a consignment", filed.text);
  const id = filed.json && filed.json.id;

  await signIn(page, "officer", officerPassword, `/console/consignments/${id}`);
  ok(await page.locator("#h-referrals").count() === 1, "the consignment page has a Referrals section");
  ok(await page.locator("#no-referrals").count() === 1, "it says there is no referral yet");
  const options = await page.locator("#ref-to option").allTextContents();
  ok(options.includes("the filer") && options.some((o) => o.startsWith("party: carrier")),
    "the addressee is the filer, a party by role or an agency", options.join(","));
  const hours = await page.locator("#ref-kind option").allTextContents();
  ok(hours.some((o) => o.includes("default 24 h")), "each kind shows its default deadline", hours.join(","));

  // a form without a reason is refused by the server's own check too
  await page.selectOption("#ref-kind", "information");
  await page.selectOption("#ref-to", "filer");
  await page.fill("#ref-hours", "48");
  await page.fill("#ref-request", "Send the seller's invoice for the headphones.");
  await page.fill("#ref-reason", "declared value below the market price");
  await submit(page, "#do-open-referral");
  ok(page.url().includes("done=referred"), "opening answers 303 back to the page", page.url());
  ok((await page.textContent("#notice")).includes("Referral opened"), "the page confirms the referral");
  const article = page.locator("article.referral");
  ok(await article.count() === 1, "the referral is listed");
  const status = await article.locator(".status").textContent();
  ok(status === "open", "its status is open", status);
  ok((await article.locator(".request").textContent()).includes("seller's invoice"), "its request is shown");
  ok((await page.textContent("#state")) === "referred", "the consignment is referred");
  await screenshot(page, "referral-opened");

  // the filer finds it and answers with a text and a document
  const list = await api("GET", `/v1/referrals?consignment=${id}`);
  const rid = list.json && list.json.items && list.json.items[0] && list.json.items[0].id;
  ok(list.status === 200 && rid > 0, "the filer sees the referral addressed to it", list.text);
  const content = Buffer.from("Invoice 2026-118: headphones, 129.00 EUR\n").toString("base64");
  const ans = await api("POST", `/v1/referrals/${rid}/answer`, {
    text: "The invoice is attached.",
    documents: [{ type: "invoice", reference: "2026-118", filename: "invoice.txt", media_type: "text/plain", content }],
  });
  ok(ans.status === 201, "the filer answers through the API", ans.text);

  await page.goto(url + `console/consignments/${id}`);
  const answered = page.locator(`#referral-${rid}`);
  ok((await answered.locator(".status").textContent()) === "answered", "the page shows the referral answered");
  ok((await answered.locator(".answer-text").textContent()) === "The invoice is attached.", "the answer's text is shown");
  const doc = answered.locator("ul.docs a");
  const href = await doc.getAttribute("href");
  ok(href && href.startsWith(`/console/referrals/${rid}/documents/`), "the document is a console link", href);
  const got = await page.request.get(url + href.slice(1));
  ok(got.status() === 200 && (await got.text()).includes("Invoice 2026-118"), "the officer reads the document", got.status());
  const anon = await fetch(url + href.slice(1), { redirect: "manual" });
  ok(anon.status === 303, "without a session the document redirects to sign-in", anon.status);
  await screenshot(page, "referral-answered");

  // keyboard: the close form is reachable and posts with the token
  await page.selectOption(`#outcome-${rid}`, "satisfied");
  await page.focus(`#close-reason-${rid}`);
  await page.keyboard.type("invoice matches the declared value");
  await Promise.all([page.waitForLoadState("load"), page.keyboard.press("Enter")]);
  ok((await page.textContent("#notice")).includes("Referral closed"), "the officer closes the referral", await page.textContent("main"));
  const closed = page.locator(`#referral-${rid}`);
  ok((await closed.locator(".status").textContent()) === "closed", "the referral is closed");
  ok((await closed.locator(".outcome").textContent()).startsWith("satisfied"), "its outcome is shown");
  ok(await page.locator(`#close-${rid}`).count() === 0, "a closed referral has no close form");
  ok((await page.textContent("#state")) !== "referred", "the consignment resumes", await page.textContent("#state"));
  await screenshot(page, "referral-closed");

  // a form without the session's token is refused
  const forged = await page.request.post(url + `console/consignments/${id}`, {
    form: { form: "refer", kind: "information", to: "filer", reason: "no token here" },
  });
  ok(forged.status() === 403, "a referral form without the CSRF token is refused", forged.status());

  // the registry: for administrators, not for officers
  const officerNav = await page.locator("header.top nav a").allTextContents();
  ok(!officerNav.includes("Operators"), "officers do not see the registry in the navigation", officerNav.join(","));
  const refused = await page.request.get(url + "console/operators");
  ok(refused.status() === 403, "officers may not open the registry", refused.status());

  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ap = await admin.newPage();
  await signIn(ap, "admin", password, "/console/operators");
  ok(ap.url().endsWith("/console/operators"), "the admin opens the registry", ap.url());
  const nav = await ap.locator("header.top nav a").allTextContents();
  ok(nav.includes("Operators"), "the registry is in the admin's navigation", nav.join(","));
  const csrf = await ap.locator("input[name=csrf]").first().inputValue();
  const made = await ap.evaluate(async ([token]) => {
    const res = await fetch("/v1/operators", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({
        kind: "platform", name: "Browserland Market BV", country: "NL",
        identifiers: [{ type: "vat", value: "NL123456789B01" }],
        aeo: { type: "full", issuing_country: "NL", certificate: "NLAEOF00042", valid_from: "2024-01-01" },
      }),
    });
    return { status: res.status, json: await res.json() };
  }, [csrf]);
  ok(made.status === 201, "the admin registers an operator through the API", JSON.stringify(made.json));

  await ap.fill("#f-name", "Browserland");
  await ap.selectOption("#f-kind", "platform");
  await ap.selectOption("#f-aeo", "true");
  await submit(ap, "form.filters button[type=submit]");
  ok(ap.url().includes("name=Browserland") && ap.url().includes("aeo=true"), "the filters are a link", ap.url());
  const rows = await ap.locator("#operators tbody tr").allTextContents();
  ok(rows.length === 1 && rows[0].includes("Browserland Market BV") && rows[0].includes("recognised"),
    "the registered operator is listed, its AEO recognised", rows.join(" | "));
  await screenshot(ap, "operators-list");

  await ap.fill("#f-country", "de");
  await submit(ap, "form.filters button[type=submit]");
  ok(await ap.locator("#no-operators").count() === 1, "a country filter leaves it out");

  await ap.goto(url + `console/operators/${made.json.id}`);
  ok((await ap.textContent("#operator-name")) === "Browserland Market BV", "its record page opens");
  ok((await ap.textContent("#aeo-status")) === "recognised", "the AEO status is shown", await ap.textContent("#aeo-status"));
  ok((await ap.textContent("#aeo-basis")) === "union", "with the basis of its recognition", await ap.textContent("#aeo-basis"));
  const hist = await ap.locator("#history tbody tr").allTextContents();
  ok(hist.length === 1 && hist[0].includes("created") && hist[0].includes("admin"), "and its history", hist.join(" | "));
  await screenshot(ap, "operator-record");
  await admin.close();
}
