/**
 * oned's log, in OpenNebula's line format so admins' grep habits keep working:
 * `Sun Nov 22 03:12:10 2026 [Z0][ReM][D]: message`.
 */
import { LogFile } from './log-file.js';

/** OpenNebula's DEBUG_LEVEL values. */
export const LogLevel = { ERROR: 0, WARNING: 1, INFO: 2, DEBUG: 3, DDEBUG: 4, DDDEBUG: 5 } as const;
export type LogLevelValue = (typeof LogLevel)[keyof typeof LogLevel];

const LETTERS = ['E', 'W', 'I', 'D', 'D', 'D'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** OpenNebula's local time format, as in log lines and error attributes: `Sun Nov 22 03:12:10 2026`. */
export function timestamp(d: Date): string {
  const p = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

export class Logger {
  private constructor(
    private readonly level: LogLevelValue,
    private readonly write: (line: string) => void,
    private readonly file?: LogFile,
  ) {}

  /** A logger appending to a file (created if missing); see LogFile for how it survives its disk. */
  static toFile(path: string, level: LogLevelValue): Logger {
    const file = new LogFile(path, (text) => `${timestamp(new Date())} [Z0][ONE][E]: ${text}\n`);
    return new Logger(level, (line) => file.add(line), file);
  }

  /** A logger writing to standard error (a tool run without a log file). */
  static toStderr(level: LogLevelValue): Logger {
    return new Logger(level, (line) => void process.stderr.write(line));
  }

  /** Whether messages of this level are written; lets callers skip building costly messages. */
  enabled(level: LogLevelValue): boolean {
    return level <= this.level;
  }

  /** Writes one line for `module` (three letters, as OpenNebula's ReM, AuM, ONE...). */
  log(module: string, level: LogLevelValue, message: string): void {
    if (level > this.level) return;
    this.write(`${timestamp(new Date())} [Z0][${module}][${LETTERS[level]}]: ${message}\n`);
  }

  error(module: string, message: string): void {
    this.log(module, LogLevel.ERROR, message);
  }
  warn(module: string, message: string): void {
    this.log(module, LogLevel.WARNING, message);
  }
  info(module: string, message: string): void {
    this.log(module, LogLevel.INFO, message);
  }
  debug(module: string, message: string): void {
    this.log(module, LogLevel.DEBUG, message);
  }

  /** Flushes and closes the file, if any. */
  close(): Promise<void> {
    return this.file?.close() ?? Promise.resolve();
  }
}
