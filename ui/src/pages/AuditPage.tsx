import { useState } from "react";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { Pagination } from "../components/Pagination";
import { ErrorBox, Loading } from "../components/States";
import { formatDateTime } from "../lib/dates";

const PAGE = 100;

/** Every operator action (CLI, Hub, UI), newest first, with who, what, on what and the result. */
export function AuditPage() {
  const [operator, setOperator] = useState("");
  const [action, setAction] = useState("");
  const [offset, setOffset] = useState(0);
  const entries = useApi(() => api.audit({ operator: operator || null, action: action || null, limit: PAGE, offset }), [operator, action, offset]);
  return (
    <div className="page">
      <h1>Audit log</h1>
      <div className="filters" role="search">
        <label>
          Operator
          <input name="operator" value={operator} onChange={(e) => { setOffset(0); setOperator(e.target.value); }} />
        </label>
        <label>
          Action
          <input name="action" value={action} onChange={(e) => { setOffset(0); setAction(e.target.value); }} placeholder="e.g. apply_plan" />
        </label>
      </div>
      {entries.error ? (
        <ErrorBox error={entries.error} onRetry={entries.reload} title="The audit log could not be loaded" />
      ) : !entries.data ? (
        <Loading />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Operator</th>
                  <th scope="col">From</th>
                  <th scope="col">Action</th>
                  <th scope="col">On</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {entries.data.items.map((e) => (
                  <tr key={e.id} data-result={e.result}>
                    <td className="small">{formatDateTime(e.at)}</td>
                    <td>{e.operator}</td>
                    <td>{e.surface}</td>
                    <td>{e.action}</td>
                    <td>{e.target ?? "—"}</td>
                    <td>{e.plan_hash ? <code>{e.plan_hash}</code> : "—"}</td>
                    <td>
                      <span className={`badge badge-${e.result === "ok" || e.result === "started" ? "done" : "failed"}`}>{e.result}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={offset / PAGE} pageSize={PAGE} total={entries.data.total} onPage={(p) => setOffset(p * PAGE)} label="Audit log" />
        </>
      )}
    </div>
  );
}
