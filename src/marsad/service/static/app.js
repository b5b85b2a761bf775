// marsad dashboard: reads only the JSON API (/v1/...), renders with DOM APIs.
//
// Safety rule: article text, titles and every other value from the store reach the page
// as text nodes (textContent / createTextNode), never through innerHTML; links are made
// only for http(s) URLs. The server's Content-Security-Policy forbids inline script too.
//
// The view is one state (filters, selected event, map extent) mirrored in the URL, so a
// view can be bookmarked, shared and reloaded. The map draws every located event of the
// filters from /v1/events/map (counted per place on the server, grouped per zoom level by
// Leaflet.markercluster); the timeline spans the data's own days (filters other than the
// dates), folds long empty stretches, and its brush sets the dates.
"use strict";

(function () {
  const TYPES = [
    ["Battles", "معارك", "#d55e00"],
    ["Explosions/Remote violence", "انفجارات/عنف عن بعد", "#e69f00"],
    ["Violence against civilians", "عنف ضد المدنيين", "#cc79a7"],
    ["Protests", "احتجاجات", "#0072b2"],
    ["Riots", "أعمال شغب", "#009e73"],
    ["Strategic developments", "تطورات استراتيجية", "#56b4e9"],
  ];
  const COLOR = Object.fromEntries(TYPES.map(([t, , c]) => [t, c]));
  const ARABIC = Object.fromEntries(TYPES.map(([t, a]) => [t, a]));
  const OTHER = "#7a8591";
  const PAGE = 50;
  const FILTERS = ["date_from", "date_to", "country", "event_type", "actor", "q"];
  const EXPORTABLE = ["date_from", "date_to", "country", "event_type"];   // what /v1/export filters on
  const LABEL_ZOOM = 6;          // place names from this zoom on
  const GAP = 6;                 // this many empty periods in a row or more are folded on the timeline
  const DAY_MS = 86400000;
  const TYPING_MS = 350;         // text filters apply once typing pauses


  const state = { filters: {}, offset: 0, selected: null, rows: new Map(), timeline: null, seq: 0, ready: false };
  const $ = (id) => document.getElementById(id);

  // ---- small DOM helpers -------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined && c !== "") node.append(c);  // strings: text nodes
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function ar(text) { return text ? el("span", { lang: "ar", dir: "rtl", text: text }) : null; }
  function status(message, isError) {
    const s = $("status");
    s.textContent = message || "";
    s.classList.toggle("error", !!isError);
  }
  function safeUrl(u) {
    try {
      const url = new URL(u, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }
  const color = (t) => COLOR[t] || OTHER;
  const fmt = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));
  const hasArabic = (s) => /[\u0600-\u06FF]/.test(s || "");
  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  // Python counts offsets in code points, JavaScript strings in UTF-16 units: slice by code points.
  function codePoints(text) { return Array.from(text || ""); }

  // ---- names in both languages --------------------------------------------------------------
  function displayNames(lang) {
    try { return new Intl.DisplayNames([lang], { type: "region" }); } catch (e) { return null; }
  }
  const COUNTRY_EN = displayNames("en"), COUNTRY_AR = displayNames("ar");
  function countryName(code, names) {
    if (!code) return null;
    try {
      const n = names && names.of(code);
      return n && n !== code ? n : null;
    } catch (e) { return null; }
  }
  // "Syria · سوريا" as nodes (the Arabic marked as such), or the bare code when no name is known.
  function countryNodes(code) {
    const en = countryName(code, COUNTRY_EN), arName = countryName(code, COUNTRY_AR);
    return [en || code, arName ? " · " : null, ar(arName)].filter(Boolean);
  }
  function countryText(code) {
    return [countryName(code, COUNTRY_EN) || code, countryName(code, COUNTRY_AR)].filter(Boolean).join(" · ");
  }
  function placeLabel(loc) {          // "Al Baghuz Fawqani · الباغوز"
    if (!loc) return "";
    const en = loc.name_en, a = loc.name;
    return en && a && en !== a ? en + " · " + a : (en || a || "");
  }
  function actorLabel(a) {            // the registry's English name, the words of the article beside it
    if (!a) return "";
    const name = a.name || (a.id && a.id.startsWith("other:") ? a.id.slice(6) : a.id) || "";
    const words = a.span && a.span.text;
    return words && words !== name ? name + " · " + words : name;
  }
  const typeLabel = (t) => t + (ARABIC[t] ? " · " + ARABIC[t] : "");

  // ---- API ---------------------------------------------------------------------------------
  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v === null || v === undefined || v === "") continue;
      q.set(k, v);
    }
    return q;
  }
  async function api(path, params) {
    const url = new URL(path, window.location.origin);
    url.search = query(params).toString();
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const err = body && body.error ? body.error : { code: "http_" + res.status, message: res.statusText };
      throw new Error(err.message + " [" + err.code + "]");
    }
    return body;
  }
  const without = (obj, keys) => Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));

  // ---- the view in the URL -------------------------------------------------------------------
  function readUrl() {
    const p = new URLSearchParams(window.location.search);
    const filters = {};
    for (const k of FILTERS) if (p.get(k)) filters[k] = p.get(k);
    const m = (p.get("map") || "").split(",").map(Number);
    const view = m.length === 3 && m.every(Number.isFinite) ? { lat: m[0], lon: m[1], zoom: m[2] } : null;
    return { filters, event: p.get("event"), view };
  }
  function writeUrl() {
    if (!state.ready) return;         // not while the view is being restored from it
    const p = query(state.filters);
    if (state.selected) p.set("event", state.selected);
    if (map) {
      const c = map.getCenter();
      p.set("map", [c.lat.toFixed(4), c.lng.toFixed(4), map.getZoom()].join(","));
    }
    const url = window.location.pathname + (p.toString() ? "?" + p.toString() : "");
    if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, "", url);
  }

  // ---- filters -------------------------------------------------------------------------------------
  function readFilters() {
    const form = $("filters");
    const f = {};
    for (const name of FILTERS) {
      const v = form.elements[name].value.trim();
      if (v) f[name] = v;
    }
    return f;
  }
  function setFilters(filters) {
    const form = $("filters");
    for (const name of FILTERS) {
      const input = form.elements[name];
      const v = filters[name] || "";
      if (input.tagName === "SELECT" && v && ![...input.options].some((o) => o.value === v)) {
        input.append(el("option", { value: v, text: name === "country" ? countryText(v) : v }));
      }
      input.value = v;
    }
  }

  async function applyFilters(options) {
    const opts = Object.assign({ fit: true }, options);
    state.filters = readFilters();
    state.offset = 0;
    const seq = ++state.seq;
    status("Loading… · جارٍ التحميل");
    try {
      const [page, places, stats] = await Promise.all([
        api("/v1/events", Object.assign({}, state.filters, { limit: PAGE, offset: 0 })),
        api("/v1/events/map", state.filters),
        api("/v1/stats", without(state.filters, ["date_from", "date_to"])),
      ]);
      if (seq !== state.seq) return;        // a newer change is on its way
      drawTable(page);
      drawMap(places, opts.fit);
      drawTimeline(stats);
      updateExport();
      status("");
      writeUrl();
      document.body.setAttribute("data-ready", "true");
      document.body.setAttribute("data-seq", String(seq));
    } catch (e) {
      if (seq === state.seq) status(e.message, true);
    }
  }

  async function fillFilterOptions() {
    const typeSelect = $("f-type");
    for (const [t, a] of TYPES) typeSelect.append(el("option", { value: t, text: t + " · " + a }));
    const stats = await api("/v1/stats");
    const countrySelect = $("f-country");
    const countries = (stats.by_country || []).filter((c) => c.country)
      .map((c) => [countryText(c.country), c]).sort((a, b) => a[0].localeCompare(b[0], "en"));
    for (const [label, c] of countries) {
      countrySelect.append(el("option", { value: c.country, text: label + " (" + c.count + ")" }));
    }
    const actors = $("actor-list");
    for (const a of stats.top_actors || []) actors.append(el("option", { value: a.actor }));
  }

  function updateExport() {
    const blocked = Object.keys(state.filters).filter((k) => !EXPORTABLE.includes(k));
    const note = $("export-note");
    for (const [id, format] of [["export-csv", "acled-csv"], ["export-geojson", "geojson"]]) {
      const a = $(id);
      if (blocked.length) {
        a.removeAttribute("href");
        a.setAttribute("aria-disabled", "true");
      } else {
        a.href = "/v1/export?" + query(Object.assign({ format: format }, state.filters)).toString();
        a.removeAttribute("aria-disabled");
      }
    }
    note.hidden = !blocked.length;
    note.textContent = blocked.length
      ? "Exports filter on dates, country and type only: clear " + blocked.map((k) => k === "q" ? "text" : k).join(" and ") +
        " to export · التصدير يصفّي بالتاريخ والبلد والنوع فقط"
      : "";
  }

  // ---- map -----------------------------------------------------------------------------------
  let map = null, cluster = null;
  async function initMap(view) {
    map = L.map("map", { minZoom: 2, maxZoom: 12, worldCopyJump: true, keyboard: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Outlines: Natural Earth (world-atlas)");
    if (view) map.setView([view.lat, view.lon], view.zoom, { animate: false });
    else map.setView([31, 40], 4, { animate: false });
    try {
      const res = await fetch("/static/vendor/world-atlas/countries-50m.json");
      const topo = await res.json();
      L.geoJSON(topojson.feature(topo, topo.objects.countries), {
        interactive: false,
        style: { color: "#9aa7b5", weight: 0.7, fillColor: "#f7f4ee", fillOpacity: 1 },
      }).addTo(map);
    } catch (e) {
      status("Country outlines did not load: " + e.message, true);
    }
    cluster = L.markerClusterGroup({
      maxClusterRadius: 45, showCoverageOnHover: false, spiderfyOnMaxZoom: true, chunkedLoading: true,
      iconCreateFunction: clusterIcon,
    });
    cluster.on("clusterkeypress", (ev) => {
      const key = ev.originalEvent && ev.originalEvent.key;
      if (key === "Enter" || key === " ") ev.layer.zoomToBounds({ padding: [20, 20] });
    });
    map.addLayer(cluster);
    map.on("zoomend", showLabels);
    map.on("moveend", writeUrl);
    showLabels();
    drawLegend();
  }

  function showLabels() {
    $("map").classList.toggle("labels-on", map.getZoom() >= LABEL_ZOOM);
    $("map").setAttribute("data-zoom", map.getZoom());
  }

  function dominant(byType) {
    let best = null, n = -1;
    for (const [t, k] of Object.entries(byType || {})) if (k > n) { best = t; n = k; }
    return best;
  }
  function size(count) { return Math.round(16 + 7 * Math.log10(count)); }

  function clusterIcon(group) {
    let count = 0;
    const byType = {};
    for (const m of group.getAllChildMarkers()) {
      count += m.options.count;
      for (const [t, k] of Object.entries(m.options.byType)) byType[t] = (byType[t] || 0) + k;
    }
    const s = size(count) + 6;
    const node = el("div", { class: "cluster", "data-count": count, "data-places": group.getChildCount() },
                    el("span", { text: count.toLocaleString("en") }));
    node.style.borderColor = color(dominant(byType));
    return L.divIcon({ html: node, className: "cluster-icon", iconSize: L.point(s, s) });
  }

  function placeIcon(p) {
    const s = size(p.count);
    const node = el("div", { class: "place-dot", "data-count": p.count, "data-event-type": dominant(p.by_type) },
                    p.count > 1 ? el("span", { text: String(p.count) }) : null);
    node.style.background = color(dominant(p.by_type));
    return L.divIcon({ html: node, className: "place-icon", iconSize: L.point(s, s) });
  }

  function drawMap(data, fit) {
    cluster.clearLayers();
    const markers = [];
    for (const p of data.places) {
      const label = placeLabel(p);
      const where = [label, countryText(p.country)].filter(Boolean).join(", ");
      const m = L.marker([p.lat, p.lon], {
        icon: placeIcon(p), keyboard: true, count: p.count, byType: p.by_type,
        title: where + ": " + p.count + (p.count === 1 ? " event" : " events"),
      });
      m.bindTooltip(el("span", {}, p.name_en || "", p.name_en && p.name ? " · " : "", ar(p.name)),
                    { permanent: true, direction: "right", className: "place-label", offset: [size(p.count) / 2, 0] });
      const open = () => (p.count === 1 ? selectEvent(p.events[0].id) : openPlace(m, p, where));
      m.on("click", open);
      m.on("keypress", (ev) => { if (["Enter", " "].includes(ev.originalEvent.key)) open(); });
      m.on("add", () => {
        const node = m.getElement();
        if (!node) return;
        node.setAttribute("data-place", p.name_en || p.name || "");
        node.setAttribute("data-count", p.count);
        node.setAttribute("data-lat", p.lat);
        node.setAttribute("data-lon", p.lon);
        node.setAttribute("aria-label", m.options.title);
      });
      markers.push(m);
    }
    cluster.addLayers(markers);
    const unlocated = data.total - data.located;
    $("map-count").textContent = data.located + " of " + data.total + " events on the map" +
      (unlocated ? " (" + unlocated + " without coordinates)" : "") + " · " + data.places.length + " places";
    $("map").setAttribute("data-located", data.located);
    $("map").setAttribute("data-places", data.places.length);
    if (fit && markers.length) {
      map.fitBounds(cluster.getBounds().pad(0.15), { maxZoom: 8, animate: false });
    }
  }

  function openPlace(marker, p, where) {
    const box = el("div", { class: "place-popup" }, el("strong", { text: where }),
                   el("p", { text: p.count + " events · " + p.first_day + " – " + p.last_day }));
    const list = el("ul");
    for (const e of p.events) {
      const b = el("button", { type: "button", class: "link", "data-event-id": e.id },
                   fmt(e.day) + " · " + typeLabel(e.event_type));
      b.addEventListener("click", () => selectEvent(e.id));
      list.append(el("li", {}, b));
    }
    box.append(list);
    if (p.count > p.events.length) box.append(el("p", { class: "hint", text: "The latest " + p.events.length +
      "; narrow the dates to see the others · الأحدث فقط" }));
    marker.bindPopup(box).openPopup();
  }

  function drawLegend() {
    const box = $("legend");
    box.replaceChildren();
    const list = el("ul", { class: "legend-types" });
    for (const [t, a] of TYPES) {
      const sw = el("span", { class: "swatch" });
      sw.style.background = color(t);
      list.append(el("li", { "data-event-type": t }, sw, t + " · ", ar(a)));
    }
    const ring = el("span", { class: "swatch ring" });
    box.append(list, el("ul", { class: "legend-keys" },
      el("li", {}, el("span", { class: "swatch dot" }), "a place, coloured by its most frequent type; the number is its events · ",
         ar("مكان؛ الرقم عدد أحداثه")),
      el("li", {}, ring, "a group of nearby places at this zoom: the total of their events (click to zoom in) · ",
         ar("مجموعة أماكن متقاربة")),
      el("li", {}, "Place names appear from zoom " + LABEL_ZOOM + " · ", ar("تظهر أسماء الأماكن عند التكبير"))));
  }

  // ---- timeline -------------------------------------------------------------------------------
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const ms = (day) => Date.parse(day + "T00:00:00Z");
  function monday(day) { const t = ms(day); return iso(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS); }

  // Periods from the data's first day to its last (days up to four months, else ISO weeks), then runs of
  // GAP or more empty periods folded into one gap, so two busy years apart do not leave a bare axis.
  function periods(stats) {
    if (!stats.first_day) return { unit: null, items: [] };
    const span = (ms(stats.last_day) - ms(stats.first_day)) / DAY_MS + 1;
    const daily = span <= 120;
    const step = daily ? 1 : 7;
    const rows = daily ? stats.by_day : stats.by_week;
    const key = daily ? "day" : "week";
    const counts = new Map((rows || []).filter((r) => r[key]).map((r) => [r[key], r.count]));
    const raw = [];
    for (let t = ms(daily ? stats.first_day : monday(stats.first_day)); t <= ms(stats.last_day); t += step * DAY_MS) {
      raw.push({ start: iso(t), end: iso(t + (step - 1) * DAY_MS), count: counts.get(iso(t)) || 0 });
    }
    const items = [];
    for (let i = 0; i < raw.length;) {
      let j = i;
      while (j < raw.length && raw[j].count === 0) j++;
      if (j - i >= GAP) { items.push({ gap: true, start: raw[i].start, end: raw[j - 1].end }); i = j; }
      else { items.push(raw[i]); i++; }
    }
    return { unit: daily ? "day" : "week", items };
  }

  function drawTimeline(stats) {
    const box = $("timeline");
    box.replaceChildren();
    const { unit, items } = periods(stats);
    $("timeline-unit").replaceChildren(...(unit ? [unit === "day" ? "(per day · " : "(per week · ",
      ar(unit === "day" ? "يوميًا" : "أسبوعيًا"), ") ", el("span", { dir: "ltr", class: "range",
      text: stats.first_day + " – " + stats.last_day })] : []));
    const W = box.clientWidth || 800, H = 120, pad = 18, G = 14;
    box.setAttribute("viewBox", "0 0 " + W + " " + H);
    state.timeline = { items: [], W: W };
    if (!items.length) {
      box.append(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no events · لا أحداث"));
      return;
    }
    const bars = items.filter((it) => !it.gap);
    const gaps = items.length - bars.length;
    const bw = Math.max(1, (W - 2 * pad - gaps * G) / bars.length);
    const max = Math.max(1, ...bars.map((b) => b.count));
    let x = pad, lastLabel = -Infinity;
    const from = state.filters.date_from, to = state.filters.date_to;
    for (const it of items) {
      const w = it.gap ? G : bw;
      const laid = Object.assign({ x0: x, x1: x + w }, it);
      state.timeline.items.push(laid);
      if (it.gap) {
        const g = svg("g", { class: "gap", "data-start": it.start, "data-end": it.end });
        g.append(svg("line", { x1: x + 3, y1: H - pad + 4, x2: x + 7, y2: H - pad - 6 }),
                 svg("line", { x1: x + 7, y1: H - pad + 4, x2: x + 11, y2: H - pad - 6 }),
                 svg("title", {}, "no events " + it.start + " – " + it.end + " · لا أحداث"));
        box.append(g);
      } else {
        const h = it.count ? Math.max(2, ((H - 2 * pad) * it.count) / max) : 0;
        const inRange = (!from || it.end >= from) && (!to || it.start <= to) && (from || to);
        const bar = svg("rect", { class: "bar" + (inRange ? " in-range" : ""), x: x + 0.5, y: H - pad - h,
                                  width: Math.max(1, w - 1), height: h, "data-start": it.start, "data-end": it.end,
                                  "data-count": it.count });
        bar.append(svg("title", {}, (unit === "week" ? "week of " : "") + it.start + ": " + it.count));
        box.append(bar);
      }
      if (!it.gap && x - lastLabel > 80 && (x === pad || items[items.indexOf(it) - 1].gap)) {
        const end = x > W - 80;                     // a segment starting near the right edge: label leftwards
        box.append(svg("text", { x: end ? W - pad : x, y: H - 4, class: "tick", "text-anchor": end ? "end" : "start" },
                       it.start));
        lastLabel = end ? Infinity : x;
      }
      x += w;
    }
    const lastItem = items[items.length - 1];
    if (x - lastLabel > 150) box.append(svg("text", { x: W - pad, y: H - 4, "text-anchor": "end", class: "tick" }, lastItem.end));
    box.append(svg("text", { x: 2, y: pad - 6 }, "max " + max));
    const brush = svg("rect", { id: "brush", class: "brush", y: pad - 4, height: H - 2 * pad + 4, x: 0, width: 0 });
    box.append(brush);
    showBrush(from, to);
  }

  function showBrush(from, to) {
    const brush = $("brush");
    if (!brush || !state.timeline) return;
    const items = state.timeline.items;
    if (!from && !to) { brush.setAttribute("width", 0); brush.setAttribute("data-active", "false"); return; }
    const first = items.find((it) => it.end >= (from || "0000")) || items[0];
    const last = [...items].reverse().find((it) => it.start <= (to || "9999")) || items[items.length - 1];
    brush.setAttribute("x", first.x0);
    brush.setAttribute("width", Math.max(2, last.x1 - first.x0));
    brush.setAttribute("data-active", "true");
  }

  function itemAt(x) {
    const items = state.timeline.items;
    let best = items[0];
    for (const it of items) {
      if (x >= it.x0 && x < it.x1) return it;
      if (Math.abs((it.x0 + it.x1) / 2 - x) < Math.abs((best.x0 + best.x1) / 2 - x)) best = it;
    }
    return best;
  }

  function setDates(from, to) {
    $("f-date-from").value = from || "";
    $("f-date-to").value = to || "";
    applyFilters();
  }

  function initTimeline() {
    const box = $("timeline");
    let start = null;
    const toX = (ev) => {
      const r = box.getBoundingClientRect();
      return ((ev.clientX - r.left) / r.width) * state.timeline.W;
    };
    box.addEventListener("pointerdown", (ev) => {
      if (!state.timeline || !state.timeline.items.length) return;
      start = toX(ev);
      box.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    box.addEventListener("pointermove", (ev) => {
      if (start === null) return;
      const a = itemAt(Math.min(start, toX(ev))), b = itemAt(Math.max(start, toX(ev)));
      showBrush(a.start, b.end);
    });
    box.addEventListener("pointerup", (ev) => {
      if (start === null) return;
      const x = toX(ev);
      const a = itemAt(Math.min(start, x)), b = itemAt(Math.max(start, x));
      start = null;
      setDates(a.start, b.end);          // a click without a drag chooses one period
    });
    // Keyboard: arrows move the chosen period, Shift+arrows widen or narrow it, Escape clears the dates.
    const applySoon = debounce(() => applyFilters(), TYPING_MS);
    box.addEventListener("keydown", (ev) => {
      const items = state.timeline ? state.timeline.items.filter((it) => !it.gap) : [];
      if (!items.length) return;
      if (ev.key === "Escape") { setDates(null, null); ev.preventDefault(); return; }
      if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(ev.key)) return;
      ev.preventDefault();
      const from = $("f-date-from").value, to = $("f-date-to").value;
      let a = items.findIndex((it) => it.end >= from), b = items.length - 1 - [...items].reverse().findIndex((it) => it.start <= to);
      if (!from && !to) { a = b = items.length - 1; }
      else {
        if (a < 0) a = 0;
        if (b >= items.length) b = items.length - 1;
        const d = ev.key === "ArrowLeft" ? -1 : ev.key === "ArrowRight" ? 1 : 0;
        if (ev.key === "Home") { b = b - a; a = 0; }
        else if (ev.key === "End") { a = items.length - 1 - (b - a); b = items.length - 1; }
        else if (ev.shiftKey) b = Math.max(a, Math.min(items.length - 1, b + d));
        else if (a + d >= 0 && b + d < items.length) { a += d; b += d; }
      }
      $("f-date-from").value = items[a].start;
      $("f-date-to").value = items[b].end;
      showBrush(items[a].start, items[b].end);
      applySoon();
    });
    $("timeline-clear").addEventListener("click", () => setDates(null, null));
  }

  // ---- table -----------------------------------------------------------------------------------
  function drawTable(page) {
    const body = $("events").tBodies[0];
    body.replaceChildren();
    state.rows.clear();
    if (!page.items.length) {
      body.append(el("tr", {}, el("td", { colspan: 6, class: "empty", text: "No events match · لا أحداث مطابقة" })));
    }
    for (const e of page.items) {
      const dot = el("span", { class: "type-dot" });
      dot.style.background = color(e.event_type);
      const loc = e.location || {};
      const actors = [e.actor1, e.actor2].filter(Boolean).map((a) => a.name || a.id).join(" → ");
      const sources = e.source_count > 1 ? el("small", { class: "badge", text: e.source_count + " sources · مصادر" }) : null;
      const tr = el("tr", { tabindex: 0, "data-event-id": e.id, "data-event-type": e.event_type,
                            "aria-label": e.event_type + ", " + fmt(e.date) + ", " + (placeLabel(loc) || "no place") },
        el("td", { text: fmt(e.date) }),
        el("td", {}, dot, e.event_type, el("br"), el("small", { text: e.sub_event_type || "" })),
        el("td", {}, loc.name_en || "", loc.name_en && loc.name ? el("br") : null, ar(loc.name), !loc.name && !loc.name_en ? "—" : null,
           el("br"), el("small", { text: [loc.admin1, loc.country ? countryText(loc.country) : null].filter(Boolean).join(", ") })),
        el("td", { text: actors || "—" }),
        el("td", { text: fmt(e.fatalities) }),
        el("td", { class: "notes-cell" }, e.notes ? el("div", { class: "note", text: e.notes }) : null,
           el("div", { class: "ar evidence", lang: "ar", dir: "rtl", text: (e.evidence && e.evidence.text) || "" }), sources));
      tr.addEventListener("click", () => selectEvent(e.id));
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectEvent(e.id); } });
      body.append(tr);
      state.rows.set(e.id, tr);
      tr.classList.toggle("selected", e.id === state.selected);
    }
    const from = page.total ? page.offset + 1 : 0;
    $("page-info").textContent = from + "–" + (page.offset + page.items.length) + " / " + page.total;
    $("prev").disabled = page.offset <= 0;
    $("next").disabled = page.offset + page.items.length >= page.total;
    $("count").textContent = page.total + " events · حدثًا";
  }

  async function loadPage() {
    const page = await api("/v1/events", Object.assign({}, state.filters, { limit: PAGE, offset: state.offset }));
    drawTable(page);
    return page;
  }

  // ---- event view -------------------------------------------------------------------------------
  // Split the text at every span boundary; each piece is a text node, wrapped in <mark> with one class
  // per kind of span that covers it.
  function renderText(container, text, spans) {
    const cps = codePoints(text);
    const cuts = new Set([0, cps.length]);
    const valid = spans.filter((s) => s && Number.isInteger(s.start) && Number.isInteger(s.end) &&
                                     s.start >= 0 && s.end <= cps.length && s.start < s.end);
    for (const s of valid) { cuts.add(s.start); cuts.add(s.end); }
    const points = [...cuts].sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const piece = cps.slice(a, b).join("");
      const kinds = [...new Set(valid.filter((s) => s.start <= a && b <= s.end).map((s) => s.kind))];
      if (!kinds.length) { frag.append(document.createTextNode(piece)); continue; }
      const mark = document.createElement("mark");
      mark.className = kinds.join(" ");
      mark.setAttribute("data-start", a);
      mark.setAttribute("data-end", b);
      mark.append(document.createTextNode(piece));
      frag.append(mark);
    }
    container.replaceChildren(frag);
  }

  function spansOf(event, kind) {
    const out = [];
    const add = (s, k) => { if (s && typeof s === "object" && "start" in s) out.push({ start: s.start, end: s.end, kind: k }); };
    add(event.evidence, kind);
    if (kind === "evidence") {
      add(event.trigger, "trigger");
      add(event.actor1 && event.actor1.span, "actor");
      add(event.actor2 && event.actor2.span, "actor");
      add(event.location && event.location.span, "place");
    }
    return out;
  }

  const overlaps = (a, b) => a && b && a.start < b.end && b.start < a.end;

  // The sentence (else the paragraph) of the article around a span, as a span.
  function around(article, s) {
    const sentence = (article.sentences || []).map((x) => x.span || x).find((x) => overlaps(x, s));
    if (sentence) return sentence;
    const cps = codePoints(article.text);
    let start = s.start, end = s.end;
    while (start > 0 && cps[start - 1] !== "\n") start--;
    while (end < cps.length && cps[end] !== "\n") end++;
    return { start: start, end: end };
  }

  // Who the counted people were: the article's figure of that metric and value in the event's evidence,
  // else in its sentence ("12 — gunmen: «مقتل 12 مسلحا»"); else the report does not say.
  function casualties(value, metric, evidence, article) {
    if (value === null || value === undefined) return null;
    const figures = (article.figures || []).filter((f) => f.metric === metric && f.evidence);
    const inside = figures.filter((f) => overlaps(f.evidence, evidence));
    const context = evidence ? around(article, evidence) : null;
    const found = inside.length ? inside : figures.filter((f) => f.value === value && overlaps(f.evidence, context));
    if (!found.length) return [String(value), el("small", { class: "who", text: " — who: not stated in this report · لم يُذكر من هم" })];
    const out = [String(value)];
    for (const f of found) {
      const who = f.population || "people";         // the figures stage names them in plain English
      out.push(el("span", { class: "who" }, " — " + (f.value === value ? "" : f.value + " ") + who + ": ",
                  ar("«" + f.evidence.text + "»")));
    }
    return out;
  }

  function fieldRows(event, article) {
    const loc = event.location || {};
    const coords = typeof loc.lat === "number" ? loc.lat.toFixed(3) + ", " + loc.lon.toFixed(3) +
      (loc.geo_precision ? " (precision " + loc.geo_precision + ")" : "") : null;
    const actor = (a) => a ? [a.name || a.id, a.span && a.span.text ? " · " : null, ar(a.span && a.span.text)] : null;
    return [
      ["Type", "النوع", [event.event_type, " · ", ar(ARABIC[event.event_type])]],
      ["Sub-type", "النوع الفرعي", event.sub_event_type],
      ["Date", "التاريخ", event.date_start ? event.date_start + " – " + event.date : event.date],
      ["Place", "المكان", loc.name || loc.name_en ? [loc.name_en || "", loc.name_en && loc.name ? " · " : null, ar(loc.name)] : null],
      ["Where", "الموقع", loc.admin1 || loc.country ? [loc.admin1 ? loc.admin1 + ", " : null, ...(loc.country ? countryNodes(loc.country) : [])] : null],
      ["Lat, lon", "الإحداثيات", coords],
      ["Actor 1", "الطرف الأول", actor(event.actor1)],
      ["Actor 2", "الطرف الثاني", actor(event.actor2)],
      ["Killed", "قتلى", casualties(event.fatalities, "killed", event.evidence, article)],
      ["Injured", "جرحى", casualties(event.injured, "injured", event.evidence, article)],
      ["Detained", "معتقلون", casualties(event.detained, "detained", event.evidence, article)],
      ["Confidence", "الثقة", typeof event.confidence === "number" ? event.confidence.toFixed(2) : null],
      ["Evidence", "الدليل", ar(event.evidence && event.evidence.text)],
    ];
  }

  function drawFields(event, article) {
    const dl = $("event-fields");
    dl.replaceChildren();
    for (const [en, arLabel, value] of fieldRows(event, article)) {
      const nodes = value === null || value === undefined ? ["—"] : Array.isArray(value) ? value : [value];
      const key = en.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      dl.append(el("dt", { "data-field": key }, en, " · ", ar(arLabel)),
                el("dd", { "data-field": key }, ...nodes.filter((n) => n !== null && n !== undefined)));
    }
  }

  // A source as /v1/events/{id} gives it: {"article": {...}, "evidence": {...}} (incidents) or, before
  // them, {"article": {...}, "event": {"evidence": ...}}.
  const sourceEvidence = (s) => s.evidence || (s.event && s.event.evidence) || null;

  function drawSources(detail) {
    const list = $("sources");
    list.replaceChildren();
    const n = detail.sources.length;
    $("sources-title").replaceChildren("Sources · ", ar("المصادر"), " (" + n + ")");
    detail.sources.forEach((s, i) => {
      const a = s.article || {};
      const b = el("button", { type: "button", class: "source", "data-index": i },
                   el("strong", { text: a.source || "unknown outlet" }), " · " + fmt(a.date) + " · ", ar(a.title || ""));
      b.addEventListener("click", () => showSource(detail, i).catch((e) => status(e.message, true)));
      const href = a.url && safeUrl(a.url);
      const link = href ? el("a", { href: href, rel: "noopener noreferrer", target: "_blank", class: "original",
                                    text: "original · الأصل" }) : null;
      list.append(el("li", {}, b, link ? " " : null, link));
    });
  }

  async function showSource(detail, index) {
    const source = detail.sources[index];
    const articleId = source.article ? source.article.id : source.article_id;
    const article = await api("/v1/articles/" + encodeURIComponent(articleId));
    // Spans come from this source only (offsets are into ITS text); fields from the event record.
    const evidence = sourceEvidence(source);
    const own = source.event && source.event.trigger ? source.event : { evidence: evidence };
    const fields = Object.assign({}, detail.record || detail, { evidence: evidence });
    $("article-hint").hidden = true;
    $("article").hidden = false;
    $("event-notes").textContent = (detail.record && detail.record.notes) || detail.notes || "";
    $("article-title").textContent = article.title || "(no title · بلا عنوان)";
    const meta = $("article-meta");
    meta.replaceChildren(fmt(article.date), " · ", article.source || "", " ");
    const href = article.url && safeUrl(article.url);
    if (href) meta.append(el("a", { href: href, rel: "noopener noreferrer", target: "_blank", text: "source · المصدر" }));
    else if (article.url) meta.append(el("span", { class: "url", text: article.url }));
    // This event's spans over the other events' evidence in the same article.
    const others = (article.events || []).filter((e) => !sameSpan(e.evidence, evidence))
                                          .flatMap((e) => spansOf(e, "other-evidence"));
    renderText($("article-text"), article.text, others.concat(spansOf(own, "evidence")));
    drawFields(fields, article);
    for (const b of $("sources").querySelectorAll("button.source")) {
      const current = Number(b.dataset.index) === index;
      b.classList.toggle("current", current);
      if (current) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    }
    const first = $("article-text").querySelector("mark.evidence");
    if (first) first.scrollIntoView({ block: "nearest", behavior: "instant" });
  }

  function sameSpan(a, b) { return a && b && a.start === b.start && a.end === b.end; }

  async function selectEvent(id) {
    try {
      status("Loading event… · جارٍ التحميل");
      const detail = await api("/v1/events/" + encodeURIComponent(id));
      state.selected = id;
      for (const [rid, tr] of state.rows) tr.classList.toggle("selected", rid === id);
      drawSources(detail);
      await showSource(detail, 0);
      $("article").setAttribute("data-event-id", id);
      status("");
      writeUrl();
      $("article-panel").scrollIntoView({ block: "nearest" });
    } catch (e) {
      status(e.message, true);
    }
  }

  // ---- start ----------------------------------------------------------------------------------------
  async function main() {
    const start = readUrl();
    const form = $("filters");
    const applySoon = debounce(() => applyFilters(), TYPING_MS);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); applyFilters(); });
    form.addEventListener("change", () => applyFilters());       // selects and dates: at once
    for (const id of ["f-actor", "f-q"]) $(id).addEventListener("input", applySoon);   // typing: when it pauses
    form.addEventListener("reset", () => setTimeout(() => applyFilters(), 0));
    $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadPage().catch((e) => status(e.message, true)); });
    $("next").addEventListener("click", () => { state.offset += PAGE; loadPage().catch((e) => status(e.message, true)); });
    initTimeline();
    await initMap(start.view);
    try { await fillFilterOptions(); } catch (e) { status(e.message, true); }
    setFilters(start.filters);
    await applyFilters({ fit: !start.view });
    if (start.event) await selectEvent(start.event);
    state.ready = true;
    writeUrl();
    document.body.setAttribute("data-restored", "true");
  }

  document.addEventListener("DOMContentLoaded", main);
})();
