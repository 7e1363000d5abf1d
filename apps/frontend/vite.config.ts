import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The backend serves dist/ at `/` under a strict CSP (script-src 'self'), so the build must not
// inline scripts; `vite dev` proxies the API and socket to a backend on :3000.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
