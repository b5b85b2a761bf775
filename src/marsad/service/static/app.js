// marsad dashboard: reads only the JSON API (/v1/...), renders with DOM APIs.
//
// Safety rule: article text, titles and every other value from the store reach the page
// as text nodes (textContent / createTextNode), never through innerHTML; links are made
// only for http(s) URLs. The server's Content-Security-Policy forbids inline script too.
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
  const MAP_LIMIT = 500;

  const state = { filters: {}, offset: 0, total: 0, selected: null, markers: new Map(), rows: new Map() };
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
    for (const c of children) if (c !== null && c !== undefined) node.append(c);  // strings become text nodes
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }
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

  // Python counts offsets in code points, JavaScript strings in UTF-16 units: slice by code points.
  function codePoints(text) { return Array.from(text || ""); }

  // ---- API ---------------------------------------------------------------------------------
  async function api(path, params) {
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v === null || v === undefined || v === "") continue;
      url.searchParams.set(k, v);
    }
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const err = body && body.error ? body.error : { code: "http_" + res.status, message: res.statusText };
      throw new Error(err.message + " [" + err.code + "]");
    }
    return body;
  }

  function readFilters() {
    const form = $("filters");
    const f = {};
    for (const name of ["date_from", "date_to", "country", "event_type", "actor", "q"]) {
      const v = form.elements[name].value.trim();
      if (v) f[name] = v;
    }
    return f;
  }

  // ---- map -----------------------------------------------------------------------------------
  let map = null, markerLayer = null;
  async function initMap() {
    map = L.map("map", { minZoom: 2, maxZoom: 11, worldCopyJump: true, preferCanvas: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Outlines: Natural Earth (world-atlas)");
    map.setView([31, 40], 4);
    try {
      const res = await fetch("/static/vendor/world-atlas/countries-50m.json");
      const topo = await res.json();
      const countries = topojson.feature(topo, topo.objects.countries);
      L.geoJSON(countries, {
        interactive: false,
        style: { color: "#9aa7b5", weight: 0.7, fillColor: "#f7f4ee", fillOpacity: 1 },
      }).addTo(map);
    } catch (e) {
      status("Country outlines did not load: " + e.message, true);
    }
    markerLayer = L.featureGroup().addTo(map);
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      const box = el("div", { class: "legend", id: "legend" });
      for (const [t, a] of TYPES) {
        const sw = el("span", { class: "swatch" });
        sw.style.background = color(t);
        box.append(el("div", {}, sw, t + " · ", el("span", { lang: "ar", text: a })));
      }
      return box;
    };
    legend.addTo(map);
  }

  function drawMarkers(items) {
    markerLayer.clearLayers();
    state.markers.clear();
    for (const e of items) {
      const loc = e.location;
      if (!loc || typeof loc.lat !== "number" || typeof loc.lon !== "number") continue;
      const m = L.circleMarker([loc.lat, loc.lon], {
        radius: 5 + Math.min(10, Math.sqrt(e.fatalities || 0)),
        color: "#fff", weight: 1, fillColor: color(e.event_type), fillOpacity: 0.85,
        className: "event-marker",
      });
      const tip = el("div", {},
        el("strong", { text: e.event_type }), el("br"),
        el("span", { lang: "ar", dir: "rtl", text: loc.name || "" }), " ", fmt(e.date));
      m.bindTooltip(tip);                    // a node, not a string: Leaflet would parse a string as HTML
      m.on("click", () => selectEvent(e.id));
      m.addTo(markerLayer);
      const path = m.getElement();
      if (path) {
        path.setAttribute("data-event-id", e.id);
        path.setAttribute("data-event-type", e.event_type);
      }
      state.markers.set(e.id, m);
    }
    if (state.markers.size) {
      map.fitBounds(markerLayer.getBounds().pad(0.3), { maxZoom: 7, animate: false });
    }
  }

  // ---- timeline -------------------------------------------------------------------------------
  // Every day (or ISO week) from the first to the last, zeros included, so gaps show as gaps.
  function continuous(rows, key, stepDays) {
    const counts = new Map(rows.filter((r) => r[key]).map((r) => [r[key], r.count]));
    if (!counts.size) return [];
    const keys = [...counts.keys()].sort();
    const out = [];
    const end = new Date(keys[keys.length - 1] + "T00:00:00Z");
    for (let d = new Date(keys[0] + "T00:00:00Z"); d <= end && out.length < 5000; d = new Date(d.getTime() + stepDays * 86400000)) {
      const k = d.toISOString().slice(0, 10);
      out.push([k, counts.get(k) || 0]);
    }
    return out;
  }

  function drawTimeline(stats) {
    const box = $("timeline");
    box.replaceChildren();
    const days = continuous(stats.by_day || [], "day", 1);
    const useDays = days.length > 0 && days.length <= 92;
    const series = useDays ? days : continuous(stats.by_week || [], "week", 7);
    $("timeline-unit").textContent = useDays ? "(per day · يوميًا)" : "(per week · أسبوعيًا)";
    const W = box.clientWidth || 800, H = 120, pad = 18;
    box.setAttribute("viewBox", "0 0 " + W + " " + H);
    if (!series.length) {
      box.append(Object.assign(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }), { textContent: "no events · لا أحداث" }));
      return;
    }
    const max = Math.max(1, ...series.map((s) => s[1]));
    const bw = Math.max(2, (W - 2 * pad) / series.length);
    series.forEach(([label, count], i) => {
      const h = count ? Math.max(2, ((H - 2 * pad) * count) / max) : 0;
      const bar = svg("rect", { class: "bar", x: pad + i * bw + 1, y: H - pad - h, width: Math.max(1, bw - 2), height: h,
                                fill: "#1f3a5f", "data-period": label, "data-count": count });
      const title = svg("title");
      title.textContent = label + ": " + count;
      bar.append(title);
      bar.addEventListener("click", () => zoomToPeriod(label, useDays));
      box.append(bar);
    });
    const first = svg("text", { x: pad, y: H - 4 }); first.textContent = series[0][0];
    const last = svg("text", { x: W - pad, y: H - 4, "text-anchor": "end" }); last.textContent = series[series.length - 1][0];
    const top = svg("text", { x: 2, y: pad - 4 }); top.textContent = "max " + max;
    box.append(first, last, top);
  }

  function zoomToPeriod(label, isDay) {
    const start = new Date(label + "T00:00:00Z");
    const end = new Date(start.getTime() + (isDay ? 0 : 6) * 86400000);
    $("f-date-from").value = start.toISOString().slice(0, 10);
    $("f-date-to").value = end.toISOString().slice(0, 10);
    applyFilters();
  }

  // ---- table -----------------------------------------------------------------------------------
  function actorName(a) { return a ? (a.name || a.id || "") : ""; }

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
      const actors = [actorName(e.actor1), actorName(e.actor2)].filter(Boolean).join(" → ");
      const tr = el("tr", { tabindex: 0, "data-event-id": e.id, "data-event-type": e.event_type },
        el("td", { text: fmt(e.date) }),
        el("td", {}, dot, e.event_type, el("br"), el("small", { text: e.sub_event_type || "" })),
        el("td", { class: "ar", lang: "ar", dir: "rtl" }, loc.name || "—", el("br"),
           el("small", { dir: "ltr", text: [loc.admin1, loc.country].filter(Boolean).join(", ") })),
        el("td", { text: actors || "—" }),
        el("td", { text: fmt(e.fatalities) }),
        el("td", { class: "ar evidence", lang: "ar", dir: "rtl", text: (e.evidence && e.evidence.text) || "" }));
      tr.addEventListener("click", () => selectEvent(e.id));
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") selectEvent(e.id); });
      body.append(tr);
      state.rows.set(e.id, tr);
    }
    const from = page.total ? page.offset + 1 : 0;
    $("page-info").textContent = from + "–" + (page.offset + page.items.length) + " / " + page.total;
    $("prev").disabled = page.offset <= 0;
    $("next").disabled = page.offset + page.items.length >= page.total;
    $("count").textContent = page.total + " events · حدثًا";
  }

  async function loadPage() {
    const page = await api("/v1/events", Object.assign({}, state.filters, { limit: PAGE, offset: state.offset }));
    state.total = page.total;
    drawTable(page);
    return page;
  }

  // ---- article view -------------------------------------------------------------------------------
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

  function fieldRows(event) {
    const loc = event.location || {};
    const a1 = event.actor1 || {}, a2 = event.actor2 || {};
    const where = [loc.name_en, loc.admin1, loc.country].filter(Boolean).join(", ");
    const coords = typeof loc.lat === "number" ? loc.lat.toFixed(3) + ", " + loc.lon.toFixed(3) : null;
    return [
      ["Type", "النوع", event.event_type],
      ["Sub-type", "النوع الفرعي", event.sub_event_type],
      ["Date", "التاريخ", event.date_start ? event.date_start + " – " + event.date : event.date],
      ["Place", "المكان", loc.name, true],
      ["Where", "الموقع", where],
      ["Lat, lon", "الإحداثيات", coords],
      ["Actor 1", "الطرف الأول", a1.name || a1.id, a1.name && /[\u0600-\u06FF]/.test(a1.name)],
      ["Actor 2", "الطرف الثاني", a2.name || a2.id, a2.name && /[\u0600-\u06FF]/.test(a2.name)],
      ["Killed", "قتلى", event.fatalities],
      ["Injured", "جرحى", event.injured],
      ["Detained", "معتقلون", event.detained],
      ["Confidence", "الثقة", typeof event.confidence === "number" ? event.confidence.toFixed(2) : null],
      ["Evidence", "الدليل", event.evidence && event.evidence.text, true],
    ];
  }

  function drawFields(event) {
    const dl = $("event-fields");
    dl.replaceChildren();
    for (const [en, ar, value, arabic] of fieldRows(event)) {
      dl.append(el("dt", {}, en, " · ", el("span", { lang: "ar", text: ar })),
                el("dd", arabic ? { lang: "ar", dir: "rtl" } : {}, fmt(value)));
    }
  }

  async function showSource(detail, index) {
    const source = detail.sources[index];
    const articleId = source.article ? source.article.id : source.article_id;
    const article = await api("/v1/articles/" + encodeURIComponent(articleId));
    // Spans come from this source only (offsets are into ITS text); fields from the event record.
    const event = source.event || {};
    const fields = Object.assign({}, detail.record || detail, { evidence: event.evidence });
    $("article-hint").hidden = true;
    $("article").hidden = false;
    $("article-title").textContent = article.title || "(no title · بلا عنوان)";
    const meta = $("article-meta");
    meta.replaceChildren(fmt(article.date), " · ", article.source || "", " ");
    const href = article.url && safeUrl(article.url);
    if (href) meta.append(el("a", { href: href, rel: "noopener noreferrer", target: "_blank", text: "source · المصدر" }));
    else if (article.url) meta.append(el("span", { class: "url", text: article.url }));
    // This event's spans over the other events' evidence in the same article.
    const others = (article.events || []).filter((e) => !sameSpan(e.evidence, event.evidence))
                                          .flatMap((e) => spansOf(e, "other-evidence"));
    renderText($("article-text"), article.text, others.concat(spansOf(event, "evidence")));
    drawFields(fields);
    const box = $("sources");
    for (const b of box.querySelectorAll("button")) b.classList.toggle("current", Number(b.dataset.index) === index);
    const first = $("article-text").querySelector("mark.evidence");
    if (first) first.scrollIntoView({ block: "center", behavior: "instant" });
  }

  function sameSpan(a, b) { return a && b && a.start === b.start && a.end === b.end; }

  async function selectEvent(id) {
    try {
      status("Loading event… · جارٍ التحميل");
      const detail = await api("/v1/events/" + encodeURIComponent(id));
      state.selected = id;
      for (const [rid, tr] of state.rows) tr.classList.toggle("selected", rid === id);
      const box = $("sources");
      box.replaceChildren();
      if (detail.sources.length > 1) {
        detail.sources.forEach((s, i) => {
          const a = s.article || {};
          const b = el("button", { type: "button", "data-index": i, lang: "ar", dir: "rtl",
                                   text: (a.source || "") + " " + fmt(a.date) });
          b.addEventListener("click", () => showSource(detail, i).catch((e) => status(e.message, true)));
          box.append(b);
        });
      }
      await showSource(detail, 0);
      status("");
      $("article-panel").scrollIntoView({ block: "nearest" });
    } catch (e) {
      status(e.message, true);
    }
  }

  // ---- filters -------------------------------------------------------------------------------------
  async function applyFilters() {
    state.filters = readFilters();
    state.offset = 0;
    status("Loading… · جارٍ التحميل");
    try {
      const [page, stats, forMap] = await Promise.all([
        loadPage(),
        api("/v1/stats", state.filters),
        api("/v1/events", Object.assign({}, state.filters, { limit: MAP_LIMIT, sort: "-date" })),
      ]);
      drawTimeline(stats);
      drawMarkers(forMap.items);
      status(forMap.total > forMap.items.length
             ? "Map shows the latest " + forMap.items.length + " of " + forMap.total + " events" : "");
      document.body.setAttribute("data-ready", "true");
    } catch (e) {
      status(e.message, true);
    }
  }

  async function fillFilterOptions() {
    const typeSelect = $("f-type");
    for (const [t, a] of TYPES) typeSelect.append(el("option", { value: t, text: t + " · " + a }));
    const stats = await api("/v1/stats");
    const countrySelect = $("f-country");
    for (const c of stats.by_country || []) {
      if (!c.country) continue;
      countrySelect.append(el("option", { value: c.country, text: c.country + " (" + c.count + ")" }));
    }
    const actors = $("actor-list");
    for (const a of stats.top_actors || []) actors.append(el("option", { value: a.actor }));
  }

  async function main() {
    $("filters").addEventListener("submit", (ev) => { ev.preventDefault(); applyFilters(); });
    $("filters").addEventListener("reset", () => setTimeout(applyFilters, 0));
    $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadPage().catch((e) => status(e.message, true)); });
    $("next").addEventListener("click", () => { state.offset += PAGE; loadPage().catch((e) => status(e.message, true)); });
    await initMap();
    try { await fillFilterOptions(); } catch (e) { status(e.message, true); }
    await applyFilters();
  }

  document.addEventListener("DOMContentLoaded", main);
})();
