// Live numbers without a reload: every 5 s, the parts of the page marked for it are fetched again
// from the server and swapped in (server-rendered fragments; the page works without this script).
(function () {
  'use strict';
  var PERIOD = 5000;

  function swap(id, html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var fresh = doc.getElementById(id);
    var old = document.getElementById(id);
    if (fresh && old) {
      // Keep keyboard focus where it was if the focused element has an id in the new content.
      var focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement.id : null;
      old.replaceWith(fresh);
      if (focused) {
        var again = document.getElementById(focused);
        if (again) { again.focus(); }
      }
    }
  }

  function refresh(id, url) {
    if (document.hidden) { return; }
    fetch(url, { credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
      .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
      .then(function (html) { if (html) { swap(id, html); } })
      .catch(function () { /* the next tick tries again */ });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var live = document.getElementById('live');
    if (live && live.dataset.liveUrl) {
      var url = live.dataset.liveUrl;
      setInterval(function () { refresh('live', url); }, PERIOD);
    }
    var job = document.getElementById('job-live');
    if (job && job.dataset.liveSelf) {
      setInterval(function () {
        var current = document.getElementById('job-live');
        if (current && current.dataset.liveSelf) { refresh('job-live', location.pathname); }
      }, PERIOD);
    }
    var toggle = document.getElementById('live-toggle');
    if (toggle) {
      setInterval(function () { if (toggle.checked) { refresh('jobs', location.href); } }, PERIOD);
    }
  });
})();
