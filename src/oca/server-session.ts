/**
 * How a server of the cloud (oneflow-server, econe-server...) picks the account it talks to oned
 * as: the first of its candidate credential files that oned accepts.
 */
import { CredentialsError, sessionFromEnvironment } from './credentials.js';
import { OneClient } from './client.js';
import { OneError } from './errors.js';

/**
 * The first of the credential files oned accepts (oned not answering: the first readable one;
 * the engine retries). `skipped` says which were refused, for the start message.
 */
export async function chooseServerSession(endpoint: string, files: readonly string[], server: string): Promise<{ session: string; file: string; skipped: string[] }> {
  const skipped: string[] = [];
  let fallback: { session: string; file: string } | undefined;
  for (const file of files) {
    let session: string;
    try {
      session = sessionFromEnvironment({ ONE_AUTH: file });
    } catch {
      continue;
    }
    fallback ??= { session, file };
    const client = new OneClient({ endpoint, session, timeoutMs: 10_000 });
    try {
      await client.call('one.user.info', -1);
      return { session, file, skipped };
    } catch (err) {
      if (!(err instanceof OneError)) return { session, file, skipped };
      skipped.push(`${file} (${err.message})`);
    } finally {
      client.close();
    }
  }
  if (!fallback) throw new CredentialsError(`No usable credentials for ${server} in ${files.join(', ')}`);
  return { ...fallback, skipped };
}
