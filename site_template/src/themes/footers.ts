// Per footer pattern: its CSS.
export const footerCss: Record<string, string> = {
  line: `
.ftr { border-top: 1px solid var(--border); color: var(--muted); font-size: 0.9rem; }
.ftr p { margin: 0; padding: 1.25rem 0; }
`,
  centered: `
.ftr { text-align: center; border-top: 1px solid var(--text); margin-top: 1rem; padding: 1.25rem 0 2rem; color: var(--muted); font-size: 0.95rem; }
.ftr .nav-list { justify-content: center; }
.ftr .nav-list a { color: var(--text); }
.ftr p { margin: 0.25rem 0; }
`,
  columns: `
.ftr { background: var(--band); color: var(--on-band); padding: 2rem 0; font-size: 0.95rem; }
.ftr a { color: var(--on-band); }
.ftr-grid { display: grid; gap: 1.25rem 2rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
.ftr-title { margin: 0 0 0.25rem; font-family: var(--font-heading); font-weight: 800; font-size: 1.1rem; }
.ftr p { margin: 0 0 0.5rem; }
.ftr .nav-list { flex-direction: column; margin-left: -0.6rem; }
.ftr .nav-list a { min-height: 2.25rem; line-height: 2.25rem; }
`,
  compact: `
.ftr { color: var(--muted); font-size: 0.9rem; }
.ftr .wrap > div { border-top: 1px solid var(--border); padding: 1.25rem 0 2rem; }
.ftr p { margin: 0; }
`,
  minimal: `
.ftr { font-family: var(--font-heading); font-size: 0.85rem; color: var(--muted); padding: 2rem 0 3rem; }
.ftr p { margin: 0; }
.ftr p + p { margin-top: 0.25rem; }
`,
  pills: `
.ftr { text-align: center; padding: 0.5rem 0 2.5rem; color: var(--muted); font-size: 0.95rem; }
.ftr .nav-list { justify-content: center; gap: 0.35rem; margin-bottom: 0.75rem; }
.ftr .nav-list a { border-radius: 999px; padding: 0 1rem; background: var(--surface); color: var(--text); }
.ftr p { margin: 0; }
`,
};
