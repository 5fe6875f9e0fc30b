-- The shared request budget in one round trip: every vendor call took a transaction of five
-- statements per window (bucket row, its lock, pruning, the count, the hit), which cost as much
-- as the request itself when a fleet plan reads a thousand zones. Same rules, one call; `p_n`
-- requests are taken at once (a batch of queries), or none.
create or replace function public.rate_limit_take(p_buckets text[], p_limits integer[],
                                                  p_spans double precision[], p_n integer default 1)
returns double precision
language plpgsql
set search_path = ''
as $$
declare
    i integer;
    seen integer;
    until_free double precision;
    longest double precision := 0;
begin
    -- Callers pass the buckets sorted: a fixed lock order across processes.
    for i in 1 .. coalesce(array_length(p_buckets, 1), 0) loop
        insert into public.rate_limit_buckets (bucket) values (p_buckets[i]) on conflict do nothing;
        perform 1 from public.rate_limit_buckets where bucket = p_buckets[i] for update;
        delete from public.rate_limit_hits
         where bucket = p_buckets[i] and at <= clock_timestamp() - make_interval(secs => p_spans[i]);
        select count(*),
               coalesce(extract(epoch from (
                   (select h.at from public.rate_limit_hits h where h.bucket = p_buckets[i]
                     order by h.at desc offset p_limits[i] - p_n limit 1)
                   + make_interval(secs => p_spans[i]) - clock_timestamp())), 0)
          into seen, until_free
          from public.rate_limit_hits where bucket = p_buckets[i];
        if seen + p_n > p_limits[i] then
            longest := greatest(longest, until_free, 0.001);
        end if;
    end loop;
    if longest > 0 then
        return longest;  -- nothing taken: every window must have room at once
    end if;
    insert into public.rate_limit_hits (bucket, at)
    select b, clock_timestamp() from unnest(p_buckets) b, generate_series(1, p_n);
    return 0;
end
$$;
