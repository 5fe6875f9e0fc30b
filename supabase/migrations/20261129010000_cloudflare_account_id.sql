-- Convergence ([2/8]): each Cloudflare account's own id, kept with its token. Zones are created
-- in exactly this account; nothing on the onboarding path lists accounts (a least-privilege,
-- zone-scoped token cannot, and a token that sees several accounts would pick one at random).
alter table public.cloudflare_accounts
    add column account_id text
        constraint cloudflare_accounts_account_id_format check (account_id ~ '^[0-9a-f]{32}$');
