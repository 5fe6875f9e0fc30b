import { Link } from "react-router";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { Empty, ErrorBox, Loading } from "../components/States";
import { formatDateTime } from "../lib/dates";

/** Pairs of sites whose published pages say nearly the same thing (the last fleet check). */
export function DuplicatesPage() {
  const pairs = useApi(() => api.nearDuplicates(), []);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Near-duplicate content</h1>
      </div>
      <p className="muted">
        Pairs of sites whose published pages are near-duplicates (word-shingle Jaccard at or above the threshold), as the
        daily <code>fleet_near_duplicates</code> check found them. Regenerate one with <code>site_content</code>'s
        <code> differ</code> option.
      </p>
      {pairs.error ? (
        <ErrorBox error={pairs.error} onRetry={pairs.reload} />
      ) : !pairs.data ? (
        <Loading label="Loading pairs…" />
      ) : pairs.data.length === 0 ? (
        <Empty>No near-duplicates: every site says its own thing.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Site</th>
              <th scope="col">Site</th>
              <th scope="col">Most similar pages</th>
              <th scope="col">Whole sites</th>
              <th scope="col">Pages</th>
              <th scope="col">Found</th>
            </tr>
          </thead>
          <tbody>
            {pairs.data.map((p) => (
              <tr key={`${p.a}-${p.b}`}>
                <td><Link to={`/sites/${encodeURIComponent(p.a)}`}>{p.a}</Link></td>
                <td><Link to={`/sites/${encodeURIComponent(p.b)}`}>{p.b}</Link></td>
                <td>{p.max_page_jaccard.toFixed(2)}</td>
                <td>{p.jaccard.toFixed(2)}</td>
                <td>{p.pages.slice(0, 3).map((x) => `${String(x.slug_a)} ~ ${String(x.slug_b)}`).join(", ")}</td>
                <td>{p.found_at ? formatDateTime(p.found_at) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
