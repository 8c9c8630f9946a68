/**
 * The command line the tool servers share (sunstone-server, oneflow-server, occi-server): `--port N`, `--host
 * ADDR`, `--conf FILE`, `--help`. A bad or unknown option is `fail(message)`, thrown.
 */
export interface ServerArgs {
  readonly help: boolean;
  readonly port?: number;
  readonly host?: string;
  readonly conf?: string;
}

export function parseServerArgs(argv: readonly string[], usage: string, fail: (message: string) => Error): ServerArgs {
  let port: number | undefined;
  let host: string | undefined;
  let conf: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw fail(`${a} needs a value\n${usage}`);
      return v;
    };
    if (a === '--port' || a === '-p') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw fail(`--port must be a port number (0-65535), not "${v}"`);
      port = Number(v);
    } else if (a === '--host') host = value();
    else if (a === '--conf') conf = value();
    else if (a === '--help' || a === '-h') return { help: true };
    else throw fail(`unknown option ${a}\n${usage}`);
  }
  return { help: false, port, host, conf };
}
