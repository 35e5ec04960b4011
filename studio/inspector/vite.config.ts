import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs, so the page also works behind a path prefix.
  base: "./",
  // The timeline reuses the agent's own code-fence parser (src/graph/extract-code.ts).
  server: { host: "127.0.0.1", fs: { allow: ["../.."] } },
  build: { outDir: "dist", emptyOutDir: true },
});
