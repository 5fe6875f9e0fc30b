// The batch to render: a JSON file written by factory/content/build.py (FACTORY_BUILD_INPUT).
import { readFileSync } from 'node:fs';
import { Marked } from 'marked';

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

export function canonical(site: Site, page: Page): string {
  return `https://${site.domain}${pagePath(page)}`;
}

export function navigation(site: Site): Page[] {
  return [...site.pages].sort((a, b) => a.nav_order - b.nav_order || a.slug.localeCompare(b.slug));
}

// Editors and the model write Markdown; raw HTML in it is shown as text, never executed.
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const markdown = new Marked({ gfm: true, async: false });
markdown.use({ renderer: { html: ({ text }) => escapeHtml(text) } });

export function renderBody(body: string): string {
  return markdown.parse(body) as string;
}
