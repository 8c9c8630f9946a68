/**
 * A VM's serial output, read-only: our kvm driver writes the guest's first serial port to a file
 * on the host (there is no serial line to type into), and the server streams that file's end and
 * what the guest adds. Refusals and ends are sentences on the page.
 */
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMe } from '../../session';
import './cloud.css';

/** What the page keeps (the newest end of the output). */
const KEEP = 256 * 1024;
// Terminal colour and cursor sequences are noise in a <pre>.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

export function Serial() {
  const id = Number(useParams().id);
  const me = useMe();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<{ error: boolean; text: string }>({ error: false, text: 'Connecting…' });
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let ws: WebSocket | undefined;
    let stop = false;
    setText('');
    (async () => {
      const res = await fetch(`/api/vm/${id}/serial`, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': me.csrf, 'Content-Type': 'application/json' }, body: '{}' });
      const body = (await res.json().catch(() => ({}))) as { error?: string; path?: string };
      if (stop) return;
      if (!res.ok || !body.path) return setStatus({ error: true, text: body.error ?? `The serial output cannot be read (${res.status})` });
      ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${body.path}`, ['binary']);
      ws.binaryType = 'arraybuffer';
      const decoder = new TextDecoder();
      ws.onopen = () => setStatus({ error: false, text: 'Following the serial output' });
      ws.onmessage = (e) => setText((t) => (t + decoder.decode(e.data as ArrayBuffer, { stream: true }).replace(ANSI, '')).slice(-KEEP));
      ws.onclose = (e) => !stop && setStatus({ error: e.code !== 1000, text: e.reason || 'The connection closed.' });
    })().catch((err: Error) => !stop && setStatus({ error: true, text: `The serial output cannot be read: ${err.message}` }));
    return () => {
      stop = true;
      ws?.close();
    };
  }, [id, me.csrf]);

  useEffect(() => {
    pre.current?.scrollTo({ top: pre.current.scrollHeight });
  }, [text]);

  return (
    <section>
      <div className="page-head">
        <h1>Serial output of VM {id}</h1>
        <Link className="button" to={me.admin ? `/vms/${id}` : `/cloud/vms/${id}`}>
          Back to the VM
        </Link>
      </div>
      <p role={status.error ? 'alert' : 'status'} className={status.error ? 'error' : 'hint'} data-testid="serial-status">
        {status.text}
      </p>
      <p className="hint">Read-only: the guest's first serial port is written to a file on its host.</p>
      <pre ref={pre} className="log" tabIndex={0} aria-label={`Serial output of VM ${id}`} data-testid="serial-output">
        {text}
      </pre>
    </section>
  );
}
