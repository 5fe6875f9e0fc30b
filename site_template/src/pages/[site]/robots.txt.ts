import type { APIRoute } from 'astro';
import { sites, type Site } from '../../lib/data';

export function getStaticPaths() {
  return sites().map((site) => ({ params: { site: site.key }, props: { site } }));
}

export const GET: APIRoute = ({ props }) => {
  const site = props.site as Site;
  return new Response(`User-agent: *\nAllow: /\n\nSitemap: https://${site.domain}/sitemap.xml\n`, {
    headers: { 'Content-Type': 'text/plain' },
  });
};
