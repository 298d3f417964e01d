import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter-preact';
import { useHashLocation } from 'wouter-preact/use-hash-location';
import { Notice } from './components/notice.js';
import { type Auth, AuthContext, checkKey, signInError, storedKey } from './lib/auth.js';
import { LiveContext, LiveEvents, useLiveState } from './lib/live.js';
import { EventsPage } from './pages/events.js';
import { ServerPage } from './pages/server.js';
import { SessionPage } from './pages/session.js';
import { SessionsPage } from './pages/sessions.js';
import { SignIn } from './pages/sign-in.js';
import { WebhooksView } from './pages/webhooks.js';

/** Signs in (or resumes with the key kept in this tab), then shows the pages. */
export function App() {
  const [auth, setAuth] = useState<Auth | null>(null);
  const [resuming, setResuming] = useState(() => storedKey.get() !== null);
  const [resumeError, setResumeError] = useState<string | null>(null);
  const signIn = async (key: string) => {
    const checked = await checkKey(key);
    storedKey.set(key);
    const signOut = () => {
      storedKey.clear();
      setAuth(null);
      location.hash = '#/';
    };
    setAuth({ ...checked, signOut } as Auth);
  };
  useEffect(() => {
    const key = storedKey.get();
    if (!key) return;
    signIn(key)
      .catch((e) => {
        storedKey.clear();
        setResumeError(signInError(e));
      })
      .finally(() => setResuming(false));
  }, []);
  if (resuming) return <Notice>Signing in…</Notice>;
  if (!auth) return <SignIn onKey={signIn} initialError={resumeError} />;
  return <SignedIn auth={auth} />;
}

function SignedIn({ auth }: { auth: Auth }) {
  const live = useMemo(() => new LiveEvents(storedKey.get() ?? ''), [auth]);
  useEffect(() => live.start(), [live]);
  return (
    <AuthContext.Provider value={auth}>
      <LiveContext.Provider value={live}>
        <Router hook={useHashLocation}>
          <Header auth={auth} />
          <Switch>
            {auth.scope === 'admin' ? (
              <Route path="/" component={SessionsPage} />
            ) : (
              <Route path="/">
                <Redirect to={`/sessions/${auth.sessionId}`} />
              </Route>
            )}
            <Route path="/sessions/:id/:tab?">
              {(params) => <SessionPage id={params.id} tab={params.tab} />}
            </Route>
            <Route path="/webhooks">
              <main>
                <h1>Webhooks</h1>
                <WebhooksView sessionId={null} />
              </main>
            </Route>
            <Route path="/events" component={EventsPage} />
            <Route path="/server" component={ServerPage} />
            <Route>
              <main>
                <Notice>
                  There is no such page. <Link href="/">Back to the start</Link>
                </Notice>
              </main>
            </Route>
          </Switch>
        </Router>
      </LiveContext.Provider>
    </AuthContext.Provider>
  );
}

function Header({ auth }: { auth: Auth }) {
  const state = useLiveState();
  const home = auth.scope === 'admin' ? '/' : `/sessions/${auth.sessionId}`;
  return (
    <header class="top">
      <Link href={home} class="brand">
        Zapgate
      </Link>
      <nav aria-label="Main">
        <NavLink href={home}>{auth.scope === 'admin' ? 'Sessions' : 'My session'}</NavLink>
        {auth.scope === 'admin' && <NavLink href="/webhooks">Webhooks</NavLink>}
        <NavLink href="/events">Events</NavLink>
        {auth.scope === 'admin' && <NavLink href="/server">Server</NavLink>}
      </nav>
      <span class={`live live-${state}`} role="status" title="Event stream">
        {state === 'live' ? 'Live' : state === 'refused' ? 'Stream refused' : 'Connecting…'}
      </span>
      <button type="button" onClick={auth.signOut}>
        Sign out
      </button>
    </header>
  );
}

/** A header link marked as the current page for its section. */
function NavLink({ href, children }: { href: string; children: ComponentChildren }) {
  const [location] = useLocation();
  const current =
    href === '/' ? location === '/' || location.startsWith('/sessions/') : location.startsWith(href);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
