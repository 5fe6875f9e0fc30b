"""Content, build and deploy logic with no Dagster in it: prompts, the site-plan schema,
hashing, the Directus client, the batched Astro build and the atomic rsync release."""
