// Copy the npm assets the templates use into xiaoneng/static/vendor. Government intranets have no
// CDN: every script is served by the site itself.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "xiaoneng", "static", "vendor");
mkdirSync(out, { recursive: true });
const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/echarts/dist/echarts.min.js", "echarts.min.js"],
];
for (const [src, dst] of files) {
  copyFileSync(join(here, src), join(out, dst));
  console.log(`vendor/${dst}`);
}
