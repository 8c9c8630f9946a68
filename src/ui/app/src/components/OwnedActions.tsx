/**
 * The actions every owned object's page has (security groups, VM groups, virtual routers,
 * network templates, marketplaces and their apps): rename, clone, change owner and group,
 * change permissions, delete. Each asks in a dialog; oned's refusal shows there.
 * `prefix` is the API's (`secgroup` for one.secgroup.*).
 */
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { pool, type Tree } from '../api';
import { useAct } from '../hooks';
import { PromptButton, RenamePrompt, required } from '../pages/storage/common';
import { DeleteButton } from './Confirm';

const BITS = ['OWNER_U', 'OWNER_M', 'OWNER_A', 'GROUP_U', 'GROUP_M', 'GROUP_A', 'OTHER_U', 'OTHER_M', 'OTHER_A'];

/** `PERMISSIONS` as an octal mode (`640`), as `chmod` in the CLI takes it. */
export function octalOf(p: Record<string, string> | undefined): string {
  if (!p) return '';
  return [0, 3, 6].map((i) => BITS.slice(i, i + 3).reduce((n, b, j) => n + (p[b] === '1' ? [4, 2, 1][j]! : 0), 0)).join('');
}

/** An octal mode as the nine arguments of `one.<x>.chmod` after the id. */
export function chmodArgs(octal: string): number[] {
  return [...octal].flatMap((d) => [4, 2, 1].map((b) => (Number(d) & b ? 1 : 0)));
}

export const checkOctal = (v: string) => (/^[0-7]{3}$/.test(v.trim()) ? '' : 'Three octal digits, like 640 (owner, group, others: 4 use, 2 manage, 1 admin)');

export interface OwnedActionsProps {
  /** The object (its ID, NAME, UID, GID, PERMISSIONS). */
  obj: Tree;
  /** The API's prefix (`secgroup`) and the live feed's kind (`secgroup`). */
  prefix: string;
  kind: string;
  /** How the page names it ("security group"). */
  noun: string;
  /** The list page to go back to after delete, and where a clone's page is (`/secgroups`). */
  base: string;
  /** Clone is offered (one.<prefix>.clone(id, name)). */
  clone?: boolean;
  chown?: boolean;
  /** Extra words in the delete question. */
  deleteNote?: string;
}

export function OwnedActions({ obj, prefix, kind, noun, base, clone, chown = true, deleteNote }: OwnedActionsProps) {
  const id = Number(obj.ID);
  const act = useAct(kind);
  const navigate = useNavigate();
  const what = `${noun} ${id} (${obj.NAME})`;
  const users = useQuery({ queryKey: ['user', 'pool', 'all'], queryFn: () => pool('user', { limit: 1000, sort: 'ID', dir: 'asc' }), enabled: chown });
  const groups = useQuery({ queryKey: ['group', 'pool', 'all'], queryFn: () => pool('group', { limit: 1000, sort: 'ID', dir: 'asc' }), enabled: chown });
  const opts = (rows: { ID: unknown; NAME: unknown }[] | undefined, current: string) => [
    { value: '-1', label: `Keep (${current})` },
    ...(rows ?? []).map((r) => ({ value: String(r.ID), label: `${r.ID}: ${r.NAME}` })),
  ];
  return (
    <div className="actions" role="group" aria-label={`Actions of the ${noun}`}>
      <RenamePrompt what={what} current={String(obj.NAME)} onRename={(n) => act(`one.${prefix}.rename`, id, n)} />
      {clone && (
        <PromptButton
          label="Clone"
          title={`Clone ${what}`}
          fields={[{ name: 'name', label: 'Name of the copy', initial: `${obj.NAME}-copy`, check: required('a name for the copy') }]}
          onSubmit={async (v) => navigate(`${base}/${await act<number>(`one.${prefix}.clone`, id, v.name!.trim())}`)}
        />
      )}
      {chown && (
        <PromptButton
          label="Change owner"
          title={`Change the owner and group of ${what}`}
          fields={[
            { name: 'uid', label: 'Owner', type: 'select', options: opts(users.data?.rows as never, String(obj.UNAME)) },
            { name: 'gid', label: 'Group', type: 'select', options: opts(groups.data?.rows as never, String(obj.GNAME)) },
          ]}
          submitLabel="Change owner"
          onSubmit={(v) => act(`one.${prefix}.chown`, id, Number(v.uid), Number(v.gid))}
        />
      )}
      <PromptButton
        label="Permissions"
        title={`Change the permissions of ${what}`}
        fields={[{ name: 'mode', label: 'Mode (octal: owner, group, others)', initial: octalOf(obj.PERMISSIONS), check: checkOctal }]}
        submitLabel="Change permissions"
        onSubmit={(v) => act(`one.${prefix}.chmod`, id, ...chmodArgs(v.mode!.trim()))}
      />
      <DeleteButton question={`Delete ${what}?${deleteNote ? ` ${deleteNote}` : ''}`} onDelete={() => act(`one.${prefix}.delete`, id)} then={base} />
    </div>
  );
}

/** Owner, group and permissions as the Info tabs show them. */
export function OwnerProps({ obj }: { obj: Tree }) {
  return (
    <>
      <dt>Owner</dt>
      <dd>{obj.UNAME}</dd>
      <dt>Group</dt>
      <dd>{obj.GNAME}</dd>
      <dt>Permissions</dt>
      <dd>
        <code>{octalOf(obj.PERMISSIONS) || '-'}</code>
      </dd>
    </>
  );
}
