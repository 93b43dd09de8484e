/* A small line chart on a canvas: the loss of the current job by step, stage starts
   marked. Hand-written so the page needs no library and no network. */
(function (global) {
  "use strict";

  function fmt(v) {
    const a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1e5 || a < 1e-2) return v.toExponential(1).replace("e+", "e");
    if (a >= 100) return Math.round(v).toString();
    return v.toPrecision(3).replace(/\.?0+$/, "");
  }

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function points(curve) {
    const out = [];
    const xs = curve.x || [], ys = curve.y || [];
    for (let i = 0; i < xs.length; i++) {
      if (ys[i] !== null && isFinite(ys[i])) out.push([xs[i], ys[i]]);
    }
    return out;
  }

  // Axis ticks: whole decades (and 2x, 5x when few) on a log axis, 1-2-5 steps otherwise.
  function ticks(a, b, log) {
    const out = [];
    if (log) {
      const mults = b - a < 2.5 ? [1, 2, 5] : [1];
      for (let d = Math.floor(a); d <= Math.ceil(b); d++) {
        for (const m of mults) {
          const t = d + Math.log10(m);
          if (t >= a && t <= b) out.push(t);
        }
      }
      if (out.length >= 2) return out;
    }
    const raw = (b - a) / 4, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    if (log) {  // a log axis narrower than one 1-2-5 step: label its values plainly
      for (let i = 0; i <= 3; i++) out.push(a + (b - a) * i / 3);
      return out;
    }
    for (let t = Math.ceil(a / step) * step; t <= b + step * 1e-9; t += step) out.push(t);
    return out;
  }

  function drawCurve(canvas, curve) {
    const dpr = global.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const pts = points(curve || {});
    canvas.dataset.points = String(pts.length);
    ctx.font = "12px system-ui, sans-serif";
    if (!pts.length) {
      ctx.fillStyle = css("--muted");
      ctx.textAlign = "center";
      ctx.fillText("the curve starts with the first step", w / 2, h / 2);
      return { log: false };
    }
    let lo = Infinity, hi = -Infinity;
    for (const p of pts) { lo = Math.min(lo, p[1]); hi = Math.max(hi, p[1]); }
    // A log axis when the values span decades, as losses of a pyramid's scales do.
    const log = lo > 0 && hi / lo > 30;
    const tf = log ? Math.log10 : (v) => v;
    let a = tf(lo), b = tf(hi);
    if (a === b) { const d = Math.abs(a) * 0.1 || 1; a -= d; b += d; }  // a flat line
    const padY = (b - a) * 0.08;
    a -= padY; b += padY;
    const x0 = Math.min(pts[0][0], 1), x1 = Math.max(pts[pts.length - 1][0], x0 + 1);
    const L = 50, R = 10, T = 10, B = 22;
    const sx = (x) => L + (x - x0) / (x1 - x0) * (w - L - R);
    const sy = (v) => T + (1 - (tf(v) - a) / (b - a)) * (h - T - B);

    ctx.strokeStyle = css("--line");
    ctx.fillStyle = css("--muted");
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of ticks(a, b, log)) {
      const y = Math.round(T + (1 - (t - a) / (b - a)) * (h - T - B)) + 0.5;
      ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(w - R, y); ctx.stroke();
      ctx.fillText(fmt(log ? Math.pow(10, t) : t), L - 6, y);
    }
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    ctx.fillText("step " + x0, L, h - 5);
    ctx.textAlign = "right";
    ctx.fillText(String(pts[pts.length - 1][0]), w - R, h - 5);

    const marks = (curve.marks || []).filter((m) => m.x > x0 && m.x <= x1);
    ctx.setLineDash([3, 4]);
    ctx.strokeStyle = css("--muted");
    ctx.globalAlpha = 0.45;
    for (const m of marks) {
      const x = Math.round(sx(m.x)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, h - B); ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;

    const accent = css("--accent");
    const grad = ctx.createLinearGradient(0, T, 0, h - B);
    grad.addColorStop(0, "rgba(224,164,88,0.28)");
    grad.addColorStop(1, "rgba(224,164,88,0)");
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(sx(p[0]), sy(p[1])) : ctx.moveTo(sx(p[0]), sy(p[1]))));
    const last = pts[pts.length - 1];
    ctx.lineTo(sx(last[0]), h - B);
    ctx.lineTo(sx(pts[0][0]), h - B);
    ctx.closePath();
    ctx.fillStyle = grad;
    ctx.fill();
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(sx(p[0]), sy(p[1])) : ctx.moveTo(sx(p[0]), sy(p[1]))));
    ctx.strokeStyle = accent;
    ctx.lineWidth = 2;
    ctx.lineJoin = "round";
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(sx(last[0]), sy(last[1]), 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = accent;
    ctx.fill();
    return { log: log };
  }

  global.drawCurve = drawCurve;
  global.formatNumber = fmt;
})(window);
