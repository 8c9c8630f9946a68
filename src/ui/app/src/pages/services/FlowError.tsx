import { ErrorNote } from '../../components/ErrorNote';
import { flowDown } from './flow';

/** OneFlow's refusal, or a clear word that oneflow-server does not answer (the pages need it). */
export function FlowError({ error }: { error: unknown }) {
  if (!error) return null;
  if (flowDown(error))
    return (
      <div role="alert" className="banner" data-testid="oneflow-down">
        <strong>oneflow-server is not reachable.</strong> Services and service templates are managed by oneflow-server; start it (or set oneflow_server in
        sunstone-server.conf). {(error as Error).message}
      </div>
    );
  return <ErrorNote error={error} />;
}
