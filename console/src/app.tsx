import { useEffect, useRef, useState } from 'preact/hooks';
import { signOut } from './api.js';
import { CampaignView } from './campaign-view.js';
import { DeviceView } from './device-view.js';
import { FleetView } from './fleet-view.js';
import { type Route, readRoute } from './route.js';
import { t } from './texts.js';
import { ThisDeviceView } from './this-device-view.js';

/** The server marks a LAB tenant's page title before any script runs; each view's title keeps it. */
const LAB_PREFIX = document.title.startsWith('LAB · ') ? 'LAB · ' : '';

function viewTitle(route: Route): string {
  if (route.view === 'this-device') return t.thisDevice;
  if (route.view === 'device') return `${t.device} ${route.id}`;
  if (route.view === 'campaign') return `${t.campaign} ${route.id}`;
  return t.fleet;
}

/** The console: a header naming the tenant (LAB marked), and the view the URL's fragment names. */
export function App() {
  const [route, setRoute] = useState(() => readRoute(location.hash));
  const [tenant, setTenant] = useState<{ name: string; lab: string | null } | null>(null);
  const [signedOut, setSignedOut] = useState<'no' | 'yes' | string>('no');
  useEffect(() => {
    document.title = `${LAB_PREFIX}${viewTitle(route)} · tpm-doctor console`;
  }, [route]);
  useEffect(() => {
    const onHash = () => setRoute(readRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (signedOut === 'yes') return <SignedOut />;
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          tpm-doctor console
        </a>
        <nav aria-label={t.views} class="views">
          <a href="#/">{t.fleet}</a> <a href="#/this-device">{t.thisDevice}</a>
        </nav>
        {tenant && (
          <span class="tenant">
            {tenant.lab && <strong class="lab-badge">LAB</strong>} <bdi>{tenant.name}</bdi>
          </span>
        )}
        <button
          type="button"
          class="sign-out"
          onClick={() =>
            signOut().then(
              () => setSignedOut('yes'),
              (e: Error) => setSignedOut(e.message),
            )
          }
        >
          {t.signOut}
        </button>
        {signedOut !== 'no' && <span role="alert">{signedOut}</span>}
      </header>
      <main id="main">
        {route.view === 'this-device' ? (
          <ThisDeviceView onTenant={setTenant} />
        ) : route.view === 'campaign' ? (
          <CampaignView key={route.id} id={route.id} onTenant={setTenant} />
        ) : route.view === 'device' ? (
          <DeviceView id={route.id} onTenant={setTenant} />
        ) : (
          <FleetView params={route.params} onTenant={setTenant} />
        )}
      </main>
    </>
  );
}

/** After Sign out: the session ended on the server, and how to come back. */
function SignedOut() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = t.signedOut;
    heading.current?.focus();
  }, []);
  return (
    <main id="main">
      <h1 tabIndex={-1} ref={heading}>
        {t.signedOut}
      </h1>
      <p>{t.signedOutText}</p>
    </main>
  );
}
