// Stylesheets are bundled by esbuild, not type-checked.
declare module '*.css';
