/**
 * Where an OpenNebula client finds its credentials and endpoint, as OpenNebula's own clients do:
 * the session from the file `$ONE_AUTH` names (else `~/.one/one_auth`), a `user:password` line;
 * the endpoint from `$ONE_XMLRPC`, else the first line of `~/.one/one_endpoint`, else
 * `http://localhost:2633/RPC2`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_ENDPOINT = 'http://localhost:2633/RPC2';

/** No usable credentials: the message says where they were looked for and what to do. */
export class CredentialsError extends Error {}

/** The session (`user:password` or `user:token`) from ONE_AUTH or ~/.one/one_auth. */
export function sessionFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.ONE_AUTH || join(homedir(), '.one', 'one_auth');
  if (!existsSync(file)) throw new CredentialsError(`No credentials: ${file} does not exist. Write "user:password" there, or set ONE_AUTH to a file that holds them.`);
  const line = readFileSync(file, 'utf8').split('\n')[0]!.trim();
  if (!/^[^:\s]+:.+$/.test(line)) throw new CredentialsError(`${file} must hold "user:password" on its first line.`);
  return line;
}

/** The endpoint from ONE_XMLRPC, ~/.one/one_endpoint or the default. */
export function endpointFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONE_XMLRPC) return env.ONE_XMLRPC;
  const file = join(homedir(), '.one', 'one_endpoint');
  if (existsSync(file)) {
    const line = readFileSync(file, 'utf8').split('\n')[0]!.trim();
    if (line !== '') return line;
  }
  return DEFAULT_ENDPOINT;
}
