// @cairn/ui: the web UI the manager serves on --ui-listen (server.ts), behind the admin credential.
export { DEFAULT_UI_PORT, startUiServer, UiServer } from './server.js';
export type { UiServerOptions } from './server.js';
export { AdminForwarder, FORWARDED, httpStatus } from './admin.js';
export * from './views.js';
