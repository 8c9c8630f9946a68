/**
 * The life of a tool server's process (sunstone-server, oneflow-server, econe-server,
 * occi-server): its command line (server-args.ts), its conf with `--port` / `--host` on top,
 * oned's endpoint (`one_xmlrpc` in the conf, else ONE_XMLRPC), start, serve until SIGINT or
 * SIGTERM. A conf mistake exits 2 with the message, anything else 1.
 */
import { endpointFromEnvironment } from '../oca/credentials.js';
import { parseServerArgs } from './server-args.js';

/** What every server's conf has. */
export interface ServerConf {
  port: number;
  host: string;
  one_xmlrpc?: string;
}

export interface ServerMain<C extends ServerConf> {
  /** The command's name, the prefix of its messages. */
  readonly name: string;
  readonly usage: string;
  /** The conf error class (its message is all the user needs; exit 2). */
  readonly configError: new (message: string) => Error;
  /** Reads the conf: `file` from --conf, else the server's default place. */
  load(file: string | undefined): C;
  /** Starts serving and says where; resolves with what stops it. */
  start(conf: C, endpoint: string): Promise<{ close(): Promise<void> }>;
}

export function runServerMain<C extends ServerConf>(spec: ServerMain<C>, argv: readonly string[] = process.argv.slice(2)): void {
  const main = async (): Promise<void> => {
    const args = parseServerArgs(argv, spec.usage, (m) => new spec.configError(m));
    if (args.help) {
      console.log(spec.usage);
      process.exit(0);
    }
    const conf = spec.load(args.conf);
    if (args.port !== undefined) conf.port = args.port;
    if (args.host !== undefined) conf.host = args.host;
    const server = await spec.start(conf, conf.one_xmlrpc ?? endpointFromEnvironment());
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void server.close().then(() => process.exit(0)));
  };
  main().catch((err: unknown) => {
    console.error(`${spec.name}: ${(err as Error).message}`);
    process.exit(err instanceof spec.configError ? 2 : 1);
  });
}
