// The Redis contract suite again, over TLS (rediss://) with a CA and a certificate made at test time.
process.env.CI_REDIS_TLS = '1';
await import('./redis-store.test.js');
