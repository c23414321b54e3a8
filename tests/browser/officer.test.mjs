// officer.test.mjs - the officers' console: the queue, a consignment page,
// and the two paths of issue 5 through the browser: a green consignment
// released on arrival, and a held one inspected and seized; the filer sees
// each decision in its consignment's events.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { api, ok, officerPassword, screenshot, signIn, url } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(fs.readFileSync(path.join(here, "../fixtures/consignment.json"), "utf8"));

function consignment(lrn, description) {
  const c = structuredClone(fixture);
  c.lrn = lrn;
  const arrival = new Date(Date.now() + 2 * 86400000);
  c.transport.expected_arrival = arrival.toISOString().replace(/\.\d+Z$/, "Z");
  c.transaction.order_date = new Date().toISOString().slice(0, 10);
  if (description) c.items[1].description = description;
  return c;
}

export default async function (page) {
  // a consignment with a prohibited good (cat fur): never green
  const held = await api("POST", "/v1/consignments", consignment("BROWSER-HELD-1", "Cat fur collar"));
  ok(held.status === 201, "the filer files a consignment with a prohibited good", held.text);
  const id = held.json && held.json.id;
  ok(held.json && held.json.risk && held.json.risk.lane !== "green",
    "the prohibited good is not green", JSON.stringify(held.json && held.json.risk));
  const arr = await api("POST", `/v1/consignments/${id}/arrival`, {});
  ok(arr.status === 200 && arr.json.released === false, "its arrival does not release it", arr.text);

  await signIn(page, "officer", officerPassword, "/console/queue");
  ok(page.url().endsWith("/console/queue"), "after sign-in the officer lands on the queue asked for", page.url());
  const rows = await page.locator("#queue tbody tr").count();
  ok(rows > 0, "the queue lists waiting consignments", rows);
  const scores = await page.locator("#queue tbody tr td:first-child").allTextContents();
  const sorted = scores.map(Number).every((v, i, a) => i === 0 || a[i - 1] >= v);
  ok(sorted, "the queue is ordered by risk, highest first", scores.join(","));
  await screenshot(page, "officer-queue");

  // filter by origin and lane through the form
  await page.fill("#f-origin", "cn");
  await page.selectOption("#f-state", "arrived");
  await Promise.all([page.waitForLoadState("load"), page.click("form.filters button[type=submit]")]);
  ok(page.url().includes("origin=cn") && page.url().includes("state=arrived"), "the filters are a shareable link", page.url());
  const link = page.locator(`#queue a[href="/console/consignments/${id}"]`);
  ok(await link.count() === 1, "the held consignment is in the filtered queue");
  const states = await page.locator("#queue tbody tr td:nth-child(4)").allTextContents();
  ok(states.length > 0 && states.every((s) => s === "arrived"), "every row has the state filtered on", states.join(","));
  await Promise.all([page.waitForLoadState("load"), link.click()]);

  ok((await page.textContent("#state")) === "arrived", "the consignment page shows its state");
  const hits = await page.locator("#hits tbody tr").allTextContents();
  ok(hits.some((h) => /fur/i.test(h)), "the hit is explained in a sentence", hits.join(" | "));
  ok(await page.locator("#amounts").count() === 1, "the page shows the amounts");
  const partiesText = await page.textContent("#h-parties + div");
  ok(!partiesText.includes("Camille") && partiesText.includes("personal data"),
    "the buyer's name is not shown", partiesText);
  await screenshot(page, "officer-consignment");

  // keyboard: 'i' focuses the inspection button; a reason is required
  await page.keyboard.press("i");
  ok(await page.evaluate(() => document.activeElement && document.activeElement.id === "do-inspect"),
    "the i key reaches Start inspection");
  await page.fill("#reason", "prohibited good declared: physical check");
  await Promise.all([page.waitForLoadState("load"), page.click("#do-inspect")]);
  ok((await page.textContent("#state")) === "inspected", "the inspection starts", await page.textContent("main"));
  ok((await page.textContent("#notice")).includes("inspect"), "the page confirms the decision");

  await page.fill("#reason", "cat fur found: goods seized");
  await page.selectOption("#result", "seizure");
  page.once("dialog", (d) => d.accept());
  await Promise.all([page.waitForLoadState("load"), page.click("#do-seize")]);
  ok((await page.textContent("#state")) === "seized", "the officer seizes the goods", await page.textContent("main"));
  const hist = await page.locator("#history tbody tr").allTextContents();
  ok(hist.some((h) => h.includes("officer:officer")), "the history names the officer", hist.join(" | "));
  await screenshot(page, "officer-seized");

  // a forbidden transition answers with the current state
  const again = await page.evaluate(async ({ id }) => {
    const csrf = document.querySelector("input[name=csrf]").value;
    const r = await fetch(`/console/consignments/${id}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, action: "release", reason: "try again" }),
    });
    return { status: r.status, text: await r.text() };
  }, { id });
  ok(again.status === 409 && again.text.includes("seized"), "releasing seized goods is refused (409)", again.status);

  // without the CSRF token the form is refused
  const forged = await page.evaluate(async ({ id }) => {
    const r = await fetch(`/console/consignments/${id}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "action=release&reason=forged",
    });
    return r.status;
  }, { id });
  ok(forged === 403, "a decision without the CSRF token is refused", forged);

  // the filer sees the decisions: in its events, and in its notifications
  const ev = await api("GET", `/v1/consignments/${id}/events`);
  const types = ev.json ? ev.json.events.map((e) => e.type) : [];
  ok(types.includes("inspect") && types.includes("seize"),
    "the filer's events show the officer's decisions", ev.text);
  const seen = [];
  for (let after = "0", pages = 0; pages < 100; pages++) {
    const n = await api("GET", `/v1/notifications?after=${after}&limit=500`);
    if (n.status !== 200) break;
    for (const item of n.json.items)
      if (item.consignment && item.consignment.id === id) seen.push(item);
    if (!n.json.more) break;
    after = n.json.next_cursor;
  }
  const seized = seen.find((x) => x.state === "seized");
  ok(seized && seized.action === "seize" && seized.actor === "officer:officer" &&
     /cat fur/.test(seized.reason || ""),
    "the seizure reached the filer's notifications, with the officer's reason", JSON.stringify(seen));
  ok(seen.some((x) => x.state === "inspected"), "so did the start of the inspection");

  // the green path: file, arrive, the officer releases from the console
  const green = await api("POST", "/v1/consignments", consignment("BROWSER-GREEN-1"));
  ok(green.status === 201, "a second, ordinary consignment is filed", green.text);
  const gid = green.json.id;
  const garr = await api("POST", `/v1/consignments/${gid}/arrival`, {});
  ok(garr.status === 200, "its arrival is notified", garr.text);
  await page.goto(url + `console/consignments/${gid}`);
  const state = await page.textContent("#state");
  if (state !== "released") {
    await page.fill("#reason", "documents in order; duties paid");
    await Promise.all([page.waitForLoadState("load"), page.click("#do-release")]);
  }
  ok((await page.textContent("#state")) === "released", "the consignment is released", await page.textContent("#state"));
  const g = await api("GET", `/v1/consignments/${gid}`);
  ok(g.json && g.json.status === "released", "the filer reads it released", g.text);
  const rel = await api("GET", "/v1/notifications?limit=500&after=0");
  let found = false;
  for (let after = "0", pages = 0; pages < 100 && !found; pages++) {
    const n = await api("GET", `/v1/notifications?after=${after}&limit=500`);
    found = n.json.items.some((x) => x.consignment && x.consignment.id === gid && x.state === "released");
    if (!n.json.more) break;
    after = n.json.next_cursor;
  }
  ok(rel.status === 200 && found, "the release reached the filer's notifications");
  await screenshot(page, "officer-released");

  // a filer person may not open the console's queue; the public neither
  const anon = await fetch(url + "console/queue", { redirect: "manual" });
  ok(anon.status === 303, "the queue sends strangers to sign in", anon.status);
}
