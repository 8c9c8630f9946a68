/**
 * The frame of every page: the menu of the user's view (admin or cloud), the user and logout,
 * and the banner when oned does not answer. On a phone-sized screen the menu folds behind a button.
 */
import { useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useOnedUp } from './live';
import { pagesFor, SECTIONS } from './routes';
import { useMe, useSession } from './session';

export function Layout() {
  const me = useMe();
  const { logout } = useSession();
  const up = useOnedUp();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const pages = pagesFor(me.admin).filter((p) => p.label);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <button type="button" className="menu-button" aria-expanded={open} aria-controls="menu" onClick={() => setOpen((o) => !o)}>
          Menu
        </button>
        <span className="brand">nebula-ts</span>
        <span className="view">{me.admin ? 'Admin view' : 'Cloud view'}</span>
        <span className="user">
          {me.user}
          <NavLink to="/settings">Settings</NavLink>
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        </span>
      </header>
      <nav id="menu" aria-label="Main" className={open ? 'open' : undefined} key={location.pathname} onClick={() => setOpen(false)}>
        <NavLink to="/" end>
          Dashboard
        </NavLink>
        {SECTIONS.map((s) => {
          const items = pages.filter((p) => p.section === s);
          if (items.length === 0) return null;
          return (
            <div key={s} className="nav-section">
              <h2>{s}</h2>
              {items.map((p) => (
                <NavLink key={p.path} to={p.path}>
                  {p.label}
                </NavLink>
              ))}
            </div>
          );
        })}
      </nav>
      <main id="main" tabIndex={-1}>
        {!up && (
          <div role="alert" className="banner">
            oned is not answering. The operations center keeps retrying; what you typed in open forms is kept.
          </div>
        )}
        <Outlet />
      </main>
    </div>
  );
}
