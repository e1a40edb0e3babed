// Small hand-written time-series charts on <canvas>: lines (with an optional step line) and bars.
// No dependencies, so the dashboard needs no internet access.
'use strict';

const Charts = (() => {
  const css = name => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  /** A round step for about four grid lines up to v: 1, 2 or 5 times a power of ten. */
  function niceStep(v) {
    const raw = Math.max(v, 1) / 4;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) {
      if (m * p >= raw) return Math.max(1, m * p);
    }
    return 10 * p;
  }

  function fmt(v) {
    if (v >= 1e6) return (v / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1).replace(/\.0$/, '') + 'k';
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }

  /** Prepares the canvas for its CSS size at the screen's pixel ratio; answers the drawing context and size. */
  function surface(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 600;
    const height = canvas.clientHeight || 200;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return { ctx, width, height };
  }

  /**
   * Draws series over a time window.
   * opts: { windowSeconds, now, series: [{ points: [[t, v]], color, kind: 'line'|'area'|'step'|'bar', dash }], minMax }
   */
  function draw(canvas, opts) {
    const { ctx, width, height } = surface(canvas);
    const pad = { l: 44, r: 12, t: 10, b: 22 };
    const w = width - pad.l - pad.r;
    const h = height - pad.t - pad.b;
    const t1 = opts.now;
    const t0 = t1 - opts.windowSeconds * 1000;
    let max = opts.minMax || 1;
    for (const s of opts.series) {
      for (const [t, v] of s.points) {
        if (t >= t0 && v > max) max = v;
      }
    }
    const step = niceStep(max * 1.05);
    max = Math.ceil((max * 1.05) / step) * step;
    const x = t => pad.l + ((t - t0) / (t1 - t0)) * w;
    const y = v => pad.t + h - (v / max) * h;

    // grid and axes
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#6b7280';
    ctx.strokeStyle = '#eef1f5';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = 0; v <= max + 1e-9; v += step) {
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(pad.l, yy); ctx.lineTo(pad.l + w, yy); ctx.stroke();
      ctx.fillText(fmt(v), pad.l - 6, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    // a time label every 10 s, 1 min or 5 min, whichever gives five or six of them
    const every = opts.windowSeconds <= 60 ? 10 : opts.windowSeconds <= 300 ? 60 : 300;
    for (let k = 0; k * every <= opts.windowSeconds; k++) {
      const secs = k * every;
      const label = secs === 0 ? 'now' : '-' + (secs < 60 ? secs + 's' : secs / 60 + 'm');
      ctx.fillText(label, Math.min(x(t1 - secs * 1000), pad.l + w - 8), pad.t + h + 6);
    }

    ctx.save();
    ctx.beginPath(); ctx.rect(pad.l, pad.t - 2, w, h + 4); ctx.clip();
    const barWidth = Math.max(1, w / opts.windowSeconds - 1);
    opts.series.forEach((s, index) => {
      const pts = s.points.filter(([t]) => t >= t0 - 2000);
      if (pts.length === 0) return;
      const color = css(s.color) || s.color;
      if (s.kind === 'bar') {
        ctx.fillStyle = color;
        const shift = s.offset ? barWidth / 2 : 0;
        for (const [t, v] of pts) {
          if (v <= 0) continue;
          const bw = s.offset ? barWidth / 2 : barWidth;
          ctx.fillRect(x(t) - barWidth / 2 + shift, y(v), Math.max(1, bw), pad.t + h - y(v));
        }
        return;
      }
      ctx.strokeStyle = color;
      ctx.lineWidth = s.width || 2;
      ctx.setLineDash(s.dash ? [6, 4] : []);
      ctx.beginPath();
      pts.forEach(([t, v], i) => {
        if (i === 0) { ctx.moveTo(x(t), y(v)); return; }
        if (s.kind === 'step') ctx.lineTo(x(t), y(pts[i - 1][1]));
        ctx.lineTo(x(t), y(v));
      });
      const last = pts[pts.length - 1];
      ctx.lineTo(x(t1), y(last[1]));
      ctx.stroke();
      if (s.kind === 'area') {
        ctx.lineTo(x(t1), y(0));
        ctx.lineTo(x(pts[0][0]), y(0));
        ctx.closePath();
        ctx.globalAlpha = 0.12;
        ctx.fillStyle = color;
        ctx.fill();
        ctx.globalAlpha = 1;
      }
      ctx.setLineDash([]);
      void index;
    });
    ctx.restore();
  }

  return { draw };
})();
