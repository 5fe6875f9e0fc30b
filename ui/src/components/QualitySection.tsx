import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { errorMessage } from "../api/errors";
import type { SiteQuality, ThemeOption } from "../api/types";
import { useApi } from "../api/useApi";
import { formatDateTime } from "../lib/dates";
import { Empty, ErrorBox, Loading } from "./States";

const CATEGORY_LABEL: Record<string, string> = {
  performance: "Performance",
  accessibility: "Accessibility",
  "best-practices": "Best practices",
  seo: "SEO",
};

/** The site's quality: its theme (with a picker), the latest build's Lighthouse gate verdict, the
 * audits that stopped it, the home-page preview and the near-duplicates it is in. */
export function QualitySection({ domain, onRebuild }: { domain: string; onRebuild?: () => void }) {
  const quality = useApi(() => api.siteQuality(domain), [domain], { pollMs: 15000 });
  const checkedAt = quality.data?.quality?.checked_at;
  return (
    <section aria-labelledby="quality-title">
      <h2 id="quality-title">Quality</h2>
      {quality.error && !quality.data ? (
        <ErrorBox error={quality.error} onRetry={quality.reload} />
      ) : !quality.data ? (
        <Loading label="Loading quality…" />
      ) : (
        <div className="two-col">
          <div>
            <Verdict quality={quality.data} />
            <ThemePicker quality={quality.data} onSaved={() => { quality.reload(); onRebuild?.(); }} />
            <Duplicates quality={quality.data} />
          </div>
          <Preview domain={domain} version={checkedAt ?? ""} available={quality.data.quality?.preview ?? false} />
        </div>
      )}
    </section>
  );
}

function Verdict({ quality }: { quality: SiteQuality }) {
  const v = quality.quality;
  if (!v) return <Empty>No build has been through the quality gate yet.</Empty>;
  return (
    <div>
      <p>
        <span className={`badge ${v.passed ? "badge-done" : "badge-failed"}`}>{v.passed ? "Gate passed" : "Gate failed: not deployed"}</span>{" "}
        <span className="muted small">
          build <code>{v.build_hash.slice(0, 12)}</code>, checked {formatDateTime(v.checked_at)}
        </span>
      </p>
      <table className="table" aria-label="Lighthouse scores">
        <thead>
          <tr><th scope="col">Category</th><th scope="col">Score</th><th scope="col">Minimum</th></tr>
        </thead>
        <tbody>
          {Object.entries(v.thresholds).map(([category, min]) => {
            const score = v.scores[category] ?? 0;
            return (
              <tr key={category} className={score < min ? "row-failed" : undefined}>
                <th scope="row">{CATEGORY_LABEL[category] ?? category}</th>
                <td>{score}{score < min && <span className="error-text"> (below)</span>}</td>
                <td>{min}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {v.failed_audits.length > 0 && (
        <>
          <h3>Failed audits</h3>
          <ul className="failed-audits">
            {v.failed_audits.map((a) => (
              <li key={`${a.id}-${a.path}`}>
                <code>{a.id}</code> on <code>{a.path}</code>: {a.title}
                {(a.items ?? []).length > 0 && <span className="muted small"> — {(a.items ?? []).join("; ")}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {v.errors.length > 0 && (
        <p className="form-error" role="alert">Not audited: {v.errors.join("; ")}</p>
      )}
    </div>
  );
}

function ThemePicker({ quality, onSaved }: { quality: SiteQuality; onSaved: () => void }) {
  const themes = useApi(() => api.themes(), []);
  const [name, setName] = useState(quality.theme_chosen ? quality.theme.name : "");
  const [variation, setVariation] = useState(quality.theme_chosen ? quality.theme.variation : "");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const options: ThemeOption[] = themes.data ?? [];
  const chosen = options.find((t) => t.name === name);

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const result = await api.setTheme(quality.domain, { theme: name || null, variation: name && variation ? variation : null, rebuild: true });
      setMessage(
        `Theme ${result.theme.name}/${result.theme.variation}` +
          (result.run ? `: rebuilding this site (run ${result.run.run_id.slice(0, 8)}).` : result.note ? `. ${result.note}` : "."),
      );
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="theme-picker" onSubmit={save} aria-label="Theme picker">
      <h3>Theme</h3>
      <p className="muted small">
        Built with <strong>{quality.theme.name}/{quality.theme.variation}</strong> ({quality.theme_chosen ? "chosen" : "picked from the domain"}).
        Changing it rebuilds this site only; the new build goes live if it passes the gate.
      </p>
      <label>
        Theme{" "}
        <select value={name} onChange={(e) => { setName(e.target.value); setVariation(""); }} disabled={!themes.data}>
          <option value="">From the domain</option>
          {options.map((t) => (
            <option key={t.name} value={t.name}>{t.name}</option>
          ))}
        </select>
      </label>{" "}
      <label>
        Variation{" "}
        <select value={variation} onChange={(e) => setVariation(e.target.value)} disabled={!chosen}>
          <option value="">From the domain</option>
          {(chosen?.variations ?? []).map((v) => (
            <option key={v} value={v}>{v}</option>
          ))}
        </select>
      </label>{" "}
      <button type="submit" className="btn" disabled={busy}>{busy ? "Saving…" : "Save and rebuild"}</button>
      {chosen && <p className="muted small">{chosen.description}</p>}
      {message && <p role="status">{message}</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
    </form>
  );
}

function Duplicates({ quality }: { quality: SiteQuality }) {
  if (quality.duplicates.length === 0) return null;
  return (
    <>
      <h3>Near-duplicates</h3>
      <ul>
        {quality.duplicates.map((d) => {
          const other = d.a === quality.domain ? d.b : d.a;
          return (
            <li key={`${d.a}-${d.b}`}>
              <Link to={`/sites/${encodeURIComponent(other)}`}>{other}</Link>: pages {Math.round(d.max_page_jaccard * 100)}% alike
            </li>
          );
        })}
      </ul>
    </>
  );
}

function Preview({ domain, version, available }: { domain: string; version: string; available: boolean }) {
  const [url, setUrl] = useState<string | null>(null);
  const [state, setState] = useState<"loading" | "none" | "shown" | "error">("loading");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    if (!available) {
      setState("none");
      return;
    }
    setState("loading");
    api
      .sitePreview(domain)
      .then((objectUrl) => {
        made = objectUrl;
        if (!live) return;
        setUrl(objectUrl);
        setState(objectUrl ? "shown" : "none");
      })
      .catch((err: unknown) => {
        if (!live) return;
        setError(err);
        setState("error");
      });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [domain, version, available]);
  return (
    <figure className="preview">
      {state === "loading" && <Loading label="Loading preview…" />}
      {state === "none" && <Empty>No preview yet: the next build takes one.</Empty>}
      {state === "error" && <ErrorBox error={error} />}
      {state === "shown" && url && <img src={url} alt={`Home page of ${domain} from its latest build`} width={640} height={400} />}
      <figcaption className="muted small">Home page from the latest build (before it is deployed).</figcaption>
    </figure>
  );
}
