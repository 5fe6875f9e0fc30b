// The theme registry (themes.json, shared with factory/content/themes.py) and the CSS of a theme.
// Every page carries only its own theme's CSS, inlined: no shared stylesheet across sites.
import registry from './themes.json';
import { baseCss } from './base';
import { headerCss } from './headers';
import { footerCss } from './footers';

export interface Palette {
  bg: string; surface: string; text: string; muted: string; accent: string; on_accent: string;
  band: string; on_band: string; border: string;
}

export type FontRole = 'sans' | 'serif' | 'display' | 'humanist' | 'mono' | 'rounded';

export interface ThemeDef {
  description: string;
  header: 'bar' | 'masthead' | 'band' | 'sidebar' | 'minimal' | 'pills';
  footer: 'line' | 'centered' | 'columns' | 'compact' | 'minimal' | 'pills';
  fonts: { body: FontRole; heading: FontRole };
  variations: Record<string, Palette>;
}

export interface Theme {
  name: string;
  variation: string;
  def: ThemeDef;
  palette: Palette;
}

const THEMES = registry as unknown as Record<string, ThemeDef>;

// System font stacks only: no web fonts, nothing fetched from another origin.
export const FONTS: Record<FontRole, string> = {
  sans: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif',
  serif: 'Charter, "Bitstream Charter", "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "DejaVu Serif", serif',
  display: '"Avenir Next", Avenir, Montserrat, "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif',
  humanist: 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", "Source Sans Pro", sans-serif',
  mono: 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, "DejaVu Sans Mono", monospace',
  rounded: 'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, "Arial Rounded MT", Calibri, "DejaVu Sans", sans-serif',
};

// The fonts sharp (librsvg + fontconfig) finds on a Debian build host, for the generated images.
export const IMAGE_FONTS: Record<FontRole, string> = {
  sans: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
  serif: 'DejaVu Serif, Liberation Serif, Georgia, serif',
  display: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
  humanist: 'DejaVu Sans, Liberation Sans, sans-serif',
  mono: 'DejaVu Sans Mono, Liberation Mono, monospace',
  rounded: 'DejaVu Sans, Liberation Sans, sans-serif',
};

export function themeOf(site: { domain: string; theme?: { name: string; variation: string } }): Theme {
  const chosen = site.theme;
  if (!chosen) throw new Error(`${site.domain}: the build input has no theme`);
  const def = THEMES[chosen.name];
  if (!def) throw new Error(`${site.domain}: unknown theme ${JSON.stringify(chosen.name)}`);
  const palette = def.variations[chosen.variation];
  if (!palette) throw new Error(`${site.domain}: theme ${chosen.name} has no variation ${JSON.stringify(chosen.variation)}`);
  return { name: chosen.name, variation: chosen.variation, def, palette };
}

// Whitespace only: spaces before ':' are kept (a descendant combinator before a pseudo-class).
const minify = (css: string) =>
  css.replace(/\s+/g, ' ').replace(/\s*([{};,>])\s*/g, '$1').replace(/:\s+/g, ':').replace(/;}/g, '}').trim();

export function themeCss(theme: Theme): string {
  const p = theme.palette;
  const vars = `:root{--bg:${p.bg};--surface:${p.surface};--text:${p.text};--muted:${p.muted};--accent:${p.accent};`
    + `--on-accent:${p.on_accent};--band:${p.band};--on-band:${p.on_band};--border:${p.border};`
    + `--font-body:${FONTS[theme.def.fonts.body]};--font-heading:${FONTS[theme.def.fonts.heading]}}`;
  return vars + minify(baseCss(theme.def) + headerCss[theme.def.header] + footerCss[theme.def.footer]);
}
