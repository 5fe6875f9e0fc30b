import type { APIRoute } from 'astro';
import { sites, type Site } from '../../lib/data';
import { themeOf } from '../../themes/index';

export function getStaticPaths() {
  return sites().map((site) => ({ params: { site: site.key }, props: { site } }));
}

export const GET: APIRoute = ({ props }) => {
  const site = props.site as Site;
  const { palette } = themeOf(site);
  const manifest = {
    name: site.brand,
    short_name: [...site.brand].length <= 12 ? site.brand : [...site.brand].slice(0, 12).join('').trimEnd(),
    ...(site.tagline ? { description: site.tagline } : {}),
    lang: site.lang,
    start_url: '/',
    scope: '/',
    display: 'browser',
    background_color: palette.bg,
    theme_color: palette.band,
    icons: [
      { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml' },
      { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
    ],
  };
  return new Response(JSON.stringify(manifest, null, 2), { headers: { 'Content-Type': 'application/manifest+json' } });
};
