/**
 * Entry point helper of the driver executables: parse options, build the action table, serve
 * stdin/stdout until FINALIZE or end of input.
 */
import { DriverServer, type ActionHandler } from './driver-server.js';

/** A driver's action handlers and how many actions it runs at once (`-t`). */
export interface DriverConfig {
  readonly actions: ReadonlyMap<string, ActionHandler>;
  readonly concurrency: number;
}

/**
 * Runs a driver on the process's stdin/stdout. `setup` builds the handlers; if it throws (bad
 * arguments), the message goes to stderr and the process exits with 1 before INIT, so oned
 * reports the driver as not loaded.
 */
export function runDriver(name: string, setup: () => DriverConfig): void {
  let config: DriverConfig;
  try {
    config = setup();
  } catch (e) {
    process.stderr.write(`${name}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  // oned gone: nobody to answer to.
  process.stdout.on('error', () => process.exit(0));
  new DriverServer({ name, ...config, onExit: () => process.exit(0) }).start();
}
