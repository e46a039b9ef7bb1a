// esbuild bundles the stylesheets the page imports (into main.css).
declare module "*.css";
