// A fresh process that connects to the engine, sends one command and exits: what any hook that
// went to the network would pay (bundled to one CommonJS file, like dist/hook.cjs).
import { RespClient } from '../../src/store/redis/resp.js';
import { parseBackendUrl } from '../../src/store/redis/url.js';

const address = parseBackendUrl(process.env.BENCH_URL ?? '');
RespClient.connect(address.connect)
  .then(async (c) => {
    await c.call(['EXISTS', `${address.prefix}:codes`]);
    c.close();
  })
  .catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
