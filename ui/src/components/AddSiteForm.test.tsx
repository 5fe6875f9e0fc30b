import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { makeSite, mockFetch, signedIn } from "../test/fetchMock";
import { AddSiteForm } from "./AddSiteForm";

const cloudflare = [{ id: "cf-1", created_at: "", email: "cf@x.com", account_nickname: "CF_Batch_1", account_id: null, token_hint: "…abcd", sites: 0 }];

describe("AddSiteForm", () => {
  it("shows the API's detail when it refuses the domain", async () => {
    signedIn();
    const detail = "'https://a.com/' looks like a URL; give the bare domain, e.g. example.co.uk";
    const fetch = mockFetch().on("POST", "/api/sites", { status: 400, body: { detail } });
    const onCreated = vi.fn();
    render(<AddSiteForm cloudflare={cloudflare} google={[]} onCreated={onCreated} onCancel={() => {}} />);
    await userEvent.type(screen.getByLabelText("Domain"), "https://a.com/");
    await userEvent.click(screen.getByRole("button", { name: "Add site" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(detail);
    expect(fetch.calls[0].body).toEqual({ domain: "https://a.com/", cloudflare_account: "CF_Batch_1", gsc_account: null, brand_name: null });
    expect(onCreated).not.toHaveBeenCalled();
  });

  it("adds a site and hands it back", async () => {
    signedIn();
    const site = makeSite({ domain: "new.com" });
    mockFetch().on("POST", "/api/sites", { status: 201, body: site });
    const onCreated = vi.fn();
    render(<AddSiteForm cloudflare={cloudflare} google={[]} onCreated={onCreated} onCancel={() => {}} />);
    await userEvent.type(screen.getByLabelText("Domain"), "new.com");
    await userEvent.click(screen.getByRole("button", { name: "Add site" }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledWith(site));
    expect(screen.getByLabelText("Domain")).toHaveValue("");
  });
});
