// The Simulate page: runs POST /v1/simulations and shows what the HTML report of `sluice simulate`
// shows, side by side sync | async: headline figures, charts (inline SVG, drawn here), the figures
// table and the parameters. Uses el(), api(), $ and crumbs() of app.js.
'use strict';

const Sim = (() => {
  const COLORS = { inUse: '#2563eb', limit: '#0f172a', waiting: '#d97706', arrivals: '#64748b', rejections: '#dc2626', retries: '#9333ea', band: '#fef3c7' };
  const W = 600, H = 200, ML = 50, MR = 14, MT = 12, MB = 28;
  const NS = 'http://www.w3.org/2000/svg';

  // -- numbers as the reports write them --------------------------------------------------------
  const ok = v => v !== null && v !== undefined && Number.isFinite(v);
  const pct = v => ok(v) ? v.toFixed(1) + '%' : 'n/a';
  const count = n => ok(n) ? Number(n).toLocaleString('en-US') : 'n/a';
  function seconds(v) {
    if (!ok(v)) return 'n/a';
    if (v === 0) return '0 s';
    if (v < 1) return Math.round(v * 1000) + ' ms';
    if (v < 10) return v.toFixed(2) + ' s';
    if (v < 600) return v.toFixed(1) + ' s';
    return (v / 60).toFixed(1) + ' min';
  }
  function duration(v) {
    if (v >= 3600 && Number.isInteger(v / 3600)) return v / 3600 + 'h';
    if (v >= 60 && Number.isInteger(v / 60)) return v / 60 + 'm';
    return Math.round(v * 10) / 10 + 's';
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function niceStep(max, ticks) {
    const raw = Math.max(max, 1e-9) / ticks;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
    return max >= 1 && step < 1 ? 1 : step;
  }

  function timeStep(xMax) {
    for (const st of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]) {
      if (xMax / st <= 8) return st;
    }
    return niceStep(xMax, 8);
  }

  function timeLabel(t) {
    if (t === 0) return '0';
    const s = Math.round(t);
    if (s % 3600 === 0) return s / 3600 + 'h';
    if (s % 60 === 0) return s / 60 + 'm';
    return s + 's';
  }

  const c = v => Math.round(v * 10) / 10;

  /** One time chart, as the HTML report draws it: grid, axes, burst bands, then areas, lines and steps. */
  function chart(xMax, yMaxRaw, bands, label) {
    xMax = xMax > 0 ? xMax : 1;
    const yStep = niceStep(yMaxRaw, 6);
    const yMax = Math.max(yStep, Math.ceil(yMaxRaw / yStep - 1e-9) * yStep);
    const x = t => ML + (W - ML - MR) * Math.min(1, Math.max(0, t / xMax));
    const y = v => MT + (H - MT - MB) * (1 - Math.min(1, Math.max(0, v / yMax)));
    const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': label, class: 'sim-chart' });
    for (const [a, b] of bands) {
      root.append(svg('rect', { x: c(x(a)), y: MT, width: c(Math.max(0.5, x(b) - x(a))), height: H - MT - MB, fill: COLORS.band }));
    }
    for (let v = 0; v <= yMax + yStep * 1e-6; v += yStep) {
      root.append(svg('line', { x1: ML, x2: W - MR, y1: c(y(v)), y2: c(y(v)), class: v === 0 ? 'axis' : 'grid' }));
      const text = v >= 10000 ? Math.round(v / 100) / 10 + 'k' : String(Math.round(v * 100) / 100);
      root.append(svg('text', { x: ML - 6, y: c(y(v) + 3.5), class: 'yl' }, text));
    }
    const xStep = timeStep(xMax);
    for (let t = 0; t <= xMax + 1e-9; t += xStep) {
      root.append(svg('line', { x1: c(x(t)), x2: c(x(t)), y1: H - MB, y2: H - MB + 4, class: 'axis' }));
      root.append(svg('text', { x: c(x(t)), y: H - MB + 16, class: 'xl' }, timeLabel(t)));
    }
    const api = {
      root,
      line(xs, ys, color, dashed) {
        if (!xs.length) return api;
        const d = xs.map((t, i) => (i === 0 ? 'M' : 'L') + c(x(t)) + ',' + c(y(ys[i]))).join('');
        root.append(svg('path', Object.assign({ d, fill: 'none', stroke: color, 'stroke-width': 1.5, 'stroke-linejoin': 'round' },
          dashed ? { 'stroke-dasharray': '4 3' } : {})));
        return api;
      },
      area(xs, ys, color) {
        if (!xs.length) return api;
        let d = 'M' + c(x(0)) + ',' + c(y(0)) + 'L' + c(x(0)) + ',' + c(y(ys[0]));
        xs.forEach((t, i) => { d += 'L' + c(x(t)) + ',' + c(y(ys[i])); });
        d += 'L' + c(x(xs[xs.length - 1])) + ',' + c(y(0)) + 'Z';
        root.append(svg('path', { d, fill: color, 'fill-opacity': 0.16, stroke: 'none' }));
        return api.line(xs, ys, color, false);
      },
      /** A step line: ys[i] from xs[i] to xs[i + 1]. */
      step(xs, ys, color) {
        let d = 'M' + c(x(xs[0])) + ',' + c(y(ys[0]));
        for (let i = 1; i < xs.length; i++) {
          d += 'H' + c(x(xs[i]));
          if (i < xs.length - 1) d += 'V' + c(y(ys[i]));
        }
        root.append(svg('path', { d, fill: 'none', stroke: color, 'stroke-width': 2 }));
        return api;
      },
      note(text) {
        root.append(svg('text', { x: (ML + W - MR) / 2, y: (MT + H - MB) / 2, class: 'note' }, text));
        return api;
      },
    };
    return api;
  }

  const mids = s => s.time.map(t => t + s.bucketWidth / 2);
  const perSecond = (counts, s) => counts.map(n => n / s.bucketWidth);
  const max = values => values.reduce((m, v) => Math.max(m, v), 0);

  function limitLine(scenario, xMax) {
    const xs = scenario.limitSteps.filter(st => st.at < xMax).map(st => st.at);
    xs.push(xMax);
    const limitAt = t => {
      let l = scenario.limitSteps[0].limit;
      for (const st of scenario.limitSteps) if (st.at <= t) l = st.limit;
      return l;
    };
    return { xs, ys: xs.map((t, i) => limitAt(i === xs.length - 1 ? xs[i - 1] : t)) };
  }

  function legend(items, band) {
    return el('span', { class: 'legend' },
      items.map(([label, color]) => el('span', {}, el('i', { class: 'sw', style: 'background:' + color }), label)),
      band ? el('span', {}, el('i', { class: 'sw band' }), 'burst') : null);
  }

  function figure(mode, title, chartApi, legendEl) {
    return el('figure', { class: 'card sim-figure' },
      el('figcaption', {}, el('span', { class: 'chart-title' }, el('span', { class: 'mode-badge ' + mode }, mode), title), legendEl),
      chartApi.root);
  }

  function narrative(scenario, sync, async) {
    let n = 'Without a queue (sync), ' + pct(sync.rejectedPct) + ' of requests (' + count(sync.rejected) + ' of ' + count(sync.offered)
      + ') were turned away' + (scenario.retries > 0 ? ' even after up to ' + scenario.retries + ' retries each' : '') + '. With the queue (async), ';
    n += async.rejected === 0 ? 'none were: ' : pct(async.rejectedPct) + ' were: ';
    n += async.maxWaiting > 0
      ? 'up to ' + count(async.maxWaiting) + ' requests waited at once, ' + seconds(async.waitMean) + ' on average (p99 '
        + seconds(async.waitP99) + '), and the gate stayed busy while the backlog drained'
      : 'nothing ever had to wait';
    return n + ' — utilization ' + pct(sync.utilizationPct) + ' sync vs ' + pct(async.utilizationPct) + ' async.';
  }

  const HEADLINE = [
    ['rejectedPct', 'Rejected', r => pct(r.rejectedPct), 'of offered requests never got a permit'],
    ['utilizationPct', 'Utilization', r => pct(r.utilizationPct), 'of the permit-seconds the limit allowed'],
    ['waitP99', 'Wait p99', r => seconds(r.waitP99), 'arrival → grant, granted requests'],
    ['maxWaiting', 'Max waiting', r => count(r.maxWaiting), 'longest queue'],
  ];

  const ROWS = [
    ['offered', r => count(r.offered), 'requests that arrived (a retry is not a new request)'],
    ['completed', r => count(r.completed), 'granted and finished'],
    ['rejected', r => pct(r.rejectedPct) + ' · ' + count(r.rejected), 'share of offered requests finally turned away (after any retries)'],
    ['utilization', r => pct(r.utilizationPct), 'permit-seconds used ÷ permit-seconds the limit made available'],
    ['wait mean', r => seconds(r.waitMean), 'arrival → grant, over granted requests'],
    ['wait p50', r => seconds(r.waitP50), ''],
    ['wait p95', r => seconds(r.waitP95), ''],
    ['wait p99', r => seconds(r.waitP99), 'sync: retry delays count as waiting'],
    ['max waiting', r => count(r.maxWaiting), 'longest queue (0 without one)'],
    ['drain time', r => seconds(r.drainTime), 'last arrival → last request finished'],
    ['attempts', r => count(r.attempts), 'tries, retries included'],
    ['simulated', r => duration(r.endTime), 'until drained'],
  ];

  /** The result, as the HTML report lays it out: cards, summary, two columns of charts, figures, parameters. */
  function render(result) {
    const scenario = result.scenario;
    const runs = ['sync', 'async'].filter(m => result[m]).map(m => [m, result[m]]);
    const xMax = Math.max(...runs.map(([, r]) => r.endTime), 1);
    const bands = scenario.bursts || [];

    const cards = el('section', { class: 'sim-cards' }, HEADLINE.map(([key, title, value, hint]) => el('div', { class: 'tile' },
      el('div', { class: 'tile-label' }, title),
      el('div', { class: 'sim-values' }, runs.map(([m, r]) => el('div', {},
        el('span', { class: 'mode' }, m), el('span', { class: 'value', 'data-testid': 'sim-' + m + '-' + key }, value(r))))),
      el('div', { class: 'hint' }, hint))));

    const yInUse = Math.max(1, ...runs.map(([, r]) => max(r.series.inUse)), ...scenario.limitSteps.map(st => st.limit));
    const yWait = Math.max(1, ...runs.map(([, r]) => max(r.series.waiting)));
    const anyRetries = runs.some(([, r]) => r.series.retries.some(n => n > 0));
    const yRate = Math.max(1, ...runs.map(([, r]) => Math.max(max(perSecond(r.series.arrivals, r.series)), max(perSecond(r.series.retries, r.series)))));
    const limit = limitLine(scenario, xMax);
    const columns = el('section', { class: 'sim-cols cols-' + runs.length }, runs.map(([m, r]) => {
      const s = r.series;
      const inUse = chart(xMax, yInUse * 1.08, bands, 'Permits in use and the limit over time, ' + m)
        .area(mids(s), s.inUse, COLORS.inUse).step(limit.xs, limit.ys, COLORS.limit);
      const waiting = chart(xMax, yWait * 1.08, bands, 'Queue length over time, ' + m).area(mids(s), s.waiting, COLORS.waiting);
      if (m === 'sync') waiting.note('no queue: nothing waits — the excess is rejected');
      const rates = chart(xMax, yRate * 1.08, bands, 'Arrival and rejection rates over time, ' + m)
        .line(mids(s), perSecond(s.arrivals, s), COLORS.arrivals, false);
      if (anyRetries) rates.line(mids(s), perSecond(s.retries, s), COLORS.retries, true);
      rates.area(mids(s), perSecond(s.rejections, s), COLORS.rejections);
      const rateLegend = [['arrivals/s', COLORS.arrivals], ['rejections/s', COLORS.rejections]];
      if (anyRetries) rateLegend.push(['retried tries/s', COLORS.retries]);
      return el('div', { class: 'sim-col', 'data-testid': 'sim-panel-' + m },
        el('h2', { class: 'col-head' }, m, el('span', {}, m === 'sync' ? 'try-acquire, rejected when full' : 'FIFO queue in front of the gate')),
        figure(m, 'Permits in use against the limit', inUse, legend([['in use (mean per bucket)', COLORS.inUse], ['limit', COLORS.limit]], bands.length)),
        figure(m, 'Waiting in the queue', waiting, legend([['waiting (mean per bucket)', COLORS.waiting]], bands.length)),
        figure(m, 'Arrivals and rejections per second', rates, legend(rateLegend, bands.length)));
    }));

    const figures = el('div', { class: 'card' }, el('div', { class: 'card-head' }, el('h2', {}, 'Figures')),
      el('table', { class: 'table compact sim-figures', 'data-testid': 'sim-figures' },
        el('thead', {}, el('tr', {}, el('th', {}), runs.map(([m]) => el('th', { class: 'num' }, m)), el('th', {}, 'what it is'))),
        el('tbody', {}, ROWS.map(([label, value, what]) => el('tr', {},
          el('th', {}, label), runs.map(([, r]) => el('td', { class: 'num' }, value(r))), el('td', { class: 'what' }, what))))));
    const parameters = el('div', { class: 'card' }, el('div', { class: 'card-head' }, el('h2', {}, 'Parameters')),
      el('table', { class: 'table compact' }, el('tbody', {}, Object.entries(scenario.parameters).map(([k, v]) =>
        el('tr', {}, el('th', {}, k), el('td', {}, v))))));

    const summary = runs.length === 2 ? el('p', { class: 'sim-summary', 'data-testid': 'sim-summary' }, narrative(scenario, result.sync, result.async)) : null;
    const footer = el('p', { class: 'fine' }, 'Levels are time-weighted means per bucket of ' + duration(runs[0][1].series.bucketWidth)
      + '; rates are counts per bucket divided by its width. The same report as a file: ',
      el('code', {}, 'sluice simulate --out report.html'), ' with the same options.');
    return [cards, summary, columns, figures, parameters, footer];
  }

  /** The request body from the form: only the fields filled in (the server's defaults are the CLI's). */
  function body(form) {
    const b = {};
    for (const field of form.elements) {
      if (!field.name) continue;
      const v = field.value.trim();
      if (v === '') continue;
      b[field.name] = ['rate', 'limit', 'seed', 'retries'].includes(field.name) ? Number(v) : v;
    }
    return b;
  }

  return { render, body };
})();

function simulatePage() {
  $('app').replaceChildren($('simulate-view').content.cloneNode(true));
  crumbs(el('span', {}, 'Simulate'));
  document.title = 'Simulate · Sluice';
  setLive('on', 'ready');
  let stopped = false;
  const form = $('sim-form');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = $('sim-run');
    button.disabled = true;
    $('sim-status').textContent = 'Simulating…';
    $('sim-error').hidden = true;
    try {
      const result = await api('POST', '/v1/simulations', Sim.body(form));
      if (stopped) return;
      $('sim-result').replaceChildren(...Sim.render(result).filter(Boolean));
      $('sim-result').hidden = false;
      $('sim-status').textContent = 'Simulated ' + Number(result.scenario.duration).toLocaleString('en-US') + ' s of arrivals (seed '
        + result.scenario.parameters.seed + ').';
    } catch (err) {
      if (stopped || err.status === 401) return;   // a 401 brings up the sign-in
      $('sim-error').textContent = err.status === 429 ? err.detail : 'Cannot simulate: ' + err.message;
      $('sim-error').hidden = false;
      $('sim-status').textContent = '';
    } finally {
      button.disabled = false;
    }
  });
  return { stop() { stopped = true; document.title = 'Sluice'; } };
}
