#!/usr/bin/env node
// A minimal stdio MCP server for the fact probes (no SDK: raw JSON-RPC lines).
// On start it writes {pid, ppid, env, argv} to the file named by argv[2]. Tool `echo` returns
// "echo: <text>" and appends each call to <file>.calls.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const out = process.argv[2];
if (out) writeFileSync(out, JSON.stringify({ pid: process.pid, ppid: process.ppid, env: process.env, argv: process.argv }));

const send = (msg) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n');

createInterface({ input: process.stdin }).on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  if (req.id === undefined) return; // notification
  switch (req.method) {
    case 'initialize':
      send({
        id: req.id,
        result: {
          protocolVersion: req.params?.protocolVersion ?? '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'probe', version: '0.0.0' },
        },
      });
      break;
    case 'tools/list':
      send({
        id: req.id,
        result: {
          tools: [
            {
              name: 'echo',
              description: 'Echo the text back',
              inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
            },
          ],
        },
      });
      break;
    case 'tools/call': {
      const text = String(req.params?.arguments?.text ?? '');
      if (out) appendFileSync(`${out}.calls`, JSON.stringify({ text, meta: req.params?._meta ?? null }) + '\n');
      send({ id: req.id, result: { content: [{ type: 'text', text: `echo: ${text}` }] } });
      break;
    }
    default:
      send({ id: req.id, error: { code: -32601, message: `no method ${req.method}` } });
  }
});
