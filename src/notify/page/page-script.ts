// The deploy page's one script, served from the bot itself at /deploys/page.js (the page's
// Content-Security-Policy allows only same-origin script, no inline script). It only applies
// updates: each SSE `update` replaces the header, flow chart and timing bars with the
// server's rendering and appends the new log lines; `finished` closes the stream.
export const PAGE_SCRIPT = `(() => {
  const main = document.getElementById('deploy');
  const url = main && main.dataset.events;
  if (!url || typeof EventSource === 'undefined') return;
  const log = document.getElementById('log');
  const source = new EventSource(url);
  source.addEventListener('open', () => { main.dataset.live = 'open'; });
  source.addEventListener('update', (event) => {
    const update = JSON.parse(event.data);
    for (const id of ['header', 'flow', 'bars']) {
      const element = document.getElementById(id);
      if (element && typeof update[id] === 'string') element.innerHTML = update[id];
    }
    if (log && update.log && update.log.length > 0) {
      const following = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
      log.append(document.createTextNode(update.log.join('\\n') + '\\n'));
      if (following) log.scrollTop = log.scrollHeight;
    }
    main.dataset.state = update.state;
    main.dataset.notices = String(update.noticeCount);
    if (update.finished) {
      source.close();
      main.dataset.live = 'ended';
    }
  });
})();
`;
