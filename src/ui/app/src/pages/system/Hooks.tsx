/**
 * Hooks: the list; a hook's page with its execution log (each run's time, exit code, command,
 * output, a retry button per run), its template and update, rename and delete; a form to create
 * an API hook (on a call) or a state hook (on a VM, host, image or network state).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { asArray, call, type Tree } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { HeadedTable } from '../../components/HeadedTable';
import { ListPage } from '../../components/ListPage';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail, useInfo, useSubmit } from '../../hooks';
import { RawTemplate } from '../templates/RawTemplate';
import { RenamePrompt, templateText, treeToTemplate, when } from '../storage/common';
import { WriteAs } from '../../components/WriteAs';

export const HOOK_RESOURCES = ['VM', 'HOST', 'IMAGE', 'NET'];

export function HookList() {
  return (
    <ListPage
      title="Hooks"
      kind="hook"
      base="/hooks"
      create={[{ to: '/hooks/new', label: 'Create hook' }]}
      searchHint="Search by name, type, command"
      columns={[
        { key: 'TYPE', label: 'Type', sortable: true },
        { key: 'ON', label: 'On' },
        { key: 'COMMAND', label: 'Command', wide: true },
      ]}
    />
  );
}

export function HookCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [raw, setRaw] = useState(false);
  const [text, setText] = useState('');
  const [v, setV] = useState({ NAME: '', TYPE: 'api', COMMAND: '', ARGUMENTS: '', CALL: '', RESOURCE: 'VM', STATE: '', LCM_STATE: '', stdin: false, remote: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (raw) {
      if (!text.trim()) errs.text = 'Write the hook template';
    } else {
      if (!v.NAME.trim()) errs.NAME = 'Enter a name';
      if (!v.COMMAND.trim()) errs.COMMAND = 'Enter the command the hook runs';
      if (v.TYPE === 'api' && !/^one\.[a-z]+\.[a-z_]+$/.test(v.CALL.trim())) errs.CALL = 'An API call like one.vm.allocate';
      if (v.TYPE === 'state' && !v.STATE.trim()) errs.STATE = 'Enter the state that fires the hook (like RUNNING, ERROR)';
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const tpl = raw
      ? text
      : templateText({
          NAME: v.NAME.trim(),
          TYPE: v.TYPE,
          COMMAND: v.COMMAND,
          ARGUMENTS: v.ARGUMENTS,
          ARGUMENTS_STDIN: v.stdin ? 'YES' : undefined,
          ...(v.TYPE === 'api' ? { CALL: v.CALL } : { RESOURCE: v.RESOURCE, ON: v.RESOURCE === 'VM' ? 'CUSTOM' : undefined, STATE: v.STATE.toUpperCase(), LCM_STATE: v.RESOURCE === 'VM' ? v.LCM_STATE.toUpperCase() : undefined, REMOTE: v.remote ? 'YES' : undefined }),
        });
    await run(async () => {
      const id = await call<number>('one.hook.allocate', tpl);
      await qc.invalidateQueries({ queryKey: ['hook'] });
      navigate(`/hooks/${id}`);
    });
  };
  const input = (k: 'NAME' | 'COMMAND' | 'ARGUMENTS' | 'CALL' | 'STATE' | 'LCM_STATE', label: string, hint?: string) => (
    <Field label={label} error={errors[k]} hint={hint}>
      <input value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />
    </Field>
  );
  return (
    <section>
      <div className="page-head">
        <h1>Create a hook</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <WriteAs text={raw} onChange={setRaw} />
        {raw ? (
          <Field label="Template" error={errors.text}>
            <textarea rows={8} value={text} onChange={(e) => setText(e.target.value)} placeholder={'NAME = "log-new-vms"\nTYPE = "api"\nCALL = "one.vm.allocate"\nCOMMAND = "/usr/bin/logger"'} />
          </Field>
        ) : (
          <>
            {input('NAME', 'Name')}
            <fieldset className="choice">
              <legend>Fires on</legend>
              <label>
                <input type="radio" name="type" checked={v.TYPE === 'api'} onChange={() => setV({ ...v, TYPE: 'api' })} /> An API call
              </label>
              <label>
                <input type="radio" name="type" checked={v.TYPE === 'state'} onChange={() => setV({ ...v, TYPE: 'state' })} /> A state change
              </label>
            </fieldset>
            {v.TYPE === 'api' ? (
              input('CALL', 'API call', 'Like one.vm.allocate')
            ) : (
              <div className="row">
                <Field label="Object">
                  <select value={v.RESOURCE} onChange={(e) => setV({ ...v, RESOURCE: e.target.value })}>
                    {HOOK_RESOURCES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </Field>
                {input('STATE', 'State', 'Like ACTIVE, ERROR, READY')}
                {v.RESOURCE === 'VM' && input('LCM_STATE', 'LCM state', 'Like RUNNING (VMs)')}
              </div>
            )}
            {input('COMMAND', 'Command', 'A program in the hooks directory, or an absolute path')}
            {input('ARGUMENTS', 'Arguments', '$TEMPLATE is the object (or call) as base64 XML')}
            <label>
              <input type="checkbox" checked={v.stdin} onChange={(e) => setV({ ...v, stdin: e.target.checked })} /> Arguments through standard input
            </label>
            {v.TYPE === 'state' && (
              <label>
                <input type="checkbox" checked={v.remote} onChange={(e) => setV({ ...v, remote: e.target.checked })} /> Run on the object's host
              </label>
            )}
          </>
        )}
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create hook'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** A hook's output as oned keeps it (base64) in words; text that is not base64 is shown as it is. */
export function decodeOutput(v: unknown): string {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s || !/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return s;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? s : text;
  } catch {
    return s;
  }
}

function ExecutionLog({ id }: { id: number }) {
  // While the log is open it is read again every second: runs do not change the hook's listing.
  const { data: hook } = useInfo('hook', 'hook', id, 'HOOK', () => true);
  const act = useAct('hook');
  const runs = asArray<Tree>(hook?.HOOKLOG?.HOOK_EXECUTION_RECORD).sort((a, b) => Number(b.EXECUTION_ID) - Number(a.EXECUTION_ID));
  if (!hook) return <p>Loading…</p>;
  if (runs.length === 0) return <p className="panel">The hook has not run yet.</p>;
  return (
    <HeadedTable label={`Executions of hook ${id}`} head={['Run', 'Time', 'Exit code', 'Command', 'Output', 'Actions']}>
      {runs.map((r) => {
        const res = r.EXECUTION_RESULT ?? {};
        const code = Number(res.CODE);
        const out = decodeOutput(res.STDOUT);
        const err = decodeOutput(res.STDERR);
        return (
          <tr key={String(r.EXECUTION_ID)} data-execution={r.EXECUTION_ID}>
            <td>
              {r.EXECUTION_ID}
              {r.RETRY === 'yes' || r.RETRY === 'YES' ? ' (retry)' : ''}
            </td>
            <td>{when(r.TIMESTAMP)}</td>
            <td>
              <span className={`state ${code === 0 ? 'ok' : 'bad'}`} data-testid="exit-code">
                {res.CODE ?? '-'}
              </span>
            </td>
            <td>
              <code>{[res.COMMAND, res.ARGUMENTS ?? ''].filter(Boolean).join(' ') || '-'}</code>
              {r.REMOTE_HOST ? ` on ${r.REMOTE_HOST}` : ''}
            </td>
            <td>
              {out || err ? (
                <details>
                  <summary>Output of run {r.EXECUTION_ID}</summary>
                  {out && <pre className="raw">{out}</pre>}
                  {err && <pre className="raw">{err}</pre>}
                </details>
              ) : (
                '-'
              )}
            </td>
            <td>
              <ConfirmButton label={`Retry run ${r.EXECUTION_ID}`} question={`Run hook ${id} again with the arguments of run ${r.EXECUTION_ID}?`} onConfirm={() => act('one.hook.retry', id, Number(r.EXECUTION_ID))} />
            </td>
          </tr>
        );
      })}
    </HeadedTable>
  );
}

export function HookDetail() {
  const { id, obj: h, guard } = useDetail('hook', 'hook', 'HOOK');
  const act = useAct('hook');
  if (guard) return guard;
  const t = h.TEMPLATE ?? {};
  const text = treeToTemplate(t);
  return (
    <section>
      <div className="page-head">
        <h1>
          Hook {h.ID}: {h.NAME}
        </h1>
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <RenamePrompt what={`hook ${id} (${h.NAME})`} current={String(h.NAME)} onRename={(n) => act('one.hook.rename', id, n)} />
        <DeleteButton question={`Delete hook ${id} (${h.NAME})? Its log goes with it.`} onDelete={() => act('one.hook.delete', id)} then="/hooks" />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <dt>Type</dt>
                <dd>{h.TYPE}</dd>
                <dt>Fires on</dt>
                <dd>{t.CALL || [t.RESOURCE, t.STATE, t.LCM_STATE].filter(Boolean).join(' ') || '-'}</dd>
                <dt>Command</dt>
                <dd>
                  <code>{t.COMMAND}</code>
                </dd>
                <dt>Arguments</dt>
                <dd>{t.ARGUMENTS || '-'}</dd>
                <dt>Runs on</dt>
                <dd>{String(t.REMOTE ?? '').toUpperCase() === 'YES' ? "the object's host" : 'the front-end'}</dd>
              </dl>
            ),
          },
          { id: 'log', label: 'Execution log', render: () => <ExecutionLog id={id} /> },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{text}</pre> },
          {
            id: 'update',
            label: 'Update',
            render: () => <RawTemplate key={text} label="Template text (replaces the whole template)" initial={text} submitLabel="Update hook" onSubmit={(v) => act('one.hook.update', id, v, 0)} />,
          },
        ]}
      />
    </section>
  );
}
