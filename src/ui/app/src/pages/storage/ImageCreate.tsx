/**
 * Registers an image (or a file): from a path or URL the datastore's driver can read, from the
 * browser (uploaded to the server first, then registered by its path), or an empty DATABLOCK of
 * a given size. Every field is checked before anything is sent; oned's refusal shows in the page.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { call, pool, upload } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { useSubmit } from '../../hooks';
import { templateText } from './common';

type Source = 'upload' | 'path' | 'empty';

export function ImageCreate({ files = false }: { files?: boolean }) {
  const base = files ? '/files' : '/images';
  const types = files ? ['KERNEL', 'RAMDISK', 'CONTEXT'] : ['OS', 'CDROM', 'DATABLOCK'];
  const navigate = useNavigate();
  const qc = useQueryClient();
  const stores = useQuery({ queryKey: ['datastore', 'pool', 'choice', files], queryFn: () => pool('datastore', { where: { TYPE: files ? 2 : 0 }, limit: 1000 }) });
  const [name, setName] = useState('');
  const [type, setType] = useState(types[0]!);
  const [ds, setDs] = useState('');
  const [source, setSource] = useState<Source>('upload');
  const [file, setFile] = useState<File | null>(null);
  const [path, setPath] = useState('');
  const [size, setSize] = useState('');
  const [persistent, setPersistent] = useState(false);
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, setError, run } = useSubmit();
  const [progress, setProgress] = useState<number | null>(null);

  const dsId = ds || String(stores.data?.rows[0]?.ID ?? '');
  const canBeEmpty = type === 'DATABLOCK';
  const src: Source = source === 'empty' && !canBeEmpty ? 'upload' : source;

  const check = () => {
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = 'Enter a name';
    else if (/["\n]/.test(name)) e.name = 'A name has no quotes or line breaks';
    if (!dsId) e.ds = files ? 'There is no file datastore to put it in' : 'There is no image datastore to put it in';
    if (src === 'upload' && !file) e.file = 'Choose a file to upload';
    if (src === 'upload' && file && file.size === 0) e.file = 'The file is empty';
    if (src === 'path' && !path.trim()) e.path = 'Enter a path on the server or a URL';
    if (src === 'empty' && (!/^\d+$/.test(size.trim()) || Number(size) < 1)) e.size = 'Enter the size in MB, a whole number of at least 1';
    return e;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const e = check();
    setErrors(e);
    setError(null);
    if (Object.keys(e).length) return;
    await run(async () => {
      let where = path.trim();
      if (src === 'upload') {
        setProgress(0);
        where = (await upload(file!, setProgress)).path;
      }
      const tpl = templateText({
        NAME: name.trim(),
        TYPE: type,
        PATH: src === 'empty' ? undefined : where,
        SIZE: src === 'empty' ? size.trim() : undefined,
        PERSISTENT: !files && persistent ? 'YES' : undefined,
        DESCRIPTION: description,
      });
      const id = await call<number>('one.image.allocate', tpl, Number(dsId));
      await qc.invalidateQueries({ queryKey: ['image'] });
      navigate(`${base}/${id}`);
    });
    setProgress(null);
  };

  return (
    <section>
      <div className="page-head">
        <h1>{files ? 'Create a file' : 'Create an image'}</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate aria-label={files ? 'New file' : 'New image'}>
        <Field label="Name" error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="row">
          <Field label="Type">
            <select value={type} onChange={(e) => setType(e.target.value)}>
              {types.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </Field>
          <Field label="Datastore" error={errors.ds}>
            <select value={dsId} onChange={(e) => setDs(e.target.value)}>
              {stores.data?.rows.map((r) => (
                <option key={String(r.ID)} value={String(r.ID)}>
                  {r.ID}: {String(r.NAME)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <fieldset className="choice">
          <legend>Source</legend>
          <label>
            <input type="radio" name="source" checked={src === 'upload'} onChange={() => setSource('upload')} /> Upload from this computer
          </label>
          <label>
            <input type="radio" name="source" checked={src === 'path'} onChange={() => setSource('path')} /> Path on the server or URL
          </label>
          {canBeEmpty && (
            <label>
              <input type="radio" name="source" checked={src === 'empty'} onChange={() => setSource('empty')} /> Empty disk
            </label>
          )}
        </fieldset>
        {src === 'upload' && (
          <Field label="File" error={errors.file}>
            <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </Field>
        )}
        {src === 'path' && (
          <Field label="Path or URL" error={errors.path} hint="A file the datastore's driver can read on the front-end (for fs datastores: in its SAFE_DIRS, /var/tmp by default)">
            <input value={path} onChange={(e) => setPath(e.target.value)} />
          </Field>
        )}
        {src === 'empty' && (
          <Field label="Size (MB)" error={errors.size}>
            <input inputMode="numeric" value={size} onChange={(e) => setSize(e.target.value)} />
          </Field>
        )}
        {!files && (
          <label className="check">
            <input type="checkbox" checked={persistent} onChange={(e) => setPersistent(e.target.checked)} /> Persistent (VMs write to the image itself)
          </label>
        )}
        <Field label="Description">
          <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        {progress !== null && (
          <label>
            Uploading: {Math.round(progress * 100)}%
            <progress className="upload" max={1} value={progress} />
          </label>
        )}
        <ErrorNote error={error ?? stores.error} />
        <div className="buttons">
          <button type="button" onClick={() => navigate(base)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : files ? 'Create file' : 'Create image'}
          </button>
        </div>
      </form>
    </section>
  );
}
