// LeakHound report: draws the charts described by the JSON in #lh-data with uPlot.
// Every text from the recording (peer names, command names, event details) reaches the page through textContent
// or the canvas, never through innerHTML. #lh-status says "ok: N charts, M points, T ms" once every chart has
// drawn (T: since navigation began), or "error: ..." when anything failed, so a headless browser can check the page.
(function () {
  'use strict';

  var C = window.LeakHoundCharts;
  var statusEl = document.getElementById('lh-status');
  var errors = C.problems('Some charts could not be drawn: ');
  var problems = errors.list;
  var fail = errors.fail;
  var HEIGHT = 280;

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
    var opts = C.options(chart, Math.max(300, el.clientWidth), HEIGHT, {
      draw: [function (u) {
        if (!u.lhDrawn) {
          u.lhDrawn = true;
          drawnPoints += pointsInView(u);
          if (++drawn === total) ready();
        }
      }],
      setScale: [function (u, key) { if (key === 'x') syncX(u); }],
    });
    var plot = new uPlot(opts, C.columns(chart), el);
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
