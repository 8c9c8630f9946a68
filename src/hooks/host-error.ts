#!/usr/bin/env node
/**
 * The host failure hook (`remotes/hooks/ft/host_error`), an API client of oned: when a host goes
 * ERROR, what to do with the VMs it ran.
 *
 *     HOST_HOOK = [ NAME = "error", ON = "ERROR", COMMAND = "ft/host_error", ARGUMENTS = "$ID -r" ]
 *
 *   host_error <host_id> (-r | -d | -m) [-p <seconds>]
 *     -r  recreate: each VM of the host is deleted there and queued again (PENDING, same id),
 *         so the scheduler (or an admin's one.vm.deploy) starts it on a healthy host
 *     -d  delete: each VM of the host is deleted
 *     -m  migrate: each VM is flagged for rescheduling (resched), and the scheduler moves it
 *         (from UNKNOWN, a cold migration: for datastores shared between the hosts)
 *     -p  wait this long first, and act only if the host is still in ERROR (a transient network
 *         problem then costs nothing)
 *
 * Credentials and endpoint as every OpenNebula client finds them: ONE_AUTH (a file with
 * `user:password`, default ~/.one/one_auth) and ONE_XMLRPC (default http://localhost:2633/RPC2);
 * oned passes both to the hooks it runs.
 */
import { parseArgs } from 'node:util';
import { Oca } from '../oca/index.js';

/** one.vm.recover operations. */
const RECOVER = { delete: 3, recreate: 4 } as const;
const HOST_ERROR = 3;
const VM_DONE = 6;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { recreate: { type: 'boolean', short: 'r' }, delete: { type: 'boolean', short: 'd' }, migrate: { type: 'boolean', short: 'm' }, pause: { type: 'string', short: 'p' } },
    allowPositionals: true,
  });
  const hostId = Number(positionals[0]);
  const modes = [values.recreate, values.delete, values.migrate].filter(Boolean).length;
  if (!Number.isInteger(hostId) || modes !== 1) throw new Error('usage: host_error <host_id> (-r | -d | -m) [-p <seconds>]');
  const pause = Number(values.pause ?? 0);
  if (!(pause >= 0)) throw new Error(`-p: seconds, not "${values.pause}"`);
  const op = values.recreate ? RECOVER.recreate : RECOVER.delete;
  const one = new Oca();
  try {
    if (pause > 0) await new Promise((r) => setTimeout(r, pause * 1000));
    const host = await one.hosts.info(hostId);
    if (host.state !== HOST_ERROR) {
      console.log(`host ${hostId} is no longer in ERROR: nothing done`);
      return;
    }
    const done: number[] = [];
    for (const id of host.ids('VMS')) {
      if ((await one.vms.info(id)).state === VM_DONE) continue;
      if (values.migrate) await one.vms.action('resched', id);
      else await one.vms.recover(id, op);
      done.push(id);
    }
    console.log(`host ${hostId}: ${values.migrate ? 'flagged for rescheduling' : values.recreate ? 'recreated' : 'deleted'} VMs ${done.join(',') || 'none'}`);
  } finally {
    one.close();
  }
}

main().catch((err: unknown) => {
  console.error(`ERROR MESSAGE --8<------\n${(err as Error).message}\nERROR MESSAGE ------>8--`);
  process.exit(1);
});
