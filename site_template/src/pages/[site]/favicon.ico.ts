import type { APIRoute } from 'astro';
import { sites, type Site } from '../../lib/data';
import { ico, iconSvg, png } from '../../lib/images';

export function getStaticPaths() {
  return sites().map((site) => ({ params: { site: site.key }, props: { site } }));
}

export const GET: APIRoute = async ({ props }) =>
  new Response(ico(await png(iconSvg(props.site as Site, 32))), { headers: { 'Content-Type': 'image/x-icon' } });
