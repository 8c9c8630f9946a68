#!/usr/bin/env node
// `npm start`: runs `oned -f` in the foreground and, once it serves, makes sure the cloud has a
// host to run VMs on, as an admin's first `onehost create localhost` would: the front-end
// itself, with the dummy drivers until a real hypervisor is configured. Ctrl-C
// stops oned.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { XmlRpcClient } from '../dist/src/rpc/xmlrpc/index.js';

const oned = spawn(process.execPath, ['dist/src/oned/main.js', '-f'], { stdio: ['inherit', 'pipe', 'inherit'] });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => oned.kill(sig));
oned.on('exit', (code) => process.exit(code ?? 1));

let output = '';
oned.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (output === null) return;
  output += chunk.toString();
  const endpoint = /serving the XML-RPC API at (\S+)/.exec(output)?.[1];
  const credentials = /oneadmin's credentials: (\S+)/.exec(output)?.[1];
  if (endpoint && credentials) {
    output = null;
    addLocalHost(endpoint, credentials).catch((err) => console.error(`could not add the local host: ${err.message}`));
  }
});

async function addLocalHost(endpoint, credentialsFile) {
  const session = readFileSync(credentialsFile, 'utf8').trim();
  const client = new XmlRpcClient(endpoint);
  try {
    const [ok, pool] = await client.call('one.hostpool.info', [session]);
    if (!ok) throw new Error(String(pool));
    if (/<NAME>localhost<\/NAME>/.test(String(pool))) return;
    const [created, id] = await client.call('one.host.allocate', [session, 'localhost', 'dummy', 'dummy', -1]);
    if (!created) throw new Error(String(id));
    console.log(`added host localhost (${id}) with the dummy drivers`);
  } finally {
    client.close();
  }
}
