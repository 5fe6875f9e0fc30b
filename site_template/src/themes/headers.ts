// Per header pattern: the header's CSS and the page layout that goes with it (one theme each).
export const headerCss: Record<string, string> = {
  // harbor: brand left, navigation right, one centred column.
  bar: `
body { border-top: 5px solid var(--band); }
.hdr { border-bottom: 1px solid var(--border); }
.hdr-inner { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.25rem 1rem; padding-top: 0.5rem; padding-bottom: 0.5rem; }
.brand { display: inline-block; min-height: 2.75rem; line-height: 2.75rem; font-weight: 700; font-size: 1.25rem; color: var(--text); text-decoration: none; }
.hdr .nav-list a { color: var(--accent); }
.page { padding: 1.25rem 0 3rem; }
.breadcrumb a { color: var(--muted); }
`,
  // ledger: a centred serif masthead and the navigation between rules; drop cap in the text.
  masthead: `
.hdr { text-align: center; padding-top: 2rem; }
.brand-line { margin: 0; }
.brand { display: inline-block; font-size: clamp(2rem, 6vw, 2.9rem); font-weight: 700; letter-spacing: 0.01em; color: var(--text); text-decoration: none; }
.tagline { margin: 0.25rem 0 1rem; font-style: italic; color: var(--muted); }
.hdr nav { border-top: 3px double var(--text); border-bottom: 1px solid var(--text); margin-top: 0.75rem; }
.hdr .nav-list { justify-content: center; }
.hdr .nav-list a { color: var(--text); font-variant: small-caps; letter-spacing: 0.06em; font-size: 1.05rem; }
body { font-size: 1.125rem; }
h1 { text-align: center; font-style: italic; font-weight: 400; }
.breadcrumb { text-align: center; }
.breadcrumb ol { justify-content: center; }
.page { padding: 0.5rem 0 3rem; }
.prose > p:first-of-type::first-letter { float: left; font-size: 3.3em; line-height: 0.9; padding: 0.06em 0.1em 0 0; color: var(--accent); font-family: var(--font-heading); }
`,
  // canopy: a full-width band with brand, navigation and tagline; content on a raised panel.
  band: `
.wrap { max-width: 52rem; }
.hdr { background: var(--band); color: var(--on-band); padding-bottom: 4.5rem; }
.hdr a { color: var(--on-band); }
.hdr-inner { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.25rem 1rem; padding-top: 0.75rem; padding-bottom: 0.75rem; }
.brand { display: inline-block; min-height: 2.75rem; line-height: 2.75rem; font-family: var(--font-heading); font-weight: 800; font-size: 1.35rem; text-decoration: none; text-transform: uppercase; letter-spacing: 0.04em; }
.hero-tagline { margin: 1.5rem 0 0; font-family: var(--font-heading); font-size: clamp(1.4rem, 4vw, 2rem); font-weight: 700; line-height: 1.25; max-width: 36rem; }
h1, h2 { font-weight: 800; }
.page { background: var(--surface); margin: -3rem 0 2.5rem; padding: 1.5rem 1.75rem 2.5rem; border-radius: 10px; box-shadow: 0 10px 30px rgba(0, 0, 0, 0.08); border: 1px solid var(--border); }
`,
  // atlas: a side column with brand, tagline and vertical navigation on wide screens.
  sidebar: `
.hdr { background: var(--band); color: var(--on-band); }
.hdr a { color: var(--on-band); }
.hdr-inner { padding: 1.25rem; }
.brand { display: inline-block; font-family: var(--font-heading); font-weight: 700; font-size: 1.5rem; text-decoration: none; line-height: 1.25; }
.tagline { margin: 0.4rem 0 0.75rem; font-size: 0.95rem; }
.hdr .nav-list a { padding: 0 0.75rem; border-left: 3px solid transparent; }
.hdr .nav-list a[aria-current='page'] { border-left-color: var(--accent); font-weight: 700; text-decoration: none; }
.col .wrap { max-width: 44rem; }
.page { padding: 0.75rem 0 3rem; }
@media (min-width: 60rem) {
  .frame { display: grid; grid-template-columns: 17rem minmax(0, 1fr); min-height: 100vh; }
  .hdr-inner { position: sticky; top: 0; padding: 2.5rem 1.5rem; }
  .hdr .nav-list { flex-direction: column; }
  .col .wrap { margin: 0 0 0 3rem; }
}
`,
  // studio: a narrow left-aligned column, monospace brand and navigation, a very large title.
  minimal: `
.wrap { max-width: 40rem; margin: 0 0 0 max(1.25rem, 8vw); }
.hdr { padding-top: 2rem; }
.brand { display: inline-block; min-height: 2.75rem; line-height: 2.75rem; font-family: var(--font-heading); font-size: 1rem; text-transform: uppercase; letter-spacing: 0.12em; color: var(--text); text-decoration: none; }
.brand::before { content: ''; display: inline-block; width: 0.75em; height: 0.75em; margin-right: 0.6em; background: var(--accent); vertical-align: -0.05em; }
.hdr .nav-list { font-family: var(--font-heading); font-size: 0.95rem; margin-left: -0.6rem; }
.hdr .nav-list a { color: var(--text); }
.hdr .nav-list li + li::before { content: '/'; color: var(--muted); }
h1 { font-size: clamp(2.3rem, 8vw, 3.6rem); line-height: 1.05; margin: 1.5rem 0 1.25rem; }
h2 { font-size: 1.35rem; }
.page { padding: 0.5rem 0 3rem; }
`,
  // meadow: navigation as pills in a rounded header card, content on a rounded card.
  pills: `
.wrap { max-width: 50rem; }
.hdr { padding-top: 1rem; }
.hdr-card { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 1rem; background: var(--band); color: var(--on-band); border-radius: 1.25rem; padding: 0.5rem 0.75rem; box-shadow: 0 2px 12px rgba(0, 0, 0, 0.06); }
.brand { display: inline-flex; align-items: center; gap: 0.6rem; min-height: 2.75rem; font-weight: 700; font-size: 1.2rem; color: var(--on-band); text-decoration: none; }
.brand-mark { display: inline-grid; place-items: center; width: 2.25rem; height: 2.25rem; border-radius: 50%; background: var(--accent); color: var(--on-accent); font-size: 0.95rem; }
.hdr .nav-list { gap: 0.35rem; }
.hdr .nav-list a { border-radius: 999px; padding: 0 1rem; background: var(--bg); color: var(--text); }
.hdr .nav-list a[aria-current='page'] { background: var(--accent); color: var(--on-accent); text-decoration: none; }
.page { background: var(--surface); border-radius: 1.5rem; padding: 1.5rem 1.75rem 2.25rem; margin: 1.25rem 0 2rem; box-shadow: 0 2px 12px rgba(0, 0, 0, 0.06); }
h1 { margin-top: 0.2em; }
`,
};
