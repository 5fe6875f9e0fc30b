-- Hub API: revoke an operator's tokens by bumping a version the tokens carry.

-- product: every token names the version it was issued at; the Hub refuses a token whose
-- version is not the operator's current one. A trigger bumps it whenever the password, the
-- email or `disabled` changes, whichever program or SQL statement changes them.
alter table public.operators add column token_version integer not null default 1;

create function public.operators_bump_token_version() returns trigger
language plpgsql as $$
begin
    if new.password_hash is distinct from old.password_hash
       or new.email is distinct from old.email
       or new.disabled is distinct from old.disabled then
        new.token_version := old.token_version + 1;
    end if;
    return new;
end;
$$;

create trigger operators_token_version before update on public.operators
    for each row execute function public.operators_bump_token_version();
