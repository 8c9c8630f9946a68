/** An error as the page shows it: the server's message (oned's own words when oned refused). */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {(error as Error).message ?? String(error)}
    </p>
  );
}
