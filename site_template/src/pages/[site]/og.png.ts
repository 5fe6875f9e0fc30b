// The social preview (og:image / twitter:image), 1200x630.
import type { APIRoute } from 'astro';
import { sites, type Site } from '../../lib/data';
import { png, socialSvg } from '../../lib/images';

export function getStaticPaths() {
  return sites().map((site) => ({ params: { site: site.key }, props: { site } }));
}

export const GET: APIRoute = async ({ props }) =>
  new Response(await png(socialSvg(props.site as Site)), { headers: { 'Content-Type': 'image/png' } });
