// portal.test.mjs - the public rules portal in a browser: search "coffee"
// and open 0901.21, switch to French, compute a landed cost to two
// countries with different thresholds, see a restricted item's permit,
// publish a text as an administrator and check that its members-only field
// is absent for the public and present for a partner administration; the
// keyboard, a phone's screen, the pages without JavaScript, the typing
// suggestions, and how fast the pages come.
import { ok, password, screenshot, signIn, url } from "./lib.mjs";

const INTERNAL = "Members only: call the Roissy hub desk before a week-end seizure.";

async function text(page, sel) {
  return (await page.textContent(sel).catch(() => null)) || "";
}

export default async function (page, context, browser) {
  // ---- search "coffee", open 0901.21 -------------------------------------------------
  await page.goto(url + "portal?lang=en");
  ok((await page.getAttribute("html", "lang")) === "en", "the portal opens in English");
  await screenshot(page, "portal-home");
  // keyboard: the first Tab reaches the skip link
  await page.keyboard.press("Tab");
  ok(await page.evaluate(() => document.activeElement && document.activeElement.classList.contains("skip")),
    "the first Tab reaches the skip link");
  await page.fill("#q", "coffee");
  await Promise.all([page.waitForURL(/portal\/search/), page.press("#q", "Enter")]);
  const heading = await text(page, "#results");
  ok(/\d+ codes match "coffee"/.test(heading), "searching coffee lists matching codes", heading);
  await screenshot(page, "portal-search-coffee");
  const link = page.locator("ol.hits a", { hasText: "0901.21" });
  ok((await link.count()) === 1, "the results hold 0901.21");
  await Promise.all([page.waitForURL(/portal\/codes\/090121/), link.click()]);
  ok((await text(page, "h1")).includes("0901.21") && (await text(page, "h1")).includes("Coffee; roasted"),
    "the code page of 0901.21 opens", await text(page, "h1"));
  // choose a destination with the form (no script needed)
  await page.selectOption("#to", "FR");
  await Promise.all([page.waitForURL(/to=FR/), page.click("form.pick button[type=submit]")]);
  ok((await text(page, "#duty-rate")).includes("7.5%"), "France's duty on roasted coffee is 7.5%", await text(page, "#duty-rate"));
  ok((await text(page, "#tax-rate")).includes("20%"), "and VAT 20%", await text(page, "#tax-rate"));
  await screenshot(page, "portal-code-090121-FR");

  // ---- switch to French ----------------------------------------------------------------
  await Promise.all([page.waitForLoadState("load"), page.click("nav.langs a[lang=fr]")]);
  ok((await page.getAttribute("html", "lang")) === "fr", "the switch turns the page French");
  ok((await text(page, "h1")).includes("SH 0901.21"), "the code page reads in French", await text(page, "h1"));
  ok((await text(page, "#at")).includes("France"), "with the destination's French name", await text(page, "#at"));
  ok((await text(page, "h1 .desc")).includes("Coffee; roasted"), "HS descriptions stay English");
  await screenshot(page, "portal-code-090121-FR-fr");
  // the choice is remembered on the next page
  await page.goto(url + "portal/compare");
  ok((await text(page, "h1")) === "Seuils de minimis comparés", "French is kept for the next pages", await text(page, "h1"));
  ok((await page.locator("table.register tbody tr").count()) === 42, "the comparison lists the 42 shipped countries");
  const csv = await page.getAttribute("#csv", "href");
  const res = await fetch(url + csv.replace(/^\//, ""));
  const body = await res.text();
  ok(res.status === 200 && res.headers.get("content-type").startsWith("text/csv") && body.split("\r\n").length === 44,
    "the comparison downloads as CSV", res.status + " " + body.slice(0, 120));
  await screenshot(page, "portal-compare-fr");

  // ---- a landed cost to two countries with different thresholds ------------------------
  async function compute(to, currency) {
    await page.goto(url + "portal/calculator");
    await page.selectOption("#to", to);
    await page.selectOption("#origin", "CN");
    await page.selectOption("#currency", currency);
    await page.fill("#shipping", "8.00");
    await page.fill("#hs_1", "610910");
    await page.fill("#price_1", "120.00");
    await page.fill("#qty_1", "3");
    await Promise.all([page.waitForLoadState("load"), page.click("#compute")]);
  }
  // the United Kingdom: no duty up to GBP 135, VAT charged at sale
  await compute("GB", "GBP");
  ok((await page.locator("#result-GB").count()) === 1, "the calculator answers for the United Kingdom");
  const gbDuty = await text(page, "#duty");
  ok(gbDuty.startsWith("0.00"), "GBP 120 of T-shirts owe no duty in the UK (threshold GBP 135)", gbDuty);
  ok((await text(page, "#tax-at-sale")).startsWith("25.60"), "VAT of 20% on goods and transport is collected at sale", await text(page, "#tax-at-sale"));
  ok((await text(page, "#model")).length > 0, "the page says who collects", await text(page, "#model"));
  await screenshot(page, "portal-calculator-GB");
  // Australia: no duty or GST at the border up to AUD 1,000 (GST at sale)
  // against the United States: no de minimis, duty due on every parcel
  await compute("US", "USD");
  const usDuty = await text(page, "#duty");
  ok((await page.locator("#result-US").count()) === 1 && !usDuty.startsWith("0.00"),
    "the same goods owe duty in the United States (no de minimis)", usDuty);
  ok((await text(page, "#border")).length > 0, "and an amount due at the border", await text(page, "#border"));
  await screenshot(page, "portal-calculator-US");

  // ---- a restricted item shows its permit ------------------------------------------------
  await page.goto(url + "portal/calculator?lang=en");
  await page.selectOption("#to", "US");
  await page.selectOption("#currency", "USD");
  await page.fill("#hs_1", "coffee");
  await page.fill("#price_1", "25");
  await page.fill("#hs_2", "9303.20");
  await page.fill("#price_2", "600");
  await Promise.all([page.waitForLoadState("load"), page.click("#compute")]);
  ok((await text(page, "#chosen")).includes("0901"), "words are read as a subheading, and the page says which", await text(page, "#chosen"));
  ok((await page.locator("#restricted").count()) === 1, "the result warns of a restricted item");
  const permit = await text(page, "#restricted .permit");
  ok(permit.includes("ATF Form 6 import permit"), "the restricted rifle shows its permit", permit);
  ok((await text(page, "#restricted .agency")).includes("ATF"), "and its agency");
  await screenshot(page, "portal-calculator-restricted");

  // ---- publication, and the members-only field -----------------------------------------
  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ap = await admin.newPage();
  await signIn(ap, "admin", password, "/portal/edit/FR");
  ok(ap.url().endsWith("/portal/edit/FR"), "an administrator reaches the editing form", ap.url());
  await ap.fill("#notes", "Parcels from outside the EU are checked at Roissy.");
  await ap.fill("#facilitation", "Simplified H7 declaration up to EUR 150");
  await ap.fill("#contacts", "Info Douane Service | | +33 1 72 40 78 50 | https://www.douane.gouv.fr/");
  await ap.fill("#internal_notes", INTERNAL);
  await ap.fill("#contact_points", "Roissy hub desk | hub.desk@douane.example.org");
  await screenshot(ap, "portal-edit-FR");
  await Promise.all([ap.waitForURL(/portal\/edit\?saved=FR/), ap.click("#save")]);
  ok((await ap.locator("#flash").count()) === 1, "the draft is saved");
  // a draft is not published: the public does not see it yet
  await page.goto(url + "portal/countries/FR?lang=en");
  ok(!(await page.content()).includes("checked at Roissy"), "a draft stays invisible until published");
  await ap.fill("#note", "first texts of France");
  await Promise.all([ap.waitForURL(/published=/), ap.click("#publish")]);
  ok((await text(ap, "#flash")).includes("is published"), "publishing makes a numbered version", await text(ap, "#flash"));
  await screenshot(ap, "portal-edit-published");
  await admin.close();

  // the public: the public text, no members' field
  await page.goto(url + "portal/countries/FR?lang=en");
  const pub = await page.content();
  ok(pub.includes("checked at Roissy") && pub.includes("Info Douane Service"), "the public sees the published text");
  ok((await page.locator("#members").count()) === 0 && !pub.includes(INTERNAL) && !pub.includes("hub.desk@"),
    "a members-only field is absent for the public");
  await screenshot(page, "portal-country-FR-public");
  // a partner administration, signed in: the members' part appears
  const partner = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const pp = await partner.newPage();
  await signIn(pp, "partner", password, "/portal/countries/FR");
  ok(pp.url().includes("/portal/countries/FR"), "the partner comes back to the country page", pp.url());
  ok((await text(pp, "#members")).includes(INTERNAL), "the partner sees the internal notes", await text(pp, "#members"));
  ok((await text(pp, "#contact-points")).includes("hub.desk@douane.example.org"), "and the contact points");
  await screenshot(pp, "portal-country-FR-partner");
  await partner.close();
  // what changed between the versions
  await page.goto(url + "portal/changes");
  ok((await page.locator("#diff-FR ins").count()) >= 3, "the changes page shows what the version added");
  ok(!(await page.content()).includes(INTERNAL), "and no members' field to the public");
  await screenshot(page, "portal-changes");

  // ---- a phone, no JavaScript, suggestions, speed -----------------------------------------
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false,
    isMobile: true, hasTouch: true });
  const mp = await phone.newPage();
  await mp.goto(url + "portal/calculator?lang=es");
  await mp.selectOption("#to", "AU");
  await mp.selectOption("#currency", "AUD");
  await mp.fill("#hs_1", "lithium batteries");
  await mp.fill("#price_1", "80");
  await Promise.all([mp.waitForLoadState("load"), mp.click("#compute")]);
  ok((await mp.locator("#result-AU").count()) === 1, "without JavaScript the calculator computes by a form post");
  ok((await text(mp, "#result")).includes("Australia"), "in Spanish", await text(mp, "#result"));
  const overflow = await mp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow <= 1, "the page fits a phone's width", String(overflow));
  await screenshot(mp, "portal-calculator-phone-es");
  await mp.goto(url + "portal/countries/NZ");
  const overflow2 = await mp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow2 <= 1, "a country page fits a phone's width", String(overflow2));
  await screenshot(mp, "portal-country-NZ-phone");
  await phone.close();

  await page.goto(url + "portal/search?lang=en");
  await page.click("#q");
  await page.keyboard.type("lithium batt", { delay: 20 });
  const suggest = page.locator("#q-suggest li");
  await suggest.first().waitFor({ timeout: 5000 }).catch(() => null);
  ok((await suggest.count()) > 0, "typing offers HS codes (JavaScript)");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  ok(/^\d{6}$/.test(await page.inputValue("#q")), "the keyboard takes a suggestion", await page.inputValue("#q"));
  await screenshot(page, "portal-suggest");

  const times = [];
  for (const p of ["portal", "portal/countries/FR", "portal/codes/850760?to=FR", "portal/compare",
    "portal/search?q=toys"]) {
    await page.goto(url + p);
    times.push(await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0];
      return n.responseEnd - n.requestStart;
    }));
  }
  ok(times.every((t) => t < 100), "pages come from the local server in under 100 ms", times.map((t) => t.toFixed(1)).join(" "));
}
