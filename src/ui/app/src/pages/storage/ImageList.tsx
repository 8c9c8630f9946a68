/** Images (OS, CDROM, DATABLOCK) or files (KERNEL, RAMDISK, CONTEXT): one list, two pages. */
import { Link } from 'react-router';
import type { Row } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { IMAGE_TYPES } from '../../states';
import { formatMb, ImageState } from './common';

export function imageColumns(base: string): Column[] {
  return [
    ...idNameColumns(base),
    { key: 'UNAME', label: 'Owner', sortable: true, wide: true },
    { key: 'DATASTORE', label: 'Datastore', sortable: true, wide: true },
    { key: 'TYPE', label: 'Type', sortable: true, render: (r: Row) => IMAGE_TYPES[Number(r.TYPE)] ?? String(r.TYPE) },
    { key: 'STATE', label: 'State', sortable: true, render: (r: Row) => <ImageState state={Number(r.STATE)} /> },
    { key: 'SIZE', label: 'Size', sortable: true, wide: true, render: (r: Row) => formatMb(Number(r.SIZE)) },
    { key: 'PERSISTENT', label: 'Persistent', sortable: true, wide: true, render: (r: Row) => (Number(r.PERSISTENT) ? 'yes' : 'no') },
    { key: 'RUNNING_VMS', label: 'Running VMs', sortable: true, wide: true },
  ];
}

export function ImageList({ files = false }: { files?: boolean }) {
  const base = files ? '/files' : '/images';
  return (
    <section>
      <div className="page-head">
        <h1>{files ? 'Files' : 'Images'}</h1>
        <div className="actions">
          <Link className="button-link" to={`${base}/new`}>
            {files ? 'Create file' : 'Create image'}
          </Link>
        </div>
      </div>
      <DataTable kind="image" label={files ? 'Files' : 'Images'} columns={imageColumns(base)} where={files ? FILES : IMAGES} searchHint="Search by name, owner, datastore" />
    </section>
  );
}

// Stable objects: the table's query key includes them.
const FILES = { FILE: 1 };
const IMAGES = { FILE: 0 };
