import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { mockFetch, signedIn } from "../test/fetchMock";
import { CsvImport } from "./CsvImport";

const report = (dry: boolean) => ({
  dry_run: dry,
  rows: 2,
  valid: 1,
  written: dry ? 0 : 1,
  errors: [{ line: 3, domain: "bad domain", reason: "'bad domain' contains whitespace" }],
  domains: ["good.com"],
});

describe("CsvImport", () => {
  it("previews per-row errors with a dry run, then imports the good rows when asked", async () => {
    signedIn();
    const fetch = mockFetch().on("POST", "/api/sites/import", (_url, init) => {
      const body = JSON.parse(String(init.body));
      return { body: report(body.dry_run) };
    });
    const onImported = vi.fn();
    render(<CsvImport onImported={onImported} onCancel={() => {}} />);
    const import_ = () => screen.getByRole("button", { name: /^Import/ });
    expect(import_()).toBeDisabled();
    await userEvent.type(screen.getByLabelText("CSV text"), "domain,cloudflare_account\ngood.com,CF\nbad domain,CF");
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    const table = await screen.findByRole("table", { name: "Rows with errors" });
    const row = within(table).getAllByRole("row")[1];
    expect(row).toHaveTextContent("3");
    expect(row).toHaveTextContent("'bad domain' contains whitespace");
    expect(fetch.calls[0].body).toMatchObject({ dry_run: true, skip_invalid: false });
    expect(import_()).toBeDisabled(); // bad rows block the import until skipping is chosen
    await userEvent.click(screen.getByLabelText("Import the valid rows and skip the bad ones"));
    await userEvent.click(screen.getByRole("button", { name: "Import 1 site" }));
    expect(await screen.findByText("Imported 1 site; skipped 1 bad row(s).")).toBeInTheDocument();
    expect(fetch.calls[1].body).toMatchObject({ dry_run: false, skip_invalid: true });
    expect(onImported).toHaveBeenCalled();
  });

  it("lists the rows the import changed", async () => {
    signedIn();
    const notes = [{ line: 2, domain: "good.com", note: "removed the spaces around the domain" }];
    mockFetch().on("POST", "/api/sites/import", { body: { ...report(true), notes } });
    render(<CsvImport onImported={() => {}} onCancel={() => {}} />);
    await userEvent.type(screen.getByLabelText("CSV text"), "domain,cloudflare_account\n good.com ,CF");
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    const list = await screen.findByRole("list", { name: "Changes made to rows" });
    expect(list).toHaveTextContent("Line 2 (good.com): removed the spaces around the domain");
  });

  it("a new text invalidates the preview", async () => {
    signedIn();
    mockFetch().on("POST", "/api/sites/import", { body: report(true) });
    render(<CsvImport onImported={() => {}} onCancel={() => {}} />);
    await userEvent.type(screen.getByLabelText("CSV text"), "x");
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    await screen.findByRole("table", { name: "Rows with errors" });
    await userEvent.type(screen.getByLabelText("CSV text"), "y");
    expect(screen.queryByRole("table", { name: "Rows with errors" })).toBeNull();
  });
});
