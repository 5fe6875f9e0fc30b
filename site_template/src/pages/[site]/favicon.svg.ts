import type { APIRoute } from 'astro';
import { sites, type Site } from '../../lib/data';
import { iconSvg } from '../../lib/images';

export function getStaticPaths() {
  return sites().map((site) => ({ params: { site: site.key }, props: { site } }));
}

export const GET: APIRoute = ({ props }) =>
  new Response(iconSvg(props.site as Site), { headers: { 'Content-Type': 'image/svg+xml' } });
