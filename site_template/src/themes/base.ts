// CSS every theme shares: typography, content elements, the skip link, focus and breadcrumb.
// Colours and fonts come from the theme's custom properties (see index.ts).
import type { ThemeDef } from './index';

export function baseCss(def: ThemeDef): string {
  return `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font-family: var(--font-body); font-size: 1.0625rem; line-height: 1.65; }
h1, h2, h3, h4 { font-family: var(--font-heading); line-height: 1.2; margin: 1.6em 0 0.5em; }
h1 { font-size: clamp(1.9rem, 5vw, 2.6rem); margin-top: 0.4em; }
h2 { font-size: 1.5rem; }
h3 { font-size: 1.2rem; }
p, ul, ol, blockquote, pre, table { margin: 0 0 1.1em; }
ul, ol { padding-left: 1.4em; }
li + li { margin-top: 0.3em; }
a { color: var(--accent); text-underline-offset: 0.18em; }
main a { text-decoration: underline; }
img { max-width: 100%; height: auto; }
blockquote { margin-left: 0; padding: 0.2em 0 0.2em 1em; border-left: 4px solid var(--border); color: var(--muted); }
code { font-family: ${'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace'}; font-size: 0.92em; background: var(--surface); padding: 0.1em 0.3em; border-radius: 3px; }
pre { overflow-x: auto; background: var(--surface); padding: 1em; border-radius: 4px; }
pre code { padding: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4em 0.6em; border-bottom: 1px solid var(--border); }
hr { border: 0; border-top: 1px solid var(--border); margin: 2em 0; }
.wrap { width: 100%; max-width: 46rem; margin: 0 auto; padding: 0 1.25rem; }
.skip-link { position: absolute; left: 0.75rem; top: -4rem; z-index: 10; padding: 0.6rem 1rem; background: var(--accent); color: var(--on-accent); font-weight: 700; }
.skip-link:focus { top: 0.75rem; }
a:focus-visible, [tabindex]:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
main:focus { outline: none; }
.nav-list { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; }
.nav-list li { margin: 0; }
.nav-list a { display: inline-block; min-height: 2.75rem; line-height: 2.75rem; padding: 0 0.6rem; text-decoration: none; }
.nav-list a[aria-current='page'] { text-decoration: underline; text-decoration-thickness: 2px; }
.breadcrumb { font-size: 0.9rem; color: var(--muted); margin: 1.25rem 0 0; }
.breadcrumb ol { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; }
.breadcrumb li { margin: 0; }
.breadcrumb li + li::before { content: '/'; padding: 0 0.5em; }
.breadcrumb a { display: inline-block; min-height: 1.5rem; }
.lede { color: var(--muted); font-size: 1.125rem; }
.not-found { padding: 2rem 0 3rem; }
${def.fonts.heading === 'mono' ? 'h1, h2, h3 { letter-spacing: -0.02em; }' : ''}
`;
}
