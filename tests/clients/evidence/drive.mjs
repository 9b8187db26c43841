// Opens an evidence pack's report.html in headless Chromium, driven by
// playwright-core, as a reader's browser opens a file it was sent: offline,
// from a file:// URL. Records what the page tried and what the browser said
// about it, reads the page's structure from the DOM, prints the page to PDF
// and takes a full-page screenshot, then prints
//
//   { "url", "console": [{type, text}], "pageErrors": [text],
//     "requests": [{url, resourceType, blockedBy}], "failedRequests": [{url, error}],
//     "doctype", "lang", "charset", "csp", "styles", "scripts", "styleAttributes",
//     "sections": [id], "figures": [{name, text}], "charts": [{title}],
//     "pdf", "screenshot" }
//
// on stdout.
//
//   node drive.mjs PLAYWRIGHT_CORE CHROMIUM REPORT OUTDIR
//
// PLAYWRIGHT_CORE is the package's directory (node_modules/playwright-core),
// CHROMIUM the browser (/usr/bin/chromium), REPORT the page, OUTDIR where
// report.pdf and report.png go. Exits non-zero, with the reason, if the
// browser cannot be driven or the whole run takes over 60 seconds; what the
// page did wrong is reported in the JSON, for the test to judge.
//
// JavaScript stays enabled: the page has no script, and with scripts allowed
// the page's own Content-Security-Policy is what refuses one (a console
// error), as in a reader's browser; `scripts` counts <script> elements so a
// page that needs one to be read is caught either way.

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const TIMEOUT_MS = 60_000;

const [playwrightDir, chromiumPath, reportPath, outDir] = process.argv.slice(2);
if (!playwrightDir || !chromiumPath || !reportPath || !outDir) {
  process.stderr.write("usage: node drive.mjs PLAYWRIGHT_CORE CHROMIUM REPORT OUTDIR\n");
  process.exit(64);
}
const url = pathToFileURL(resolve(reportPath)).href;

let browser;
let finished = false;
let waitingFor = "Chromium to start";
const timer = setTimeout(
  () => fail(`not done within ${TIMEOUT_MS / 1000} s: waited for ${waitingFor}`),
  TIMEOUT_MS,
);

function fail(reason) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  process.stderr.write(`drive.mjs: ${reason}\n`);
  // Closing can hang on a stuck browser: exit regardless.
  Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 2000))]).finally(() =>
    process.exit(1),
  );
}

// What a sandboxed, offline machine needs: no sandbox (as root), no GPU, and
// none of Chromium's own traffic to Google's hosts. Playwright's launch() also
// gives the browser a fresh, empty user data directory, removed on close.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function main() {
  const { chromium } = await import(pathToFileURL(join(playwrightDir, "index.mjs")).href);
  mkdirSync(outDir, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  const context = await browser.newContext({
    javaScriptEnabled: true,
    viewport: { width: 1280, height: 900 },
  });
  await context.setOffline(true);
  const page = await context.newPage();

  const consoleMessages = [];
  const pageErrors = [];
  const requests = [];
  const failedRequests = [];
  page.on("console", (message) => {
    const type = message.type();
    if (type === "error" || type === "warning") {
      consoleMessages.push({ type, text: message.text() });
    }
  });
  page.on("pageerror", (error) => pageErrors.push(String(error.message ?? error)));
  // Every request but the document itself: whatever the CSP let through to
  // the network layer. data: URLs are inside the page and never leave it.
  page.on("request", (request) => {
    const at = request.url();
    if (at !== url && !at.startsWith("data:")) {
      requests.push({ url: at, resourceType: request.resourceType(), blockedBy: null });
    }
  });
  page.on("requestfailed", (request) => {
    if (request.url() !== url) {
      failedRequests.push({ url: request.url(), error: request.failure()?.errorText ?? "" });
    }
  });
  // Nothing but the page's own file leaves: the rest is aborted here, even
  // what a missing or weaker CSP would have allowed.
  await page.route("**/*", (route) => {
    const at = route.request().url();
    if (at === url) return route.continue();
    const seen = requests.find((r) => r.url === at && r.blockedBy === null);
    if (seen) seen.blockedBy = "route";
    return route.abort("blockedbyclient");
  });

  waitingFor = `the page ${url} to load`;
  const response = await page.goto(url, { waitUntil: "load", timeout: 30_000 });
  if (response && !response.ok()) {
    throw new Error(`loading ${url} answered ${response.status()}`);
  }
  // Late console reports (CSP violations found while laying out).
  await page.waitForTimeout(250);

  waitingFor = "the DOM to be read";
  const dom = await page.evaluate(() => ({
    doctype: document.doctype ? document.doctype.name : null,
    lang: document.documentElement.getAttribute("lang"),
    charset: document.characterSet,
    csp: Array.from(document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]')).map(
      (m) => m.getAttribute("content"),
    ),
    styles: document.querySelectorAll("style").length,
    scripts: document.querySelectorAll("script").length,
    styleAttributes: document.querySelectorAll("[style]").length,
    sections: Array.from(document.querySelectorAll("section[id]")).map((s) => s.id),
    figures: Array.from(document.querySelectorAll("[data-figure]")).map((e) => ({
      name: e.getAttribute("data-figure"),
      text: e.textContent.trim(),
    })),
    charts: Array.from(document.querySelectorAll('svg[role="img"]')).map((svg) => {
      const title = svg.querySelector(":scope > title");
      return { title: title ? title.textContent.trim() : null };
    }),
  }));

  const screenshot = join(outDir, "report.png");
  const pdf = join(outDir, "report.pdf");
  waitingFor = "the screenshot";
  await page.screenshot({ path: screenshot, fullPage: true });
  waitingFor = "the PDF";
  await page.pdf({ path: pdf, format: "A4", printBackground: true });

  finished = true;
  clearTimeout(timer);
  await browser.close();
  process.stdout.write(
    `${JSON.stringify({
      url,
      console: consoleMessages,
      pageErrors,
      requests,
      failedRequests,
      ...dom,
      pdf,
      screenshot,
    })}\n`,
  );
  process.exit(0);
}

main().catch((error) => fail(error.stack ?? String(error)));
