// LeakHound charts: what the HTML report and serve's dashboard draw alike with uPlot. Number formats, the UTC time
// axis, the capacity line and event markers, and one chart's data columns and options. Both pages load it after
// uPlot and before their own script, which finds it as window.LeakHoundCharts.
// Texts from the recording reach the canvas only (fillText) or the legend through uPlot's textContent.
(function () {
  'use strict';

  var COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
  var MARKER_COLORS = { onset: '#d62728', restart: '#1f77b4', gap: '#7f7f7f', end: '#333333', start: '#2ca02c', alert: '#ff7f0e' };

  // Problems go to #lh-status ("error: ..."), where a headless browser looks, and to the #lh-error banner.
  function problems(bannerPrefix) {
    var statusEl = document.getElementById('lh-status');
    var list = [];
    function fail(message) {
      list.push(String(message));
      statusEl.textContent = 'error: ' + list.join(' | ');
      var banner = document.getElementById('lh-error');
      banner.textContent = bannerPrefix + list.join('; ');
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
    return { list: list, fail: fail };
  }

  function trim(v) {
    return Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v)) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2).replace(/\.?0+$/, '');
  }

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

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function utcDay(d) { return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()); }

  function utcTime(d, seconds) {
    return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + (seconds ? ':' + pad(d.getUTCSeconds()) : '');
  }

  // An ISO string or milliseconds since the epoch, as "2026-11-23 06:54:14 UTC".
  function stamp(time) {
    var d = new Date(time);
    return utcDay(d) + ' ' + utcTime(d, true) + ' UTC';
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

  // The capacity as a dashed red line (or a note when it lies above the chart), and each event as a dashed vertical
  // line with its label; labels of markers close together are stacked downwards instead of overprinting.
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
      ctx.textAlign = 'right';
      var label = 'capacity ' + formatCount(chart.capacity);
      if (y >= box.top && y <= box.top + box.height) {
        ctx.beginPath();
        ctx.moveTo(box.left, y);
        ctx.lineTo(box.left + box.width, y);
        ctx.stroke();
        ctx.fillText(label, box.left + box.width - 4 * px, y - 4 * px);
      } else {
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
      var row = 0;
      while (labelled.some(function (l) { return l.row === row && Math.abs(l.x - x) < 120 * px; })) row++;
      labelled.push({ x: x, row: row });
      ctx.fillText(m.label, x + 3 * px, box.top + (12 + 13 * row) * px);
    });
    ctx.restore();
  }

  // uPlot's columns for a chart of the plot model: null in the JSON is "no sample at this time", skipped (undefined)
  // so the line goes on; a break row stays null so the line stops at a recording gap.
  function columns(chart) {
    var breaks = {};
    chart.breaks.forEach(function (i) { breaks[i] = true; });
    var data = [chart.x.slice()];
    chart.series.forEach(function (s) {
      data.push(s.y.map(function (v, row) { return v === null ? (breaks[row] ? null : undefined) : v; }));
    });
    return data;
  }

  // uPlot's options for a chart: its series (limits dashed red), a y axis from zero that keeps a capacity within
  // reach in view, UTC time ticks, a shared cursor, and the overlay drawn before any of extraHooks.draw.
  function options(chart, width, height, extraHooks) {
    var series = [{ label: 'time', value: function (u, t) { return t == null ? '–' : stamp(t * 1e3); } }];
    chart.series.forEach(function (s, i) {
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
    var hooks = {};
    Object.keys(extraHooks || {}).forEach(function (name) { hooks[name] = extraHooks[name].slice(); });
    hooks.draw = [function (u) { drawOverlay(u, chart); }].concat(hooks.draw || []);
    return {
      width: width,
      height: height,
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
      hooks: hooks,
    };
  }

  window.LeakHoundCharts = {
    problems: problems,
    formatCount: formatCount,
    formatBytes: formatBytes,
    pad: pad,
    stamp: stamp,
    columns: columns,
    options: options,
  };
})();
