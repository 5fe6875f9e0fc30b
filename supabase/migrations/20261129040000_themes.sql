-- Sites worth visiting ([7/8]): each site's theme (the operator's choice, "name" or
-- "name/variation"; null: picked deterministically from the domain) and language.
alter table public.sites
    add column theme text constraint sites_theme_format check (theme ~ '^[a-z]+(/[a-z]+)?$'),
    add column lang text not null default 'en'
        constraint sites_lang_format check (lang ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$');
