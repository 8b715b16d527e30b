// cairn web UI: preact + htm (vendored through npm, served by the UI server), hash routes, no
// bundler. Every read and action is the UI server's /api, which forwards to the admin gRPC API
// with this browser's session (an HttpOnly cookie set by POST /login); its errors are shown as the
// API words them. One EventSource on the event log refreshes what is on screen as events arrive.
import { h, render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);

// ---- API --------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && path !== '/login') go('/login');
    throw new ApiError(res.status, data.code ?? String(res.status), data.error ?? res.statusText);
  }
  return data;
}

const api = {
  get: (path) => request('GET', path),
  call: (method, req = {}) => request('POST', `/api/call/${method}`, req),
  login: (token) => request('POST', '/login', { token }),
  logout: () => request('POST', '/logout', {}),
  session: () => request('GET', '/session'),
};

// ---- little helpers ---------------------------------------------------------------------------

const UNITS = {
  '': 1,
  k: 1024,
  ki: 1024,
  m: 1024 ** 2,
  mi: 1024 ** 2,
  g: 1024 ** 3,
  gi: 1024 ** 3,
  t: 1024 ** 4,
  ti: 1024 ** 4,
};
/** "10Gi", "512Mi", "1T" (binary units) or bytes; null when it does not parse. */
export function parseSize(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*$/i.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]);
}
function size(n) {
  if (!n) return '0';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 10 || i === 0 ? Math.round(n) : n.toFixed(1)} ${u[i]}`;
}
const time = (ms) => (ms ? new Date(ms).toLocaleString() : '-');
const pct = (a, b) => (b > 0 ? Math.round((100 * a) / b) : 0);
const tags = (list) =>
  list && list.length ? list.map((t) => html`<span class="tag">${t}</span>`) : html`<span class="muted">none</span>`;
const splitTags = (text) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
const Badge = ({ value }) => html`<span class=${`badge ${value}`}>${value || '-'}</span>`;
const Bar = ({ used, total }) =>
  html`<div class="bar" title=${`${pct(used, total)}%`}><span style=${{ width: `${pct(used, total)}%` }}></span></div>`;

/** One line for an event's payload: its scalar fields, key=value. */
function summary(ev) {
  const parts = [];
  const walk = (obj, prefix) => {
    for (const [k, v] of Object.entries(obj ?? {})) {
      if (v === '' || v === 0 || v === false || v === null || v === undefined) continue;
      if (Array.isArray(v)) {
        if (v.length && typeof v[0] !== 'object') parts.push(`${prefix}${k}=${v.join(',')}`);
        continue;
      }
      if (typeof v === 'object') {
        if (prefix.length < 20) walk(v, `${prefix}${k}.`);
        continue;
      }
      parts.push(`${prefix}${k}=${v}`);
    }
  };
  walk(ev.payload, '');
  return parts.join(' ');
}

// ---- routing and live events ------------------------------------------------------------------

function go(path) {
  if (location.hash !== `#${path}`) location.hash = `#${path}`;
}
function useRoute() {
  const [route, setRoute] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setRoute(location.hash.slice(1) || '/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Server-sent events of the log (from the head, or `query`); calls onEvent for each. */
function useEvents(query, onEvent, enabled = true) {
  const cb = useRef(onEvent);
  cb.current = onEvent;
  const [state, setState] = useState('connecting');
  useEffect(() => {
    if (!enabled) return undefined;
    const es = new EventSource(`/api/events${query ? `?${query}` : ''}`);
    es.onopen = () => setState('live');
    es.onmessage = (m) => cb.current(JSON.parse(m.data));
    es.addEventListener('failure', (m) => {
      setState(`stopped: ${JSON.parse(m.data).error}`);
      es.close();
    });
    es.onerror = () => setState('reconnecting');
    return () => es.close();
  }, [query, enabled]);
  return state;
}

/**
 * Data of one read that reloads when `deps` change and when `tick` does (a new event). Reloads for
 * events never overlap and wait, after one ends, as long as it took: on a busy cluster whose lists
 * are slow to make, a page asks the manager for them at most half of the time.
 */
function useData(load, deps, tick) {
  const [state, setState] = useState({ data: null, error: null });
  const gate = useRef({ running: false, pending: false, until: 0, timer: 0 });
  const key = deps.join('\u0000');
  const run = useRef(null);
  run.current = () => {
    const g = gate.current;
    if (g.running || Date.now() < g.until) {
      g.pending = true;
      if (!g.running && !g.timer)
        g.timer = setTimeout(() => {
          g.timer = 0;
          run.current();
        }, g.until - Date.now());
      return;
    }
    g.running = true;
    g.pending = false;
    const started = Date.now();
    const forKey = key;
    load()
      .then(
        (data) => ({ data, error: null }),
        (error) => ({ error }),
      )
      .then((r) => {
        g.running = false;
        g.until = Date.now() + (Date.now() - started);
        if (forKey === gate.current.key) setState((s) => ({ data: r.error ? s.data : r.data, error: r.error }));
        if (g.pending) run.current();
      });
  };
  useEffect(() => {
    // New deps: a new read now, whatever is running (its answer, for the old deps, is dropped).
    gate.current = { running: false, pending: false, until: 0, timer: 0, key };
    run.current();
    return () => clearTimeout(gate.current.timer);
  }, [key]);
  const mountTick = useRef(tick);
  useEffect(() => {
    if (tick !== mountTick.current) run.current();
  }, [tick]);
  return state;
}

/** Runs an action, showing its error (the API's words) or its success. */
function useAction() {
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (what, fn) => {
    setBusy(true);
    setMsg(null);
    try {
      const r = await fn();
      setMsg({ ok: true, text: what });
      return r;
    } catch (e) {
      setMsg({ ok: false, text: `${what} failed: ${e.code ? `${e.code}: ` : ''}${e.message}` });
      return null;
    } finally {
      setBusy(false);
    }
  }, []);
  const view = msg
    ? html`<div class=${msg.ok ? 'ok' : 'error'} role=${msg.ok ? 'status' : 'alert'}>${msg.text}</div>`
    : null;
  return { run, busy, view };
}

const Err = ({ error }) =>
  error ? html`<div class="error" role="alert">${error.code ? `${error.code}: ` : ''}${error.message}</div>` : null;

// ---- pages ------------------------------------------------------------------------------------

function Login() {
  const [token, setToken] = useState('');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    try {
      await api.login(token);
      go('/');
    } catch (err) {
      setError(err);
    }
  };
  return html`<div class="login card">
    <h1>cairn</h1>
    <p class="muted">Log in with the cluster's admin token (cairn up keeps it in .cairn/token).</p>
    <form onSubmit=${submit}>
      <input
        type="password"
        name="token"
        placeholder="admin token"
        autocomplete="current-password"
        value=${token}
        onInput=${(e) => setToken(e.target.value)}
      />
      <button class="primary" type="submit">Log in</button>
    </form>
    <${Err} error=${error} />
  </div>`;
}

function Dashboard({ tick }) {
  const { data, error } = useData(() => api.get('/api/dashboard'), [], tick);
  if (!data) return html`<${Err} error=${error} />${error ? null : html`<p class="loading">loading…</p>`}`;
  const v = data.volumes;
  return html`<h1>Dashboard</h1>
    <${Err} error=${error} />
    <div class="cards" id="robustness">
      <div class="card">
        <div class="n">${v.total}</div>
        <div class="l">volumes</div>
      </div>
      ${['healthy', 'degraded', 'faulted', 'unknown'].map(
        (r) =>
          html`<a class="card" href=${`#/volumes?robustness=${r}`}
            ><div class=${`n ${r}`} data-robustness=${r}>${v.byRobustness[r] ?? 0}</div>
            <div class="l">${r}</div></a
          >`,
      )}
      <div class="card">
        <div class="n">${v.unschedulable}</div>
        <div class="l">unschedulable</div>
      </div>
      <div class="card">
        <div class="n">${v.rebuilding}</div>
        <div class="l">rebuilding</div>
      </div>
      <div class="card">
        <div class="n">${data.nodes.up}/${data.nodes.total}</div>
        <div class="l">nodes up</div>
      </div>
    </div>
    <h2>Space</h2>
    <div class="card">
      scheduled ${size(data.space.scheduled)} of ${size(data.space.maximum)} · available ${size(data.space.available)} ·
      reserved ${size(data.space.reserved)}
      <${Bar} used=${data.space.maximum - data.space.available} total=${data.space.maximum} />
    </div>
    <h2>Nodes</h2>
    <table>
      <thead>
        <tr>
          <th>node</th>
          <th>zone</th>
          <th>state</th>
          <th>scheduling</th>
          <th class="num">disks</th>
          <th class="num">replicas</th>
          <th class="num">used</th>
          <th class="num">free</th>
          <th class="num">scheduled</th>
          <th>space</th>
        </tr>
      </thead>
      <tbody>
        ${data.nodes.list.map(
          (n) =>
            html`<tr>
              <td><a href=${`#/nodes/${encodeURIComponent(n.id)}`}>${n.id}</a></td>
              <td>${n.zone || '-'}</td>
              <td>${n.state}</td>
              <td>${n.schedulable ? 'on' : 'off'}${n.evicting ? ' · evicting' : ''}</td>
              <td class="num">${n.disks}</td>
              <td class="num">${n.replicas}</td>
              <td class="num">${size(n.space.maximum - n.space.available)}</td>
              <td class="num">${size(n.space.available)}</td>
              <td class="num">${size(n.space.scheduled)}</td>
              <td><${Bar} used=${n.space.maximum - n.space.available} total=${n.space.maximum} /></td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="muted">log at seq ${data.seq}</p>`;
}

function CreateVolume({ onDone }) {
  const [name, setName] = useState('');
  const [sz, setSz] = useState('1Gi');
  const [replicas, setReplicas] = useState('3');
  const act = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const bytes = parseSize(sz);
    await act
      .run(`create ${name}`, () => {
        if (bytes === null) throw new Error(`size "${sz}" is not a size (e.g. 10Gi)`);
        return api.call('CreateVolume', { name, size: bytes, numberOfReplicas: Number(replicas) });
      })
      .then((r) => r && onDone(name));
  };
  return html`<form class="row" onSubmit=${submit} id="create-volume">
      <input name="name" placeholder="name" value=${name} onInput=${(e) => setName(e.target.value)} />
      <input name="size" placeholder="size (10Gi)" size="8" value=${sz} onInput=${(e) => setSz(e.target.value)} />
      <label
        >replicas
        <input
          name="replicas"
          type="number"
          min="1"
          max="20"
          value=${replicas}
          onInput=${(e) => setReplicas(e.target.value)}
          size="3"
      /></label>
      <button class="primary" type="submit" disabled=${act.busy}>Create volume</button>
    </form>
    ${act.view}`;
}

function Volumes({ tick, query }) {
  const params = new URLSearchParams(query);
  const [q, setQ] = useState(params.get('q') ?? '');
  const [robustness, setRobustness] = useState(params.get('robustness') ?? '');
  const [offset, setOffset] = useState(0);
  const limit = 50;
  const qs = new URLSearchParams({ offset, limit, q, robustness }).toString();
  const { data, error } = useData(() => api.get(`/api/volumes?${qs}`), [qs], tick);
  return html`<h1>Volumes</h1>
    <${CreateVolume} onDone=${(n) => go(`/volumes/${encodeURIComponent(n)}`)} />
    <div class="row">
      <input
        placeholder="filter by name"
        value=${q}
        onInput=${(e) => {
          setQ(e.target.value);
          setOffset(0);
        }}
      />
      <select
        value=${robustness}
        onChange=${(e) => {
          setRobustness(e.target.value);
          setOffset(0);
        }}
      >
        <option value="">any robustness</option>
        ${['healthy', 'degraded', 'faulted', 'unknown'].map((r) => html`<option value=${r}>${r}</option>`)}
      </select>
    </div>
    <${Err} error=${error} />
    ${
      data &&
      html`<div class="pager">
          <button disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - limit))}>‹ prev</button>
          <span id="volume-count"
            >${data.total ? `${offset + 1}–${Math.min(offset + limit, data.total)} of ${data.total}` : 'no volumes'}</span
          >
          <button disabled=${offset + limit >= data.total} onClick=${() => setOffset(offset + limit)}>next ›</button>
        </div>
        <table id="volumes">
          <thead>
            <tr>
              <th>name</th>
              <th class="num">size</th>
              <th>state</th>
              <th>robustness</th>
              <th>replicas</th>
              <th>attached to</th>
              <th>unschedulable</th>
            </tr>
          </thead>
          <tbody>
            ${data.items.map(
              (v) =>
                html`<tr>
                  <td><a href=${`#/volumes/${encodeURIComponent(v.name)}`}>${v.name}</a></td>
                  <td class="num">${size(v.size)}</td>
                  <td>${v.state}</td>
                  <td><${Badge} value=${v.robustness} /></td>
                  <td>${v.replicas}</td>
                  <td>${v.attachedTo || '-'}</td>
                  <td class="muted">${v.unschedulable}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
    }`;
}

/** The volume or node an event is about, as a link to its page. */
function Subject({ e }) {
  if (e.volume) return html`<a href=${`#/volumes/${encodeURIComponent(e.volume)}`}>${e.volume}</a>`;
  if (e.node) return html`<a href=${`#/nodes/${encodeURIComponent(e.node)}`}>${e.node}</a>`;
  return '';
}

function EventTable({ events, showSubject = true }) {
  return html`<table class="events">
    <thead>
      <tr>
        <th class="num">seq</th>
        <th>time</th>
        <th>event</th>
        ${showSubject && html`<th>about</th>`}
        <th>actor</th>
        <th>details</th>
      </tr>
    </thead>
    <tbody>
      ${events.map(
        (e) =>
          html`<tr data-seq=${e.seq}>
            <td class="num">${e.seq}</td>
            <td>${new Date(e.timeMs).toLocaleTimeString()}</td>
            <td>${e.type}</td>
            ${showSubject && html`<td><${Subject} e=${e} /></td>`}
            <td>${e.actor}</td>
            <td>${summary(e)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function VolumeEvents({ name, fromSeq }) {
  const [events, setEvents] = useState([]);
  useEffect(() => setEvents([]), [name]);
  const state = useEvents(
    `volume=${encodeURIComponent(name)}&from=${fromSeq}`,
    (e) => setEvents((l) => [e, ...l].slice(0, 500)),
    fromSeq > 0,
  );
  return html`<h2>Events of this volume <span class="muted">(${state})</span></h2>
    <${EventTable} events=${events} showSubject=${false} />`;
}

function Volume({ name, tick }) {
  const [deleted, setDeleted] = useState(false);
  const { data, error } = useData(
    async () => {
      // Backups only when a backup target is set (ListBackups is refused without one).
      const backupsOf = async () =>
        (await api.call('GetBackupTarget')).url ? api.call('ListBackups', { volume: name }) : { backups: [] };
      const [explain, snaps, backups, nodes] = await Promise.all([
        api.call('ExplainVolume', { name }),
        api.call('ListSnapshots', { name }),
        backupsOf(),
        api.call('ListNodes'),
      ]);
      return { explain, snaps: snaps.snapshots, backups: backups.backups, nodes: nodes.nodes };
    },
    [name],
    tick,
  );
  const act = useAction();
  const [node, setNode] = useState('');
  const [newSize, setNewSize] = useState('');
  if (deleted)
    return html`<h1>${name}</h1>
      <div class="ok">deleted</div>
      <a href="#/volumes">all volumes</a>`;
  if (!data)
    return html`<h1>${name}</h1>
      <${Err} error=${error} />${error ? null : html`<p class="loading">loading…</p>`}`;
  const v = data.explain.volume;
  const target = node || data.nodes[0]?.id || '';
  const attach = () => act.run(`attach ${name} to ${target}`, () => api.call('AttachVolume', { name, nodeId: target }));
  const expand = () =>
    act.run(`expand ${name} to ${newSize}`, () => {
      const bytes = parseSize(newSize);
      if (bytes === null) throw new Error(`size "${newSize}" is not a size (e.g. 20Gi)`);
      return api.call('ExpandVolume', { name, size: bytes });
    });
  const remove = async () => {
    if (!confirm(`Delete volume ${name} and its data?`)) return;
    if (await act.run(`delete ${name}`, () => api.call('DeleteVolume', { name }))) setDeleted(true);
  };
  return html`<h1>Volume ${v.name} <${Badge} value=${v.robustness} /></h1>
    <${Err} error=${error} />
    <table>
      <tbody>
        <tr>
          <th>size</th>
          <td>${size(v.size)}</td>
          <th>state</th>
          <td id="volume-state">${v.state}${v.attachedTo ? ` on ${v.attachedTo}` : ''}</td>
        </tr>
        <tr>
          <th>replicas</th>
          <td>${v.replicas.length} of ${v.numberOfReplicas}</td>
          <th>data locality</th>
          <td>${v.dataLocality}</td>
        </tr>
        <tr>
          <th>endpoint</th>
          <td>${v.endpoint || '-'}</td>
          <th>access mode</th>
          <td>${v.accessMode}</td>
        </tr>
        <tr>
          <th>node selector</th>
          <td>${tags(v.nodeSelector)}</td>
          <th>disk selector</th>
          <td>${tags(v.diskSelector)}</td>
        </tr>
        ${
          v.unschedulable &&
          html`<tr>
            <th>unschedulable</th>
            <td colspan="3" class="degraded">${v.unschedulable}</td>
          </tr>`
        }
        ${
          v.waiting &&
          html`<tr>
            <th>waiting</th>
            <td colspan="3">${v.waiting}</td>
          </tr>`
        }
      </tbody>
    </table>
    <h2>Actions</h2>
    <div class="row">
      <select value=${target} onChange=${(e) => setNode(e.target.value)} name="node">
        ${data.nodes.map((n) => html`<option value=${n.id}>${n.id}</option>`)}
      </select>
      <button onClick=${attach} disabled=${act.busy || v.state !== 'detached'}>Attach</button>
      <button
        onClick=${() => act.run(`detach ${name}`, () => api.call('DetachVolume', { name }))}
        disabled=${act.busy || v.state === 'detached'}
      >
        Detach
      </button>
      <button
        id="snapshot"
        onClick=${() => act.run(`snapshot of ${name}`, () => api.call('CreateSnapshot', { volume: name }))}
        disabled=${act.busy}
      >
        Take snapshot
      </button>
      <input placeholder="new size (20Gi)" size="10" value=${newSize} onInput=${(e) => setNewSize(e.target.value)} />
      <button onClick=${expand} disabled=${act.busy || !newSize}>Expand</button>
      <button class="danger" onClick=${remove} disabled=${act.busy}>Delete</button>
    </div>
    ${act.view}
    <h2>Replicas</h2>
    <table id="replicas">
      <thead>
        <tr>
          <th>replica</th>
          <th>node</th>
          <th>disk</th>
          <th>state</th>
          <th>placed for</th>
          <th>rebuild</th>
          <th>failure</th>
        </tr>
      </thead>
      <tbody>
        ${v.replicas.map(
          (r) =>
            html`<tr>
              <td>${r.id}</td>
              <td><a href=${`#/nodes/${encodeURIComponent(r.node)}`}>${r.node}</a></td>
              <td>${r.disk}</td>
              <td>${r.state}</td>
              <td>${r.trigger}</td>
              <td>
                ${r.state === 'rebuilding' ? html`<${Bar} used=${r.rebuildProgress} total=${100} /> ${r.rebuildProgress}%` : '-'}
              </td>
              <td class="muted">${r.failedReason}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Why (from the events)</h2>
    <table id="explain">
      <thead>
        <tr>
          <th class="num">seq</th>
          <th>time</th>
          <th>replica</th>
          <th>explanation</th>
        </tr>
      </thead>
      <tbody>
        ${data.explain.lines.map(
          (l) =>
            html`<tr>
              <td class="num">${l.seq}</td>
              <td>${time(l.timeMs)}</td>
              <td>${l.replicaId || '-'}</td>
              <td>${l.text}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Snapshots</h2>
    ${
      data.snaps.length
        ? html`<table id="snapshots">
            <thead>
              <tr>
                <th>name</th>
                <th class="num">size</th>
                <th>created</th>
                <th class="num">seq</th>
              </tr>
            </thead>
            <tbody>
              ${data.snaps.map(
                (s) =>
                  html`<tr>
                    <td>${s.name}</td>
                    <td class="num">${size(s.size)}</td>
                    <td>${time(s.createdMs)}</td>
                    <td class="num">${s.createdSeq}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted" id="snapshots">no snapshots</p>`
    }
    ${
      data.backups.length > 0 &&
      html`<h2>Backups</h2>
        <table>
          <thead>
            <tr>
              <th>name</th>
              <th>snapshot</th>
              <th>state</th>
              <th>progress</th>
              <th>created</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody>
            ${data.backups.map(
              (b) =>
                html`<tr>
                  <td>${b.name}</td>
                  <td>${b.snapshot}</td>
                  <td>${b.state}</td>
                  <td>${b.progress}%</td>
                  <td>${time(b.createdMs)}</td>
                  <td class="muted">${b.error}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
    }
    <${VolumeEvents} name=${name} fromSeq=${Number(v.createdSeq) || 1} />`;
}

function Nodes({ tick }) {
  const { data, error } = useData(() => api.call('ListNodes'), [], tick);
  return html`<h1>Nodes</h1>
    <${Err} error=${error} /> ${
      data &&
      html`<table id="nodes">
        <thead>
          <tr>
            <th>node</th>
            <th>zone</th>
            <th>state</th>
            <th>tags</th>
            <th>scheduling</th>
            <th>eviction</th>
            <th class="num">disks</th>
          </tr>
        </thead>
        <tbody>
          ${data.nodes.map(
            (n) =>
              html`<tr>
                <td><a href=${`#/nodes/${encodeURIComponent(n.id)}`}>${n.id}</a></td>
                <td>${n.zone || '-'}</td>
                <td>${n.state}${n.downReason ? ` (${n.downReason})` : ''}</td>
                <td class="node-tags">${tags(n.tags)}</td>
                <td>${n.allowScheduling ? 'on' : 'off'}${n.cordoned ? ' · cordoned' : ''}</td>
                <td>${n.evictionRequested ? 'requested' : '-'}</td>
                <td class="num">${n.disks.length}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    }`;
}

function TagEditor({ label, value, onSave, busy, id }) {
  const [text, setText] = useState(value.join(', '));
  useEffect(() => setText(value.join(', ')), [value.join(',')]);
  return html`<form
    class="row"
    id=${id}
    onSubmit=${(e) => {
      e.preventDefault();
      onSave(splitTags(text));
    }}
  >
    <label
      >${label} <input name="tags" value=${text} onInput=${(e) => setText(e.target.value)} placeholder="ssd, fast"
    /></label>
    <button type="submit" disabled=${busy}>Save tags</button>
  </form>`;
}

function Node({ id, tick }) {
  const { data, error } = useData(() => api.call('ListNodes'), [id], tick);
  const act = useAction();
  const n = data?.nodes.find((x) => x.id === id);
  if (!data)
    return html`<h1>Node ${id}</h1>
      <${Err} error=${error} />`;
  if (!n)
    return html`<h1>Node ${id}</h1>
      <div class="error">no node ${id}</div>`;
  const update = (what, req) => act.run(what, () => api.call('UpdateNode', { nodeId: id, ...req }));
  const updateDisk = (d, what, req) =>
    act.run(what, () => api.call('UpdateDisk', { nodeId: id, diskId: d.diskId, ...req }));
  return html`<h1>Node ${n.id} <span class="badge">${n.state}</span></h1>
    <${Err} error=${error} />
    <table>
      <tbody>
        <tr>
          <th>address</th>
          <td>${n.address}</td>
          <th>zone</th>
          <td>${n.zone || '-'}</td>
        </tr>
        <tr>
          <th>scheduling</th>
          <td id="node-scheduling">${n.allowScheduling ? 'on' : 'off'}${n.cordoned ? ' (cordoned)' : ''}</td>
          <th>eviction</th>
          <td id="node-eviction">${n.evictionRequested ? 'requested' : 'no'}</td>
        </tr>
        <tr>
          <th>tags</th>
          <td colspan="3" class="node-tags">${tags(n.tags)}</td>
        </tr>
        ${
          n.downReason &&
          html`<tr>
            <th>down</th>
            <td colspan="3">${n.downReason}</td>
          </tr>`
        }
      </tbody>
    </table>
    <h2>Actions</h2>
    <div class="row">
      <button
        onClick=${() => update(`scheduling ${n.allowScheduling ? 'off' : 'on'} on ${id}`, { allowScheduling: !n.allowScheduling })}
        disabled=${act.busy}
      >
        ${n.allowScheduling ? 'Disable' : 'Enable'} scheduling
      </button>
      <button
        id="evict"
        onClick=${() => update(`${n.evictionRequested ? 'cancel eviction of' : 'evict'} ${id}`, { evictionRequested: !n.evictionRequested })}
        disabled=${act.busy}
      >
        ${n.evictionRequested ? 'Cancel eviction' : 'Evict replicas'}
      </button>
    </div>
    <${TagEditor}
      id="node-tag-editor"
      label="node tags"
      value=${n.tags}
      busy=${act.busy}
      onSave=${(t) => update(`tags of ${id}`, { tags: { values: t } })}
    />
    ${act.view}
    <h2>Disks</h2>
    <table id="disks">
      <thead>
        <tr>
          <th>disk</th>
          <th>path</th>
          <th>tags</th>
          <th>scheduling</th>
          <th>eviction</th>
          <th class="num">replicas</th>
          <th class="num">maximum</th>
          <th class="num">free</th>
          <th class="num">reserved</th>
          <th class="num">scheduled</th>
          <th>used</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${n.disks.map(
          (d) =>
            html`<tr>
              <td>${d.diskId}</td>
              <td>${d.path}</td>
              <td>
                ${tags(d.tags)}
                <${TagEditor}
                  id=${`disk-tags-${d.diskId}`}
                  label=""
                  value=${d.tags}
                  busy=${act.busy}
                  onSave=${(t) => updateDisk(d, `tags of disk ${d.diskId}`, { tags: { values: t } })}
                />
              </td>
              <td>${d.allowScheduling ? 'on' : 'off'}</td>
              <td>${d.evictionRequested ? 'requested' : '-'}</td>
              <td class="num">${d.replicas}</td>
              <td class="num">${size(d.storageMaximum)}</td>
              <td class="num">${size(d.storageAvailable)}</td>
              <td class="num">${size(d.storageReserved)}</td>
              <td class="num">${size(d.storageScheduled)}</td>
              <td><${Bar} used=${d.storageMaximum - d.storageAvailable} total=${d.storageMaximum} /></td>
              <td>
                <button
                  onClick=${() => updateDisk(d, `scheduling ${d.allowScheduling ? 'off' : 'on'} on disk ${d.diskId}`, { allowScheduling: !d.allowScheduling })}
                  disabled=${act.busy}
                >
                  ${d.allowScheduling ? 'Disable' : 'Enable'} scheduling
                </button>
                <button
                  onClick=${() =>
                    updateDisk(d, `${d.evictionRequested ? 'cancel eviction of' : 'evict'} disk ${d.diskId}`, {
                      evictionRequested: !d.evictionRequested,
                    })}
                  disabled=${act.busy}
                >
                  ${d.evictionRequested ? 'Cancel eviction' : 'Evict'}
                </button>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function SettingRow({ s, onSave, busy }) {
  const [value, setValue] = useState(s.value);
  useEffect(() => setValue(s.value), [s.value]);
  return html`<tr>
    <td>
      <b>${s.name}</b>
      <div class="muted">${s.description}</div>
    </td>
    <td>${s.range}</td>
    <td class="muted">${s.default}</td>
    <td>
      <form
        class="row"
        onSubmit=${(e) => {
          e.preventDefault();
          onSave(s.name, value);
        }}
      >
        <input value=${value} onInput=${(e) => setValue(e.target.value)} size="12" />
        <button type="submit" disabled=${busy || value === s.value}>Save</button>
      </form>
    </td>
  </tr>`;
}

function Settings({ tick }) {
  const { data, error } = useData(() => api.call('GetSettings', {}), [], tick);
  const act = useAction();
  const save = (k, val) => act.run(`${k}=${val}`, () => api.call('UpdateSettings', { values: { [k]: val } }));
  return html`<h1>Settings</h1>
    <${Err} error=${error} />${act.view}
    ${
      data &&
      html`<table id="settings">
        <thead>
          <tr>
            <th>setting</th>
            <th>valid values</th>
            <th>default</th>
            <th>value</th>
          </tr>
        </thead>
        <tbody>
          ${data.settings.map((s) => html`<${SettingRow} key=${s.name} s=${s} busy=${act.busy} onSave=${save} />`)}
        </tbody>
      </table>`
    }`;
}

function Events() {
  const [events, setEvents] = useState([]);
  const state = useEvents('tail=200', (e) => setEvents((l) => [e, ...l].slice(0, 1000)));
  return html`<h1>Events <span class="muted" id="events-state">(${state})</span></h1>
    <${EventTable} events=${events} />`;
}

// ---- shell ------------------------------------------------------------------------------------

function App() {
  const route = useRoute();
  const [path, query = ''] = route.split('?');
  const [tick, setTick] = useState(0);
  const timer = useRef(0);
  // Whether this browser has a session: asked once, so a page never starts with refused calls.
  const [session, setSession] = useState(null);
  useEffect(() => {
    if (path === '/login') return;
    api.session().then(
      (s) => {
        setSession(s.loggedIn);
        if (!s.loggedIn) go('/login');
      },
      () => setSession(false),
    );
  }, [path === '/login']);
  const loggedIn = path !== '/login' && session === true;
  // Any event may change what is on screen: reload the page's data, at most once a second.
  const live = useEvents(
    '',
    () => {
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = 0;
        setTick((t) => t + 1);
      }, 1000);
    },
    loggedIn,
  );
  if (path === '/login') return html`<${Login} />`;
  if (!loggedIn) return html`<p class="loading">loading…</p>`;
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  let page;
  if (seg.length === 0) page = html`<${Dashboard} tick=${tick} />`;
  else if (seg[0] === 'volumes' && seg[1]) page = html`<${Volume} key=${seg[1]} name=${seg[1]} tick=${tick} />`;
  else if (seg[0] === 'volumes') page = html`<${Volumes} key=${query} query=${query} tick=${tick} />`;
  else if (seg[0] === 'nodes' && seg[1]) page = html`<${Node} key=${seg[1]} id=${seg[1]} tick=${tick} />`;
  else if (seg[0] === 'nodes') page = html`<${Nodes} tick=${tick} />`;
  else if (seg[0] === 'settings') page = html`<${Settings} tick=${tick} />`;
  else if (seg[0] === 'events') page = html`<${Events} />`;
  else
    page = html`<h1>Not found</h1>
      <a href="#/">dashboard</a>`;
  const link = (href, label) =>
    html`<a href=${`#${href}`} class=${(href === '/' ? path === '/' : path.startsWith(href)) ? 'on' : ''}>${label}</a>`;
  return html`<header>
      <span class="brand">cairn</span>
      <nav>
        ${link('/', 'Dashboard')}${link('/volumes', 'Volumes')}${link('/nodes', 'Nodes')}${link('/settings', 'Settings')}${link('/events', 'Events')}
      </nav>
      <span class="right"
        ><span id="live">events: ${live}</span
        ><button onClick=${() => api.logout().finally(() => go('/login'))}>Log out</button></span
      >
    </header>
    <main>${page}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
