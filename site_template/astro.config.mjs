// One build renders a whole batch of sites: every route lives under /<site key>/ and the
// factory splits dist/<site key>/ into one directory per domain (see docs/content.md).
// Each site's output must be self-contained, so styles are inlined and no client JS is bundled.
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  outDir: process.env.FACTORY_BUILD_OUT ?? './dist',
  cacheDir: process.env.FACTORY_BUILD_CACHE ?? './node_modules/.astro',
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'always' },
  compressHTML: true,
  devToolbar: { enabled: false },
  vite: { logLevel: 'warn' },
});
