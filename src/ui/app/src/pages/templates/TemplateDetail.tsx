/** One VM template: its info and text, raw update, clone under a new name, delete, instantiate. */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { DeleteButton, DialogButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { useAct, useInfo } from '../../hooks';
import { mb, perms, time } from '../vms/format';
import { RawTemplate } from './RawTemplate';
import { templateText } from './template-text';

export function TemplateDetail() {
  const raw = useParams().id;
  const id = Number(raw);
  const { data: t, error } = useInfo('template', 'template', id, 'VMTEMPLATE');
  const act = useAct('template');
  const navigate = useNavigate();
  const [cloneName, setCloneName] = useState('');
  if (!Number.isInteger(id) || id < 0) return <ErrorNote error={new Error(`“${raw}” is not a template id`)} />;
  if (error)
    return (
      <section>
        <h1>Template {id}</h1>
        <ErrorNote error={error} />
        <Link to="/templates">Back to the templates</Link>
      </section>
    );
  if (!t) return <p>Loading…</p>;
  const text = templateText(t.TEMPLATE);
  return (
    <section>
      <div className="page-head">
        <h1>
          Template {t.ID}: {t.NAME}
        </h1>
      </div>
      <div className="actions" role="group" aria-label="Template actions">
        <Link to={`/templates/${id}/instantiate`} className="button-link">
          Instantiate
        </Link>
        <DialogButton
          label="Clone"
          title={`Clone template ${id} (${t.NAME})`}
          invalid={cloneName.trim() ? undefined : 'Enter a name for the copy'}
          onConfirm={async () => {
            const nid = await act<number>('one.template.clone', id, cloneName.trim(), false);
            navigate(`/templates/${nid}`);
          }}
        >
          <label>
            Name of the copy
            <input value={cloneName} onChange={(e) => setCloneName(e.target.value)} />
          </label>
        </DialogButton>
        <DeleteButton question={`Delete template ${id} (${t.NAME})? VMs made from it keep running.`} onDelete={() => act('one.template.delete', id, false)} then="/templates" />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <dt>ID</dt>
                <dd>{t.ID}</dd>
                <dt>Name</dt>
                <dd>{t.NAME}</dd>
                <dt>Owner</dt>
                <dd>{t.UNAME}</dd>
                <dt>Group</dt>
                <dd>{t.GNAME}</dd>
                <dt>Registered</dt>
                <dd>{time(t.REGTIME)}</dd>
                <dt>Permissions</dt>
                <dd>
                  <code>{perms(t.PERMISSIONS)}</code>
                </dd>
                <dt>CPU</dt>
                <dd>{t.TEMPLATE?.CPU ?? '-'}</dd>
                <dt>Virtual CPUs</dt>
                <dd>{t.TEMPLATE?.VCPU ?? '-'}</dd>
                <dt>Memory</dt>
                <dd>{mb(t.TEMPLATE?.MEMORY)}</dd>
              </dl>
            ),
          },
          {
            id: 'text',
            label: 'Template',
            render: () => (
              <pre className="raw" tabIndex={0} aria-label="Template text">
                {text}
              </pre>
            ),
          },
          {
            id: 'update',
            label: 'Update',
            render: () => <RawTemplate key={text} label="Template text (replaces the whole template)" initial={text} submitLabel="Update template" onSubmit={(v) => act('one.template.update', id, v, 0)} />,
          },
        ]}
      />
    </section>
  );
}
