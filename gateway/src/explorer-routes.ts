import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { Logger, RouteHandler } from '@marketplace/platform';

/** Built by `pnpm --filter @marketplace/gateway build:explorer`; same path from src/ and dist/. */
const ASSETS_DIR = new URL('../dist/explorer/', import.meta.url);
const ASSETS: Record<string, string> = {
  'explorer.js': 'text/javascript; charset=utf-8',
  'explorer.css': 'text/css; charset=utf-8',
};

// Everything is served from here: the machine running it may have no internet access.
// GraphiQL sets inline styles and its CSS inlines fonts and icons as data: URLs.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** GraphiQL at /explorer, bundled from npm packages at build time, pointed at /graphql. */
export async function explorerRoutes(logger: Logger): Promise<Record<string, RouteHandler>> {
  const assets = await Promise.all(
    Object.entries(ASSETS).map(async ([file, type]) => {
      const body = await readFile(new URL(file, ASSETS_DIR)).catch(() => undefined);
      return { file, type, body };
    }),
  );
  const built = assets.every((a) => a.body);
  if (!built) logger.warn('explorer assets are missing: run pnpm build to bundle GraphiQL');
  const routes: Record<string, RouteHandler> = {
    '/explorer': (req, res) => serve(req.method, res, 'text/html; charset=utf-8', page(built)),
  };
  for (const { file, type, body } of assets) {
    if (body) routes[`/explorer/${file}`] = (req, res) => serve(req.method, res, type, body);
  }
  return routes;
}

function serve(method: string | undefined, res: ServerResponse, type: string, body: string | Buffer): void {
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  res.writeHead(200, {
    'content-type': type,
    'cache-control': 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

function page(built: boolean): string {
  const body = built
    ? '<div id="explorer"></div>\n    <script type="module" src="/explorer/explorer.js"></script>'
    : '<p>The explorer is not built. Run <code>pnpm build</code> and restart the gateway.</p>';
  // The empty data: icon stops the browser from asking for /favicon.ico.
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Marketplace GraphQL explorer</title>
    <link rel="icon" href="data:," />
    ${built ? '<link rel="stylesheet" href="/explorer/explorer.css" />' : ''}
  </head>
  <body>
    ${body}
  </body>
</html>
`;
}
