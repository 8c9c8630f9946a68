/**
 * The user's own settings: the SSH public key oned puts in their VMs' context (SSH_PUBLIC_KEY in
 * their template, merged so nothing else there is lost), their password, and their EC2 access
 * keys (the user name and EC2_SECRET_KEY, read decrypted; rotated with a new random secret). The
 * fields are checked first; oned's refusal shows under the form.
 */
import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { call, type Tree } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct, useSubmit } from '../../hooks';
import { useMe } from '../../session';
import { useMyUser } from './me';
import './cloud.css';

const KEY = /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]{16,}={0,3}( [^\n]*)?$/;

/** Why the text is not one or more SSH public keys ('' when it is, or when empty: no key). */
export function sshKeyError(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.some((l) => l.includes('PRIVATE KEY'))) return 'This is a private key: paste the public one (the .pub file)';
  const bad = lines.findIndex((l) => !KEY.test(l));
  return bad < 0 ? '' : `Line ${bad + 1} is not an SSH public key (it starts with ssh-ed25519, ssh-rsa or ecdsa-sha2-…, then the key)`;
}

export function Settings() {
  const { data: user, error } = useMyUser();
  return (
    <section>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <ErrorNote error={error} />
      {user && <SshKeyForm current={String(user.TEMPLATE?.SSH_PUBLIC_KEY ?? '')} />}
      <PasswordForm />
      <Ec2Keys />
    </section>
  );
}

function SshKeyForm({ current }: { current: string }) {
  const me = useMe();
  const act = useAct('vm', 'user');
  const [key, setKey] = useState(current);
  const { busy, error, setError, run } = useSubmit();
  const [saved, setSaved] = useState(false);
  const fieldError = sshKeyError(key);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setError(null);
    if (fieldError) return;
    await run(async () => {
      // MERGE (1): only SSH_PUBLIC_KEY changes in the user's template. The value goes quoted, its quotes escaped.
      await act('one.user.update', me.uid, `SSH_PUBLIC_KEY = "${key.trim().replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`, 1);
      setSaved(true);
    });
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="ssh-head">
      <h2 id="ssh-head">SSH public key</h2>
      <label>
        Public key (put in the VMs you launch, for logging in)
        <textarea rows={4} value={key} onChange={(e) => (setKey(e.target.value), setSaved(false))} aria-invalid={!!fieldError} aria-describedby="ssh-error" spellCheck={false} />
        <span id="ssh-error" className="field-error">
          {fieldError}
        </span>
      </label>
      <ErrorNote error={error} />
      {saved && (
        <p role="status" className="ok-note">
          SSH key saved.
        </p>
      )}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          Save SSH key
        </button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const me = useMe();
  const act = useAct('user');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const { busy, error, setError, run } = useSubmit();
  const [done, setDone] = useState(false);
  const pwError = password.length === 0 ? (submitted ? 'Enter the new password' : '') : /\s/.test(password) ? 'A password has no spaces' : '';
  const confirmError = confirm !== password && (submitted || confirm.length >= password.length) ? 'The two passwords differ' : '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setDone(false);
    setError(null);
    if (!password || /\s/.test(password) || confirm !== password) return;
    await run(async () => {
      await act('one.user.passwd', me.uid, password);
      setDone(true);
      setPassword('');
      setConfirm('');
      setSubmitted(false);
    });
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="pw-head" style={{ marginTop: '1rem' }}>
      <h2 id="pw-head">Password</h2>
      <label>
        New password
        <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={!!pwError} aria-describedby="pw-error" />
        <span id="pw-error" className="field-error">
          {pwError}
        </span>
      </label>
      <label>
        Confirm the new password
        <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-invalid={!!confirmError} aria-describedby="confirm-error" />
        <span id="confirm-error" className="field-error">
          {confirmError}
        </span>
      </label>
      <ErrorNote error={error} />
      {done && (
        <p role="status" className="ok-note">
          Password changed: use it at your next login.
        </p>
      )}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          Change password
        </button>
      </div>
    </form>
  );
}

/** A new EC2 secret access key: 30 random bytes in base64 (40 characters, as AWS's). */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(30));
  return btoa(String.fromCharCode(...bytes));
}

/** The user's EC2 key pair for the EC2 API (econe-server), with the secret hidden until asked, and rotation. */
function Ec2Keys() {
  const me = useMe();
  const client = useQueryClient();
  const keys = useQuery({
    queryKey: ['ec2-key', me.uid],
    queryFn: async () => {
      const user = (await call<Tree>('one.user.info', -1, true)).USER as Tree;
      return { id: String(user.NAME ?? me.user), secret: String(user.TEMPLATE?.EC2_SECRET_KEY ?? '') };
    },
  });
  const [shown, setShown] = useState(false);
  const [rotated, setRotated] = useState(false);
  const { busy, error, run } = useSubmit();
  const rotate = async () => {
    setRotated(false);
    await run(async () => {
      await call('one.user.update', me.uid, `EC2_SECRET_KEY = "${newSecret()}"`, 1);
      await client.invalidateQueries({ queryKey: ['ec2-key', me.uid] });
      setShown(true);
      setRotated(true);
    });
  };
  return (
    <div className="form" aria-labelledby="ec2-head" style={{ marginTop: '1rem' }}>
      <h2 id="ec2-head">EC2 access keys</h2>
      <p>For the AWS command line and SDKs against this cloud's EC2 API.</p>
      <ErrorNote error={keys.error ?? error} />
      {keys.data && (
        <dl className="ec2-keys">
          <dt>Access key ID</dt>
          <dd>
            <code data-testid="ec2-access-key">{keys.data.id}</code>
          </dd>
          <dt>Secret access key</dt>
          <dd>
            <code data-testid="ec2-secret-key">{shown ? keys.data.secret : '•'.repeat(40)}</code>
          </dd>
        </dl>
      )}
      {rotated && (
        <p role="status" className="ok-note">
          New secret key made: the old one no longer works.
        </p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => setShown((v) => !v)} disabled={!keys.data}>
          {shown ? 'Hide secret key' : 'Show secret key'}
        </button>
        <button type="button" onClick={() => void rotate()} disabled={busy || !keys.data}>
          Make a new secret key
        </button>
      </div>
    </div>
  );
}
