// Opens the sample's and a fleet's HTML report in headless Chromium and checks them.
// Usage: node browser-test.cjs WORKDIR (holding sample.html, fleet.html, node_modules/).
"use strict";
const path = require("path");
const fs = require("fs");
const work = path.resolve(process.argv[2]);
const { chromium } = require(path.join(work, "node_modules", "playwright-core"));

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const LOAD_BUDGET_MS = 2000;
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

/** Opens `file` in a fresh browser profile; returns the page, its load time and its problems. */
async function open(name) {
  const profile = fs.mkdtempSync(path.join(work, "profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", args: ARGS, headless: true,
    viewport: { width: 1280, height: 900 },
  });
  const problems = { fetched: [], errors: [] };
  const local = (url) => url.startsWith("file:") || url.startsWith("data:");
  await context.route("**/*", (route) => {
    if (local(route.request().url())) return route.continue();
    problems.fetched.push(route.request().url());
    return route.abort();
  });
  context.on("request", (r) => { if (!local(r.url()) && !problems.fetched.includes(r.url())) problems.fetched.push(r.url()); });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => { if (m.type() === "error") problems.errors.push(m.text()); });
  page.on("pageerror", (e) => problems.errors.push(String(e)));
  const started = Date.now();
  await page.goto("file://" + path.join(work, name), { waitUntil: "load" });
  await page.waitForSelector("#tl[data-marks]", { timeout: 10000 });
  const loadMs = Date.now() - started;
  const timing = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { domContentLoaded: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd) };
  });
  console.log(`${name}: ${JSON.stringify(timing)} (ms since navigation start)`);
  return { context, page, problems, loadMs, profile };
}

async function close(t) {
  await t.context.close();
  fs.rmSync(t.profile, { recursive: true, force: true });
}

function checkClean(t, name) {
  check(t.problems.errors.length === 0, `${name}: no console errors ${JSON.stringify(t.problems.errors)}`);
  check(t.problems.fetched.length === 0, `${name}: nothing fetched from the network (${t.problems.fetched.length} requests blocked)`);
}

async function sample() {
  const t = await open("sample.html");
  const { page } = t;
  console.log(`sample: loaded in ${t.loadMs} ms`);
  const verdict = await page.textContent("#verdict");
  check(verdict.includes("KB954960") && verdict.includes("confirmed"), "sample: verdict names KB954960, confirmed");
  const finding = await page.textContent("#f1");
  check(finding.includes("0x8024400E"), "sample: finding shows the full 0x8024400E");
  check(finding.includes("c0a7445f-b989-43fa-ac20-11f8ca65fa8c"), "sample: finding shows the full fault ID");
  check(finding.includes("System.ArgumentException"), "sample: finding shows the server's exception");
  check((await page.$$("#f1 ol li")).length >= 5, "sample: the fix is an ordered list of steps");
  const marks = Number(await page.getAttribute("#tl", "data-marks"));
  check(marks >= 3, `sample: timeline has marks for client and server (${marks})`);
  const clocks = await page.textContent("#clocks");
  check(clocks.includes("UTC-4") && clocks.includes("42 s fast"), "sample: clock line in human terms");
  // The keyboard: tab to the timeline, focus shows a mark's evidence.
  await page.focus("#tl");
  await page.keyboard.press("Home");
  let tip = await page.textContent("#tip");
  check(tip.length > 0, `sample: focusing the timeline shows a mark's evidence: ${tip.split("\n")[0]}`);
  let sawClient = false;
  for (let i = 0; i < marks; i++) {
    tip = await page.textContent("#tip");
    if (tip.includes("0x8024400E") && tip.includes("KB954960")) { sawClient = true; break; }
    await page.keyboard.press("ArrowRight");
  }
  check(sawClient, "sample: arrow keys reach the client failure's mark with its code and issue");
  check((await page.$$("#ctable tbody tr")).length === 1, "sample: clients table has one row");
  await page.screenshot({ path: path.join(work, "sample.png"), fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: path.join(work, "sample-print.png"), fullPage: true });
  checkClean(t, "sample");
  await close(t);
}

async function fleet() {
  const t = await open("fleet.html");
  const { page } = t;
  console.log(`fleet: loaded in ${t.loadMs} ms`);
  check(t.loadMs < LOAD_BUDGET_MS, `fleet: loads in under ${LOAD_BUDGET_MS} ms (${t.loadMs} ms)`);
  const rows = await page.$$eval("#ctable tbody tr", (r) => r.length);
  const count = await page.textContent("#ccount");
  check(rows === 200 && count.startsWith("2000 of 2000 clients"), `fleet: clients table shows 200 rows of 2000 (${rows}; ${count})`);
  const marks = Number(await page.getAttribute("#tl", "data-marks"));
  check(marks >= 20000, `fleet: timeline has a mark per fault (${marks})`);
  check((await page.$$("canvas")).length === 1, "fleet: the timeline is one canvas, not a node per fault");
  // Filter: typing narrows the table quickly.
  let started = Date.now();
  await page.fill("#filter", "PC0042/");
  const filtered = await page.$$eval("#ctable tbody tr", (r) => r.map((x) => x.cells[0].title));
  const filterMs = Date.now() - started;
  check(filtered.length === 1 && filtered[0].includes("PC0042"), `fleet: filter finds PC0042 (${filtered}, ${filterMs} ms)`);
  check(filterMs < 500, "fleet: filtering stays responsive (< 500 ms)");
  await page.fill("#filter", "");
  // Sort by client name, then descending.
  started = Date.now();
  await page.click("#ctable th button[data-k=failures]");
  const fewest = Number(await page.textContent("#ctable tbody tr td:nth-child(2)"));
  await page.click("#ctable th button[data-k=failures]");
  const most = Number(await page.textContent("#ctable tbody tr td:nth-child(2)"));
  const sortMs = Date.now() - started;
  check(fewest <= most && most > 0, `fleet: sorts by failures both ways (${fewest}, ${most}, ${sortMs} ms)`);
  await page.click("#cmore");
  const allRows = await page.$$eval("#ctable tbody tr", (r) => r.length);
  check(allRows === 2000, `fleet: "Show all" lists every client (${allRows})`);
  // Hover a mark: the pointer over the timeline shows evidence.
  await page.evaluate(() => document.getElementById("timeline").scrollIntoView());
  const box = await page.locator("#tl").boundingBox();
  started = Date.now();
  let hovered = "";
  for (let x = 20; x < box.width - 20 && !hovered; x += 37) {
    await page.mouse.move(box.x + x, box.y + 27);
    hovered = await page.textContent("#tip");
  }
  check(hovered.length > 0, `fleet: hovering the timeline shows a mark's evidence: ${hovered.split("\n")[0]}`);
  await page.focus("#tl");
  await page.keyboard.press("End");
  check((await page.textContent("#tip")).length > 0, "fleet: keyboard focus shows the last mark's evidence");
  await page.screenshot({ path: path.join(work, "fleet-timeline.png") });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(work, "fleet.png") });
  checkClean(t, "fleet");
  await close(t);
}

(async () => {
  await sample();
  await fleet();
  console.log(failures ? `test-html: ${failures} checks failed` : `test-html: all checks passed; screenshots in ${work}`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
