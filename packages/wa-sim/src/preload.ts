/**
 * Preload for a gateway running in another process than the simulator:
 * `node --import @zapgate/wa-sim/preload app.js`.
 *
 * Reads `ZAPGATE_SIM_ROOT_KEY` (base64 root public key) or, when absent, fetches it from
 * the admin API at `ZAPGATE_SIM_ADMIN_URL` (e.g. `http://127.0.0.1:7000/admin`), then
 * points Baileys at that root. The media server's certificate (`ZAPGATE_SIM_MEDIA_CA`, PEM
 * text, or from the admin API) is added to the default HTTPS agent so uploads verify.
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { trustSimulatorRoot } from './trust.js';

interface AdminInfo {
  rootKey: string;
  mediaCertificate: string;
}

const loadInfo = async (): Promise<Partial<AdminInfo>> => {
  const rootKey = process.env.ZAPGATE_SIM_ROOT_KEY;
  const mediaCertificate = process.env.ZAPGATE_SIM_MEDIA_CA;
  const adminUrl = process.env.ZAPGATE_SIM_ADMIN_URL;
  if ((rootKey && mediaCertificate) || !adminUrl) return { rootKey, mediaCertificate };
  const response = await fetch(`${adminUrl.replace(/\/+$/, '')}/info`);
  if (!response.ok) throw new Error(`wa-sim preload: ${adminUrl}/info answered ${response.status}`);
  const info = (await response.json()) as AdminInfo;
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
