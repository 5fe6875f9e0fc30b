// The browser side of factory/quality: Lighthouse over a batch of locally served sites, and
// home-page screenshots, in ONE Chromium for the whole batch (Debian's, started by
// factory/quality/runner.py, which owns its lifetime; this script only connects to it).
//
//   node run.mjs < job.json      (job: see factory/quality/runner.py)
//
// The main process hands sites to `workers` child processes, connected to the batch's browsers
// (FACTORY_QUALITY_BROWSERS, one by default; each browser is reused for the whole batch):
// Lighthouse keeps global state per process, so parallel runs need processes. Navigations
// record a trace and Chrome traces one thing at a time per browser, so the main process lets one
// worker trace at a time (from Tracing.start to Tracing.end); everything else runs in parallel.
// Per site, in the worker's window (one per worker, reused for the batch): a Lighthouse
// navigation of the home page (performance, accessibility, best practices, SEO; mobile,
// simulated throttling from the trace's CPU times) and a Lighthouse snapshot of every other page
// (accessibility, best practices, SEO: the checks that depend on a page's content; performance is
// the shell's, which every page shares), then the preview.
// Results go to stdout as one JSON object per line.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const CONTENT_CATEGORIES = ['accessibility', 'best-practices', 'seo'];
// Lighthouse's default mobile device (Moto G Power), used for snapshots too.
const MOBILE = { width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true };

const emit = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function readJob() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function main() {
  const job = await readJob();
  const queue = [...job.sites];
  const workers = Math.max(1, Math.min(job.workers || 1, queue.length));
  // Workers are spread over the browsers; each browser has its own trace lock.
  const browsers = job.browsers;
  const locks = browsers.map(() => traceLock());
  await Promise.all(Array.from({ length: workers }, (_, i) =>
    runWorker({ ...job, browser: browsers[i % browsers.length] }, queue, locks[i % browsers.length])));
  emit({ type: 'done' });
}

// One holder at a time, first come first served.
function traceLock() {
  const waiting = [];
  let held = false;
  return {
    acquire(grant) {
      if (held) waiting.push(grant);
      else { held = true; grant(); }
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else held = false;
    },
  };
}

function runWorker(job, queue, lock) {
  return new Promise((resolve, reject) => {
    // A larger young generation: Lighthouse allocates a lot per run and spends much of it in GC.
    const child = fork(fileURLToPath(import.meta.url), ['worker'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-semi-space-size=128'],
    });
    const next = () => {
      const site = queue.shift();
      if (site) child.send({ job: { ...job, sites: undefined }, site });
      else child.send({ stop: true });
    };
    child.on('message', (message) => {
      if (message.ready || message.siteDone) next();
      else if (message.lock) lock.acquire(() => child.send({ granted: true }));
      else if (message.unlock) lock.release();
      else emit(message);
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a quality worker exited with ${code}`))));
    child.on('error', reject);
  });
}

// ---- worker --------------------------------------------------------------------------------

// Audits that weigh nothing in the categories run: Lighthouse runs them (and the gatherers only they
// need) for the report's diagnostics and insights, but no score uses them. Skipping them leaves
// every category score as it was and drops e.g. the re-encoding of every image (OptimizedImages),
// the re-compression of every response (ResponseCompression) and JS coverage (JsUsage).
function unweightedAudits(defaultConfig, categories) {
  const weight = new Map();
  for (const id of categories) {
    for (const ref of defaultConfig.categories[id].auditRefs) weight.set(ref.id, (weight.get(ref.id) || 0) + ref.weight);
  }
  return [...weight].filter(([, w]) => w === 0).map(([id]) => id);
}

function lighthouseConfig(job, categories, defaultConfig) {
  return {
    extends: 'lighthouse:default',
    settings: {
      onlyCategories: categories,
      formFactor: 'mobile',
      throttlingMethod: 'simulate',
      // Metrics are simulated from the trace, so the real page needs no long quiet windows.
      pauseAfterFcpMs: 100, pauseAfterLoadMs: 100, networkQuietThresholdMs: 100, cpuQuietThresholdMs: 100,
      skipAboutBlank: true,
      disableFullPageScreenshot: true,
      skipAudits: [...new Set(['screenshot-thumbnails', 'final-screenshot', 'bf-cache',
        ...unweightedAudits(defaultConfig, categories)])],
      blockedUrlPatterns: job.blocked || [],
    },
  };
}

// Lighthouse times a 2 x 500 ms busy loop on every run; the index only feeds a "slow machine"
// warning, never a score, so a 2 x 50 ms loop measures the same thing at a tenth of the cost, and
// only once per worker: the machine is the same for every page of the batch (each page's run
// reports the worker's first measurement; it was still ~0.1 s of every page on a slow machine).
let benchmarkPageFunctions = null;
let benchmarkKept = false;
async function shortenBenchmark() {
  const { pageFunctions } = await import('lighthouse/core/lib/page-functions.js');
  const source = pageFunctions.computeBenchmarkIndex.toString();
  if (source.includes('< 500')) {
    pageFunctions.computeBenchmarkIndex = (0, eval)(`(${source.replaceAll('< 500', '< 50')})`);
  }
  benchmarkPageFunctions = pageFunctions;
}

function keepBenchmarkIndex(index) {
  if (benchmarkKept || !benchmarkPageFunctions || !Number.isFinite(index)) return;
  benchmarkPageFunctions.computeBenchmarkIndex = (0, eval)(`(function computeBenchmarkIndex() { return ${index}; })`);
  benchmarkKept = true;
}

// Lighthouse turns every localized string of a report into text with intl-messageformat, which
// resolves the locale (slow ICU look-ups) and parses the message again for every string: about
// 40 % of a worker's CPU. Both are pure functions of their input, so the worker remembers them:
// the reports are the same, the CPU is not. (intl-messageformat is pinned to Lighthouse's copy.)
async function memoizeMessageFormat() {
  const module = await import('intl-messageformat');
  const MessageFormat = module.IntlMessageFormat ?? module.default?.IntlMessageFormat;
  if (!MessageFormat?.resolveLocale || !MessageFormat.__parse) return;
  const resolveLocale = MessageFormat.resolveLocale;
  const parse = MessageFormat.__parse;
  const locales = new Map();
  const asts = new Map();  // "<locale>|<ignoreTag>" -> message -> AST
  MessageFormat.resolveLocale = (wanted) => {
    const key = typeof wanted === 'string' ? wanted : JSON.stringify(wanted);
    let found = locales.get(key);
    if (found === undefined) locales.set(key, (found = resolveLocale(wanted)));
    return found;
  };
  MessageFormat.__parse = (message, options = {}) => {
    if (Object.keys(options).some((k) => k !== 'locale' && k !== 'ignoreTag')) return parse(message, options);
    const bucketKey = `${options.locale}|${options.ignoreTag}`;
    let bucket = asts.get(bucketKey);
    if (!bucket) asts.set(bucketKey, (bucket = new Map()));
    let ast = bucket.get(message);
    if (ast === undefined) bucket.set(message, (ast = parse(message, options)));
    return ast;
  };
}

// Simulated throttling (Lantern) estimates a page's main-thread work from the trace: every
// top-level task's duration, times the device's CPU slowdown (4 on mobile). The trace records a
// task's wall-clock duration (`dur`) and the renderer thread's CPU time during it (`tdur`). On a
// shared machine the wall clock also counts the time the renderer waited for a core (three times
// its CPU time and more at a load average of 20 on 2 cores), so Total Blocking Time followed the
// machine's load, not the page. The runner hands Lantern the CPU time: each renderer main-thread
// task is shortened to its `tdur` (never lengthened), and the events inside it are compressed
// with it, so nesting and order stay as recorded. What is simulated is then the page's own work.
const SCHEDULABLE_TASKS = new Set(['RunTask', 'ThreadControllerImpl::RunTask', 'ThreadControllerImpl::DoWork',
  'TaskQueueManager::ProcessTaskFromWorkQueue']);

function taskDurationsAsCpuTime(trace) {
  const events = trace?.traceEvents;
  if (!Array.isArray(events)) return { tasks: 0, wallMs: 0, cpuMs: 0 };
  const rendererMain = new Set(events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!rendererMain.has(key) || e.ph === 'M') continue;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  let tasks = 0;
  let wall = 0;
  let cpu = 0;
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts);
    for (let i = 0; i < list.length; i++) {
      const task = list[i];
      if (task.ph !== 'X' || !SCHEDULABLE_TASKS.has(task.name) || !task.dur || !(task.tdur >= 0)) continue;
      const start = task.ts;
      const end = start + task.dur;
      const ratio = Math.min(1, task.tdur / task.dur);
      tasks += 1;
      wall += task.dur;
      cpu += task.dur * ratio;
      if (ratio === 1) continue;
      let j = i + 1;
      for (; j < list.length && list[j].ts < end; j++) {
        const inner = list[j];
        if (inner.ph === 'X' && SCHEDULABLE_TASKS.has(inner.name) && inner.dur) break;  // overlapping tasks (a Chrome bug)
        const offset = inner.ts - start;
        inner.ts = start + offset * ratio;
        if (inner.dur) inner.dur = Math.min(inner.dur * ratio, start + task.dur * ratio - inner.ts);
      }
      task.dur *= ratio;
      i = j - 1;
    }
  }
  return { tasks, wallMs: Math.round(wall / 1000), cpuMs: Math.round(cpu / 1000) };
}

function failingAudits(lhr, path) {
  const weighted = new Map();
  for (const [id, category] of Object.entries(lhr.categories)) {
    for (const ref of category.auditRefs) {
      if (ref.weight > 0) weighted.set(ref.id, [...(weighted.get(ref.id) || []), id]);
    }
  }
  const failing = [];
  for (const [id, categories] of weighted) {
    const audit = lhr.audits[id];
    if (!audit || audit.score === null || audit.score >= 0.9) continue;
    const items = (audit.details?.items || []).slice(0, 3).map((item) =>
      String(item.node?.snippet || item.url || item.source?.url || item.label || item.description || '').slice(0, 200),
    ).filter(Boolean);
    failing.push({
      id, title: audit.title, score: audit.score, categories, path,
      display: audit.displayValue || '', items,
    });
  }
  return failing;
}

function scores(lhr) {
  return Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, c.score]));
}

// lighthouse.navigation()/snapshot() resolve the whole config (load and validate ~200 gatherer
// and audit definitions) on every call: about a tenth of a worker's CPU. A worker audits with two
// configs only, so it resolves each once and runs Lighthouse's own gather steps with it (the
// same steps as navigationGather()/snapshotGather() in lighthouse 12.8, which only add the
// config resolution). Gatherer instances are reused; a worker runs one page at a time.
const resolvedConfigs = new Map();
async function resolvedConfig(lighthouse, mode, job, categories) {
  const key = `${mode}|${categories.join(',')}`;
  if (!resolvedConfigs.has(key)) {
    const { resolvedConfig: config } = await lighthouse.initializeConfig(mode, lighthouseConfig(job, categories, lighthouse.defaultConfig),
      { logLevel: 'error' });
    resolvedConfigs.set(key, config);
  }
  return resolvedConfigs.get(key);
}

async function gatherNavigation(lighthouse, page, url, config) {
  const runnerOptions = { resolvedConfig: config, computedCache: new Map() };
  const artifacts = await lighthouse.Runner.gather(async () => {
    const context = { driver: new lighthouse.Driver(page), page, resolvedConfig: config,
      requestor: lighthouse.UrlUtils.normalizeUrl(url), computedCache: runnerOptions.computedCache };
    const { baseArtifacts } = await lighthouse._setup(context);
    const gathered = await lighthouse._navigation({ ...context, baseArtifacts });
    await lighthouse._cleanup(context);
    return lighthouse.finalizeArtifacts(baseArtifacts, gathered);
  }, runnerOptions);
  return { artifacts, runnerOptions };
}

// `driver` is connected once for all of a site's snapshots (a connection is a DevTools session
// with its target and network listeners: ~70 ms a page on a slow machine).
async function gatherSnapshot(lighthouse, driver, page, config) {
  const runnerOptions = { resolvedConfig: config, computedCache: new Map() };
  const url = await driver.url();
  const artifacts = await lighthouse.Runner.gather(async () => {
    const baseArtifacts = await lighthouse.getBaseArtifacts(config, driver, { gatherMode: 'snapshot' });
    baseArtifacts.URL = { finalDisplayedUrl: url };
    const artifactState = lighthouse.getEmptyArtifactState();
    await lighthouse.collectPhaseArtifacts({
      phase: 'getArtifact', gatherMode: 'snapshot', driver, page, baseArtifacts,
      artifactDefinitions: config.artifacts || [], artifactState, computedCache: runnerOptions.computedCache,
      settings: config.settings,
    });
    return lighthouse.finalizeArtifacts(baseArtifacts, await lighthouse.awaitArtifacts(artifactState));
  }, runnerOptions);
  return { artifacts, runnerOptions };
}

let granted = null;
let holding = false;
// How long the current navigation waited for the browser's trace, and held it (the batch's pace
// with one browser is the sum of the holds).
const traceLockTimes = { asked: 0, got: 0, waitMs: 0, heldMs: 0 };
const traceLockHeld = () => new Promise((resolve) => {
  traceLockTimes.asked = performance.now();
  granted = () => {
    holding = true;
    traceLockTimes.got = performance.now();
    traceLockTimes.waitMs += traceLockTimes.got - traceLockTimes.asked;
    resolve();
  };
  process.send({ lock: true });
});
const releaseTraceLock = () => {
  if (!holding) return;
  holding = false;
  traceLockTimes.heldMs += performance.now() - traceLockTimes.got;
  process.send({ unlock: true });
};

// Only the trace itself needs the browser's one trace: the lock is held from Tracing.start to
// Tracing.end (the Trace gatherer's sensitive instrumentation), not for the setup before it or
// the other gatherers' work on the loaded page after it (accessibility, links, ...), which
// overlap with the other worker's trace.
function traceUnderLock(Trace) {
  const { startSensitiveInstrumentation: start, stopSensitiveInstrumentation: stop } = Trace.prototype;
  if (Trace.prototype.underLock) return;
  Trace.prototype.underLock = true;
  Trace.prototype.startSensitiveInstrumentation = async function startUnderLock(context) {
    await traceLockHeld();
    await context.page?.bringToFront();
    try {
      return await start.call(this, context);
    } catch (error) {
      releaseTraceLock();
      throw error;
    }
  };
  Trace.prototype.stopSensitiveInstrumentation = async function stopAndRelease(context) {
    try {
      return await stop.call(this, context);
    } finally {
      releaseTraceLock();
    }
  };
}

// Trace categories Lighthouse records for DevTools' Performance panel (enhanced traces, frame and
// latency events, stacks, console, script sources) but no audit of the categories run reads: less
// for the renderer to record and for the browser to serialize while the trace is held.
const UNUSED_TRACE_CATEGORIES = new Set(['blink.console', 'disabled-by-default-devtools.timeline.stack',
  'disabled-by-default-devtools.timeline.frame', 'latencyInfo', 'disabled-by-default-devtools.target-rundown',
  'disabled-by-default-devtools.v8-source-rundown-sources', 'disabled-by-default-devtools.v8-source-rundown']);
function leanTraceCategories(Trace) {
  const categories = Trace.getDefaultTraceCategories();
  Trace.getDefaultTraceCategories = () => categories.filter((c) => !UNUSED_TRACE_CATEGORIES.has(c));
}

// AnchorElements asks Chrome for the event listeners of every link and of each of its ancestors,
// three DevTools calls a node: a page with 30 links asks about <body> and <html> 30 times each
// (hundreds of calls, each through the browser process). Within one collection the answers cannot
// change, so each node is asked once; the artifact is the same.
const ASKED_ONCE_PER_NODE = new Set(['DOM.pushNodeByPathToFrontend', 'DOM.resolveNode', 'DOMDebugger.getEventListeners']);
function anchorsAskingOncePerNode(AnchorElements) {
  const getArtifact = AnchorElements.prototype.getArtifact;
  if (getArtifact.askingOncePerNode) return getArtifact;
  const wrapped = async function getArtifactAskingOnce(context) {
    const session = context.driver.defaultSession;
    const answers = new Map();
    const once = Object.create(session, {
      sendCommand: {
        value: (method, ...params) => {
          if (!ASKED_ONCE_PER_NODE.has(method)) return session.sendCommand(method, ...params);
          const key = `${method} ${JSON.stringify(params)}`;
          if (!answers.has(key)) answers.set(key, session.sendCommand(method, ...params));
          return answers.get(key);
        },
      },
    });
    const driver = Object.create(context.driver, { defaultSession: { value: once } });
    return getArtifact.call(this, { ...context, driver });
  };
  wrapped.askingOncePerNode = true;
  return wrapped;
}

async function auditSite(page, job, site, lighthouse) {
  const [home, ...others] = site.pages;
  const started = performance.now();
  traceLockTimes.waitMs = 0;
  traceLockTimes.heldMs = 0;
  let gathered;
  try {
    gathered = await gatherNavigation(lighthouse, page, site.origin + home,
      await resolvedConfig(lighthouse, 'navigation', job, CATEGORIES));
  } finally {
    releaseTraceLock();  // a navigation that failed between the two still lets the other worker trace
  }
  const traced = performance.now() - started;
  keepBenchmarkIndex(gathered.artifacts.BenchmarkIndex);
  const mainThread = taskDurationsAsCpuTime(gathered.artifacts.Trace);
  const { lhr } = await lighthouse.Runner.audit(gathered.artifacts, gathered.runnerOptions);
  const error = lhr.runtimeError?.message;
  process.send({
    type: 'page', site: site.id, path: home, mode: 'navigation', categories: scores(lhr),
    audits: failingAudits(lhr, home), error, warnings: lhr.runWarnings.map(String),
    ms: Math.round(performance.now() - started), trace_ms: Math.round(traced),
    trace_wait_ms: Math.round(traceLockTimes.waitMs), trace_held_ms: Math.round(traceLockTimes.heldMs),
    main_thread: { wall_ms: mainThread.wallMs, cpu_ms: mainThread.cpuMs },
    tbt_ms: Math.round(lhr.audits['total-blocking-time']?.numericValue ?? -1),
  });
  if (!others.length) return;
  await page.setViewport(MOBILE);
  const driver = new lighthouse.Driver(page);
  await driver.connect();
  try {
    for (const path of others) await auditSnapshot(page, driver, job, site, path, lighthouse);
  } finally {
    await driver.disconnect();
  }
}

async function auditSnapshot(page, driver, job, site, path, lighthouse) {
  const t = performance.now();
  const response = await page.goto(site.origin + path, { waitUntil: 'load' });
  const gatheredSnapshot = await gatherSnapshot(lighthouse, driver, page,
    await resolvedConfig(lighthouse, 'snapshot', job, CONTENT_CATEGORIES));
  const snap = await lighthouse.Runner.audit(gatheredSnapshot.artifacts, gatheredSnapshot.runnerOptions);
  const status = response ? response.status() : 0;
  process.send({
    type: 'page', site: site.id, path, mode: 'snapshot', categories: scores(snap.lhr),
    audits: failingAudits(snap.lhr, path), status,
    error: status >= 400 ? `HTTP ${status}` : snap.lhr.runtimeError?.message,
    ms: Math.round(performance.now() - t),
  });
}

async function screenshotSite(page, job, site) {
  await page.setViewport({ width: job.screenshot.width, height: job.screenshot.height, deviceScaleFactor: 1 });
  const response = await page.goto(site.origin + '/', { waitUntil: 'load' });
  const path = join(job.screenshot.dir, site.file);
  await page.screenshot({ path, type: 'png' });
  process.send({ type: 'screenshot', site: site.id, path, status: response ? response.status() : 0 });
}

async function worker() {
  const { default: puppeteer } = await import('puppeteer-core');
  let lighthouse = null;
  let browser = null;
  let page = null;
  process.on('message', async (message) => {
    if (message.granted) return granted();
    if (message.stop) {
      if (page) await page.close().catch(() => {});
      if (browser) await browser.disconnect();
      process.exit(0);
    }
    try {
      browser ??= await puppeteer.connect({ browserWSEndpoint: message.job.browser, defaultViewport: null, protocolTimeout: 120_000 });
      if (message.job.lighthouse) {
        if (!lighthouse) {
          // lighthouse.navigation() is gathering then Runner.audit(); the worker calls the two
          // itself so that only the first holds the trace lock.
          lighthouse = {
            ...(await import('lighthouse/core/gather/navigation-runner.js')),
            ...(await import('lighthouse/core/gather/base-artifacts.js')),
            ...(await import('lighthouse/core/gather/runner-helpers.js')),
            ...(await import('lighthouse/core/gather/driver.js')),
            ...(await import('lighthouse/core/config/config.js')),
            ...(await import('lighthouse/core/runner.js')),
            UrlUtils: (await import('lighthouse/core/lib/url-utils.js')).default,
            defaultConfig: (await import('lighthouse/core/config/default-config.js')).default,
          };
          const Trace = (await import('lighthouse/core/gather/gatherers/trace.js')).default;
          traceUnderLock(Trace);
          leanTraceCategories(Trace);
          const AnchorElements = (await import('lighthouse/core/gather/gatherers/anchor-elements.js')).default;
          AnchorElements.prototype.getArtifact = anchorsAskingOncePerNode(AnchorElements);
          (await import('lighthouse-logger')).default.setLevel('error');
          await shortenBenchmark();
          await memoizeMessageFormat();
        }
      }
      // One window per worker, reused for every site of the batch: opening a window (its
      // compositor, its first renderer) cost about as much browser CPU as auditing a page in it.
      // Each site starts from about:blank with no viewport override, as in a new window; a window
      // whose site failed is closed and the next site gets a new one. Its own window: painted
      // while the other worker's works.
      if (page) {
        await page.setViewport(null);
        await page.goto('about:blank');
      } else {
        page = await browser.newPage({ type: 'window' });
      }
      try {
        if (message.job.lighthouse) await auditSite(page, message.job, message.site, lighthouse);
        if (message.job.screenshot) await screenshotSite(page, message.job, message.site);
      } catch (error) {
        await page.close().catch(() => {});
        page = null;
        throw error;
      }
    } catch (error) {
      process.send({ type: 'error', site: message.site.id, message: String(error?.message || error).slice(0, 500) });
    }
    process.send({ siteDone: true });
  });
  process.send({ ready: true });
}

if (process.argv[2] === 'worker') await worker();
else await main();
