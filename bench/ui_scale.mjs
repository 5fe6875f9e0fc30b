// The sites page at fleet size, in Debian's headless Chromium (playwright-core from ui/): the time
// to its first rows, the time a status filter change takes to show the new page, and the bytes a
// tab downloads per minute of polling. bench/scale.py runs it against its seeded Hub:
//
//   node bench/ui_scale.mjs <hub base URL> <operator email> <bearer token> [poll seconds]
//
// Signed in as the operator (the session the UI keeps in sessionStorage), so the figures are the
// UI's own requests. Prints one JSON line.
import { chromium } from "../ui/node_modules/playwright-core/index.mjs";

const [base, email, token, pollArg] = process.argv.slice(2);
if (!base || !email || !token) {
  console.error("usage: node bench/ui_scale.mjs <hub base URL> <operator email> <bearer token> [poll seconds]");
  process.exit(2);
}
const POLL_S = Number(pollArg ?? 60);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const WAIT = 60_000;
const STATES = ["failed", "pending", "onboarding", "live", ""];
const ROUNDS = 3;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(WAIT);
  const session = JSON.stringify({ token, email, expiresAt: Date.now() + 3_600_000 });
  await context.addInitScript((value) => {
    if (!sessionStorage.getItem("factory.session")) sessionStorage.setItem("factory.session", value);
  }, session);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error.message));

  // Every byte the tab receives (headers and bodies, as on the wire), from the DevTools protocol.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (event) => {
    bytes += event.encodedDataLength;
    requests += 1;
  });

  // First render: a cold tab (nothing cached) until the first page of rows is on screen.
  const started = performance.now();
  await page.goto(`${base}/sites`);
  await page.locator("tr[data-domain]").first().waitFor({ state: "visible" });
  const firstRenderMs = performance.now() - started;
  const firstLoad = { bytes, requests };

  // A filter change: from choosing a status until the first row of the server's answer is the
  // table's first row. The answer says which row that is.
  const status = page.getByLabel("Status");
  const changes = [];
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    for (const state of STATES) {
      const answered = page.waitForResponse((r) => {
        const url = new URL(r.url());
        return url.pathname === "/api/sites" && (url.searchParams.get("state") ?? "") === state && r.status() === 200;
      });
      const t = performance.now();
      await status.selectOption(state);
      const body = await (await answered).json();
      const first = body.items[0]?.domain;
      if (!first) throw new Error(`no site answered for status ${state || "any"}`);
      await page.waitForFunction((domain) => document.querySelector("tr[data-domain]")?.dataset.domain === domain, first);
      changes.push(performance.now() - t);
    }
  }

  // Polling: a quiet fleet, one tab on the sites page for POLL_S seconds.
  await page.waitForTimeout(1000);
  const before = { bytes, requests };
  await page.waitForTimeout(POLL_S * 1000);
  const perMinute = (n) => Math.round((n * 60) / POLL_S);

  console.log(JSON.stringify({
    first_render_ms: round(firstRenderMs),
    first_load_bytes: firstLoad.bytes,
    first_load_requests: firstLoad.requests,
    filter_change_ms: { p50: round(median(changes)), max: round(Math.max(...changes)), changes: changes.length },
    polling: { seconds: POLL_S, bytes_per_minute: perMinute(bytes - before.bytes),
               requests_per_minute: perMinute(requests - before.requests) },
  }));
} finally {
  await browser.close();
}
