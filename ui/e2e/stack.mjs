// The real stack for end-to-end tests: a fresh Postgres database (127.0.0.1:5432, trust auth),
// `factory db upgrade`, an operator, and the Hub API serving the built UI (ui/dist) through
// uvicorn on a free 127.0.0.1 port. Everything is torn down by stop(); uvicorn also runs under
// `timeout` so it stops by itself if this process dies.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, existsSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const UI = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(UI, "..");
const VENV = join(ROOT, ".venv", "bin");
const PG = { host: process.env.FACTORY_TEST_PGHOST ?? "127.0.0.1", port: process.env.FACTORY_TEST_PGPORT ?? "5432", user: "postgres" };
const MAX_SERVER_SECONDS = Number(process.env.UI_E2E_SERVER_SECONDS ?? 1200);

export const OPERATOR = { email: "operator@example.com", password: "correct horse battery staple" };

function psql(database, sql) {
  return execFileSync("psql", ["-h", PG.host, "-p", PG.port, "-U", PG.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qtAc", sql], {
    encoding: "utf8",
  });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(base, child, logFile, seconds = 90) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Hub API exited (${child.exitCode}); see ${logFile}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the Hub API did not answer within ${seconds}s; see ${logFile}`);
}

export async function startStack({ artifacts }) {
  if (!existsSync(join(UI, "dist", "index.html"))) throw new Error("ui/dist is missing: run `npm run build` first");
  const database = `factory_ui_e2e_${randomBytes(5).toString("hex")}`;
  psql("postgres", `create database "${database}"`);
  const home = mkdtempSync(join(tmpdir(), "factory-ui-e2e-"));
  const deadPort = await freePort(); // nothing listens here: Dagster is "unavailable" unless a test starts one
  const env = {
    ...process.env,
    FACTORY_DATABASE_URL: `postgresql://${PG.user}@${PG.host}:${PG.port}/${database}`,
    FACTORY_HOME: home,
    FACTORY_LOG_FILE: join(home, "factory.log"),
    FACTORY_SECRET_KEY: randomBytes(32).toString("base64url") + "=",
    FACTORY_JWT_SECRET: randomBytes(32).toString("hex"),
    FACTORY_UI_DIST: join(UI, "dist"),
    FACTORY_DAGSTER_URL: process.env.UI_E2E_DAGSTER_URL ?? `http://127.0.0.1:${deadPort}`,
    FACTORY_OPERATOR_PASSWORD: OPERATOR.password,
    FACTORY_SIGN_IN_ATTEMPTS_PER_MINUTE: "50",
  };
  const state = { database, home, child: null };
  const stop = async () => {
    if (state.child && state.child.exitCode === null) {
      state.child.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          state.child.kill("SIGKILL");
          r();
        }, 5000);
        state.child.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    }
    try {
      psql("postgres", `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database}' and pid <> pg_backend_pid()`);
      psql("postgres", `drop database if exists "${database}"`);
    } catch (error) {
      console.error(`could not drop ${database}: ${error}`);
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    execFileSync(join(VENV, "factory"), ["db", "upgrade"], { cwd: ROOT, env, stdio: "pipe" });
    execFileSync(join(VENV, "factory"), ["operators", "add", OPERATOR.email], { cwd: ROOT, env, stdio: "pipe" });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const logFile = join(artifacts, "hub-api.log");
    const log = openSync(logFile, "w");
    state.child = spawn(
      "timeout",
      [String(MAX_SERVER_SECONDS), join(VENV, "python"), "-m", "uvicorn", "hub_api.main:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"],
      { cwd: ROOT, env, stdio: ["ignore", log, log] },
    );
    await waitForHealth(base, state.child, logFile);
    return {
      base,
      database,
      env,
      sql: (text) => psql(database, text),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A token for direct API calls (setup and comparing the UI with the API's own answers). */
export async function apiClient(base) {
  const response = await fetch(`${base}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(OPERATOR),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const { access_token: token } = await response.json();
  return async (method, path, body) => {
    const r = await fetch(`${base}/api${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}
