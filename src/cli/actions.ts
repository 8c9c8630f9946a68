/**
 * Helpers for the subcommands every command has: acting on a range of objects, reading a
 * template from a file or an editor, and `top`'s refresh loop.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, type CliContext, type ResourceKind } from './command.js';
import { describeError } from './run.js';
import { KIND_LABEL } from './resolve.js';

/**
 * Runs `action` on every object of a range argument, in order, going on past failures (as
 * OpenNebula's CLI does). With --verbose says `HOST 3: done` for each. One failure is
 * rethrown as it is; several become one CliError listing them.
 */
export async function eachId(ctx: CliContext, kind: ResourceKind, range: string | string[] | undefined, done: string, action: (id: number) => Promise<unknown>): Promise<void> {
  const ids = await ctx.resolveRange(kind, range ?? []);
  const failures: unknown[] = [];
  for (const id of ids) {
    try {
      await action(id);
      if (ctx.options.verbose === true) ctx.print(`${KIND_LABEL[kind].toUpperCase()} ${id}: ${done}`);
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new CliError(`${failures.length} of ${ids.length} failed: ${failures.map((f) => describeError(f).message).join(' / ')}`);
}

/** The text of a template file; a missing or unreadable file is a CliError naming it. */
export function readTemplateFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read the template file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * The template for an `update`: the file when one is given, else what the admin writes in
 * $EDITOR (default vi) starting from `current`. The editor gets the file as an argument (no shell).
 */
export function templateFromFileOrEditor(file: string | undefined, current: string): string {
  if (file !== undefined) return readTemplateFile(file);
  const dir = mkdtempSync(join(tmpdir(), 'one-template-'));
  const path = join(dir, 'template');
  try {
    writeFileSync(path, current);
    const editor = process.env.EDITOR || 'vi';
    const r = spawnSync(editor, [path], { stdio: 'inherit' });
    if (r.error || r.status !== 0) throw new CliError(`The editor ${editor} failed (${r.error?.message ?? `exit ${r.status}`}); the template was not changed`);
    return readFileSync(path, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses `-d SECONDS` of `top` (default 1). */
export function delaySeconds(value: string | boolean | string[] | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (typeof value !== 'string' || !(n > 0)) throw new CliError(`Bad delay "${String(value)}": give seconds, such as -d 5`);
  return n;
}

/**
 * `top`: draws, waits `seconds`, draws again, until interrupted (Ctrl-C ends it normally).
 * On a terminal the screen is cleared before each drawing.
 */
export async function refresh(ctx: CliContext, seconds: number, draw: () => Promise<void>): Promise<void> {
  let stop: () => void = () => {};
  const stopped = new Promise<void>((res) => (stop = res));
  let running = true;
  const onSignal = () => {
    running = false;
    stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (running) {
      if (process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
      await draw();
      if (!process.stdout.isTTY) ctx.print('');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopped, new Promise<void>((res) => (timer = setTimeout(res, seconds * 1000)))]);
      clearTimeout(timer);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
