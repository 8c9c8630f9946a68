#!/usr/bin/env node
// `npm start`: runs `oned -f` in the foreground and, once it serves, makes sure the cloud has a
// host to run VMs on, as an admin's first `onehost create localhost` would: the front-end
// itself, with the dummy drivers until a real hypervisor is configured. Then it starts the
// operations center (`sunstone-server`, http://127.0.0.1:9869/ by default) beside oned, a
// client of it like any other, OneFlow (`oneflow-server`, http://127.0.0.1:2474/), the
// services of the cloud, the EC2 Query API (`econe-server`, http://127.0.0.1:4567/) for the
// AWS tools, the OCCI server (`occi-server`, http://127.0.0.1:4568/), and the Prometheus exporter
// (`opennebula-exporter`, http://127.0.0.1:9925/metrics). Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { XmlRpcClient } from '../dist/src/rpc/xmlrpc/index.js';

const oned = spawn(process.execPath, ['dist/src/oned/main.js', '-f'], { stdio: ['inherit', 'pipe', 'inherit'] });
let sunstone = null;
let oneflow = null;
let occi = null;
let econe = null;
let exporter = null;
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { sunstone?.kill(sig); oneflow?.kill(sig); econe?.kill(sig); occi?.kill(sig); exporter?.kill(sig); oned.kill(sig); });
oned.on('exit', (code) => { sunstone?.kill('SIGTERM'); oneflow?.kill('SIGTERM'); econe?.kill('SIGTERM'); occi?.kill('SIGTERM'); exporter?.kill('SIGTERM'); process.exit(code ?? 1); });

let output = '';
oned.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (output === null) return;
  output += chunk.toString();
  const endpoint = /serving the XML-RPC API at (\S+)/.exec(output)?.[1];
  const credentials = /oneadmin's credentials: (\S+)/.exec(output)?.[1];
  if (endpoint && credentials) {
    output = null;
    addLocalHost(endpoint, credentials)
      .catch((err) => console.error(`could not add the local host: ${err.message}`))
      .finally(() => {
        startSunstone(endpoint, credentials);
        startOneFlow(endpoint, credentials);
        startEcone(endpoint, credentials);
        startOcci(endpoint);
        startExporter(endpoint, credentials);
      });
  }
});

// The operations center finds oned as every client does: ONE_XMLRPC and ONE_AUTH.
function startSunstone(endpoint, credentialsFile) {
  sunstone = spawn(process.execPath, ['dist/src/ui/server/main.js'], {
    stdio: 'inherit',
    env: { ...process.env, ONE_XMLRPC: endpoint, ONE_AUTH: credentialsFile, ONE_LOCATION: process.env.ONE_LOCATION ?? 'var' },
  });
  sunstone.on('exit', (code, signal) => {
    if (signal === null && code !== 0) console.error(`sunstone-server exited with ${code}; oned keeps running`);
  });
}

// OneFlow acts as serveradmin ($ONE_LOCATION/.one/oneflow_auth, which oned writes), else ONE_AUTH.
function startOneFlow(endpoint, credentialsFile) {
  oneflow = spawn(process.execPath, ['dist/src/flow/main.js'], {
    stdio: 'inherit',
    env: { ...process.env, ONE_XMLRPC: endpoint, ONE_AUTH: credentialsFile, ONE_LOCATION: process.env.ONE_LOCATION ?? 'var' },
  });
  oneflow.on('exit', (code, signal) => {
    if (signal === null && code !== 0) console.error(`oneflow-server exited with ${code}; oned keeps running`);
  });
}

// The EC2 API acts as serveradmin ($ONE_LOCATION/.one/ec2_auth, which oned writes), else ONE_AUTH.
function startEcone(endpoint, credentialsFile) {
  econe = spawn(process.execPath, ['dist/src/cloud/ec2/main.js'], {
    stdio: 'inherit',
    env: { ...process.env, ONE_XMLRPC: endpoint, ONE_AUTH: credentialsFile, ONE_LOCATION: process.env.ONE_LOCATION ?? 'var' },
  });
  econe.on('exit', (code, signal) => {
    if (signal === null && code !== 0) console.error(`econe-server exited with ${code}; oned keeps running`);
  });
}

// The OCCI server has no account of its own: each request acts as the user it authenticates.
function startOcci(endpoint) {
  occi = spawn(process.execPath, ['dist/src/cloud/occi/bin/occi-server.js'], {
    stdio: 'inherit',
    env: { ...process.env, ONE_XMLRPC: endpoint, ONE_LOCATION: process.env.ONE_LOCATION ?? 'var' },
  });
  occi.on('exit', (code, signal) => {
    if (signal === null && code !== 0) console.error(`occi-server exited with ${code}; oned keeps running`);
  });
}

// The Prometheus exporter reads the pools as oneadmin (ONE_AUTH).
function startExporter(endpoint, credentialsFile) {
  exporter = spawn(process.execPath, ['dist/src/monitor/exporter/main.js'], {
    stdio: 'inherit',
    env: { ...process.env, ONE_XMLRPC: endpoint, ONE_AUTH: credentialsFile, ONE_LOCATION: process.env.ONE_LOCATION ?? 'var' },
  });
  exporter.on('exit', (code, signal) => {
    if (signal === null && code !== 0) console.error(`opennebula-exporter exited with ${code}; oned keeps running`);
  });
}

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
