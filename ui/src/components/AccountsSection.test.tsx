import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { CLOUDFLARE } from "../lib/accountKinds";
import { mockFetch, page, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { AccountsSection } from "./AccountsSection";

const account = { id: "cf-1", created_at: "2026-01-01T00:00:00Z", email: "cf@x.com", account_nickname: "CF_Batch_1", token_hint: "…abcd", sites: 2 };

describe("AccountsSection", () => {
  it("masks secrets, replaces them write-only and lists the sites using the account", async () => {
    signedIn();
    const fetch = mockFetch()
      .on("GET", "/api/cloudflare-accounts", { body: page([account]) })
      .on("PATCH", "/api/cloudflare-accounts/cf-1", { body: { ...account, token_hint: "…wxyz" } })
      .on("GET", "/api/sites", { body: page([{ domain: "a.com" }, { domain: "b.com" }]) });
    renderAt(<AccountsSection kind={CLOUDFLARE} />);
    const row = (await screen.findByText("CF_Batch_1")).closest("tr")!;
    expect(within(row).getByText("••••••••abcd")).toBeInTheDocument();
    await userEvent.click(within(row).getByRole("button", { name: "list" }));
    expect(await within(row).findByRole("link", { name: "b.com" })).toBeInTheDocument();
    expect(fetch.calls.at(-1)!.url.searchParams.get("cloudflare_account_id")).toBe("cf-1");

    await userEvent.click(within(row).getByRole("button", { name: "Replace api token" }));
    const input = within(row).getByLabelText("New api token");
    expect(input).toHaveAttribute("type", "password");
    await userEvent.type(input, "brand-new-secret");
    await userEvent.click(within(row).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Replaced the api token of CF_Batch_1.")).toBeInTheDocument();
    expect(fetch.calls.find((c) => c.method === "PATCH")!.body).toEqual({ api_token: "brand-new-secret" });
    expect(document.body.textContent).not.toContain("brand-new-secret");
  });

  it("shows the API's refusal to delete an account in use", async () => {
    signedIn();
    mockFetch()
      .on("GET", "/api/cloudflare-accounts", { body: page([account]) })
      .on("DELETE", "/api/cloudflare-accounts/cf-1", { status: 409, body: { detail: "2 sites still use this account" } });
    window.confirm = () => true;
    renderAt(<AccountsSection kind={CLOUDFLARE} />);
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("2 sites still use this account");
  });
});
