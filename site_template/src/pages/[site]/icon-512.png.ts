import type { APIRoute } from 'astro';
import { sites, type Site } from '../../lib/data';
import { iconSvg, png } from '../../lib/images';

export function getStaticPaths() {
  return sites().map((site) => ({ params: { site: site.key }, props: { site } }));
}

export const GET: APIRoute = async ({ props }) =>
  new Response(await png(iconSvg(props.site as Site, 512)), { headers: { 'Content-Type': 'image/png' } });
