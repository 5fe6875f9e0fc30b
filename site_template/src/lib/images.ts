// Images generated per site at build time from its brand and theme (no network, no stock files):
// the SVG favicon, PNG icons for the manifest and iOS, and the 1200x630 social preview.
import sharp from 'sharp';
import { IMAGE_FONTS, themeOf } from '../themes/index';
import { initials, type Site } from './data';

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function iconSvg(site: Site, size = 64): string {
  const { palette, def } = themeOf(site);
  const text = initials(site.brand).slice(0, 2);
  const font = IMAGE_FONTS[def.fonts.heading];
  const radius = def.header === 'pills' ? size / 2 : def.header === 'minimal' ? 0 : size * 0.18;
  const fontSize = size * (text.length > 1 ? 0.42 : 0.56);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`
    + `<rect width="${size}" height="${size}" rx="${radius}" fill="${palette.accent}"/>`
    + `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" font-family="${xml(font)}" font-size="${fontSize}" `
    + `font-weight="700" fill="${palette.on_accent}">${xml(text)}</text></svg>`;
}

// Greedy word wrap by an average glyph width: good enough to keep text inside the image.
function wrap(text: string, fontSize: number, width: number, maxLines: number, glyph: number): string[] {
  const perLine = Math.max(8, Math.floor(width / (fontSize * glyph)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length > perLine && line) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] = `${lines[maxLines - 1].slice(0, perLine - 1).trimEnd()}…`;
  }
  return lines.map((l) => (l.length > perLine ? `${l.slice(0, perLine - 1)}…` : l));
}

export function socialSvg(site: Site): string {
  const { palette: p, def } = themeOf(site);
  const heading = IMAGE_FONTS[def.fonts.heading];
  const body = IMAGE_FONTS[def.fonts.body];
  const glyph = def.fonts.heading === 'mono' ? 0.62 : 0.56;
  const W = 1200, H = 630;
  // A layout motif per header pattern, so previews differ as much as the sites do.
  const motifs: Record<string, { bg: string; fg: string; muted: string; deco: string; x: number }> = {
    bar: { bg: p.bg, fg: p.text, muted: p.muted, deco: `<rect width="${W}" height="18" fill="${p.band}"/><rect y="${H - 8}" width="${W}" height="8" fill="${p.accent}"/>`, x: 90 },
    masthead: { bg: p.bg, fg: p.text, muted: p.muted, deco: `<rect x="60" y="60" width="${W - 120}" height="${H - 120}" fill="none" stroke="${p.text}" stroke-width="3"/><rect x="72" y="72" width="${W - 144}" height="${H - 144}" fill="none" stroke="${p.text}" stroke-width="1"/>`, x: 120 },
    band: { bg: p.band, fg: p.on_band, muted: p.on_band, deco: `<rect y="${H - 150}" width="${W}" height="150" fill="${p.surface}"/>`, x: 90 },
    sidebar: { bg: p.bg, fg: p.text, muted: p.muted, deco: `<rect width="300" height="${H}" fill="${p.band}"/><rect x="300" width="10" height="${H}" fill="${p.accent}"/>`, x: 370 },
    minimal: { bg: p.bg, fg: p.text, muted: p.muted, deco: `<rect x="90" y="90" width="56" height="56" fill="${p.accent}"/>`, x: 90 },
    pills: { bg: p.bg, fg: p.text, muted: p.muted, deco: `<rect x="50" y="50" width="${W - 100}" height="${H - 100}" rx="48" fill="${p.surface}"/><circle cx="${W - 170}" cy="170" r="60" fill="${p.accent}"/>`, x: 110 },
  };
  const m = motifs[def.header];
  const width = W - m.x - 110;
  const titleSize = site.brand.length > 28 ? 64 : 84;
  const title = wrap(site.brand, titleSize, width, 2, glyph);
  const tagline = wrap(site.tagline, 36, width, 2, 0.52);
  let y = 250 - (title.length - 1) * titleSize * 0.55;
  const lines: string[] = [];
  for (const line of title) {
    lines.push(`<text x="${m.x}" y="${Math.round(y)}" font-family="${xml(heading)}" font-size="${titleSize}" font-weight="700" fill="${m.fg}">${xml(line)}</text>`);
    y += titleSize * 1.1;
  }
  y += 14;
  for (const line of tagline) {
    lines.push(`<text x="${m.x}" y="${Math.round(y)}" font-family="${xml(body)}" font-size="36" fill="${m.muted}">${xml(line)}</text>`);
    y += 48;
  }
  const domainFill = def.header === 'band' ? p.text : m.muted;
  const domainY = def.header === 'masthead' ? H - 100 : H - 70;  // inside the masthead's frame
  lines.push(`<text x="${m.x}" y="${domainY}" font-family="${xml(IMAGE_FONTS.mono)}" font-size="30" fill="${domainFill}">${xml(site.domain)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`
    + `<rect width="${W}" height="${H}" fill="${m.bg}"/>${m.deco}${lines.join('')}</svg>`;
}

export async function png(svg: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

// favicon.ico for clients that ask for it without reading <link rel="icon">: one 32x32 PNG in
// an ICO container (6-byte header, one 16-byte directory entry, then the PNG as is).
export function ico(png32: Uint8Array): Uint8Array {
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);   // type: icon
  header.writeUInt16LE(1, 4);   // one image
  header.writeUInt8(32, 6);     // width
  header.writeUInt8(32, 7);     // height
  header.writeUInt8(0, 8);      // no palette
  header.writeUInt8(0, 9);
  header.writeUInt16LE(1, 10);  // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png32.length, 14);
  header.writeUInt32LE(22, 18); // the image starts right after the directory
  return new Uint8Array(Buffer.concat([header, Buffer.from(png32)]));
}
