import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The console's front end, built into the package (dist/console) by `npm run build`: no CDN, no
// inline script or style (the server's Content-Security-Policy allows neither), no source maps.
// Run from the repository root as `vite build console`, so paths here are relative to console/.
export default defineConfig({
  base: '/',
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
