import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppRoutes } from "./App";
import { mockFetch, page, signedIn } from "./test/fetchMock";
import { renderAt } from "./test/render";

describe("sign-in and sessions", () => {
  it("sends a signed-out operator to sign-in, shows the API's refusal, then lets them in", async () => {
    mockFetch()
      .on("POST", "/api/auth/token", (_url, init) =>
        JSON.parse(String(init.body)).password === "right password!"
          ? { body: { access_token: "tok", token_type: "bearer", expires_in: 1800, source: "local" } }
          : { status: 401, body: { detail: "wrong email or password" } },
      )
      .on("GET", "/api/sites", { body: page([]) })
      .on("GET", /accounts$/, { body: page([]) });
    renderAt(<AppRoutes />, "/sites");
    await userEvent.type(await screen.findByLabelText("Email"), "ops@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("wrong email or password");
    await userEvent.type(screen.getByLabelText("Password"), "right password!");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Sites" })).toBeInTheDocument();
    expect(JSON.parse(sessionStorage.getItem("factory.session")!).token).toBe("tok");
    expect(localStorage.length).toBe(0);
  });

  it("goes back to sign-in with the reason when the API says the session expired", async () => {
    signedIn();
    mockFetch()
      .on("GET", "/api/sites", { status: 401, body: { detail: "the token has expired; sign in again" } })
      .on("GET", /accounts$/, { status: 401, body: { detail: "the token has expired; sign in again" } });
    renderAt(<AppRoutes />, "/sites");
    expect(await screen.findByText("Your session has ended: the token has expired; sign in again")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Sign in" })).toBeInTheDocument();
  });

  it("signs out", async () => {
    signedIn();
    mockFetch().on("GET", "/api/sites", { body: page([]) }).on("GET", /accounts$/, { body: page([]) });
    renderAt(<AppRoutes />, "/sites");
    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByText("You have signed out.")).toBeInTheDocument();
    expect(sessionStorage.getItem("factory.session")).toBeNull();
  });
});
