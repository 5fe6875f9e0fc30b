import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mockFetch, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { BackupsSection } from "./BackupsSection";

const latest = {
  name: "20261129T050000Z", created_at: "2026-11-29T05:00:00Z", finished_at: "2026-11-29T05:00:09Z",
  databases: { factory: 5_200_000, dagster: 12_400_000, directus: 900_000 }, bytes: 18_500_000,
};

describe("BackupsSection", () => {
  it("warns when there is no backup yet", async () => {
    signedIn();
    mockFetch().on("GET", "/api/backups", { body: { backups: [], interval_hours: 24, keep: 14,
                                                      next_due_at: "2026-11-29T10:00:00Z", overdue: true } });
    renderAt(<BackupsSection />, "/health");
    expect(await screen.findByRole("alert")).toHaveTextContent("No backup yet");
  });

  it("shows the latest backup's databases and the next due time, and warns when it is stale", async () => {
    signedIn();
    mockFetch().on("GET", "/api/backups", { body: { backups: [latest], interval_hours: 24, keep: 14,
                                                      next_due_at: "2026-11-30T05:00:00Z", overdue: true } });
    renderAt(<BackupsSection />, "/health");
    expect(await screen.findByText(/factory 5\.2 MB, dagster 12\.4 MB, directus 0\.9 MB/)).toBeInTheDocument();
    expect(screen.getByText("20261129T050000Z")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("older than twice the interval (24 h)");
    expect(screen.getByText("factory backup restore 20261129T050000Z")).toBeInTheDocument();
  });
});
