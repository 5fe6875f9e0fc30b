import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";
import { AuthProvider } from "../auth/AuthContext";

/** Render inside the app's providers at a given URL. */
export function renderAt(ui: ReactElement, url = "/") {
  return render(
    <AuthProvider>
      <MemoryRouter initialEntries={[url]}>{ui}</MemoryRouter>
    </AuthProvider>,
  );
}
