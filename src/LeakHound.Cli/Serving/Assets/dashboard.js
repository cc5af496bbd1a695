// LeakHound dashboard: draws the charts from api/charts with uPlot, then appends every round pushed on the
// event stream (Server-Sent Events) without a reload. Every text from the watch (peer names, application names,
// query texts, alert messages) reaches the page through textContent or the canvas, never through innerHTML.
// #lh-status says "ok: N charts, M points, R live rounds" (data-points, data-rounds hold the numbers) or "error: ...",
// so a headless browser can see the charts grow.
(function () {
  'use strict';

  var C = window.LeakHoundCharts;
  var formatCount = C.formatCount;
  var stamp = C.stamp;
  var statusEl = document.getElementById('lh-status');
  var liveEl = document.getElementById('lh-live');
  var chartsEl = document.getElementById('lh-charts');
  var rangeEl = document.getElementById('lh-range');
  var errors = C.problems('Something went wrong: ');
  var problems = errors.list;
  var fail = errors.fail;

  var RANGES = { '5m': 300, '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800, 'all': null };
  var MAX_ROWS = 20000;
  var HEIGHT = 260;

  var plots = [];
  var rounds = 0;
  var points = 0;
  var live = false;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function formatDuration(seconds) {
    if (seconds == null) return '–';
    var s = Math.max(0, Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + (s % 60) + 's';
    return s + 's';
  }

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function showStatus() {
    if (problems.length > 0) return;
    statusEl.dataset.points = String(points);
    statusEl.dataset.rounds = String(rounds);
    statusEl.dataset.charts = String(plots.length);
    statusEl.textContent = 'ok: ' + plots.length + ' charts, ' + points + ' points, ' + rounds + ' live rounds';
  }

  function countPoints(data) {
    var n = 0;
    for (var s = 1; s < data.length; s++) {
      for (var i = 0; i < data[s].length; i++) if (data[s][i] != null) n++;
    }
    return n;
  }

  function makeChart(chart) {
    var section = el('section', null, 'chart');
    section.appendChild(el('h2', chart.title || chart.id));
    if (chart.note) section.appendChild(el('p', chart.note, 'note'));
    var box = el('div', null, 'plot');
    section.appendChild(box);
    chartsEl.appendChild(section);

    var data = C.columns(chart);
    var opts = C.options(chart, Math.max(300, box.clientWidth), HEIGHT);
    points += countPoints(data);
    var plot = new uPlot(opts, data, box);
    return { plot: plot, chart: chart, data: data, last: {} };
  }

  // One pushed round: a new row on every chart. A series absent from the round (a peer whose connections all
  // closed) is zero, as in the watch's own view; a limit line keeps its last value.
  function append(entry, round) {
    var data = entry.data;
    var xs = data[0];
    if (xs.length > 0 && round.t <= xs[xs.length - 1]) return;
    xs.push(round.t);
    entry.chart.series.forEach(function (s, i) {
      var v = round.values[s.key];
      if (v == null) {
        if (s.limit) {
          var column = data[i + 1];
          for (var j = column.length - 1; j >= 0 && v == null; j--) v = column[j];
        } else {
          v = 0;
        }
      }
      data[i + 1].push(v == null ? undefined : v);
      if (v != null) points++;
    });
    var span = RANGES[rangeEl.value];
    var cut = 0;
    while (cut < xs.length - 2 && ((span != null && xs[cut] < round.t - span) || xs.length - cut > MAX_ROWS)) cut++;
    if (cut > 0) data.forEach(function (column) { column.splice(0, cut); });
    entry.plot.setData(data);
  }

  // A series that was zero or absent when the charts were built (CLOSE_WAIT before the first leak, a new peer, a
  // new source) is not on any chart yet: rebuild the charts from the store, at most every few seconds.
  var lastReload = 0;
  function wantsReload(round) {
    var known = {}, families = {}, metrics = {};
    plots.forEach(function (p) {
      var lines = p.chart.series.filter(function (s) { return !s.limit; });
      lines.forEach(function (s) {
        known[s.key] = true;
        var metric = s.key.split('{')[0];
        metrics[metric] = true;
        if (lines.length < 8) families[metric] = true;
      });
    });
    return Object.keys(round.values).some(function (key) {
      if (known[key] || round.values[key] === 0) return false;
      var metric = key.split('{')[0];
      return families[metric] || !metrics[metric];
    });
  }

  function renderVerdicts(verdicts) {
    var body = document.querySelector('#lh-verdicts tbody');
    var rows = verdicts.map(function (v) {
      var tr = el('tr');
      var key = el('td', null);
      key.appendChild(el('span', v.series, 'key'));
      tr.appendChild(key);
      var verdict = el('td');
      verdict.appendChild(el('span', v.verdict, 'badge ' + v.verdict));
      verdict.title = v.summary;
      tr.appendChild(verdict);
      tr.appendChild(el('td', (v.slopePerHour >= 0 ? '+' : '') + formatCount(v.slopePerHour), 'num'));
      tr.appendChild(el('td', formatCount(v.last), 'num'));
      tr.appendChild(el('td', v.capacity == null ? '–' : formatCount(v.capacity) + (v.capacityName ? ' (' + v.capacityName + ')' : ''), 'num'));
      tr.appendChild(el('td', formatDuration(v.timeToCapacitySeconds), 'num'));
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    var leaking = verdicts.filter(function (v) { return v.verdict === 'leaking'; });
    var headline = document.getElementById('lh-verdict-headline');
    headline.textContent = leaking.length > 0 ? leaking[0].summary : verdicts.length > 0 ? 'No series is leaking.' : 'Not enough data for a verdict yet.';
    headline.className = 'headline ' + (leaking.length > 0 ? 'leaking' : 'clean');
  }

  function renderAlerts(alerts) {
    var firing = document.getElementById('lh-firing');
    firing.replaceChildren.apply(firing, alerts.firing.map(function (f) {
      return el('li', 'firing: ' + f.rule + ' for ' + f.series + ' since ' + stamp(f.since));
    }));
    if (alerts.firing.length === 0) {
      firing.appendChild(el('li', alerts.rules.length > 0 ? 'Nothing fires (' + alerts.rules.length + ' rules).' : 'No alert rules.', 'quiet'));
    }
    var events = document.getElementById('lh-alert-events');
    events.replaceChildren.apply(events, alerts.events.map(function (e) { return el('li', stamp(e.time) + '  ' + e.detail); }));
  }

  function renderSuspects(s) {
    var section = document.getElementById('lh-suspects-section');
    if (!s.enabled) { section.hidden = true; return; }
    section.hidden = false;
    document.getElementById('lh-suspects-note').textContent = s.error ? s.error :
      s.total + ' connections idle longer than ' + formatDuration(s.threshold) + (s.note ? '. ' + s.note : '');
    var body = document.querySelector('#lh-suspects tbody');
    body.replaceChildren.apply(body, s.groups.map(function (g) {
      var tr = el('tr');
      [g.application, g.client, g.user, g.database].forEach(function (t) { tr.appendChild(el('td', t)); });
      tr.appendChild(el('td', g.count, 'num'));
      tr.appendChild(el('td', g.idleInTransaction, 'num'));
      tr.appendChild(el('td', formatDuration(g.oldestIdleSeconds), 'num'));
      var q = el('td');
      q.appendChild(el('span', g.lastQuery == null ? '' : g.lastQuery, 'key'));
      tr.appendChild(q);
      return tr;
    }));
  }

  function loadCharts() {
    return getJson('api/charts?range=' + encodeURIComponent(rangeEl.value)).then(function (report) {
      plots.forEach(function (p) { p.plot.destroy(); });
      plots = [];
      points = 0;
      chartsEl.replaceChildren();
      report.charts.forEach(function (chart) { plots.push(makeChart(chart)); });
      if (report.charts.length === 0) chartsEl.appendChild(el('p', 'No samples yet.', 'note'));
      showStatus();
    });
  }

  function connect() {
    var source = new EventSource('events');
    source.onopen = function () { liveEl.textContent = 'live'; liveEl.className = 'live on'; };
    source.onerror = function () { liveEl.textContent = 'reconnecting…'; liveEl.className = 'live off'; };
    source.addEventListener('round', function (e) {
      var round = JSON.parse(e.data);
      if (round.t == null) return;
      rounds++;
      plots.forEach(function (p) { append(p, round); });
      if (wantsReload(round) && Date.now() - lastReload > 5000) {
        lastReload = Date.now();
        loadCharts().catch(function (e) { fail(e.message); });
      }
      renderVerdicts(round.verdicts);
      renderAlerts(round.alerts);
      showStatus();
    });
  }

  function refreshSuspects() {
    getJson('api/suspects').then(function (s) {
      renderSuspects(s);
      if (s.enabled) setTimeout(refreshSuspects, 15000);
    }).catch(function (e) { fail(e.message); });
  }

  // A recording served read-only may still be growing (another process's watch writes it): look every few
  // seconds, and when its latest time moves, draw it again.
  function follow(lastTime) {
    setTimeout(function () {
      getJson('api/status').then(function (status) {
        if (status.time === lastTime) return follow(lastTime);
        return Promise.all([loadCharts(), getJson('api/verdicts').then(renderVerdicts), getJson('api/alerts').then(renderAlerts)])
          .then(function () { follow(status.time); });
      }).catch(function (e) { fail(e.message); });
    }, 3000);
  }

  rangeEl.addEventListener('change', function () { loadCharts().catch(function (e) { fail(e.message); }); });
  window.addEventListener('resize', function () {
    plots.forEach(function (p) { p.plot.setSize({ width: Math.max(300, p.plot.root.parentNode.clientWidth), height: HEIGHT }); });
  });

  var firstTime = null;
  getJson('api/status').then(function (status) {
    live = status.live;
    firstTime = status.time;
    document.getElementById('lh-subject').textContent = status.subject;
    document.title = 'LeakHound: ' + status.subject;
    if (!live) { liveEl.textContent = 'recording (read-only)'; liveEl.className = 'live'; }
    return Promise.all([loadCharts(), getJson('api/verdicts').then(renderVerdicts), getJson('api/alerts').then(renderAlerts)]);
  }).then(function () {
    // Milliseconds from navigation until the first charts are on screen (the benchmark reads it).
    requestAnimationFrame(function () { statusEl.dataset.firstDrawMs = String(Math.round(performance.now())); });
    refreshSuspects();
    if (live) connect(); else follow(firstTime);
  }).catch(function (e) { fail(e && e.message ? e.message : e); });
})();
