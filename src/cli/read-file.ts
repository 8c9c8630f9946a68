/** Template files named on the command line (`oneuser quota ann quota.txt`), `-` for stdin. */
import { readFileSync } from 'node:fs';
import { CliError } from './command.js';

/** The text of `file`; a CliError naming the file and the reason when it cannot be read. */
export function readTemplateFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(`Cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}
