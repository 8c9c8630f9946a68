/**
 * Runs an `econe-*` command: parses the line, prints help or the version, makes the client on
 * first use, and turns any failure into one line on stderr (`econe-run-instances: AuthFailure:
 * ...`) with exit code 255 (OpenNebula's -1), or 1 for a mistake on the command line.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { readFileSync } from 'node:fs';
import type { Credentials, EconeCommand, EconeContext } from './command.js';
import { describeFailure, endpointUrl, givenCredentials, makeClient, oneAuthCredentials } from './client.js';
import { helpText, parseCommandLine } from './options.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '?';
  } catch {
    return '?';
  }
}

/** Runs `cmd` with argv (no program name); resolves to the exit code. */
export async function runEcone(cmd: EconeCommand, argv: readonly string[]): Promise<number> {
  let url = '';
  let verbose = false;
  let client: EC2Client | undefined;
  try {
    const { options, args } = parseCommandLine(cmd, argv);
    if (options.help) {
      process.stdout.write(`${helpText(cmd)}\n`);
      return 0;
    }
    if (options.version) {
      process.stdout.write(`${cmd.name} (nebula-ts ${version()})\n`);
      return 0;
    }
    verbose = options.verbose === true;
    url = endpointUrl(options.url as string | undefined);
    let creds: Credentials | undefined;
    const credentials = async () => (creds ??= givenCredentials(options['access-key'] as string | undefined, options['secret-key'] as string | undefined) ?? (await oneAuthCredentials()));
    const ctx: EconeContext = {
      options,
      args,
      url,
      credentials,
      async ec2() {
        return (client ??= makeClient(url, await credentials()));
      },
      print: (line) => process.stdout.write(`${line}\n`),
    };
    await cmd.run(ctx);
    return 0;
  } catch (err) {
    const { message, exitCode } = describeFailure(err, url, verbose);
    process.stderr.write(`${cmd.name}: ${message}\n`);
    return exitCode;
  } finally {
    client?.destroy();
  }
}

/** The bins' entry: runs with process.argv and exits once the output is flushed. */
export function main(cmd: EconeCommand): void {
  void runEcone(cmd, process.argv.slice(2)).then((code) => {
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
