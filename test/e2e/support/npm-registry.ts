/**
 * A one-package npm registry on 127.0.0.1: serves a packed tarball as `<name>@<version>`, so the
 * real Claude Code can install a plugin whose marketplace source is `{"source": "npm", ...}`
 * offline. Claude Code runs npm for it and accepts an http registry when it is npm's default
 * (npm_config_registry in its environment).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

export interface LocalRegistry {
  url: string;
  /** Paths requested so far (to prove the plugin came from here). */
  requests: string[];
  close(): Promise<void>;
}

export async function startNpmRegistry(name: string, version: string, tarball: string): Promise<LocalRegistry> {
  const tgz = readFileSync(tarball);
  const requests: string[] = [];
  let server: Server;
  const url = await new Promise<string>((resolve) => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const file = `/${name}/-/${name}-${version}.tgz`;
      if (req.url === `/${name}`) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            name,
            'dist-tags': { latest: version },
            versions: {
              [version]: {
                name,
                version,
                dist: {
                  tarball: `${base}${file}`,
                  shasum: createHash('sha1').update(tgz).digest('hex'),
                  integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
                },
              },
            },
          }),
        );
      } else if (req.url === file) {
        res.setHeader('content-type', 'application/octet-stream');
        res.end(tgz);
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/`));
  });
  return { url, requests, close: () => new Promise((r) => server.close(() => r())) };
}
