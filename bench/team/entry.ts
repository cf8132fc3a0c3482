// What bench/team.mjs needs from the source, bundled at bench time by esbuild (the same code `serve` runs).
export { Intercom } from '../../src/core/intercom.js';
export { newMessageId } from '../../src/core/ids.js';
export { processStart } from '../../src/os/proc.js';
export { FsStore } from '../../src/store/fs/fs-store.js';
export { RedisStore } from '../../src/store/redis/redis-store.js';
export { Relay } from '../../src/store/redis/relay.js';
export { RespClient } from '../../src/store/redis/resp.js';
export { TeamStore } from '../../src/store/redis/team-store.js';
export { parseBackendUrl } from '../../src/store/redis/url.js';
