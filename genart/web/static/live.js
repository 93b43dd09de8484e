/* The live view: one EventSource ("state", "image", "thumb", "end" events) -> the page. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const thumbs = {};
  const rows = {};
  let snap = null, items = [], listed = -1, receivedAt = 0, ended = false;

  function clock(s) {
    if (s === null || s === undefined || !isFinite(s)) return "–";
    s = Math.max(0, Math.round(s));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + sec : m + ":" + sec;
  }

  function running(s) { return s && (s.status === "running" || s.status === "waiting") && !ended; }

  function since() { return running(snap) ? (performance.now() - receivedAt) / 1000 : 0; }

  function eta(s) {
    const e = s.eta_batch !== null ? s.eta_batch : s.eta_stage;
    return e === null ? null : Math.max(0, e - since());
  }

  function tick() {
    if (!snap) return;
    $("elapsed").textContent = clock(snap.elapsed + since());
    $("eta").textContent = running(snap) ? clock(eta(snap)) : "–";
  }

  function stageText(st) {
    if (!st.name && !st.outer) return "Waiting for the first stage…";
    return [st.outer, st.name].filter(Boolean).join(" · ");
  }

  function stat(dl, key, value) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = key; dd.textContent = value;
    dl.append(dt, dd);
  }

  function renderStats(s) {
    const dl = $("stats");
    dl.replaceChildren();
    for (const [k, v] of Object.entries(s.metrics || {})) stat(dl, k, v === null ? "–" : formatNumber(v));
    if (s.seconds_per_step) {
      const r = s.seconds_per_step;
      stat(dl, "speed", r < 1 ? (1 / r).toFixed(1) + " steps/s" : r.toFixed(1) + " s/step");
    }
    if (s.eta_stage !== null && running(s)) stat(dl, "stage ETA", clock(s.eta_stage));
    if (s.eta_batch !== null && running(s)) stat(dl, "batch ETA", clock(s.eta_batch));
    if (s.total > 1) stat(dl, "jobs", s.finished + " / " + s.total);
    if (!dl.children.length) stat(dl, "status", s.status);
  }

  function row(item) {
    let li = rows[item.index];
    if (!li) {
      li = document.createElement("li");
      li.dataset.index = item.index;
      li.innerHTML = '<div class="thumb"><img alt=""></div><div style="min-width:0"><div class="name"></div>' +
        '<div class="sub"></div></div><span class="pill"></span>';
      rows[item.index] = li;
      $("items").append(li);
    }
    return li;
  }

  function renderItems(s) {
    const card = $("jobs-card");
    card.classList.toggle("hidden", s.total <= 1 && s.items.length <= 1);
    $("jobs-title").textContent = s.total ? "Jobs · " + s.total : "Jobs";
    for (const item of s.items) {
      const li = row(item);
      li.classList.toggle("current", item.index === s.current && item.status === "running");
      li.dataset.status = item.status;
      li.querySelector(".name").textContent = item.name;
      li.querySelector(".name").title = item.name;
      const out = item.output && item.output !== "-" ? item.output.split(/[\\/]/).pop() : "";
      const sub = item.status === "failed" ? (item.error || "failed")
        : [item.status === "running" ? "running…" : item.seconds ? item.seconds.toFixed(1) + " s" : "", out]
          .filter(Boolean).join(" · ");
      li.querySelector(".sub").textContent = sub;
      li.querySelector(".sub").title = sub;
      const pill = li.querySelector(".pill");
      pill.textContent = item.status === "ok" ? "done" : item.status;
      pill.className = "pill " + item.status;
      const img = li.querySelector(".thumb img");
      if (thumbs[item.index] && img.getAttribute("src") !== thumbs[item.index]) img.src = thumbs[item.index];
    }
    const waiting = s.total - s.items.length;
    let more = $("more");
    if (waiting > 0 && running(s)) {
      if (!more) { more = document.createElement("li"); more.id = "more"; more.className = "more"; }
      more.textContent = waiting + " more waiting";
      $("items").append(more);
    } else if (more) more.remove();
  }

  function renderMessages(s) {
    $("messages-card").classList.toggle("hidden", !s.messages.length);
    const ul = $("messages");
    ul.replaceChildren(...s.messages.slice(-8).map((m) => {
      const li = document.createElement("li");
      li.className = m.level; li.textContent = m.text;
      return li;
    }));
  }

  function renderStatus(s) {
    const status = ended && running(s) ? "stopped" : s.status;
    const pill = $("status");
    pill.textContent = status;
    pill.className = "pill " + status;
    $("command").textContent = s.command;
    $("command").classList.toggle("hidden", !s.command);
    const banner = $("banner");
    const over = ["done", "interrupted", "failed", "stopped"].includes(status);
    banner.classList.toggle("hidden", !over);
    banner.classList.toggle("bad", over && status !== "done");
    if (over) {
      const what = { done: "Done", interrupted: "Interrupted", failed: "Failed", stopped: "Stopped" }[status];
      banner.textContent = [what, s.summary, clock(s.elapsed)].filter(Boolean).join("  ·  ");
    }
    const st = s.stage;
    const pct = st.steps ? Math.round(100 * s.step / st.steps) : 0;
    document.title = (over ? status : pct + "%") + " · genart";
  }

  function render(s) {
    $("stage").textContent = stageText(s.stage);
    $("step").textContent = s.stage.steps ? "step " + s.step + " / " + s.stage.steps : "";
    $("stage-bar").style.width = (s.stage.steps ? 100 * s.step / s.stage.steps : 0) + "%";
    renderStatus(s);
    renderStats(s);
    if (s.items_version !== listed || ended) {  // the job list is redrawn only when it changed
      listed = s.items_version;
      renderItems(s);
    }
    renderMessages(s);
    const drawn = drawCurve($("chart"), s.curve);
    $("chart-title").textContent = s.curve.key || "loss";
    $("chart-key").textContent = s.curve.marks.length > 1 ? "by step · dashes: stage starts" : "by step";
    $("chart-scale").textContent = drawn.log ? "log scale" : "";
    tick();
  }

  const events = new EventSource("/events");
  events.addEventListener("state", (e) => {
    snap = JSON.parse(e.data);
    if (snap.items) items = snap.items;  // sent only when the list changed
    else snap.items = items;
    receivedAt = performance.now();
    render(snap);
  });
  events.addEventListener("image", (e) => {
    const d = JSON.parse(e.data);
    const img = $("image");
    img.src = d.src;
    // The version says which picture is on screen: set once it is decoded, never backwards.
    img.decode().catch(() => {}).then(() => {
      if (Number(img.dataset.version || 0) < d.version) img.dataset.version = d.version;
    });
    img.classList.remove("hidden");
    $("placeholder").classList.add("hidden");
  });
  events.addEventListener("thumb", (e) => {
    const d = JSON.parse(e.data);
    thumbs[d.index] = d.src;
    if (snap) renderItems(snap);
  });
  events.addEventListener("end", () => {
    ended = true;
    events.close();
    if (snap) render(snap);
  });
  events.onerror = () => {
    if (!ended && snap) { $("status").textContent = "reconnecting…"; }
  };
  setInterval(tick, 1000);
  window.addEventListener("resize", () => snap && drawCurve($("chart"), snap.curve));
})();
