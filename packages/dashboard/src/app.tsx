import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter-preact';
import { useHashLocation } from 'wouter-preact/use-hash-location';
import { Notice } from './components/notice.js';
import { call } from './lib/api.js';
import { type Auth, AuthContext, checkKey, signInError, storedKey } from './lib/auth.js';
import { LiveContext, LiveEvents, useLiveState } from './lib/live.js';
import { type PluginInfo, PluginsContext, useHasPlugin } from './lib/plugins.js';
import { CampaignsPage } from './pages/campaigns.js';
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
  // the installed plugins decide which plugin pages exist; any key may list them
  const [plugins, setPlugins] = useState<PluginInfo[] | null>(null);
  useEffect(() => {
    call(auth.client.api.GET('/v1/plugins')).then(
      (list) => setPlugins(list.items),
      () => setPlugins([]),
    );
  }, [auth]);
  return (
    <AuthContext.Provider value={auth}>
      <LiveContext.Provider value={live}>
        <PluginsContext.Provider value={plugins}>
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
              <Route path="/campaigns" component={CampaignsPage} />
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
        </PluginsContext.Provider>
      </LiveContext.Provider>
    </AuthContext.Provider>
  );
}

function Header({ auth }: { auth: Auth }) {
  const state = useLiveState();
  const campaigns = useHasPlugin('campaigns') && auth.scope === 'admin';
  const home = auth.scope === 'admin' ? '/' : `/sessions/${auth.sessionId}`;
  return (
    <header class="top">
      <Link href={home} class="brand">
        Zapgate
      </Link>
      <nav aria-label="Main">
        <NavLink href={home}>{auth.scope === 'admin' ? 'Sessions' : 'My session'}</NavLink>
        {auth.scope === 'admin' && <NavLink href="/webhooks">Webhooks</NavLink>}
        {campaigns && <NavLink href="/campaigns">Campaigns</NavLink>}
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
