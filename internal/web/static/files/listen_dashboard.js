// The listening dashboard's charts (ECharts, vendored). The server embeds the
// figures and their labels, in the reader's language, as JSON in
// #listen-chart-data; each chart fills the [data-chart] element of the same
// name. Every chart has a sentence and a table beside it that say the same,
// so the page reads without this script. Colours come from the stylesheet's
// variables, and the charts are drawn again when the system switches between
// light and dark.
(function () {
  'use strict';

  function css(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function options(kind, data, narrow) {
    var text = css('--text', '#1b1f24');
    var muted = css('--muted', '#5b6672');
    var line = css('--line', '#d8dde3');
    var colors = {
      positive: css('--ok', '#1a6e3e'),
      neutral: muted,
      negative: css('--bad', '#b42318'),
      accent: css('--accent', '#2457d6')
    };
    var L = data.labels;
    var grid = { left: narrow ? 40 : 56, right: narrow ? 12 : 24, top: 36, bottom: narrow ? 56 : 40, containLabel: false };
    var xAxis = {
      type: 'category', data: data.times,
      axisLabel: { color: muted, hideOverlap: true, rotate: narrow ? 45 : 0 },
      axisLine: { lineStyle: { color: line } }
    };
    var yAxis = { type: 'value', axisLabel: { color: muted }, splitLine: { lineStyle: { color: line } } };
    var legend = { textStyle: { color: text }, top: 0, type: 'scroll' };
    var tooltip = { trigger: 'axis' };
    switch (kind) {
      case 'volume':
        return {
          color: [colors.accent], grid: grid, tooltip: tooltip, xAxis: xAxis, yAxis: yAxis,
          series: [{ name: L.mentions, type: data.times.length > 60 ? 'line' : 'bar', data: data.mentions, showSymbol: false, areaStyle: data.times.length > 60 ? { opacity: 0.15 } : undefined }]
        };
      case 'sentiment':
        return {
          grid: grid, tooltip: tooltip, legend: legend, xAxis: xAxis,
          yAxis: [yAxis, { type: 'value', min: -100, max: 100, axisLabel: { color: muted }, splitLine: { show: false } }],
          series: [
            { name: L.positive, type: 'bar', stack: 's', data: data.positive, color: colors.positive },
            { name: L.neutral, type: 'bar', stack: 's', data: data.neutral, color: colors.neutral },
            { name: L.negative, type: 'bar', stack: 's', data: data.negative, color: colors.negative },
            { name: L.net, type: 'line', yAxisIndex: 1, data: data.net, color: colors.accent, showSymbol: false }
          ]
        };
      case 'share':
        return {
          tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
          legend: legend,
          series: [{ name: L.share, type: 'pie', radius: narrow ? ['35%', '60%'] : ['40%', '70%'], top: 24, data: data.share, label: { color: text } }]
        };
      case 'terms':
      case 'hashtags':
        var parts = (data[kind] || []).slice().reverse();
        return {
          color: [colors.accent], tooltip: { trigger: 'axis' },
          grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: 'value', axisLabel: { color: muted }, splitLine: { lineStyle: { color: line } } },
          yAxis: { type: 'category', data: parts.map(function (p) { return p.name; }), axisLabel: { color: text } },
          series: [{ name: L[kind], type: 'bar', data: parts.map(function (p) { return p.value; }) }]
        };
    }
    return null;
  }

  var charts = [];

  function draw() {
    var el = document.getElementById('listen-chart-data');
    if (!el || !window.echarts) {
      return;
    }
    var data = JSON.parse(el.textContent);
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
    document.querySelectorAll('[data-chart]').forEach(function (node) {
      var option = options(node.getAttribute('data-chart'), data, node.clientWidth < 520);
      if (!option) {
        return;
      }
      option.backgroundColor = 'transparent';
      option.animation = false;
      var chart = window.echarts.init(node, dark ? 'dark' : null, { renderer: 'svg', locale: data.lang === 'fr' ? 'FR' : 'EN' });
      chart.setOption(option);
      charts.push(chart);
    });
    document.documentElement.setAttribute('data-listen-charts', String(charts.length));
  }

  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 100);
  });
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) {
      mq.addEventListener('change', draw);
    }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
