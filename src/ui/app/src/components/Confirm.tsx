/**
 * Buttons that ask before they act. ConfirmButton's modal dialog names the action and the
 * objects; DialogButton's holds a few fields (the host to deploy to, a recover operation).
 * The action runs on "Confirm", its error (oned's message) shows in the dialog. Both, and the
 * storage pages' PromptButton, share the run-and-show-the-error logic and the dialog's footer.
 */
import { useRef, useState, type ReactNode, type RefObject } from 'react';
import { useNavigate } from 'react-router';

/** A dialog's busy flag and error around one async action; the dialog closes when it succeeds. */
export function useDialogAction() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await action();
      dialog.current?.close();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { dialog, busy, error, setError, run };
}

/** oned's refusal, then Cancel and the confirming button. */
export function DialogFooter(props: { dialog: RefObject<HTMLDialogElement | null>; error: string; busy: boolean; confirmText: string; danger?: boolean; onConfirm?: () => void; autoFocus?: boolean }) {
  const { dialog, error, busy, confirmText, danger, onConfirm, autoFocus } = props;
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
        <button type={onConfirm ? 'button' : 'submit'} className={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy} autoFocus={autoFocus}>
          {busy ? 'Working…' : confirmText}
        </button>
      </div>
    </>
  );
}

interface ActionProps {
  label: string;
  onConfirm: () => Promise<unknown>;
  danger?: boolean;
  disabled?: boolean;
  /** Why it is disabled (shown as the button's title). */
  title?: string;
}

interface DialogShape {
  /** The dialog's accessible name. */
  name: string;
  className: string;
  body: ReactNode;
  /** Message when the fields are not ready (no host chosen): shown instead of calling. */
  invalid?: string;
  autoFocus?: boolean;
}

function ActionDialog({ label, onConfirm, danger, disabled, title, name, className, body, invalid, autoFocus }: ActionProps & DialogShape) {
  const { dialog, busy, error, setError, run } = useDialogAction();
  const open = () => {
    setError('');
    dialog.current?.showModal();
  };
  const confirm = () => (invalid ? setError(invalid) : void run(onConfirm));
  return (
    <>
      <button type="button" className={danger ? 'danger' : undefined} onClick={open} disabled={disabled} title={title}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={name} className={className}>
        {body}
        <DialogFooter dialog={dialog} error={error} busy={busy} danger={danger} onConfirm={confirm} autoFocus={autoFocus} confirmText={`Confirm ${label.toLowerCase()}`} />
      </dialog>
    </>
  );
}

/** What the dialog asks ("Power off VM 3 (web)?"). */
export function ConfirmButton({ question, ...rest }: ActionProps & { question: ReactNode }) {
  return <ActionDialog {...rest} name={`Confirm ${rest.label}`} className="confirm" body={<p>{question}</p>} autoFocus />;
}

/** ConfirmButton's pattern with a form inside: `title` heads the dialog and names it; `reason` says why it is disabled. */
export function DialogButton({ title, children, invalid, reason, ...rest }: Omit<ActionProps, 'title'> & { title: string; children: ReactNode; invalid?: string; reason?: string }) {
  const body = (
    <>
      <h2>{title}</h2>
      <div className="form-fields">{children}</div>
    </>
  );
  return <ActionDialog {...rest} title={reason} name={title} className="modal" body={body} invalid={invalid} />;
}

/** The Delete action of a detail page: asks, deletes, then goes back to the list at `then`. */
export function DeleteButton({ question, onDelete, then }: { question: ReactNode; onDelete: () => Promise<unknown>; then: string }) {
  const navigate = useNavigate();
  return (
    <ConfirmButton
      label="Delete"
      danger
      question={question}
      onConfirm={async () => {
        await onDelete();
        navigate(then);
      }}
    />
  );
}
