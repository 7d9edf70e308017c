import { defineConfig } from "vite";

// The host serves dist/ at /chat/ (Demo:WebChatPath), so every asset is asked for under it.
export default defineConfig({
  base: "/chat/",
  build: { outDir: "dist", emptyOutDir: true },
});
