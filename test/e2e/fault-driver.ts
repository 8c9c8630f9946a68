/**
 * A driver that misbehaves on purpose, for the fault tests (test/e2e/fault-drivers.test.ts). It
 * runs a real driver and relays oned's requests and the driver's answers, except for the actions
 * its control file names. Run as `fault-driver.js <control.json> <driver.js> [args...]`; the
 * control file maps protocol actions to faults and is read on every request, so a test changes
 * the next fault while the driver runs:
 *
 *   hang       the request is swallowed: never answered
 *   exit       the process exits (code 3) on receiving the request
 *   kill       the process kills itself with SIGKILL on receiving the request
 *   garbage    invalid lines (not messages, bad ids, binary) before the answer, a runaway line after it
 *   wrongid    the answer carries another id
 *   badbase64  the answer's info is replaced by text that is not base64
 *   binary     the answer's info is replaced by base64 of random bytes
 *   partial    the answer less its last two characters is written, without its line break, and the process dies
 *
 * It writes its pid to `<control.json>.pid`, so a test can kill -9 it from outside.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [control, ...inner] = process.argv.slice(2);
if (!control || inner.length === 0) {
  process.stderr.write('usage: fault-driver.js <control.json> <driver.js> [args...]\n');
  process.exit(2);
}
writeFileSync(`${control}.pid`, String(process.pid));

/** Longer than oned accepts (MAX_LINE, 64 MiB). */
const RUNAWAY_BYTES = 65 * 1024 * 1024;

function faults(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(control!, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

const out = (s: string) => process.stdout.write(s);
/** Faults applied to the answer of `ACTION id`. */
const onAnswer = new Map<string, string>();

const child = spawn(process.execPath, inner, { stdio: ['pipe', 'pipe', 'inherit'] });
child.on('exit', (code) => process.exit(code ?? 1));

createInterface({ input: process.stdin }).on('line', (line) => {
  const [action = '', id = ''] = line.trim().split(/\s+/);
  const fault = faults()[action];
  switch (fault) {
    case 'hang':
      return;
    case 'exit':
      process.exit(3);
    case 'kill':
      process.kill(process.pid, 'SIGKILL');
      return;
    case 'garbage':
      out('this is not a message\n');
      out(`${action} MAYBE ${id} x\n`);
      out(`${action} SUCCESS notanumber x\n`);
      out(`LOG Q twelve text\n`);
      out('\u0000\u0001\u00ff\ufffd\r\n');
      onAnswer.set(`${action} ${id}`, 'runaway');
      break;
    case undefined:
      break;
    default:
      onAnswer.set(`${action} ${id}`, fault);
  }
  child.stdin.write(`${line}\n`);
});
process.stdin.on('end', () => child.stdin.end());

createInterface({ input: child.stdout }).on('line', (line) => {
  const [action = '', result = '', id = ''] = line.split(' ', 3);
  const key = `${action} ${id}`;
  const fault = onAnswer.get(key);
  if (fault === undefined || (result !== 'SUCCESS' && result !== 'FAILURE')) {
    out(`${line}\n`);
    return;
  }
  onAnswer.delete(key);
  switch (fault) {
    case 'wrongid':
      out(`${action} ${result} ${Number(id) - 1} ${line.split(' ').slice(3).join(' ')}\n`);
      break;
    case 'badbase64':
      out(`${action} ${result} ${id} %%this-is-not-base64%%\n`);
      break;
    case 'binary':
      out(`${action} ${result} ${id} ${randomBytes(48).toString('base64')}\n`);
      break;
    case 'runaway':
      // After the answer: reading it takes oned seconds, which the answer must not wait for.
      out(`${line}\n`);
      out(`${'z'.repeat(RUNAWAY_BYTES)}\n`);
      break;
    case 'partial':
      out(line.slice(0, -2));
      child.kill('SIGKILL');
      process.stdout.end(() => process.exit(0));
      break;
    default:
      out(`${line}\n`);
  }
});
