import type { ImportRowError, ValidationItem } from "./types";

/** An error answer of the Hub API: `{"detail": ...}` (a string, or FastAPI's validation list). */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;
  readonly rowErrors: ImportRowError[];
  /** The whole error answer (e.g. a refused plan's `plan` and `needs_confirmation`). */
  readonly body: unknown;

  constructor(status: number, detail: unknown, rowErrors: ImportRowError[] = [], body: unknown = null) {
    super(describeDetail(detail, status));
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.rowErrors = rowErrors;
    this.body = body;
  }
}

/** The API's `detail` in words: strings as they are, validation lists as "field: message". */
export function describeDetail(detail: unknown, status: number): string {
  if (typeof detail === "string" && detail.trim()) return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail
      .map((item: Partial<ValidationItem>) => {
        const loc = (item.loc ?? []).filter((part) => part !== "body" && part !== "query" && part !== "path");
        const field = loc.join(".");
        return field ? `${field}: ${item.msg ?? "invalid"}` : item.msg ?? "invalid";
      })
      .join("; ");
  }
  if (status === 0) return "The Hub API could not be reached; check your connection and try again.";
  return `The Hub API answered ${status} without an explanation.`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
