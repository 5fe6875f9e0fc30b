import type { ReactNode } from "react";

/** A column header that sorts the table; announces its order through aria-sort. */
export function SortHeader<K extends string>({
  column,
  sort,
  dir,
  onSort,
  children,
  className,
}: {
  column: K;
  sort: K;
  dir: "asc" | "desc";
  onSort: (column: K) => void;
  children: ReactNode;
  className?: string;
}) {
  const active = sort === column;
  return (
    <th scope="col" className={className} aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {children}
        <span aria-hidden="true" className="sort-mark">
          {active ? (dir === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}
