// The template's own words (skip link, landmarks, 404), in the site's language; English otherwise.
export interface Strings {
  skip: string; mainNav: string; footerNav: string; breadcrumb: string; home: string;
  notFoundTitle: string; notFoundBody: string; backHome: string;
}

const STRINGS: Record<string, Strings> = {
  en: { skip: 'Skip to content', mainNav: 'Main', footerNav: 'Footer', breadcrumb: 'Breadcrumb', home: 'Home',
        notFoundTitle: 'Page not found', notFoundBody: 'The page you are looking for does not exist or has moved.',
        backHome: 'Go to the home page' },
  de: { skip: 'Zum Inhalt springen', mainNav: 'Hauptmenü', footerNav: 'Fußzeile', breadcrumb: 'Brotkrümelnavigation',
        home: 'Startseite', notFoundTitle: 'Seite nicht gefunden',
        notFoundBody: 'Die gesuchte Seite gibt es nicht oder sie ist umgezogen.', backHome: 'Zur Startseite' },
  fr: { skip: 'Aller au contenu', mainNav: 'Menu principal', footerNav: 'Pied de page', breadcrumb: "Fil d'Ariane",
        home: 'Accueil', notFoundTitle: 'Page introuvable',
        notFoundBody: "La page que vous cherchez n'existe pas ou a été déplacée.", backHome: "Aller à la page d'accueil" },
  es: { skip: 'Saltar al contenido', mainNav: 'Menú principal', footerNav: 'Pie de página', breadcrumb: 'Ruta de navegación',
        home: 'Inicio', notFoundTitle: 'Página no encontrada',
        notFoundBody: 'La página que busca no existe o se ha movido.', backHome: 'Ir a la página de inicio' },
  it: { skip: 'Vai al contenuto', mainNav: 'Menu principale', footerNav: 'Piè di pagina', breadcrumb: 'Percorso',
        home: 'Home', notFoundTitle: 'Pagina non trovata',
        notFoundBody: 'La pagina che cerchi non esiste o è stata spostata.', backHome: 'Vai alla home page' },
  nl: { skip: 'Naar de inhoud', mainNav: 'Hoofdmenu', footerNav: 'Voettekst', breadcrumb: 'Kruimelpad', home: 'Home',
        notFoundTitle: 'Pagina niet gevonden', notFoundBody: 'De pagina die u zoekt bestaat niet of is verplaatst.',
        backHome: 'Naar de startpagina' },
  pt: { skip: 'Ir para o conteúdo', mainNav: 'Menu principal', footerNav: 'Rodapé', breadcrumb: 'Navegação estrutural',
        home: 'Início', notFoundTitle: 'Página não encontrada',
        notFoundBody: 'A página que procura não existe ou foi movida.', backHome: 'Ir para a página inicial' },
};

export function stringsFor(lang: string): Strings {
  return STRINGS[lang.toLowerCase().split('-')[0]] ?? STRINGS.en;
}
