// End-to-end: the built UI served by the real Hub API on a fresh Postgres database, driven in
// Debian's headless Chromium through playwright-core. Screenshots go to test-artifacts/ui/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, OPERATOR, apiClient, startStack } from "./stack.mjs";

const ARTIFACTS = join(ROOT, "test-artifacts", "ui");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const WAIT = 30_000; // a shared 2-core machine: be patient

let stack;
let call;
let browser;
let page;

async function shot(name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A test that leaves a screenshot (FAILED-<name>.png) when it fails. */
function uiTest(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (error) {
      await page?.screenshot({ path: join(ARTIFACTS, `FAILED-${name.replace(/\W+/g, "-").slice(0, 60)}.png`), fullPage: true }).catch(() => {});
      throw error;
    }
  });
}

async function visible(locator) {
  await locator.first().waitFor({ state: "visible", timeout: WAIT });
  return locator.first();
}

describe("operator UI on the real stack", { timeout: 600_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack({ artifacts: ARTIFACTS });
    call = await apiClient(stack.base);
    const cf = await call("POST", "/cloudflare-accounts", { email: "cf@example.com", account_nickname: "CF_Batch_1", api_token: "cf-secret-token-abcd1234" });
    assert.equal(cf.status, 201, JSON.stringify(cf.body));
    const google = await call("POST", "/google-accounts", { email: "gsc@example.com", refresh_token: "google-refresh-token-wxyz9876" });
    assert.equal(google.status, 201, JSON.stringify(google.body));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(WAIT);
    page = await context.newPage();
    page.on("pageerror", (error) => console.error("page error:", error.message));
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  uiTest("sign-in refuses a wrong password and lets the operator in", async () => {
    await page.goto(`${stack.base}/`);
    await page.waitForURL(/\/sign-in$/);
    await shot("01-sign-in");
    await page.getByLabel("Email").fill(OPERATOR.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    assert.match(await (await visible(page.getByRole("alert"))).innerText(), /wrong email or password/);
    await page.getByLabel("Password").fill(OPERATOR.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/sites$/);
    await visible(page.getByText("No sites yet"));
    const stored = await page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
    assert.deepEqual(stored.local, [], "nothing in localStorage");
    assert.deepEqual(stored.session, ["factory.session"]);
  });

  uiTest("adding a site shows it as pending", async () => {
    await page.getByRole("button", { name: "Add site" }).click();
    await page.getByLabel("Domain").fill("alpha-example.com");
    await page.getByLabel(/Brand name/).fill("Alpha");
    await page.locator("form").getByRole("button", { name: "Add site" }).click();
    await visible(page.getByText("Added alpha-example.com"));
    const row = await visible(page.locator('tr[data-domain="alpha-example.com"]'));
    const text = await row.innerText();
    assert.match(text, /pending/);
    assert.equal(await row.locator(".badge-pending").count(), 6, "six pending steps");
  });

  uiTest("a bad domain is refused with the API's own message", async () => {
    await page.getByRole("button", { name: "Add site" }).click();
    const bad = "https://beta-example.com/page";
    const api = await call("POST", "/sites", { domain: bad, cloudflare_account: "CF_Batch_1" });
    assert.equal(api.status, 400);
    await page.getByLabel("Domain").fill(bad);
    await page.locator("form").getByRole("button", { name: "Add site" }).click();
    const alert = await visible(page.locator(".form-error"));
    assert.equal((await alert.innerText()).trim(), api.body.detail);
    await shot("03-add-site-refused");
    // A duplicate is refused too (409), again with the API's words.
    const dup = await call("POST", "/sites", { domain: "alpha-example.com", cloudflare_account: "CF_Batch_1" });
    await page.getByLabel("Domain").fill("alpha-example.com");
    await page.locator("form").getByRole("button", { name: "Add site" }).click();
    await page.locator(".form-error", { hasText: dup.body.detail }).waitFor();
    await page.getByRole("button", { name: "Close" }).click();
  });

  uiTest("a CSV import previews each bad row's error before writing anything", async () => {
    const csv = [
      "domain,brand_name,cloudflare_account,gsc_account",
      "gamma-example.com,Gamma,CF_Batch_1,gsc@example.com",
      "not a domain,Broken,CF_Batch_1,",
      "delta-example.org,Delta,CF_Batch_1,",
    ].join("\n");
    const preview = await call("POST", "/sites/import", { csv, dry_run: true });
    assert.equal(preview.body.errors.length, 1);
    await page.getByRole("button", { name: "Import CSV" }).click();
    await page.getByLabel("CSV text").fill(csv);
    await page.getByRole("button", { name: "Preview" }).click();
    const badRow = await visible(page.locator("tr[data-line]"));
    assert.equal(await badRow.getAttribute("data-line"), String(preview.body.errors[0].line));
    assert.match(await badRow.innerText(), new RegExp(preview.body.errors[0].reason.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").slice(0, 40)));
    await visible(page.getByText("3 rows read: 2 valid, 1 with errors"));
    assert.ok(await page.getByRole("button", { name: "Import", exact: true }).isDisabled(), "import blocked while rows are bad");
    await shot("04-import-preview");
    const listed = await call("GET", "/sites?search=gamma");
    assert.equal(listed.body.total, 0, "the preview wrote nothing");
    await page.getByLabel("Import the valid rows and skip the bad ones").check();
    await page.getByRole("button", { name: "Import 2 sites" }).click();
    await visible(page.getByText("Imported 2 sites; skipped 1 bad row(s)."));
    await visible(page.locator('tr[data-domain="delta-example.org"]'));
    await page.getByRole("button", { name: "Close" }).click();
  });

  uiTest("statuses refresh while onboarding runs, with the failed step's error", async () => {
    stack.sql("update public.sites set status_dns = 'active', status_hosting = 'failed', error_step = 'status_hosting', error_message = 'CloudPanel refused the site: disk quota' where domain = 'gamma-example.com'");
    const row = page.locator('tr[data-domain="gamma-example.com"]');
    await row.getByText("CloudPanel refused the site: disk quota").waitFor({ timeout: WAIT });
    assert.equal(await row.locator(".badge-failed").count(), 1);
    await page.getByLabel("Status").selectOption("failed");
    await page.locator('tr[data-domain="alpha-example.com"]').waitFor({ state: "detached" });
    assert.equal(await page.locator("tbody tr").count(), 1);
    await page.getByLabel("Status").selectOption("");
    await page.getByLabel("Search").fill("delta");
    await page.locator('tr[data-domain="gamma-example.com"]').waitFor({ state: "detached" });
    await page.getByLabel("Search").fill("");
    await visible(page.locator('tr[data-domain="gamma-example.com"]'));
  });

  uiTest("selected sites get a step re-run (refusals listed per site)", async () => {
    await page.getByLabel("Select alpha-example.com").check();
    await page.getByLabel("Select gamma-example.com").check();
    await page.getByLabel("Re-run").selectOption("hosting_site");
    await page.getByRole("button", { name: "Re-run for 2 sites" }).click();
    // Two of the three sites is above the blast-radius guard (20% of the fleet): the plan is shown
    // and the operator confirms by typing how many sites it changes.
    const guard = await visible(page.locator(".guard"));
    const confirm = guard.getByRole("button", { name: /^Confirm plan / });
    assert.ok(await confirm.isDisabled(), "confirming needs the number typed");
    await guard.getByRole("textbox").fill("2");
    await confirm.click();
    // No Dagster in this stack: the API launches nothing and says why, per site.
    await visible(page.getByText(/Launched 0 runs; 2 not launched/));
    await shot("02-sites");
    await page.getByRole("button", { name: "Clear selection" }).click();
  });

  uiTest("the analytics dashboard charts fleet totals and marks Search Console's pending days", async () => {
    // 29 days up to yesterday: a rising trend, quieter weekends, and Search Console's last days
    // still incomplete (lower), as they arrive in production.
    stack.sql(`insert into public.daily_analytics (date, site_id, matomo_visits, gsc_clicks, gsc_impressions)
      select d, s.id,
             80 + (30 - (current_date - d)) * 4 + length(s.domain) * 2 - case when extract(isodow from d) > 5 then 25 else 0 end,
             (6 + (30 - (current_date - d)) / 3 + length(s.domain) % 4) / case when current_date - d <= 2 then 2 else 1 end,
             (150 + (30 - (current_date - d)) * 12 + length(s.domain) * 5) / case when current_date - d <= 2 then 2 else 1 end
      from public.sites s, generate_series(current_date - 29, current_date - 1, interval '1 day') as g(t),
           lateral (select g.t::date as d) as day`);
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    const fleet = await call("GET", `/analytics/fleet?start=${start}&end=${today}`);
    assert.ok(fleet.body.totals.matomo_visits > 0);
    await page.getByRole("link", { name: "Analytics", exact: true }).click();
    await page.waitForURL(/\/analytics/);
    const visits = await visible(page.locator('figure[data-metric="matomo_visits"]'));
    await visits.locator(".recharts-line-curve").waitFor();
    const d = await visits.locator(".recharts-line-curve").getAttribute("d");
    assert.ok(d && d.length > 50, "the visits line is drawn");
    for (const metric of ["gsc_clicks", "gsc_impressions"]) {
      const figure = page.locator(`figure[data-metric="${metric}"]`);
      await figure.locator(".recharts-line-curve").waitFor();
      await figure.locator(".recharts-reference-area").waitFor();
      assert.match(await figure.innerText(), /: pending/);
    }
    assert.match(await page.locator(".totals").innerText(), new RegExp(fleet.body.totals.matomo_visits.toLocaleString("en-US")));
    const rows = page.locator(".totals-table tbody tr");
    await rows.first().locator(".sparkline svg").waitFor();
    assert.equal(await rows.count(), 3);
    await shot("05-analytics");
    // Sorting by domain (ascending) goes through the API.
    await page.getByRole("button", { name: /^Site/ }).click();
    await page.getByRole("button", { name: /^Site/ }).click();
    await page.locator(".totals-table tbody tr").first().and(page.locator('[data-domain="alpha-example.com"]')).waitFor();
  });

  uiTest("site detail shows every step, the analytics chart and re-run buttons", async () => {
    await page.goto(`${stack.base}/sites/gamma-example.com`);
    await visible(page.getByRole("heading", { name: "gamma-example.com" }));
    assert.equal(await page.locator(".steps-table tbody tr").count(), 6);
    const hosting = page.locator('.steps-table tr[data-step="hosting"]');
    assert.match(await hosting.innerText(), /failed[\s\S]*disk quota/);
    await page.locator('figure[data-metric="matomo_visits"] .recharts-line-curve').waitFor();
    assert.equal(await page.getByRole("link", { name: /Open live site/ }).getAttribute("href"), "https://gamma-example.com/");  // the Hub's live_url (FACTORY_LIVE_SITE_URL; production default https://{domain}/)
    await hosting.getByRole("button", { name: "Re-run Hosting" }).click();
    await visible(hosting.getByRole("alert"));
    await page.locator(".runs, .state-error").first().waitFor();
    await shot("06-site-detail");
  });

  uiTest("accounts show masked secrets and which sites use them", async () => {
    await page.getByRole("link", { name: "Accounts", exact: true }).click();
    const row = await visible(page.locator('tr[data-account="CF_Batch_1"]'));
    assert.match(await row.innerText(), /••••/);
    const content = await page.content();
    assert.ok(!content.includes("cf-secret-token"), "a stored secret never comes back");
    assert.match(await row.innerText(), /3 sites/);
    await row.getByRole("button", { name: "list" }).click();
    await visible(row.getByRole("link", { name: "delta-example.org" }));
    await row.getByRole("button", { name: /Replace api token/ }).click();
    await row.getByLabel("New api token").fill("cf-secret-token-new-5678");
    await row.getByRole("button", { name: "Save" }).click();
    await visible(page.getByText("Replaced the api token of CF_Batch_1."));
    await visible(page.locator('tr[data-account="CF_Batch_1"]', { hasText: "5678" }));
    // An account in use cannot be deleted: the API's 409 is shown.
    page.once("dialog", (dialog) => dialog.accept());
    await page.locator('tr[data-account="CF_Batch_1"]').getByRole("button", { name: "Delete" }).click();
    await visible(page.locator("#cloudflare-title ~ .form-error"));
    await shot("07-accounts");
  });

  uiTest("pages stay usable at tablet width", async () => {
    await page.setViewportSize({ width: 800, height: 1100 });
    await page.getByRole("link", { name: "Sites", exact: true }).click();
    await visible(page.locator('tr[data-domain="alpha-example.com"]'));
    await shot("08-sites-tablet");
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  uiTest("an expired or revoked session goes back to sign-in with a message", async () => {
    await page.evaluate(() => {
      const session = JSON.parse(sessionStorage.getItem("factory.session"));
      sessionStorage.setItem("factory.session", JSON.stringify({ ...session, token: "not-a-real-token" }));
    });
    await page.reload();
    await page.waitForURL(/\/sign-in$/);
    const notice = await visible(page.getByText(/Your session has ended/));
    assert.match(await notice.innerText(), /not a valid JWT|sign in/i);
    await shot("09-session-ended");
    await page.getByLabel("Email").fill(OPERATOR.email);
    await page.getByLabel("Password").fill(OPERATOR.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/sites/);
    await page.getByRole("button", { name: "Sign out" }).click();
    await visible(page.getByText("You have signed out."));
    assert.equal(await page.evaluate(() => sessionStorage.getItem("factory.session")), null);
  });
});
