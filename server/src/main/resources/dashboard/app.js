// The Sluice dashboard: plain JavaScript over the HTTP API and the event stream of a semaphore.
'use strict';

const WINDOWS = [['1 min', 60], ['5 min', 300], ['15 min', 900]];
const KEEP_SECONDS = 900;
const $ = id => document.getElementById(id);

/** Builds an element; strings become text (never HTML), so payloads and names cannot inject markup. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem && problem.detail ? problem.detail : 'HTTP ' + status;
    super(status === 403 ? 'Not allowed: ' + detail : detail);
    this.status = status;
    this.code = problem && problem.code;
    this.detail = detail;
  }
}

// ---- API keys -------------------------------------------------------------------------------
// A node that asks for keys (bound off loopback, or --auth required) answers 401 without one: the
// dashboard then asks for a key, keeps it in this tab's sessionStorage only (never in a URL or a
// cookie) and sends it as Authorization: Bearer on every call, the event stream included.

const Auth = (() => {
  const SLOT = 'sluice.apiKey';
  let key = null;
  try { key = sessionStorage.getItem(SLOT); } catch (e) { key = null; }
  return {
    held: () => Boolean(key),
    /** Adds the Authorization header to a headers object, when a key is held. */
    headers(h) {
      if (key) h.Authorization = 'Bearer ' + key;
      return h;
    },
    set(k) {
      key = k;
      try { sessionStorage.setItem(SLOT, k); } catch (e) { /* private mode: kept in memory only */ }
      renderSession();
    },
    clear() {
      key = null;
      try { sessionStorage.removeItem(SLOT); } catch (e) { /* nothing kept */ }
      renderSession();
    },
  };
})();

function renderSession() {
  const box = document.getElementById('session');
  if (box) box.hidden = !Auth.held();
}

let signingIn = false;

/** A call was refused for want of a valid key: stop the page and ask for one (once, however many calls failed). */
function needKey(error) {
  if (signingIn) return;
  signingIn = true;
  const hadKey = Auth.held();
  Auth.clear();
  if (page) page.stop();
  page = signInPage(hadKey
    ? 'The key was refused (' + error.detail + '). Sign in with another key.'
    : 'This Sluice node asks for an API key.');
}

function signInPage(message) {
  $('app').replaceChildren($('signin-view').content.cloneNode(true));
  crumbs(el('span', {}, 'Sign in'));
  setLive('off', 'signed out');
  $('signin-message').textContent = message;
  const input = $('signin-key');
  input.focus();
  let stopped = false;
  $('signin-form').addEventListener('submit', async e => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    let status = 0;
    try {
      const r = await fetch('/v1/semaphores?limit=1', { headers: { Authorization: 'Bearer ' + key, Accept: 'application/json' } });
      status = r.status;
      await r.text();
    } catch (err) {
      status = -1;
    }
    if (stopped) return;
    if (status === 200) {
      input.value = '';
      Auth.set(key);
      signingIn = false;
      route();
    } else if (status === 401) {
      $('signin-message').textContent = 'That key is not valid: unknown or revoked. Check it and try again.';
      input.select();
    } else {
      $('signin-message').textContent = status < 0 ? 'The server cannot be reached; try again.' : 'The server answered HTTP ' + status + '; try again.';
    }
  });
  return { stop() { stopped = true; } };
}

async function api(method, path, body) {
  const init = { method, headers: Auth.headers({ Accept: 'application/json' }) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!r.ok) {
    const error = new ApiError(r.status, json);
    if (r.status === 401) needKey(error);
    throw error;
  }
  return json;
}

/**
 * Reads a Server-Sent Events stream with fetch and a stream reader, since EventSource cannot send
 * an Authorization header, and reconnects as EventSource does: after the server's retry delay,
 * with Last-Event-ID, so the server sends the events missed meanwhile.
 * handlers: open(), event(type, dataText), down() (cut off, reconnecting), refused(ApiError) (403, 404: given up).
 */
function eventStream(path, handlers) {
  let closed = false;
  let lastId = null;
  let retry = 2000;
  let controller = null;
  let timer = null;

  function again() {
    if (closed) return;
    handlers.down();
    timer = setTimeout(connect, retry);
  }

  async function connect() {
    if (closed) return;
    controller = new AbortController();
    const headers = Auth.headers({ Accept: 'text/event-stream' });
    if (lastId !== null) headers['Last-Event-ID'] = lastId;
    let response;
    try {
      response = await fetch(path, { headers, signal: controller.signal, cache: 'no-store' });
    } catch (e) {
      again();
      return;
    }
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch (e) { problem = null; }
      const error = new ApiError(response.status, problem);
      if (response.status === 401) {
        needKey(error);
      } else if (response.status >= 500 || response.status === 429) {
        again();
      } else {
        handlers.refused(error);
      }
      return;
    }
    handlers.open();
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let type = '';
    let data = [];
    let id = null;
    const line = text => {
      if (text === '') {   // an empty line ends an event
        if (id !== null) lastId = id;
        if (data.length) handlers.event(type || 'message', data.join('\n'));
        type = '';
        data = [];
        id = null;
        return;
      }
      if (text.startsWith(':')) return;   // a comment: the server's keep-alive
      const colon = text.indexOf(':');
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? '' : text.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\0')) id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          line(buffer.slice(0, nl).replace(/\r$/, ''));
          buffer = buffer.slice(nl + 1);
        }
      }
    } catch (e) {
      // cut off, or closed by the page
    }
    again();
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (controller) controller.abort();
    }
  };
}

function toast(message, isError) {
  const t = el('div', { class: 'toast' + (isError ? ' error' : '') }, message);
  $('toasts').append(t);
  setTimeout(() => t.remove(), isError ? 6000 : 3000);
}

function setLive(state, text) {
  const live = $('live');
  live.className = 'live ' + state;
  $('live-text').textContent = text;
}

function confirmAction(title, text) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

const enc = encodeURIComponent;
const fmtTime = iso => iso ? new Date(iso).toLocaleTimeString() : '';
const fmtNum = n => (n === undefined || n === null) ? '–' : Number(n).toLocaleString();

// ---- routing ------------------------------------------------------------------------------

let page = null;   // the current page: { stop() }

function route() {
  if (page) page.stop();
  if (signingIn) {   // a sign-in is under way: it routes when it succeeds
    page = signInPage($('signin-message') ? $('signin-message').textContent : 'This Sluice node asks for an API key.');
    return;
  }
  const hash = location.hash || '#/';
  const m = hash.match(/^#\/s\/([^/?]+)/);
  document.querySelectorAll('.menu a').forEach(a => a.classList.remove('active'));
  if (hash.startsWith('#/simulate')) {
    $('nav-simulate').classList.add('active');
    page = simulatePage();
  } else {
    if (!m) $('nav-semaphores').classList.add('active');
    page = m ? semaphorePage(decodeURIComponent(m[1])) : listPage();
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', () => {
  renderSession();
  $('signout').addEventListener('click', () => {
    Auth.clear();
    route();
  });
  route();
});

function crumbs(...parts) {
  const c = $('crumbs');
  c.replaceChildren();
  parts.forEach((p, i) => {
    if (i > 0) c.append(el('span', { class: 'sep' }, '/'));
    c.append(p);
  });
}

// ---- the list of semaphores ---------------------------------------------------------------

function listPage() {
  $('app').replaceChildren($('list-view').content.cloneNode(true));
  crumbs(el('span', {}, 'Semaphores'));
  let items = [];
  let more = false;   // the list stops at 5000: a page for people, not a full inventory
  let stopped = false;
  const filter = $('filter');
  filter.addEventListener('input', render);

  function usage(s) {
    const limit = s.limit;
    const inUse = s.state.inUse;
    const pct = limit > 0 ? Math.min(100, (inUse / limit) * 100) : (inUse > 0 ? 100 : 0);
    return el('div', { class: 'usage' },
      el('div', { class: 'bar' }, el('div', { class: 'bar-fill' + (inUse >= limit ? ' full' : ''), style: 'width:' + pct + '%' })),
      el('span', { class: 'txt' }, fmtNum(inUse) + ' / ' + fmtNum(limit)));
  }

  function status(s) {
    if (s.paused) return el('span', { class: 'badge paused' }, 'Paused');
    if (s.limit === 0) return el('span', { class: 'badge muted' }, 'Closed');
    if (s.state.inUse >= s.limit) return el('span', { class: 'badge full' }, 'Full');
    return el('span', { class: 'badge' }, 'Open');
  }

  function render() {
    const q = filter.value.trim().toLowerCase();
    const shown = items.filter(s => !q || s.name.includes(q));
    $('list-body').replaceChildren(...shown.map(s => el('tr', {
      class: 'link', 'data-name': s.name, onclick: () => { location.hash = '#/s/' + enc(s.name); }
    },
      el('td', {}, el('a', { href: '#/s/' + enc(s.name) }, s.name)),
      el('td', {}, usage(s)),
      el('td', { class: 'num' }, fmtNum(s.state.waiting)),
      el('td', { class: 'num' }, fmtNum(s.state.inflight)),
      el('td', { class: 'num' }, fmtNum(s.state.dead)),
      el('td', {}, status(s)))));
    $('list-empty').hidden = items.length > 0;
    const held = items.reduce((n, s) => n + s.state.inUse, 0);
    const waiting = items.reduce((n, s) => n + s.state.waiting, 0);
    $('list-summary').textContent = (more ? 'the first ' : '') + items.length + ' semaphore' + (items.length === 1 ? '' : 's') + ' · '
      + fmtNum(held) + ' permits held · ' + fmtNum(waiting) + ' waiting';
  }

  async function poll() {
    if (stopped) return;
    try {
      const all = [];
      let cursor = null;
      do {
        const pageOf = await api('GET', '/v1/semaphores?limit=1000' + (cursor ? '&cursor=' + enc(cursor) : ''));
        all.push(...pageOf.items);
        cursor = pageOf.nextCursor;
      } while (cursor && all.length < 5000);
      items = all;
      more = Boolean(cursor);
      render();
      setLive('on', 'live');
    } catch (e) {
      if (e.status === 401) return;   // signing in
      setLive('off', 'offline');
    }
    if (!stopped) timer = setTimeout(poll, 2000);
  }
  let timer = null;
  poll();
  return { stop() { stopped = true; clearTimeout(timer); } };
}

// ---- one semaphore ------------------------------------------------------------------------

function semaphorePage(name) {
  $('app').replaceChildren($('semaphore-view').content.cloneNode(true));
  crumbs(el('a', { href: '#/' }, 'Semaphores'), el('span', {}, name));
  document.title = name + ' · Sluice';
  $('sem-name').textContent = name;

  const s = {
    view: null,
    samples: [],
    grants: 0,
    rejects: 0,
    jobState: 'waiting',
    windowSeconds: 300,
    jobCursor: null,
    events: [],
    stopped: false,
    timers: [],
  };
  let source = null;
  let drawQueued = false;

  // -- state shown ---------------------------------------------------------------------------

  function applyState(st) {
    if (!s.view || !st) return;
    Object.assign(s.view.state, { inUse: st.inUse, waiting: st.waiting, inflight: st.inflight, dead: st.dead });
    s.view.limit = st.limit;
    s.view.paused = st.paused;
  }

  function render() {
    drawQueued = false;
    const v = s.view;
    if (!v) return;
    $('in-use').textContent = fmtNum(v.state.inUse);
    $('limit').textContent = fmtNum(v.limit);
    $('waiting').textContent = fmtNum(v.state.waiting);
    $('inflight').textContent = fmtNum(v.state.inflight);
    $('dead').textContent = fmtNum(v.state.dead);
    const pct = v.limit > 0 ? Math.min(100, (v.state.inUse / v.limit) * 100) : (v.state.inUse > 0 ? 100 : 0);
    $('in-use-bar').style.width = pct + '%';
    $('in-use-bar').className = 'bar-fill' + (v.state.inUse >= v.limit ? ' full' : '');
    const status = $('sem-status');
    status.textContent = v.paused ? 'Paused' : (v.limit === 0 ? 'Closed' : 'Open');
    status.className = 'badge' + (v.paused ? ' paused' : (v.limit === 0 ? ' muted' : ''));
    const toggle = $('pause-toggle');
    toggle.textContent = v.paused ? 'Resume' : 'Pause';
    toggle.classList.toggle('primary', v.paused);
    const limitInput = $('limit-input');
    if (document.activeElement !== limitInput) limitInput.value = v.limit;
    const lease = v.leaseTimeout ? 'lease ' + v.leaseTimeout : 'untimed leases';
    const channel = v.channelLimit ? ' · channel limit ' + v.channelLimit : '';
    const delivery = v.delivery && v.delivery.mode ? ' · delivery ' + v.delivery.mode : '';
    const retry = v.retry ? ' · retry ' + v.retry.maxAttempts + '× then ' + (typeof v.retry.onExhausted === 'string' ? v.retry.onExhausted : 'forward') : '';
    $('sem-config').textContent = lease + channel + delivery + retry;
  }

  function queueRender() {
    if (!drawQueued) {
      drawQueued = true;
      requestAnimationFrame(render);
    }
  }

  function sample() {
    if (!s.view) return;
    const now = Date.now();
    s.samples.push({ t: now, inUse: s.view.state.inUse, limit: s.view.limit, waiting: s.view.state.waiting, g: s.grants, r: s.rejects });
    s.grants = 0;
    s.rejects = 0;
    const oldest = now - (KEEP_SECONDS + 5) * 1000;
    while (s.samples.length && s.samples[0].t < oldest) s.samples.shift();
    const last = s.samples[s.samples.length - 1];
    $('grant-rate').textContent = fmtNum(last.g);
    $('reject-rate').textContent = fmtNum(last.r);
    drawCharts(now);
  }

  function drawCharts(now) {
    const pts = key => s.samples.map(p => [p.t, p[key]]);
    const maxLimit = Math.max(1, ...s.samples.map(p => p.limit));
    Charts.draw($('chart-inuse'), { windowSeconds: s.windowSeconds, now, minMax: maxLimit, series: [
      { points: pts('inUse'), color: '--inuse', kind: 'area' },
      { points: pts('limit'), color: '--limit', kind: 'step', dash: true, width: 1.5 },
    ] });
    Charts.draw($('chart-waiting'), { windowSeconds: s.windowSeconds, now, minMax: 1, series: [
      { points: pts('waiting'), color: '--waiting', kind: 'area' },
    ] });
    Charts.draw($('chart-rates'), { windowSeconds: s.windowSeconds, now, minMax: 1, series: [
      { points: pts('g'), color: '--grant', kind: 'bar' },
      { points: pts('r'), color: '--reject', kind: 'bar', offset: true },
    ] });
  }

  // -- the event stream ----------------------------------------------------------------------

  const EVENT_TYPES = ['granted', 'rejected', 'enqueued', 'released', 'expired', 'attempt', 'dead', 'redriven',
    'purged', 'jobs-deleted', 'paused', 'resumed', 'limit', 'configured', 'created', 'deleted', 'state'];

  function describe(type, d) {
    switch (type) {
      case 'granted': return (d.mode === 'job' ? 'job ' + d.jobId : d.mode) + ' · ' + d.channel + ' · token ' + d.fencingToken;
      case 'rejected': return d.mode + ' · ' + d.reason;
      case 'enqueued': return (d.mode === 'job' ? 'job ' + d.jobId : 'waiting acquire') + ' · ' + d.channel;
      case 'released': return d.channel + ' · ' + d.permitId;
      case 'expired': return 'lease ran out' + (d.jobId ? ' · job ' + d.jobId : '');
      case 'attempt': return 'job ' + d.jobId + ' · ' + d.outcome;
      case 'dead': return 'job ' + d.jobId + (d.error ? ' · ' + d.error : '');
      case 'redriven': case 'purged': return d.count + ' jobs';
      case 'jobs-deleted': return d.count + ' ' + d.jobState + ' jobs deleted' + (d.actor ? ' · ' + d.actor : '');
      case 'paused': case 'resumed': return (d.channel ? 'channel ' + d.channel : 'semaphore') + (d.actor ? ' · ' + d.actor : '');
      case 'limit': return d.before + ' → ' + d.after + (d.actor ? ' · ' + d.actor : '');
      default: return d.actor || '';
    }
  }

  function logEvent(type, d) {
    if (type === 'state') return;
    const list = $('events');
    list.prepend(el('li', {}, el('time', {}, fmtTime(d.at)), el('span', { class: 'type ' + type }, type), el('span', {}, describe(type, d))));
    while (list.children.length > 60) list.lastChild.remove();
  }

  let channelsRefresh = null;
  function refreshChannelsSoon() {
    if (channelsRefresh) return;
    channelsRefresh = setTimeout(() => { channelsRefresh = null; loadChannels(); }, 1000);
  }

  let jobsRefresh = null;
  function refreshJobsSoon() {
    if (jobsRefresh) return;
    jobsRefresh = setTimeout(() => { jobsRefresh = null; loadJobs(true); }, 1500);
  }

  function onEvent(type, d) {
    if (type === 'granted') s.grants++;
    if (type === 'rejected') s.rejects++;
    if (d.config && s.view) Object.assign(s.view, d.config);
    applyState(d.state);
    logEvent(type, d);
    if (type === 'deleted') {
      $('sem-banner').hidden = false;
      $('sem-banner').textContent = 'This semaphore was deleted.';
      source.close();
      setLive('off', 'deleted');
    }
    if (type !== 'rejected') refreshChannelsSoon();   // at most one reload a second, however busy
    if (['enqueued', 'attempt', 'dead', 'redriven', 'purged', 'jobs-deleted', 'expired'].includes(type)
      || (type === 'granted' && d.mode === 'job')) refreshJobsSoon();
    queueRender();
  }

  function connect() {
    source = eventStream('/v1/semaphores/' + enc(name) + '/events', {
      open: () => setLive('on', 'live'),
      down: () => { if (!s.stopped) setLive('off', 'reconnecting'); },
      refused: error => {
        setLive('off', error.status === 404 ? 'not found' : 'not allowed');
        $('sem-banner').hidden = false;
        $('sem-banner').textContent = error.status === 404 ? 'There is no semaphore named ' + name + '.' : error.message;
      },
      event: (type, text) => {
        const d = JSON.parse(text);
        if (type === 'snapshot') {
          s.view = d;
          setLive('on', 'live');
          queueRender();
          loadChannels();
        } else if (EVENT_TYPES.includes(type)) {
          onEvent(type, d);
        }
      },
    });
  }

  // -- channels --------------------------------------------------------------------------------

  async function loadChannels() {
    if (s.stopped) return;
    try {
      const r = await api('GET', '/v1/semaphores/' + enc(name) + '/channels');
      $('channels-body').replaceChildren(...r.items.map(c => el('tr', {},
        el('td', { class: 'mono' }, c.name),
        el('td', { class: 'num' }, fmtNum(c.inUse) + (r.channelLimit ? ' / ' + r.channelLimit : '')),
        el('td', { class: 'num' }, fmtNum(c.waiting)),
        el('td', {}, c.paused ? el('span', { class: 'badge paused' }, 'Paused') : el('span', { class: 'badge' }, 'Open')),
        el('td', { class: 'num' }, el('button', { class: 'btn small', type: 'button', onclick: () => setPaused(!c.paused, c.name) },
          c.paused ? 'Resume' : 'Pause')))));
      $('channels-empty').hidden = r.items.length > 0;
      $('channel-hint').textContent = r.truncated ? 'showing the first ' + r.items.length : '';
    } catch (e) {
      // the next refresh tries again
    }
  }

  // -- jobs ------------------------------------------------------------------------------------

  const STATES = ['waiting', 'inflight', 'dead', 'completed', 'failed', 'cancelled'];
  function tabs() {
    $('job-tabs').replaceChildren(...STATES.map(st => el('button', {
      class: 'tab' + (st === s.jobState ? ' active' : ''), type: 'button', role: 'tab', 'data-state': st,
      onclick: () => { s.jobState = st; tabs(); loadJobs(true); }
    }, st)));
  }

  function jobRow(j) {
    const actions = [];
    if (j.state === 'dead') {
      actions.push(el('button', { class: 'btn small', type: 'button', onclick: async ev => {
        ev.stopPropagation();
        await run(() => api('POST', '/v1/semaphores/' + enc(name) + '/dead-letters/redrive', { jobIds: [j.jobId] }), 'Job redriven');
        loadJobs(true);
      } }, 'Redrive'));
    }
    if (['waiting', 'inflight', 'dead'].includes(j.state)) {
      actions.push(el('button', { class: 'btn small danger', type: 'button', onclick: async ev => {
        ev.stopPropagation();
        await run(() => api('POST', '/v1/semaphores/' + enc(name) + '/jobs/' + enc(j.jobId) + '/cancel'), 'Job cancelled');
        loadJobs(true);
      } }, 'Cancel'));
    }
    const row = el('tr', { class: 'link' },
      el('td', { class: 'mono' }, j.jobId),
      el('td', { class: 'mono' }, j.channel),
      el('td', { class: 'num' }, j.attempts),
      el('td', {}, fmtTime(j.updatedAt)),
      el('td', { class: 'err', title: j.lastError || '' }, j.lastError || ''),
      el('td', { class: 'num' }, actions));
    const detail = el('tr', { class: 'payload', hidden: true }, el('td', { colspan: 6 },
      el('pre', {}, JSON.stringify(j.payload, null, 2)),
      j.traceparent ? el('div', { class: 'mono' }, 'traceparent ' + j.traceparent) : null));
    row.addEventListener('click', () => { detail.hidden = !detail.hidden; });
    return [row, detail];
  }

  async function loadJobs(fresh) {
    if (s.stopped) return;
    if (fresh) s.jobCursor = null;
    const state = s.jobState;
    try {
      const r = await api('GET', '/v1/semaphores/' + enc(name) + '/jobs?state=' + state + '&limit=50'
        + (s.jobCursor ? '&cursor=' + enc(s.jobCursor) : ''));
      if (state !== s.jobState) return;
      const rows = r.items.flatMap(jobRow);
      if (fresh) $('jobs-body').replaceChildren(...rows); else $('jobs-body').append(...rows);
      s.jobCursor = r.nextCursor;
      $('jobs-more').hidden = !r.nextCursor;
      $('jobs-empty').hidden = $('jobs-body').children.length > 0;
    } catch (e) {
      // shown on the next refresh
    }
  }

  // -- actions ---------------------------------------------------------------------------------

  async function run(action, done) {
    try {
      const result = await action();
      if (done) toast(typeof done === 'function' ? done(result) : done);
      return result;
    } catch (e) {
      if (e.status !== 401) toast(e.message, true);   // a 401 brings up the sign-in
      return null;
    }
  }

  async function setPaused(paused, channel) {
    const body = channel ? { channel } : {};
    const v = await run(() => api('POST', '/v1/semaphores/' + enc(name) + (paused ? '/pause' : '/resume'), body),
      (channel ? 'Channel ' + channel : 'Semaphore') + (paused ? ' paused' : ' resumed'));
    if (v) {
      s.view = v;
      queueRender();
      if (channel) loadChannels();
    }
  }

  $('pause-toggle').addEventListener('click', () => setPaused(!(s.view && s.view.paused), null));
  $('limit-form').addEventListener('submit', async e => {
    e.preventDefault();
    const limit = Number($('limit-input').value);
    const v = await run(() => api('PATCH', '/v1/semaphores/' + enc(name), { limit }), 'Limit set to ' + limit);
    if (v) {
      s.view = v;
      $('limit-input').blur();
      queueRender();
    }
  });
  $('redrive').addEventListener('click', async () => {
    await run(() => api('POST', '/v1/semaphores/' + enc(name) + '/dead-letters/redrive', {}), r => r.redriven + ' dead jobs back in the queue');
    loadJobs(true);
  });
  $('purge').addEventListener('click', async () => {
    const waiting = s.view ? s.view.state.waiting : 0;
    const ok = await confirmAction('Purge the queue of ' + name + '?',
      'Every waiting job (' + fmtNum(waiting) + ' entries wait now, waiting acquires included) is deleted. This cannot be undone.');
    if (!ok) return;
    await run(() => api('DELETE', '/v1/semaphores/' + enc(name) + '/jobs?state=waiting'), r => r.deleted + ' waiting jobs deleted');
    loadJobs(true);
  });
  $('jobs-more').addEventListener('click', () => loadJobs(false));

  function windowTabs() {
    $('window-tabs').replaceChildren(...WINDOWS.map(([label, secs]) => el('button', {
      class: 'tab' + (secs === s.windowSeconds ? ' active' : ''), type: 'button', 'data-window': secs,
      onclick: () => { s.windowSeconds = secs; windowTabs(); drawCharts(Date.now()); }
    }, label)));
  }

  windowTabs();
  tabs();
  connect();
  loadJobs(true);
  s.timers.push(setInterval(sample, 1000));
  s.timers.push(setInterval(loadChannels, 5000));
  const onResize = () => drawCharts(Date.now());
  window.addEventListener('resize', onResize);

  return {
    stop() {
      s.stopped = true;
      if (source) source.close();
      s.timers.forEach(clearInterval);
      if (jobsRefresh) clearTimeout(jobsRefresh);
      if (channelsRefresh) clearTimeout(channelsRefresh);
      window.removeEventListener('resize', onResize);
      document.title = 'Sluice';
    }
  };
}
