/**
 * The occi-* commands of OpenNebula 3.x: `occi-compute`, `occi-network`, `occi-storage` and
 * `occi-instance-type`, each `<command> [options] [arguments]`, talking to occi-server's XML
 * API and printing the XML it answers. Options: `--url/-R`, `--username/-U`, `--password/-P`,
 * `--timeout/-T`, `--verbose` (whole elements in lists), `--multipart/-M` (occi-storage create:
 * upload the file the description's PATH names), `--debug/-D`, `--help/-h`, `--version/-v`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { OcciClient, OcciHttpError, type ClientOptions } from './client.js';

export const VERSION = '3.8.5 (nebula-ts)';

export interface ToolCommand {
  readonly args: string;
  readonly help: string;
  run(client: OcciClient, args: string[], opts: ParsedOptions): Promise<string>;
}

export interface ParsedOptions extends ClientOptions {
  verbose: boolean;
  multipart: boolean;
  debug: boolean;
}

export class UsageError extends Error {}

function usage(tool: string, commands: Record<string, ToolCommand>): string {
  const lines = [`Usage: ${tool} <COMMAND> [OPTIONS] [ARGUMENTS]`, '', 'COMMANDS'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${`${name} ${c.args}`.padEnd(36)} ${c.help}`);
  lines.push(
    '',
    'OPTIONS',
    '  --url, -R <url>          occi-server URL (default $OCCI_URL, else http://127.0.0.1:4568/)',
    '  --username, -U <name>    OpenNebula user name (default: from $ONE_AUTH)',
    '  --password, -P <pass>    its password or login token',
    '  --timeout, -T <seconds>  limit of each request (default 60)',
    '  --verbose                list whole elements, not only their links',
    '  --multipart, -M          (occi-storage create) upload the file named by PATH',
    '  --debug, -D              print each request',
    '  --help, -h               this help',
    '  --version, -v            the version',
  );
  return lines.join('\n');
}

export function parseArgs(argv: readonly string[]): { opts: ParsedOptions; positional: string[]; help: boolean; version: boolean } {
  const opts: ParsedOptions = { verbose: false, multipart: false, debug: false };
  const positional: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--url': case '-R': opts.url = value(); break;
      case '--username': case '-U': opts.username = value(); break;
      case '--password': case '-P': opts.password = value(); break;
      case '--timeout': case '-T': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--timeout must be a number of seconds, not "${v}"`);
        opts.timeout = Number(v);
        break;
      }
      case '--verbose': opts.verbose = true; break;
      case '--multipart': case '-M': opts.multipart = true; break;
      case '--debug': case '-D': opts.debug = true; break;
      case '--help': case '-h': help = true; break;
      case '--version': case '-v': version = true; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`Unknown option ${a}`);
        positional.push(a);
    }
  }
  return { opts, positional, help, version };
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function resourceId(v: string | undefined, what: string): string {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`Give the ${what} id (a number)${v === undefined ? '' : `, not "${v}"`}`);
  return v;
}

/** The id an update document names: its `<ID>` or the end of its `href`. */
export function idOfDocument(xml: string, element: string): string {
  const id = /<ID>\s*(\d+)\s*<\/ID>/.exec(xml)?.[1] ?? new RegExp(`<${element}[^>]*\\bhref="[^"]*/(\\d+)"`).exec(xml)?.[1];
  if (!id) throw new UsageError(`The ${element} document must name the ${element.toLowerCase()} to update, by <ID> or href`);
  return id;
}

const list = (path: string): ToolCommand => ({
  args: '',
  help: `lists the ${path} resources`,
  run: (c, _a, o) => c.request('GET', `/${path}${o.verbose ? '?verbose=true' : ''}`),
});
const show = (path: string): ToolCommand => ({
  args: `<${path} id>`,
  help: `shows a ${path}`,
  run: (c, a) => c.request('GET', `/${path}/${path === 'instance_type' ? encodeURIComponent(a[0] ?? '') : resourceId(a[0], path)}`),
});
const create = (path: string): ToolCommand => ({
  args: '<occi xml file>',
  help: `creates a ${path} from its description`,
  run: (c, a) => c.request('POST', `/${path}`, readInput(a[0] ?? missing('the description file'))),
});
const update = (path: string, element: string): ToolCommand => ({
  args: '<occi xml file>',
  help: `changes a ${path} (the file names it)`,
  run: (c, a) => {
    const xml = readInput(a[0] ?? missing('the description file'));
    return c.request('PUT', `/${path}/${idOfDocument(xml, element)}`, xml);
  },
});
const remove = (path: string): ToolCommand => ({
  args: `<${path} id>`,
  help: `deletes a ${path}`,
  run: async (c, a) => {
    const id = resourceId(a[0], path);
    await c.request('DELETE', `/${path}/${id}`);
    return `${path} ${id} deleted`;
  },
});

function missing(what: string): never {
  throw new UsageError(`Give ${what}`);
}

export const COMPUTE: Record<string, ToolCommand> = {
  list: list('compute'),
  create: create('compute'),
  show: show('compute'),
  update: update('compute', 'COMPUTE'),
  delete: remove('compute'),
  attachdisk: {
    args: '<compute id> <storage id> [target]',
    help: 'attaches an image to a compute as a new disk',
    run: (c, a) => {
      const vm = resourceId(a[0], 'compute');
      const img = resourceId(a[1], 'storage');
      const target = a[2] ? `<TARGET>${a[2].replace(/[^A-Za-z0-9]/g, '')}</TARGET>` : '';
      return c.request('POST', `/compute/${vm}/action`, `<ACTION><PERFORM>attachdisk</PERFORM><PARAMS><DISK><STORAGE href="${c.url}/storage/${img}"/>${target}</DISK></PARAMS></ACTION>`);
    },
  },
  detachdisk: {
    args: '<compute id> <disk id>',
    help: 'detaches a disk from a compute',
    run: (c, a) => {
      const vm = resourceId(a[0], 'compute');
      const disk = resourceId(a[1], 'disk');
      return c.request('POST', `/compute/${vm}/action`, `<ACTION><PERFORM>detachdisk</PERFORM><PARAMS><DISK id="${disk}"/></PARAMS></ACTION>`);
    },
  },
};

export const NETWORK: Record<string, ToolCommand> = {
  list: list('network'),
  create: create('network'),
  show: show('network'),
  update: update('network', 'NETWORK'),
  delete: remove('network'),
};

export const STORAGE: Record<string, ToolCommand> = {
  list: list('storage'),
  create: {
    args: '<occi xml file>',
    help: 'creates a storage; with -M uploads the local file its PATH names',
    run: async (c, a, o) => {
      const xml = readInput(a[0] ?? missing('the description file'));
      if (!o.multipart) return c.request('POST', '/storage', xml);
      const path = /<PATH>\s*([^<]+?)\s*<\/PATH>/.exec(xml)?.[1];
      if (!path) throw new UsageError('With --multipart the STORAGE description must name the local file to upload in <PATH>');
      const form = new FormData();
      form.set('occixml', xml.replace(/<PATH>[^<]*<\/PATH>/, ''));
      form.set('file', new Blob([readFileSync(path)]), basename(path));
      return c.request('POST', '/storage', form);
    },
  },
  show: show('storage'),
  update: update('storage', 'STORAGE'),
  delete: remove('storage'),
};

export const INSTANCE_TYPE: Record<string, ToolCommand> = {
  list: list('instance_type'),
  show: { ...show('instance_type'), args: '<instance type name>' },
};

/** Runs `tool argv`; the exit code. */
export async function runTool(tool: string, commands: Record<string, ToolCommand>, argv: readonly string[], out = console.log, err = console.error): Promise<number> {
  try {
    const { opts, positional, help, version } = parseArgs(argv);
    if (version) {
      out(`${tool} ${VERSION}`);
      return 0;
    }
    const [name, ...args] = positional;
    if (help || !name) {
      (help ? out : err)(usage(tool, commands));
      return help ? 0 : 1;
    }
    const cmd = commands[name];
    if (!cmd) throw new UsageError(`Unknown command "${name}" (one of ${Object.keys(commands).join(', ')})`);
    const client = new OcciClient(opts);
    if (opts.debug) err(`${tool}: ${name} at ${client.url}`);
    out((await cmd.run(client, args, opts)).trimEnd());
    return 0;
  } catch (e) {
    if (e instanceof OcciHttpError) err(`${tool}: error ${e.status}: ${e.body.trim()}`);
    else err(`${tool}: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
