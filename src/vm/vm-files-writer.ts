/**
 * The thread that writes the files of the VM directories (`var/vms/<id>/`): vm.log lines,
 * deployment and transfer files. oned sends it one message per event-loop turn with every write
 * of that turn, and it writes them with synchronous calls, in order. Done on oned's thread with
 * callback fs, each file cost four thread-pool requests (mkdir, open, write, close) and their
 * callbacks: about a third of oned's CPU during a create or deploy storm.
 *
 * Message in: `{ id, ops }`, `ops` flat: `dir, name, text, mode` per write (mode 0 appends, 1
 * replaces). Reply: `{ id, result }`, result the failed writes as `index, message` pairs, or
 * undefined when all were written.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export type FileOps = (string | number)[];
export type FileFailures = (string | number)[] | undefined;

export const APPEND = 0;
export const REPLACE = 1;

/** Writes `ops` (see above); `made` holds the directories known to exist. */
export function writeAll(ops: FileOps, made: Set<string>): FileFailures {
  let failed: FileFailures;
  for (let i = 0; i < ops.length; i += 4) {
    const dir = ops[i] as string;
    try {
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeOne(`${dir}/${ops[i + 1] as string}`, ops[i + 2] as string, ops[i + 3] === APPEND, dir);
    } catch (error) {
      (failed ??= []).push(i / 4, String((error as Error).message ?? error));
    }
  }
  return failed;
}

function writeOne(path: string, text: string, append: boolean, dir: string): void {
  const write = append ? appendFileSync : writeFileSync;
  try {
    write(path, text);
  } catch (error) {
    // The directory was removed since it was made (a VM's files cleaned up): make it again.
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true });
    write(path, text);
  }
}

if (parentPort && (workerData as { vmFilesWriter?: boolean } | undefined)?.vmFilesWriter) {
  const port = parentPort;
  const made = new Set<string>();
  port.on('message', (m: { id: number; ops: FileOps } | { close: true }) => {
    if ('close' in m) return port.close();
    port.postMessage({ id: m.id, result: writeAll(m.ops, made) });
  });
}
