-- Hub API: failed operator sign-ins, shared by every worker and process of the Hub.

-- product: one row per sign-in attempt that has not (yet) succeeded, kept for 15 minutes.
-- An attempt is written before the password is checked and deleted when it succeeds, so
-- parallel guesses count too. `account` is a SHA-256 of the lower-cased email (emails typed
-- into a sign-in form are sometimes passwords), `client` the address the Hub vouches for.
create table public.sign_in_attempts (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    account bytea not null,
    client text not null
);
alter table public.sign_in_attempts enable row level security;

create index sign_in_attempts_client_idx on public.sign_in_attempts (client, at);
create index sign_in_attempts_at_idx on public.sign_in_attempts (at);
