/**
 * Preload for a gateway running in another process than the simulator:
 * `node --import @zapgate/wa-sim/preload app.js`.
 *
 * Reads `ZAPGATE_SIM_ROOT_KEY` (base64 root public key) or, when absent, fetches it from
 * the admin API at `ZAPGATE_SIM_ADMIN_URL` (e.g. `http://127.0.0.1:7000/admin`), then
 * points Baileys at that root. A simulator that is not up yet is waited for (with a message)
 * up to `ZAPGATE_SIM_WAIT_MS` (default 60 s); then the process exits with a sentence saying to
 * start the simulator first. The media server's certificate (`ZAPGATE_SIM_MEDIA_CA`, PEM
 * text, or from the admin API) is added to the default HTTPS agent so uploads verify.
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { trustSimulatorRoot } from './trust.js';

interface AdminInfo {
  rootKey: string;
  mediaCertificate: string;
}

/** How long to wait for a simulator that is not up yet. @default 60000 (`ZAPGATE_SIM_WAIT_MS`) */
const waitMs = Number(process.env.ZAPGATE_SIM_WAIT_MS ?? 60_000);

/** The admin `/info`, waiting (with one message) while the simulator is still starting. */
const fetchInfo = async (adminUrl: string): Promise<AdminInfo> => {
  const url = `${adminUrl.replace(/\/+$/, '')}/info`;
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`wa-sim preload: ${url} answered ${response.status}`);
      if (told) process.stderr.write('wa-sim preload: the WhatsApp simulator is up\n');
      return (await response.json()) as AdminInfo;
    } catch (error) {
      if (!(error instanceof TypeError) || Date.now() >= deadline) {
        const reason = error instanceof TypeError ? 'did not answer' : (error as Error).message;
        process.stderr.write(
          `wa-sim preload: the WhatsApp simulator at ${adminUrl} ${reason} within ${waitMs >= 1000 ? `${Math.round(waitMs / 1000)} s` : `${waitMs} ms`}. ` +
            'Start the simulator first (`npx --yes pnpm@10 sim` in another terminal), then start the server again.\n',
        );
        process.exit(1);
      }
      if (!told) {
        process.stderr.write(
          `wa-sim preload: waiting for the WhatsApp simulator at ${adminUrl} (start it with \`npx --yes pnpm@10 sim\`)…\n`,
        );
        told = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
};

const loadInfo = async (): Promise<Partial<AdminInfo>> => {
  const rootKey = process.env.ZAPGATE_SIM_ROOT_KEY;
  const mediaCertificate = process.env.ZAPGATE_SIM_MEDIA_CA;
  const adminUrl = process.env.ZAPGATE_SIM_ADMIN_URL;
  if ((rootKey && mediaCertificate) || !adminUrl) return { rootKey, mediaCertificate };
  const info = await fetchInfo(adminUrl);
  return { rootKey: rootKey ?? info.rootKey, mediaCertificate: mediaCertificate ?? info.mediaCertificate };
};

const info = await loadInfo();
if (!info.rootKey) {
  throw new Error('wa-sim preload: set ZAPGATE_SIM_ROOT_KEY or ZAPGATE_SIM_ADMIN_URL');
}
trustSimulatorRoot(info.rootKey);
if (info.mediaCertificate) {
  https.globalAgent.options.ca = [...rootCertificates, info.mediaCertificate];
}
