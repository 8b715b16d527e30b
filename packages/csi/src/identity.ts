// The Identity service: served next to both the Controller (by the manager) and the Node service
// (by each node agent), as the sidecars expect on every CSI socket.
//
// The spec: every instance of one plugin version reports the same plugin capabilities, whichever
// service it serves. So a node agent says CONTROLLER_SERVICE too (csi-sanity, pointed at a node
// socket, reads it there to decide whether to drive the controller), and the COs learn from the
// socket a sidecar is given which service that socket actually serves.
import type { IdentityHandlers } from './proto.js';
import { DRIVER_NAME, DRIVER_VERSION } from './proto.js';
import { unary } from './errors.js';
import type { Log } from './errors.js';

export interface IdentityOptions {
  /**
   * Probe: true when ready, false while still initializing (the controller, until its manager
   * answers); throws a CsiError FAILED_PRECONDITION when unhealthy or missing a dependency.
   */
  ready: () => Promise<boolean>;
  log: Log;
}

export const PLUGIN_CAPABILITIES = [
  { service: { type: 'CONTROLLER_SERVICE' as const } },
  { service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' as const } },
  // OFFLINE, not ONLINE: on the nbdfuse path the device keeps the size it had when nbdfuse
  // connected (libnbd reads the export size once), so a volume grows while no pod uses it:
  // NodeExpandVolume re-attaches the device, then resize2fs. See packages/csi/README.md.
  { volumeExpansion: { type: 'OFFLINE' as const } },
];

export function identityHandlers(o: IdentityOptions): IdentityHandlers {
  return {
    GetPluginInfo: unary('GetPluginInfo', o.log, async () => ({
      name: DRIVER_NAME,
      vendorVersion: DRIVER_VERSION,
      manifest: {},
    })),
    GetPluginCapabilities: unary('GetPluginCapabilities', o.log, async () => ({ capabilities: PLUGIN_CAPABILITIES })),
    Probe: unary('Probe', o.log, async () => ({ ready: { value: await o.ready() } })),
  };
}
