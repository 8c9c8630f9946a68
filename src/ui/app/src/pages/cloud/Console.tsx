/**
 * A VM's VNC console in the page (noVNC). The server hands a one-time token for a VM the user
 * may see and that is running with VNC graphics; the page opens the websocket itself (so it can
 * read the server's close reason) and gives it to noVNC. Every way it can fail ends in a sentence
 * on the page: no VNC, not running, token expired or used, host unreachable, disconnected.
 */
import RFB from '@novnc/novnc';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMe } from '../../session';
import './cloud.css';

type Status = { kind: 'connecting' | 'connected' | 'closed' | 'error'; text: string };

export function Console() {
  const id = Number(useParams().id);
  const me = useMe();
  const screen = useRef<HTMLDivElement>(null);
  const rfb = useRef<RFB | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'connecting', text: 'Connecting…' });
  const [name, setName] = useState('');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let stop = false;
    setStatus({ kind: 'connecting', text: 'Connecting…' });
    (async () => {
      const res = await fetch(`/api/vm/${id}/console`, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': me.csrf, 'Content-Type': 'application/json' }, body: '{}' });
      const body = (await res.json().catch(() => ({}))) as { error?: string; path?: string; vm?: { name: string }; password?: string };
      if (stop) return;
      if (!res.ok || !body.path) return setStatus({ kind: 'error', text: body.error ?? `The console cannot open (${res.status})` });
      setName(body.vm?.name ?? '');
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${body.path}`, ['binary']);
      ws.binaryType = 'arraybuffer';
      let reason = '';
      // The server's refusals (4xxx) carry a sentence; noVNC's own events do not.
      ws.addEventListener('close', (e) => {
        if (e.code >= 4000 && e.reason) reason = e.reason;
      });
      const r = new RFB(screen.current!, ws, body.password ? { credentials: { password: body.password } } : undefined);
      r.scaleViewport = true;
      rfb.current = r;
      r.addEventListener('connect', () => setStatus({ kind: 'connected', text: 'Connected' }));
      r.addEventListener('disconnect', (e) => {
        const clean = (e as CustomEvent<{ clean: boolean }>).detail?.clean;
        // The close event comes first; give it a tick so its reason is known.
        setTimeout(() => {
          if (!stop) setStatus(reason ? { kind: 'error', text: reason } : clean ? { kind: 'closed', text: 'The console closed.' } : { kind: 'error', text: 'The connection to the console was lost.' });
        }, 0);
      });
      r.addEventListener('securityfailure', (e) => setStatus({ kind: 'error', text: `The VNC server refused the connection: ${(e as CustomEvent<{ reason?: string }>).detail?.reason ?? 'security failure'}` }));
      r.addEventListener('credentialsrequired', () => setStatus({ kind: 'error', text: 'The VNC server asks for a password this page does not have.' }));
    })().catch((err: Error) => !stop && setStatus({ kind: 'error', text: `The console cannot open: ${err.message}` }));
    return () => {
      stop = true;
      rfb.current?.disconnect();
      rfb.current = null;
    };
  }, [id, me.csrf, attempt]);

  return (
    <section>
      <div className="page-head">
        <h1>
          Console of VM {id}
          {name ? `: ${name}` : ''}
        </h1>
        <div className="actions">
          <button type="button" onClick={() => rfb.current?.sendCtrlAltDel()} disabled={status.kind !== 'connected'}>
            Send Ctrl+Alt+Del
          </button>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            Reconnect
          </button>
          <Link className="button" to={`/vms/${id}/serial`}>
            Serial output
          </Link>
          <Link className="button" to={me.admin ? `/vms/${id}` : `/cloud/vms/${id}`}>
            Back to the VM
          </Link>
        </div>
      </div>
      <p role={status.kind === 'error' ? 'alert' : 'status'} className={status.kind === 'error' ? 'error' : 'hint'} data-testid="console-status">
        {status.text}
      </p>
      <div ref={screen} className="console-screen" data-testid="console-screen" hidden={status.kind === 'error'} />
    </section>
  );
}
