// One build renders a whole batch of sites: every route lives under /<site key>/ and the
// factory splits dist/<site key>/ into one directory per domain (see docs/content.md).
// Each site's output must be self-contained, so styles are inlined and no client JS is bundled.
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';

// Astro writes /<key>/404 as <key>/404/index.html; web servers look for <root>/404.html.
const statusPages = {
  name: 'factory-status-pages',
  hooks: {
    'astro:build:done': async ({ dir }) => {
      const out = fileURLToPath(dir);
      for (const key of await readdir(out)) {
        const page = join(out, key, '404', 'index.html');
        if (!existsSync(page)) continue;
        await rename(page, join(out, key, '404.html'));
        await rm(join(out, key, '404'), { recursive: true });
      }
    },
  },
};

export default defineConfig({
  output: 'static',
  outDir: process.env.FACTORY_BUILD_OUT ?? './dist',
  cacheDir: process.env.FACTORY_BUILD_CACHE ?? './node_modules/.astro',
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'always' },
  compressHTML: true,
  devToolbar: { enabled: false },
  integrations: [statusPages],
  vite: { logLevel: 'warn' },
});
