/** Who is logged in: the app asks the server once at start and after login/logout. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { auth, onUnauthorized, setCsrf, type Me } from './api';

interface SessionState {
  me: Me | null;
  loading: boolean;
  /** Why the user was sent to the login page (expired session). */
  notice: string;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    auth
      .me()
      .then((m) => {
        setCsrf(m.csrf);
        setMe(m);
      })
      .catch(() => setMe(null))
      .finally(() => setLoading(false));
    return onUnauthorized(() => {
      setMe((m) => {
        if (m) setNotice('Your session has expired: log in again.');
        return null;
      });
    });
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const m = await auth.login(username, password);
    setCsrf(m.csrf);
    setNotice('');
    setMe(m);
  }, []);
  const logout = useCallback(async () => {
    try {
      await auth.logout();
    } finally {
      setMe(null);
    }
  }, []);

  return <Ctx.Provider value={{ me, loading, notice, login, logout }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The logged-in user (pages below the login gate only). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('not logged in');
  return me;
}
