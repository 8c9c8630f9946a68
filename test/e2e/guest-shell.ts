/**
 * A shell in the tiny guest (../shared/tools/make-tiny-guest.sh: busybox `telnetd -l /bin/sh` on
 * port 23, test subnet only), as an admin would type into it: one command line, its output and
 * its exit status. Telnet option negotiation is refused or ignored (busybox works without it).
 */
import { connect } from 'node:net';

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;

/** The bytes of `data` without telnet commands (IAC sequences and sub-negotiations). */
export function stripTelnet(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b !== IAC) {
      out.push(b);
      continue;
    }
    const cmd = data[i + 1];
    if (cmd === IAC) {
      out.push(IAC);
      i++;
    } else if (cmd === SB) {
      while (i < data.length && !(data[i] === IAC && data[i + 1] === SE)) i++;
      i++;
    } else if (cmd !== undefined && cmd >= 0xfb && cmd <= 0xfe) i += 2;
    else i++;
  }
  return Buffer.from(out);
}

/** The text between the start and end markers the wrapped command printed, and its status. */
export function parseRun(text: string, tag: string): { out: string; code: number } | undefined {
  const clean = text.replace(/\r/g, '');
  const begin = clean.search(new RegExp(`^${tag}-BEGIN$`, 'm'));
  const end = new RegExp(`^${tag}-END (\\d+)$`, 'm').exec(clean);
  if (begin < 0 || !end || end.index < begin) return undefined;
  const out = clean.slice(begin + tag.length + '-BEGIN\n'.length, end.index);
  return { out: out.replace(/\n$/, ''), code: Number(end[1]) };
}

let runs = 0;

/** Runs `command` in the guest's shell at `ip`; rejects when it cannot connect or within `ms`. */
export function guestRun(ip: string, command: string, ms = 60_000): Promise<{ out: string; code: number }> {
  const tag = `TGRUN${process.pid}x${++runs}`;
  // The markers are split by quotes so that the terminal's echo of the line never matches them.
  const split = `${tag.slice(0, 3)}""${tag.slice(3)}`;
  const line = `echo ${split}-BEGIN; ${command}; echo ${split}-END $?\n`;
  return new Promise((resolve, reject) => {
    let text = '';
    const sock = connect({ host: ip, port: 23 }, () => sock.write(line));
    const timer = setTimeout(() => sock.destroy(new Error(`guest ${ip}: no end of \`${command}\` within ${ms / 1000} s; got: ${text.slice(-400)}`)), ms);
    sock.on('data', (d: Buffer) => {
      text += stripTelnet(d).toString('latin1');
      const r = parseRun(text, tag);
      if (r) {
        clearTimeout(timer);
        sock.end('exit\n');
        sock.destroy();
        resolve(r);
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`guest ${ip}: the shell closed before \`${command}\` ended; got: ${text.slice(-400)}`));
    });
  });
}

/** `guestRun`, retried while the guest's telnetd is not up yet; the command must exit 0. */
export async function guestOk(ip: string, command: string, ms = 120_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await guestRun(ip, command, Math.max(5_000, end - Date.now()));
      if (r.code !== 0) throw Object.assign(new Error(`guest ${ip}: \`${command}\` exited ${r.code}: ${r.out}`), { final: true });
      return r.out;
    } catch (err) {
      if ((err as { final?: boolean }).final || Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
