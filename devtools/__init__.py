"""Dev-only tools: the vendor simulators (`devtools.sandbox`), the local stack behind `factory up`,
the local Directus runner and helpers that execute Dagster runs in worker processes.

Not part of the production wheel or image: the product never imports this package, only the
`factory up` / `factory demo` commands (which say so when it is missing), the tests and `bench/`.
"""
