/** A rename action: the new name is asked in the confirmation dialog and checked before the call. */
import { useState } from 'react';
import { ConfirmButton } from '../../components/Confirm';
import { nameError } from '../../components/Field';

export function RenameButton({ what, current, onRename }: { what: string; current: string; onRename: (name: string) => Promise<unknown> }) {
  const [name, setName] = useState(current);
  return (
    <ConfirmButton
      label="Rename"
      question={
        <label className="field">
          New name of {what} {current}
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
      }
      onConfirm={async () => {
        const err = nameError(name, what);
        if (err) throw new Error(err);
        await onRename(name);
      }}
    />
  );
}
