import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiError } from './api';
import { Layout } from './layout';
import { useLiveFeed } from './live';
import { Login } from './login';
import { pagesFor } from './routes';
import { SessionProvider, useSession } from './session';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 1000,
      // oned down (503) or the server unreachable (0): keep retrying; oned's refusals are final.
      retry: (n, err) => err instanceof ApiError && (err.status === 503 || err.status === 0) && n < 1000,
      retryDelay: (n) => Math.min(1000 * 2 ** n, 10_000),
      refetchOnWindowFocus: false,
    },
  },
});

function Gate() {
  const { me, loading } = useSession();
  useLiveFeed(!!me);
  if (loading) return <p className="loading">Loading…</p>;
  if (!me) return <Login />;
  return (
    <Routes>
      <Route element={<Layout />}>
        {pagesFor(me.admin).map((p) => (
          <Route key={`${p.view}:${p.path}`} path={p.path} element={p.element} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no such page, or your view does not have it.</p>
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <BrowserRouter>
          <Gate />
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
