/* The gallery: cards from the embedded data, filter chips, search, a viewer with settings.
   No fetch(): everything is in the page, so it works from file://. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("gallery-data").textContent);
  const items = data.items;
  const GROUPS = ["command", "preset", "style"];
  const NONE = "(none)";
  const filters = { command: null, preset: null, style: null };
  const cards = [];
  let query = "", visible = [], current = -1;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(value) {
    if (value === null || value === undefined) return "none";
    if (Array.isArray(value)) return value.length ? value.map(show).join(", ") : "default";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function tags(item) {
    const box = el("div", "tags");
    if (item.command) box.append(el("span", "tag command", item.command));
    if (item.style) box.append(el("span", "tag style", item.style));
    if (item.preset) box.append(el("span", "tag preset", item.preset));
    return box;
  }

  function card(item) {
    const fig = el("figure", "card");
    fig.tabIndex = 0;
    fig.dataset.id = item.id;
    for (const key of GROUPS) fig.dataset[key] = item[key] || NONE;
    const ratio = item.thumb_width / item.thumb_height;
    fig.style.flex = ratio + " 1 " + Math.round(ratio * 230) + "px";
    fig.style.maxWidth = Math.round(ratio * 420) + "px";
    const img = el("img");
    img.src = item.thumb;
    img.alt = item.name;
    img.width = item.thumb_width;
    img.height = item.thumb_height;
    img.style.aspectRatio = item.thumb_width + " / " + item.thumb_height;
    img.style.height = "auto";
    if (items.length > 200) img.loading = "lazy";
    const caption = el("figcaption");
    const name = el("div", "name", item.name);
    name.title = item.path;
    caption.append(name, tags(item));
    fig.append(img, caption);
    fig.addEventListener("click", () => open(item.id));
    fig.addEventListener("keydown", (e) => { if (e.key === "Enter") open(item.id); });
    return fig;
  }

  function buildFilters() {
    const nav = $("filters");
    for (const key of GROUPS) {
      const counts = new Map();
      for (const item of items) {
        const v = item[key] || NONE;
        counts.set(v, (counts.get(v) || 0) + 1);
      }
      if (counts.size < 2) continue;  // one value filters nothing
      const group = el("div", "group");
      group.dataset.group = key;
      group.append(el("span", "label", key));
      const chips = [];
      const chip = (label, value, n) => {
        const b = el("button", "chip", label);
        b.type = "button";
        b.dataset.value = value === null ? "" : value;
        if (n !== undefined) b.append(el("span", "n", String(n)));
        b.setAttribute("aria-pressed", String(value === null));
        b.addEventListener("click", () => {
          filters[key] = value;
          for (const c of chips) c.setAttribute("aria-pressed", String(c === b));
          apply();
        });
        chips.push(b);
        group.append(b);
      };
      chip("all", null);
      [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .forEach(([v, n]) => chip(v, v, n));
      nav.append(group);
    }
  }

  function haystack(item) {
    return [item.name, item.path, item.input, item.style, item.preset, item.command, item.command_line]
      .join("\n").toLowerCase();
  }

  function matches(item) {
    for (const key of GROUPS) {
      if (filters[key] !== null && (item[key] || NONE) !== filters[key]) return false;
    }
    return !query || haystack(item).includes(query);
  }

  function apply() {
    visible = [];
    items.forEach((item, i) => {
      const ok = matches(item);
      cards[i].classList.toggle("hidden", !ok);
      if (ok) visible.push(item.id);
    });
    const n = visible.length;
    $("count").textContent = n === items.length ? n + (n === 1 ? " image" : " images") : n + " of " + items.length;
    $("empty").classList.toggle("hidden", n > 0);
  }

  function fact(box, key, value) {
    if (!value || (Array.isArray(value) && !value.length)) return;
    box.append(el("span", "k", key), el("span", "v", show(value)));
  }

  function settingsTable(item) {
    const table = $("viewer-settings");
    table.replaceChildren();
    const differs = Object.keys(item.differs || {});
    const rest = Object.keys(item.config || {}).filter((k) => !differs.includes(k)).sort();
    for (const key of differs.concat(rest)) {
      const tr = el("tr", differs.includes(key) ? "diff" : "");
      tr.append(el("td", "", key), el("td", "", show(item.config[key])));
      table.append(tr);
    }
  }

  function open(id) {
    current = visible.indexOf(id);
    if (current < 0) return;
    const item = items[id];
    $("viewer-img").src = item.full;
    $("viewer-img").alt = item.name;
    $("viewer-name").textContent = item.name;
    $("viewer-tags").replaceChildren(...tags(item).childNodes);
    const facts = $("viewer-facts");
    facts.replaceChildren();
    fact(facts, "file", item.path);
    fact(facts, "size", item.width + " × " + item.height);
    fact(facts, "input", item.input);
    fact(facts, "styles", item.styles);
    for (const [k, v] of Object.entries(item.recorded || {})) fact(facts, k, v);
    fact(facts, "genart", item.version);
    $("viewer-cmd").textContent = item.command_line;
    $("copy").textContent = "copy";
    $("viewer-open").href = item.full;
    settingsTable(item);
    $("viewer").classList.remove("hidden");
    document.body.style.overflow = "hidden";
  }

  function close() {
    $("viewer").classList.add("hidden");
    document.body.style.overflow = "";
    const card = cards[visible[current]];
    if (card) card.focus();
    current = -1;
  }

  function step(delta) {
    if (current < 0 || !visible.length) return;
    open(visible[(current + delta + visible.length) % visible.length]);
  }

  function copyCommand() {
    const text = $("viewer-cmd").textContent;
    const done = () => { $("copy").textContent = "copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => selectCommand());
    } else {
      selectCommand();
    }
  }

  function selectCommand() {  // file:// pages may not use the clipboard API: select it instead
    const range = document.createRange();
    range.selectNodeContents($("viewer-cmd"));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    $("copy").textContent = "press Ctrl+C";
  }

  const grid = $("grid");
  for (const item of items) {
    const c = card(item);
    cards.push(c);
    grid.append(c);
  }
  buildFilters();
  apply();
  $("search").addEventListener("input", (e) => { query = e.target.value.trim().toLowerCase(); apply(); });
  $("close").addEventListener("click", close);
  $("prev").addEventListener("click", () => step(-1));
  $("next").addEventListener("click", () => step(1));
  $("copy").addEventListener("click", copyCommand);
  $("viewer").addEventListener("click", (e) => { if (e.target.classList.contains("viewer-stage")) close(); });
  document.addEventListener("keydown", (e) => {
    if (current < 0) return;
    if (e.key === "Escape") close();
    else if (e.key === "ArrowLeft") step(-1);
    else if (e.key === "ArrowRight") step(1);
  });
})();
