/** One image or file: its properties and template, and what can be done with it, each after a confirmation. */
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { asArray, pool } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { useAct, useInfo } from '../../hooks';
import { IMAGE_TYPES } from '../../states';
import { BACKUP_IMAGE, ImageBackup } from './ImageBackup';
import { hasImageSnapshots, ImageSnapshots } from './ImageSnapshots';
import { formatMb, ImageState, PromptButton, RenamePrompt, required, treeToTemplate, when } from './common';

export function ImageDetail({ files = false }: { files?: boolean }) {
  const base = files ? '/files' : '/images';
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const act = useAct('image', 'datastore');
  const { data: img, error } = useInfo('image', 'image', id, 'IMAGE', (i) => [4, 6, 7, 9, 10].includes(Number(i.STATE)));
  // A one-row listing keeps the server's poll of the image pool going: the page follows the
  // image's LOCKED → READY while a driver works (snapshot revert, delete, flatten, save-as).
  useQuery({ queryKey: ['image', 'pool', 'watch', id], queryFn: () => pool('image', { where: { ID: id }, limit: 1 }), enabled: Number.isInteger(id) });
  const stores = useQuery({ queryKey: ['datastore', 'pool', 'choice', files], queryFn: () => pool('datastore', { where: { TYPE: files ? 2 : 0 }, limit: 1000 }) });
  if (error) return <ErrorNote error={error} />;
  if (!img) return <p>Loading…</p>;
  const persistent = img.PERSISTENT === '1';
  const state = Number(img.STATE);
  const disabled = state === 3;
  const what = `${files ? 'file' : 'image'} ${img.ID} (${img.NAME})`;
  const vms = asArray<string>(img.VMS?.ID);
  return (
    <section>
      <div className="page-head">
        <h1>
          {files ? 'File' : 'Image'} {img.ID}: {img.NAME}
        </h1>
        <ImageState state={state} />
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <PromptButton
          label="Clone"
          title={`Clone ${what}`}
          fields={[
            { name: 'name', label: 'Name of the copy', initial: `${img.NAME}-copy`, check: required('a name for the copy') },
            { name: 'ds', label: 'Datastore', type: 'select', initial: String(img.DATASTORE_ID), options: (stores.data?.rows ?? []).map((r) => ({ value: String(r.ID), label: `${r.ID}: ${r.NAME}` })) },
          ]}
          onSubmit={async (v) => navigate(`${base}/${await act<number>('one.image.clone', id, v.name!.trim(), Number(v.ds))}`)}
        />
        <RenamePrompt what={what} current={img.NAME} onRename={(n) => act('one.image.rename', id, n)} />
        {!files && (
          <ConfirmButton
            label={persistent ? 'Make non-persistent' : 'Make persistent'}
            question={persistent ? `Make ${what} non-persistent? VMs will get a copy of it.` : `Make ${what} persistent? A VM will write to the image itself.`}
            onConfirm={() => act('one.image.persistent', id, !persistent)}
          />
        )}
        <ConfirmButton label={disabled ? 'Enable' : 'Disable'} question={`${disabled ? 'Enable' : 'Disable'} ${what}?`} onConfirm={() => act('one.image.enable', id, disabled)} />
        <DeleteButton question={`Delete ${what}? Its file is removed from the datastore.`} onDelete={() => act('one.image.delete', id)} then={base} />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <dt>Owner</dt>
                <dd>{img.UNAME}</dd>
                <dt>Group</dt>
                <dd>{img.GNAME}</dd>
                <dt>Datastore</dt>
                <dd>
                  <Link to={`/datastores/${img.DATASTORE_ID}`}>{img.DATASTORE}</Link>
                </dd>
                <dt>Type</dt>
                <dd>{IMAGE_TYPES[Number(img.TYPE)] ?? img.TYPE}</dd>
                <dt>Size</dt>
                <dd>{formatMb(img.SIZE)}</dd>
                <dt>Persistent</dt>
                <dd>{persistent ? 'yes' : 'no'}</dd>
                <dt>Running VMs</dt>
                <dd>{vms.length ? vms.map((v) => <Link key={v} to={`/vms/${v}`}>{v} </Link>) : img.RUNNING_VMS}</dd>
                <dt>Path</dt>
                <dd>{img.PATH || '-'}</dd>
                <dt>Source</dt>
                <dd>{img.SOURCE || '-'}</dd>
                <dt>Format</dt>
                <dd>{img.FORMAT || '-'}</dd>
                <dt>Registered</dt>
                <dd>{when(img.REGTIME)}</dd>
                <dt>Description</dt>
                <dd>{img.TEMPLATE?.DESCRIPTION || '-'}</dd>
                {img.TEMPLATE?.ERROR && (
                  <>
                    <dt>Error</dt>
                    <dd className="error">{img.TEMPLATE.ERROR}</dd>
                  </>
                )}
              </dl>
            ),
          },
          ...(Number(img.TYPE) === BACKUP_IMAGE ? [{ id: 'backup', label: 'Backup', render: () => <ImageBackup img={img} /> }] : []),
          ...(hasImageSnapshots(img) ? [{ id: 'snapshots', label: 'Snapshots', render: () => <ImageSnapshots img={img} /> }] : []),
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(img.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}
