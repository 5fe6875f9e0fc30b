export function Pagination({
  page,
  pageSize,
  total,
  onPage,
  label,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  label: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <span aria-live="polite">
        {first}–{last} of {total}
      </span>
      <button type="button" className="btn btn-small" onClick={() => onPage(page - 1)} disabled={page <= 0}>
        Previous
      </button>
      <span>
        Page {Math.min(page + 1, pages)} of {pages}
      </span>
      <button type="button" className="btn btn-small" onClick={() => onPage(page + 1)} disabled={page >= pages - 1}>
        Next
      </button>
    </nav>
  );
}
