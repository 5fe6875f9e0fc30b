// schema.org JSON-LD for a page: the Organization, the WebSite, the page (an FAQPage when it is
// one) and its BreadcrumbList, as one @graph.
import { canonical, isFaqPage, questions, siteUrl, type Page, type Site } from './data';
import { stringsFor } from './strings';

export function structuredData(site: Site, page: Page | null): string {
  const base = siteUrl(site);
  const org = `${base}#organization`;
  const website = `${base}#website`;
  const graph: Record<string, unknown>[] = [
    {
      '@type': 'Organization', '@id': org, name: site.brand, url: base,
      logo: { '@type': 'ImageObject', url: `${base}icon-512.png`, width: 512, height: 512 },
      ...(site.tagline ? { description: site.tagline } : {}),
    },
    {
      '@type': 'WebSite', '@id': website, url: base, name: site.brand, inLanguage: site.lang,
      publisher: { '@id': org }, ...(site.tagline ? { description: site.tagline } : {}),
    },
  ];
  if (page) {
    const url = canonical(site, page);
    const crumbs = [{ name: stringsFor(site.lang).home, item: base }];
    if (url !== base) crumbs.push({ name: page.nav_label || page.title, item: url });
    const faq = isFaqPage(page) ? questions(page) : [];
    graph.push({
      '@type': faq.length ? 'FAQPage' : 'WebPage', '@id': `${url}#webpage`, url, name: page.title,
      description: page.seo_description, inLanguage: site.lang, isPartOf: { '@id': website },
      breadcrumb: { '@id': `${url}#breadcrumb` },
      ...(faq.length ? {
        mainEntity: faq.map((q) => ({
          '@type': 'Question', name: q.question, acceptedAnswer: { '@type': 'Answer', text: q.answer },
        })),
      } : {}),
    });
    graph.push({
      '@type': 'BreadcrumbList', '@id': `${url}#breadcrumb`,
      itemListElement: crumbs.map((c, i) => ({ '@type': 'ListItem', position: i + 1, name: c.name, item: c.item })),
    });
  }
  // '<' escaped so page text can never close the script element.
  return JSON.stringify({ '@context': 'https://schema.org', '@graph': graph }).replace(/</g, '\\u003c');
}
