// The Identity service: served next to both the Controller (by the manager) and the Node service
// (by each node agent), as the sidecars expect on every CSI socket.
import type { IdentityHandlers } from './proto.js';
import { DRIVER_NAME, DRIVER_VERSION } from './proto.js';
import { unary } from './errors.js';
import type { Log } from './errors.js';

export interface IdentityOptions {
  /** Whether the plugin is ready to serve (Probe); the controller is when its manager answers. */
  ready: () => Promise<boolean>;
  /** True where the Controller service is served (the manager), false on node agents. */
  controller: boolean;
  log: Log;
}

export function identityHandlers(o: IdentityOptions): IdentityHandlers {
  return {
    GetPluginInfo: unary('GetPluginInfo', o.log, async () => ({ name: DRIVER_NAME, vendorVersion: DRIVER_VERSION, manifest: {} })),
    GetPluginCapabilities: unary('GetPluginCapabilities', o.log, async () => ({
      capabilities: [
        ...(o.controller ? [{ service: { type: 'CONTROLLER_SERVICE' as const } }] : []),
        { service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' as const } },
        // OFFLINE, not ONLINE: on the nbdfuse path the device keeps the size it had when nbdfuse
        // connected (libnbd reads the export size once), so a volume grows while no pod uses it:
        // NodeExpandVolume re-attaches the device, then resize2fs. See packages/csi/README.md.
        { volumeExpansion: { type: 'OFFLINE' as const } },
      ],
    })),
    Probe: unary('Probe', o.log, async () => ({ ready: { value: await o.ready() } })),
  };
}
