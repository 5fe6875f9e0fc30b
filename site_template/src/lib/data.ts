// The batch to render: a JSON file written by factory/content/build.py (FACTORY_BUILD_INPUT).
import { readFileSync } from 'node:fs';
import { Marked, type Token, type Tokens } from 'marked';

export interface Page {
  slug: string;
  title: string;
  nav_label: string;
  nav_order: number;
  seo_description: string;
  body: string;
}

export interface Site {
  key: string;
  domain: string;
  brand: string;
  tagline: string;
  lang: string;
  theme: { name: string; variation: string };
  matomo: { url: string; site_id: number } | null;
  pages: Page[];
}

let cached: Site[] | undefined;

export function sites(): Site[] {
  if (!cached) {
    const path = process.env.FACTORY_BUILD_INPUT;
    if (!path) throw new Error('FACTORY_BUILD_INPUT is not set');
    cached = JSON.parse(readFileSync(path, 'utf8')).sites as Site[];
  }
  return cached;
}

export const HOME = 'home';

export function pagePath(page: Page): string {
  return page.slug === HOME ? '/' : `/${page.slug}/`;
}

export function siteUrl(site: Site): string {
  return `https://${site.domain}/`;
}

export function canonical(site: Site, page: Page): string {
  return `https://${site.domain}${pagePath(page)}`;
}

export function navigation(site: Site): Page[] {
  return [...site.pages].sort((a, b) => a.nav_order - b.nav_order || a.slug.localeCompare(b.slug));
}

export function homePage(site: Site): Page | undefined {
  return site.pages.find((p) => p.slug === HOME);
}

export function initials(brand: string): string {
  const words = brand.split(/[\s\-_.]+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = (words.length > 1 ? [words[0], words[1]] : [words[0] ?? '?']).map((w) => [...w][0]);
  return letters.join('').toUpperCase();
}

// Editors and the model write Markdown; raw HTML in it is shown as text, never executed.
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const markdown = new Marked({ gfm: true, async: false });
markdown.use({ renderer: { html: ({ text }) => escapeHtml(text) } });

// The page title is the only h1; body headings start at h2 and never skip a level on the way down.
function normaliseHeadings(tokens: Token[]): Token[] {
  let previous = 1;
  for (const token of tokens) {
    if (token.type !== 'heading') continue;
    const heading = token as Tokens.Heading;
    heading.depth = Math.max(2, Math.min(heading.depth, previous + 1));
    previous = heading.depth;
  }
  return tokens;
}

export function renderBody(body: string): string {
  return markdown.parser(normaliseHeadings(markdown.lexer(body))) as string;
}

export interface Question { question: string; answer: string }

const plain = (markdownText: string) =>
  markdownText.replace(/!\[[^\]]*\]\([^)]*\)/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s*(?:[-*+]|\d+\.)\s+/gm, '').replace(/[*_`>#]/g, '').replace(/\s+/g, ' ').trim();

// Questions of an FAQ page: headings that end with '?', each answered by the text up to the next heading.
export function questions(page: Page): Question[] {
  const found: Question[] = [];
  let current: { question: string; parts: string[] } | null = null;
  for (const token of markdown.lexer(page.body)) {
    if (token.type === 'heading') {
      if (current) found.push({ question: current.question, answer: plain(current.parts.join('\n')) });
      const text = plain((token as Tokens.Heading).text);
      current = text.endsWith('?') ? { question: text, parts: [] } : null;
    } else if (current && token.type !== 'space') {
      current.parts.push(token.raw);
    }
  }
  if (current) found.push({ question: current.question, answer: plain(current.parts.join('\n')) });
  return found.filter((q) => q.answer.length > 0);
}

export function isFaqPage(page: Page): boolean {
  const named = /(^|-)faqs?($|-)|questions/.test(page.slug) || /\bFAQs?\b|question/i.test(`${page.title} ${page.nav_label}`);
  return named && questions(page).length > 0;
}
