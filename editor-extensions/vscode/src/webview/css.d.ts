// CSS imports are bundled by esbuild into dist/grid.css.
declare module '*.css';
