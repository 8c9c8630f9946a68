/**
 * The line protocol between oned and its driver processes (OpenNebula's MADs), one message per
 * `\n`-terminated line, fields separated by runs of blanks:
 *
 * - oned → driver: `INIT`, `FINALIZE`, `DRIVER_CANCEL <id>`, `<ACTION> <id> <arg>...`
 * - driver → oned: `<ACTION> <SUCCESS|FAILURE> <id> <info...>` (INFO is the rest of the line,
 *   `-` when empty) and `LOG <E|W|I|D> <id> <text...>`.
 *
 * Both sides of the codec live here: oned's `Driver` and the driver executables use it.
 */

/** Result field of a driver reply. */
export type Result = 'SUCCESS' | 'FAILURE';

/** Severity letter of a LOG line: error, warning, info, debug. */
export type Severity = 'E' | 'W' | 'I' | 'D';

/** A driver's answer to a request (or a message it sends on its own, such as monitoring). */
export interface Reply {
  readonly type: 'reply';
  readonly action: string;
  readonly result: Result;
  /** Object id the message is about; -1 when none. */
  readonly id: number;
  /** Rest of the line; '' when the driver sent `-` or nothing. */
  readonly info: string;
}

/** A `LOG` line: text for the log of object `id` (-1: oned's own log). */
export interface LogLine {
  readonly type: 'log';
  readonly severity: Severity;
  readonly id: number;
  readonly text: string;
}

/** A line that is not a protocol message; `reason` says why. */
export interface Garbage {
  readonly type: 'garbage';
  readonly line: string;
  readonly reason: string;
}

export type DriverLine = Reply | LogLine | Garbage;

/** A request as a driver process reads it. */
export interface Request {
  /** Upper-case action name. */
  readonly action: string;
  readonly id: number;
  readonly args: readonly string[];
}

const ACTION_NAME = /^[A-Z][A-Z0-9_]*$/;
const BLANK = /\s/;

/** Splits a line on runs of blanks (spaces, tabs), keeping at most `max` fields: the last one is
 * the untouched rest of the line. */
function fields(line: string, max: number): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    if (out.length === max - 1) {
      out.push(line.slice(i).trimEnd());
      break;
    }
    let j = i;
    while (j < n && line.charCodeAt(j) !== 32 && line.charCodeAt(j) !== 9) j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

/** An id field: an integer, or `-`/absent meaning -1 (OpenNebula's drivers send `-` for "none"). */
function parseId(field: string | undefined): number | undefined {
  if (field === undefined || field === '-') return -1;
  if (!/^-?\d{1,15}$/.test(field)) return undefined;
  return Number(field);
}

function garbage(line: string, reason: string): Garbage {
  return { type: 'garbage', line, reason };
}

/** Parses one line a driver wrote. Never throws: anything unexpected comes back as `Garbage`. */
export function parseDriverLine(raw: string): DriverLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const f = fields(line, 4);
  const action = f[0];
  if (action === undefined) return garbage(line, 'empty line');
  if (!ACTION_NAME.test(action)) return garbage(line, 'not an action name');
  if (action === 'LOG') {
    const id = parseId(f[2]);
    if (id === undefined) return garbage(line, 'LOG id is not a number');
    return { type: 'log', severity: severity(f[1]), id, text: f[3] ?? '' };
  }
  const result = f[1];
  if (result !== 'SUCCESS' && result !== 'FAILURE') return garbage(line, 'result is neither SUCCESS nor FAILURE');
  const id = parseId(f[2]);
  if (id === undefined) return garbage(line, 'id is not a number');
  const info = f[3] ?? '';
  return { type: 'reply', action, result, id, info: info === '-' ? '' : info };
}

/** Severity letter; anything unknown counts as info, as OpenNebula does. */
function severity(field: string | undefined): Severity {
  return field === 'E' || field === 'W' || field === 'D' ? field : 'I';
}

/**
 * A request line `ACTION ID ARG...`. Arguments are space-separated fields, so each must be a
 * non-empty run of non-blank characters: anything free-form (XML, templates, passwords) is sent
 * base64-encoded, as OpenNebula does.
 * @throws RangeError on a malformed action, id or argument (a line break or blank would let one
 * argument forge extra fields or whole messages).
 */
export function formatRequest(action: string, id: number, args: readonly string[]): string {
  if (!ACTION_NAME.test(action)) throw new RangeError(`invalid driver action name '${action}'`);
  if (!Number.isSafeInteger(id)) throw new RangeError(`invalid driver request id ${id}`);
  let line = `${action} ${id}`;
  for (const a of args) {
    if (a === '' || BLANK.test(a)) throw new RangeError(`driver argument ${JSON.stringify(a)} is empty or contains blanks`);
    line += ' ' + a;
  }
  return line + '\n';
}

/** Parses a request as a driver reads it, or undefined for a line that is not one. A missing id
 * reads as -1 (`INIT`, `FINALIZE`). */
export function parseRequest(raw: string): Request | undefined {
  const f = fields(raw.endsWith('\r') ? raw.slice(0, -1) : raw, Infinity);
  const action = f[0]?.toUpperCase();
  if (action === undefined || !ACTION_NAME.test(action)) return undefined;
  const id = parseId(f[1]);
  if (id === undefined) return undefined;
  return { action, id, args: f.slice(2) };
}

/** Line breaks inside a field would end the message early: they become blanks. */
function oneLine(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/\s*[\r\n]+\s*/g, ' ').trim() : text;
}

/** A driver's reply line. Multi-line `info` is joined with blanks; empty info is sent as `-`. */
export function formatReply(action: string, result: Result, id: number, info = ''): string {
  const text = oneLine(info).trim();
  return `${action} ${result} ${id} ${text === '' ? '-' : text}\n`;
}

/** LOG lines for `text`, one per non-blank line of it ('' when there is none). */
export function formatLog(severity: Severity, id: number, text: string): string {
  let out = '';
  for (const l of text.split(/\r?\n/)) {
    const t = l.trim();
    if (t !== '') out += `LOG ${severity} ${id} ${t}\n`;
  }
  return out;
}

/** Longest line accepted from a pipe; beyond it the line is dropped as garbage. */
export const MAX_LINE = 64 * 1024 * 1024;

/**
 * Cuts a stream of text chunks into lines. A line longer than `maxLine` is discarded up to its
 * end and reported through `onOverflow`, so a runaway driver cannot make oned buffer without
 * limit.
 */
export class LineSplitter {
  private buffer = '';
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (bytes: number) => void = () => {},
    private readonly maxLine = MAX_LINE,
  ) {}

  push(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl !== -1) {
      if (this.skipping) {
        this.skipping = false;
      } else {
        const line = this.buffer === '' ? chunk.slice(start, nl) : this.buffer + chunk.slice(start, nl);
        this.buffer = '';
        this.onLine(line);
      }
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (this.skipping || start === chunk.length) return;
    this.buffer += chunk.slice(start);
    if (this.buffer.length > this.maxLine) {
      this.onOverflow(this.buffer.length);
      this.buffer = '';
      this.skipping = true;
    }
  }

  /**
   * End of stream: a last line that had no line break goes to `partial` when given (a driver's
   * answer cut short by its death must not be taken as an answer), else to onLine.
   */
  end(partial: (line: string) => void = this.onLine): void {
    if (this.buffer !== '' && !this.skipping) partial(this.buffer);
    this.buffer = '';
    this.skipping = false;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The text of a payload drivers send base64-encoded (IM and datastore MONITOR). A payload that is
 * not base64 comes back unchanged: 3.x IM drivers answer plain `KEY=VALUE KEY=VALUE ...`.
 */
export function decodePayload(info: string): string {
  if (info.length % 4 !== 0 || !BASE64.test(info)) return info;
  return Buffer.from(info, 'base64').toString('utf8');
}
