// One classic script a library adds with a <script> tag: an IIFE, no chunks, no eval.
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    lib: { entry: "src/main.ts", name: "RefdeskChat", formats: ["iife"], fileName: () => "refdesk-chat.js" },
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    minify: true,
  },
});
