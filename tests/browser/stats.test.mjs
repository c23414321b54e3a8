// stats.test.mjs - the statistics dashboard: an analyst signs in, reads the
// charts (SVG drawn by the server, each with its data table), changes the
// filters, and downloads a table as CSV.
import fs from "node:fs";
import { ok, password, screenshot, signIn, url } from "./lib.mjs";

const num = (s) => Number(String(s).trim());

export default async function (page) {
  await signIn(page, "analyst", password, "/console/stats");
  ok(page.url().includes("/console/stats"), "the analyst signs in to the statistics", page.url());
  ok((await page.textContent("h1")) === "Statistics", "the dashboard has its heading");
  ok(await page.evaluate(() => document.querySelectorAll("[style]").length === 0),
    "no inline style in the page (its CSP forbids them)");

  // the charts: SVG images with an accessible name, and a table of the same numbers
  const charts = await page.$$eval("svg.chart", (svgs) => svgs.map((s) => ({
    id: s.id,
    role: s.getAttribute("role"),
    named: (s.getAttribute("aria-labelledby") || "").split(" ")
      .every((id) => id && document.getElementById(id) && document.getElementById(id).textContent.length > 0),
  })));
  ok(charts.length === 4 && charts.every((c) => c.role === "img" && c.named),
    "four charts, each role=img with a <title> and a <desc>", JSON.stringify(charts));
  const points = await page.$$eval("#chart-time circle.chart-point", (c) => c.length);
  const periods = await page.$$eval("#table-time tbody tr", (r) => r.length);
  ok(points === periods && periods === 30, "the line has a point per day of the 30 shown", `${points} points, ${periods} rows`);
  const filed = num(await page.textContent("#k-consignments"));
  ok(filed > 0, "the key figures count the demo consignments", filed);
  const lanes = await page.$$eval("#table-lanes tbody tr", (rows) =>
    Object.fromEntries(rows.map((r) => [r.querySelector("th").textContent, Number(r.querySelector("td").textContent)])));
  ok(Object.values(lanes).reduce((a, b) => a + b, 0) === filed, "the lanes add up to the consignments", JSON.stringify(lanes));
  const bars = await page.$$eval("#chart-lanes rect.chart-bar", (r) => r.map((x) => x.getAttribute("class")));
  ok(bars.length === 5 && bars.includes("chart-bar lane-green"), "a bar per lane, in the lane's colour", bars.join(" "));
  await screenshot(page, "stats-dashboard");

  // a filter: the breakdown by channel
  await page.selectOption("#f-by", "channel");
  await Promise.all([page.waitForURL(/by=channel/), page.click(".stats-filters button[type=submit]")]);
  ok(page.url().includes("by=channel"), "the filters are a GET form: the view is a link", page.url());
  const heading = await page.textContent("#h-breakdown");
  ok(/by channel/.test(heading), "the breakdown follows the filter", heading);
  const rows = await page.$$eval("#table-breakdown tbody tr", (rs) =>
    rs.map((r) => [r.querySelector("th").textContent, Number(r.querySelector("td").textContent)]));
  const channelBars = await page.$$eval("#chart-breakdown rect.chart-bar", (r) => r.length);
  ok(rows.length > 0 && channelBars === Math.min(rows.length, 15),
    "a bar per channel, as many as the table's rows", `${channelBars} bars, ${rows.length} rows`);
  const sum = rows.reduce((a, r) => a + r[1], 0);
  ok(sum === filed, "the channels add up to the consignments", `${sum} vs ${filed}`);
  const tip = await page.$eval("#chart-breakdown rect.chart-bar title", (t) => t.textContent);
  ok(tip === `${rows[0][0]}: ${rows[0][1]}`, "the first bar tells its channel and value", tip);

  // a filter on a dimension: the green lane alone
  await page.selectOption("#f-lane", "green");
  await Promise.all([page.waitForURL(/lane=green/), page.click(".stats-filters button[type=submit]")]);
  const green = num(await page.textContent("#k-consignments"));
  ok(green === lanes.green, "filtered on the green lane, the key figure is the green count", `${green} vs ${lanes.green}`);
  await screenshot(page, "stats-green");

  // the CSV of the breakdown, with the same filters
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#csv-breakdown")]);
  ok(/^mainlevee-consignments-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()),
    "the CSV downloads as an attachment with a telling name", download.suggestedFilename());
  const text = fs.readFileSync(await download.path(), "utf8");
  const lines = text.trim().split("\r\n");
  ok(lines[0].startsWith("from,to,channel,label,consignments,amendments,lane_green,"),
    "the CSV has its header", lines[0].slice(0, 80));
  const greenRows = await page.$$eval("#table-breakdown tbody tr", (rs) =>
    rs.map((r) => [r.querySelector("th").textContent, Number(r.querySelector("td").textContent)]));
  const first = lines.slice(1).map((l) => l.split(",")).find((f) => f[2] === greenRows[0][0]);
  ok(first && Number(first[4]) === greenRows[0][1] && Number(first[6]) === greenRows[0][1],
    "a CSV row holds the table's count, all of it green", JSON.stringify(first && first.slice(0, 8)));

  // a wrong filter is said, not obeyed
  await page.goto(url + "console/stats?period=fortnight");
  const err = await page.textContent("#stats-error").catch(() => null);
  ok(err && err.includes("period"), "a filter outside its values is named on the page", err);
}
