import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { makeSite } from "../test/fetchMock";
import { StepBadges } from "./StepBadges";

describe("StepBadges", () => {
  it("shows one labelled badge per step, the failed one marked", () => {
    render(<StepBadges site={makeSite({ domain: "a.com", status_dns: "active", status_hosting: "failed", error_step: "status_hosting", error_message: "x" })} />);
    const list = screen.getByRole("list", { name: "Steps of a.com" });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(6);
    expect(items.map((li) => li.dataset.step)).toEqual(["dns", "hosting", "matomo", "gsc", "content", "deployment"]);
    expect(within(items[0]).getByText("active")).toBeInTheDocument();
    expect(items[1].querySelector(".badge-failed")).toHaveTextContent("failed");
    expect(within(items[3]).getByText("Search Console:")).toHaveClass("visually-hidden");
  });
});
