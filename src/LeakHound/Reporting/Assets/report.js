// LeakHound report: draws the charts described by the JSON in #lh-data with uPlot.
// Every text from the recording (peer names, command names, event details) reaches the page through textContent
// or the canvas, never through innerHTML. #lh-status says "ok: N charts, M points, T ms" once every chart has
// drawn (T: since navigation began), or "error: ..." when anything failed, so a headless browser can check the page.
(function () {
  'use strict';

  var statusEl = document.getElementById('lh-status');
  var problems = [];

  function fail(message) {
    problems.push(String(message));
    statusEl.textContent = 'error: ' + problems.join(' | ');
    var banner = document.getElementById('lh-error');
    banner.textContent = 'Some charts could not be drawn: ' + problems.join('; ');
    banner.hidden = false;
  }

  window.addEventListener('error', function (e) { fail(e.message || 'a script failed'); });
  window.addEventListener('unhandledrejection', function (e) { fail(e.reason && e.reason.message ? e.reason.message : e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) {
    fail('blocked by the content security policy: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
  var consoleError = console.error;
  console.error = function () {
    fail(Array.prototype.join.call(arguments, ' '));
    return consoleError.apply(console, arguments);
  };

  var COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
  var MARKER_COLORS = { onset: '#d62728', restart: '#1f77b4', gap: '#7f7f7f', end: '#333333', start: '#2ca02c', alert: '#ff7f0e' };
  var HEIGHT = 280;

  function formatCount(v) {
    if (v == null) return '';
    var a = Math.abs(v);
    if (a >= 1e9) return trim(v / 1e9) + 'G';
    if (a >= 1e6) return trim(v / 1e6) + 'M';
    if (a >= 1e4) return trim(v / 1e3) + 'k';
    return trim(v);
  }

  function formatBytes(v) {
    if (v == null) return '';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return trim(v) + ' ' + units[i];
  }

  function trim(v) {
    return Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v)) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2).replace(/\.?0+$/, '');
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function utcDay(d) { return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()); }

  function utcTime(d, seconds) {
    return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + (seconds ? ':' + pad(d.getUTCSeconds()) : '');
  }

  // Time ticks in UTC, 24-hour, ISO dates: the day under the first tick and wherever it changes.
  function timeTicks(u, splits, axisIdx, space, incr) {
    var lastDay = null;
    return splits.map(function (t) {
      var d = new Date(t * 1e3);
      var day = utcDay(d);
      if (incr >= 86400) return day;
      var label = utcTime(d, incr < 60);
      if (day !== lastDay) { label += '\n' + day; lastDay = day; }
      return label;
    });
  }

  function timeValue(u, t) {
    if (t == null) return '–';
    var d = new Date(t * 1e3);
    return utcDay(d) + ' ' + utcTime(d, true) + ' UTC';
  }

  var report = JSON.parse(document.getElementById('lh-data').textContent);
  var total = report.charts.length;
  var plots = [];
  var drawn = 0;
  var drawnPoints = 0;
  var syncing = false;

  function ready() {
    if (problems.length === 0) {
      // Milliseconds since navigation began: what a user waits from opening the file to seeing every chart.
      statusEl.textContent = 'ok: ' + total + ' charts, ' + drawnPoints + ' points, ' + Math.round(performance.now()) + ' ms';
    }
  }

  function pointsInView(u) {
    var xs = u.data[0];
    var min = u.scales.x.min;
    var max = u.scales.x.max;
    var n = 0;
    for (var s = 1; s < u.series.length; s++) {
      if (!u.series[s].show) continue;
      var ys = u.data[s];
      for (var i = 0; i < xs.length; i++) {
        if (ys[i] != null && xs[i] >= min && xs[i] <= max) n++;
      }
    }
    return n;
  }

  function drawOverlay(u, chart) {
    var ctx = u.ctx;
    var box = u.bbox;
    var px = uPlot.pxRatio;
    ctx.save();
    ctx.font = Math.round(11 * px) + 'px system-ui, sans-serif';
    ctx.lineWidth = px;

    if (chart.capacity != null) {
      var y = Math.round(u.valToPos(chart.capacity, 'y', true));
      ctx.fillStyle = ctx.strokeStyle = '#d62728';
      ctx.setLineDash([8 * px, 4 * px]);
      var label = 'capacity ' + formatCount(chart.capacity);
      if (y >= box.top && y <= box.top + box.height) {
        ctx.beginPath();
        ctx.moveTo(box.left, y);
        ctx.lineTo(box.left + box.width, y);
        ctx.stroke();
        ctx.textAlign = 'right';
        ctx.fillText(label, box.left + box.width - 4 * px, y - 4 * px);
      } else {
        ctx.textAlign = 'right';
        ctx.fillText(label + ' (above the chart)', box.left + box.width - 4 * px, box.top + 12 * px);
      }
    }

    ctx.setLineDash([4 * px, 4 * px]);
    ctx.textAlign = 'left';
    var labelled = [];
    chart.markers.forEach(function (m) {
      if (m.t < u.scales.x.min || m.t > u.scales.x.max) return;
      var x = Math.round(u.valToPos(m.t, 'x', true));
      ctx.strokeStyle = ctx.fillStyle = MARKER_COLORS[m.kind] || '#333333';
      ctx.beginPath();
      ctx.moveTo(x, box.top);
      ctx.lineTo(x, box.top + box.height);
      ctx.stroke();
      // Labels of markers close together would overprint: stack them downwards.
      var row = 0;
      while (labelled.some(function (l) { return l.row === row && Math.abs(l.x - x) < 120 * px; })) row++;
      labelled.push({ x: x, row: row });
      ctx.fillText(m.label, x + 3 * px, box.top + (12 + 13 * row) * px);
    });
    ctx.restore();
  }

  function syncX(u) {
    if (syncing) return;
    syncing = true;
    var min = u.scales.x.min;
    var max = u.scales.x.max;
    plots.forEach(function (p) {
      if (p !== u && (p.scales.x.min !== min || p.scales.x.max !== max)) p.setScale('x', { min: min, max: max });
    });
    syncing = false;
  }

  function fullRange(u) {
    var xs = u.data[0];
    return [xs[0], xs[xs.length - 1]];
  }

  // Wheel zooms around the cursor; shift+drag (or the middle button) pans. uPlot itself zooms on drag and
  // resets on double-click.
  function addWheelAndPan(u) {
    u.over.addEventListener('wheel', function (e) {
      e.preventDefault();
      var full = fullRange(u);
      var rect = u.over.getBoundingClientRect();
      var at = u.posToVal(e.clientX - rect.left, 'x');
      var factor = e.deltaY < 0 ? 0.75 : 1 / 0.75;
      var min = at - (at - u.scales.x.min) * factor;
      var max = at + (u.scales.x.max - at) * factor;
      if (max - min >= full[1] - full[0]) { min = full[0]; max = full[1]; }
      else if (min < full[0]) { max += full[0] - min; min = full[0]; }
      else if (max > full[1]) { min -= max - full[1]; max = full[1]; }
      u.setScale('x', { min: min, max: max });
    }, { passive: false });

    u.root.addEventListener('mousedown', function (e) {
      if (!(e.shiftKey && e.button === 0) && e.button !== 1) return;
      e.preventDefault();
      e.stopPropagation();
      var startX = e.clientX;
      var min = u.scales.x.min;
      var max = u.scales.x.max;
      var perPixel = (max - min) / u.over.clientWidth;
      function move(ev) {
        var dx = (ev.clientX - startX) * perPixel;
        u.setScale('x', { min: min - dx, max: max - dx });
      }
      function up() {
        document.removeEventListener('mousemove', move);
        document.removeEventListener('mouseup', up);
      }
      document.addEventListener('mousemove', move);
      document.addEventListener('mouseup', up);
    }, true);
  }

  function makeChart(chart, index) {
    var el = document.querySelector('[data-chart="' + index + '"]');
    var breaks = {};
    chart.breaks.forEach(function (i) { breaks[i] = true; });
    var data = [chart.x];
    var series = [{ label: 'time', value: timeValue }];
    chart.series.forEach(function (s, i) {
      // null in the JSON is "no sample at this time": skipped (undefined) so the line goes on; a break row stays
      // null so the line stops at a recording gap.
      data.push(s.y.map(function (v, row) { return v === null ? (breaks[row] ? null : undefined) : v; }));
      series.push({
        label: s.label,
        stroke: s.limit ? '#d62728' : COLORS[i % COLORS.length],
        width: s.limit ? 1.5 : 1.75,
        dash: s.limit ? [6, 4] : undefined,
        show: !s.hidden,
        points: { show: false },
        value: function (u, v) { return v == null ? '–' : chart.unit === 'bytes' ? formatBytes(v) : v.toLocaleString('en-US'); },
      });
    });

    var opts = {
      width: Math.max(300, el.clientWidth),
      height: HEIGHT,
      series: series,
            scales: {
        x: { time: true },
        y: {
          // Counts start at zero (a leak from 40 to 44 should not look like a cliff); a capacity within reach is
          // kept in view so the distance to it shows.
          range: function (u, lo, hi) {
            lo = Math.min(0, lo == null ? 0 : lo);
            hi = hi == null ? 1 : hi;
            if (chart.capacity != null && chart.capacity <= Math.max(hi, 1) * 20) hi = Math.max(hi, chart.capacity);
            if (hi <= lo) hi = lo + 1;
            return [lo, hi + (hi - lo) * 0.06];
          },
        },
      },
      axes: [
        { space: 90, size: 44, values: timeTicks },
        { size: chart.unit === 'bytes' ? 84 : 64, values: function (u, splits) { return splits.map(chart.unit === 'bytes' ? formatBytes : formatCount); } },
      ],
      cursor: { sync: { key: 'lh' }, drag: { x: true, y: false } },
      legend: { live: true },
      hooks: {
        draw: [function (u) {
          drawOverlay(u, chart);
          if (!u.lhDrawn) {
            u.lhDrawn = true;
            drawnPoints += pointsInView(u);
            if (++drawn === total) ready();
          }
        }],
        setScale: [function (u, key) { if (key === 'x') syncX(u); }],
      },
    };
    var plot = new uPlot(opts, data, el);
    addWheelAndPan(plot);
    return plot;
  }

  try {
    report.charts.forEach(function (chart, index) { plots.push(makeChart(chart, index)); });
    if (total === 0) ready();
  } catch (e) {
    fail(e && e.message ? e.message : e);
  }

  window.addEventListener('resize', function () {
    plots.forEach(function (p) { p.setSize({ width: Math.max(300, p.root.parentNode.clientWidth), height: HEIGHT }); });
  });

  setTimeout(function () {
    if (drawn < total && problems.length === 0) fail('only ' + drawn + ' of ' + total + ' charts drew');
  }, 5000);
})();
