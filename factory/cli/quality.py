"""`factory quality ...`: the fleet's quality (near-duplicate content)."""

from __future__ import annotations

import json

import typer

from factory.cli.common import friendly_errors, shown, store

app = typer.Typer(help="The fleet's quality: near-duplicate content across sites.", no_args_is_help=True)


@app.command("duplicates")
@friendly_errors
def duplicates(domain: str = typer.Option(None, "--site", help="Only the pairs this site is in."),
               as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Pairs of sites whose published pages are near-duplicates, as the last check found them
    (the `fleet_near_duplicates` asset, daily; regenerate one with site_content's `differ`)."""
    pairs = store().quality.duplicates(domain)
    if as_json:
        typer.echo(json.dumps([{"a": p.a, "b": p.b, "jaccard": p.jaccard, "max_page_jaccard": p.max_page_jaccard,
                                "pages": p.pages, "found_at": p.found_at} for p in pairs], indent=2, default=str))
        return
    for p in pairs:
        pages = ", ".join(f"{x['slug_a']}~{x['slug_b']} {x['jaccard']:.2f}" for x in p.pages[:3])
        typer.echo(f"{p.a:<32} {p.b:<32} page {p.max_page_jaccard:.2f}  site {p.jaccard:.2f}  ({shown(pages)})")
    typer.echo(f"{len(pairs)} near-duplicate pair(s)")
