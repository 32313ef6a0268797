/* Instant search, the "/" shortcut, copy buttons, recently viewed codes. No dependencies, no inline
   script: every page works without this file. Server text goes into the page only as textContent. */
(() => {
  'use strict';
  const d = document, KEY = 'lse.recent', MAX = 8;
  const status = d.getElementById('status'), S = d.querySelector('form[data-api]')?.dataset || {};
  const $$ = (sel, root = d) => Array.from(root.querySelectorAll(sel));
  const fill = (t, v) => String(t || '').replace(/\{(\w+)\}/g, (m, k) => (k in v ? v[k] : m));
  const el = (tag, cls, txt) => { const e = d.createElement(tag); if (cls) e.className = cls; if (txt != null) e.textContent = txt; return e; };

  let sayTimer;
  function say(msg) {  // a visible toast that is also an aria-live region
    if (!status) return;
    clearTimeout(sayTimer);
    status.textContent = '';
    setTimeout(() => { status.textContent = msg; status.classList.add('show'); }, 50);
    sayTimer = setTimeout(() => { status.classList.remove('show'); status.textContent = ''; }, 3000);
  }

  /* Copy buttons come hidden from the server and are shown here, so none is dead without JS. */
  function legacyCopy(text) {
    const ta = el('textarea', 'offscreen'), back = d.activeElement;
    ta.value = text;
    ta.setAttribute('readonly', '');
    d.body.appendChild(ta);
    ta.select();
    let ok = false;
    try { ok = d.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove();
    back?.focus();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
  }
  const copy = (text) => (navigator.clipboard?.writeText
    ? navigator.clipboard.writeText(text).catch(() => legacyCopy(text)) : legacyCopy(text));
  for (const b of $$('button.copy')) {
    b.hidden = false;
    b.addEventListener('click', () => {
      const src = d.getElementById(b.dataset.copyFrom || '');
      copy(src ? src.textContent : b.dataset.copyText || '').then(() => {
        b.classList.add('done');
        setTimeout(() => b.classList.remove('done'), 1500);
        say(status.dataset.copied);
      }, () => say(status.dataset.failed));
    });
  }

  /* Recently viewed: kept in localStorage, never sent anywhere. */
  function recent() {
    try {
      const v = JSON.parse(localStorage.getItem(KEY) || '[]');
      return Array.isArray(v) ? v.filter((r) => r && /^\d{3,6}$/.test(r.code)) : [];
    } catch (e) { return []; }
  }
  const article = d.querySelector('article[data-code]');
  if (article) {
    const code = article.dataset.code;
    const list = [{ code, name: article.dataset.title || '', url: location.pathname },
      ...recent().filter((r) => r.code !== code)];
    try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX))); } catch (e) { /* storage off */ }
  }
  const box = d.getElementById('recent');
  if (box) {
    const ol = box.querySelector('ol');
    const render = () => {
      const items = recent().slice(0, MAX);
      ol.textContent = '';
      for (const r of items) {
        const li = el('li'), a = el('a');
        const own = typeof r.url === 'string' && /^\/(?!\/)/.test(r.url) && r.url.endsWith('/codes/' + r.code);
        a.href = own ? r.url : '/codes/' + r.code;
        a.appendChild(el('code', '', r.code));
        li.append(a, ' ' + String(r.name || ''));
        ol.appendChild(li);
      }
      box.hidden = !items.length;
    };
    box.querySelector('button.clear').addEventListener('click', () => {
      try { localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
      render();
      d.querySelector('input[data-primary]')?.focus();
    });
    render();
  }

  /* "/" focuses the search box, unless the user is typing somewhere. */
  d.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const t = e.target;
    if (t?.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t?.tagName || '')) return;
    const q = d.querySelector('input[data-primary]') || d.querySelector('input[data-instant]');
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });

  /* Instant search: the ARIA 1.2 combobox pattern over /api/search. */
  const flat = (t) => t.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const local = (url) => {
    try { const u = new URL(url, location.href); return u.origin === location.origin ? u.pathname + u.search : null; } catch (e) { return null; }
  };
  $$('input[data-instant]').forEach((input, idx) => {
    const form = input.form;
    if (!form || !S.api) return;
    const ul = el('ul', 'ac'), live = el('p', 'visually-hidden');
    let items = [], active = -1, timer, ctl, last = null, raw = null;
    ul.id = 'ac' + idx;
    ul.hidden = true;
    ul.setAttribute('role', 'listbox');
    ul.setAttribute('aria-label', input.labels?.[0]?.textContent || input.placeholder);
    live.setAttribute('role', 'status');
    form.append(ul, live);
    for (const [k, v] of [['role', 'combobox'], ['aria-autocomplete', 'list'], ['aria-expanded', 'false'], ['aria-controls', ul.id]]) input.setAttribute(k, v);

    const open = (yes) => {
      ul.hidden = !yes;
      input.setAttribute('aria-expanded', String(yes));
      if (!yes) select(-1);
    };
    function select(i) {
      items[active]?.setAttribute('aria-selected', 'false');
      active = i;
      const li = items[i];
      if (li) {
        li.setAttribute('aria-selected', 'true');
        input.setAttribute('aria-activedescendant', li.id);
        li.scrollIntoView?.({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    }
    function option(href, parts) {
      const li = el('li');
      li.id = `${ul.id}-${ul.children.length}`;
      li.setAttribute('role', 'option');
      if (href) { li.setAttribute('aria-selected', 'false'); li.dataset.href = href; items.push(li); } else li.setAttribute('aria-disabled', 'true');
      for (const [cls, txt] of parts) li.appendChild(el('span', cls, txt));
      ul.appendChild(li);
    }
    const searchUrl = (q) => `${form.getAttribute('action')}?q=${encodeURIComponent(q)}`;
    function show(data, q) {
      const res = (data.results || []).slice(0, MAX), total = data.total || res.length;
      let dym = data.did_you_mean;
      ul.textContent = '';
      items = [];
      active = -1;
      for (const r of res) {
        option(local(r.url) || '/codes/' + encodeURIComponent(r.code),
          [['c', r.code], ['n', r.name || ''], ['m', String(r.message || '').split('\n')[0]]]);
      }
      if (dym && typeof dym === 'object') dym = dym.query || dym.code || dym.name;
      if (!res.length && dym && typeof dym === 'string') option(searchUrl(dym), [['all', fill(S.suggest, { q: dym })]]);
      if (!ul.children.length) option(null, [['all', S.none]]);
      if (total > res.length) option(searchUrl(q), [['all', fill(S.all, { q: flat(q).slice(0, 60) })]]);
      live.textContent = total ? fill(total === 1 ? S.one : S.many, { n: total }) : S.none;
      open(true);
    }
    const query = () => (raw !== null && input.value === flat(raw) ? raw : input.value);
    function run() {
      const q = query();
      if (!q.trim()) { ctl?.abort(); last = null; open(false); return; }
      if (q === last) { open(ul.children.length > 0); return; }
      last = q;
      ctl?.abort();
      ctl = new AbortController();
      fetch(`${S.api}?limit=${MAX}&q=${encodeURIComponent(q)}`, { signal: ctl.signal, headers: { Accept: 'application/json' } })
        .then((r) => (r.ok ? r.json() : { results: [], total: 0 }))
        .then((data) => { if (q === last && d.activeElement === input) show(data, q); })
        .catch(() => { /* aborted or offline: the form still submits */ });
    }

    input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener('paste', (e) => {  // a one-line box glues pasted lines together; keep words apart
      const t = e.clipboardData?.getData('text');
      if (!t || !/[\r\n]/.test(t)) return;
      e.preventDefault();
      const a = input.selectionStart, b = input.selectionEnd, f = flat(t), whole = !a && b === input.value.length;
      input.value = input.value.slice(0, a) + f + input.value.slice(b);
      input.setSelectionRange(a + f.length, a + f.length);
      raw = whole ? t : null;  // ...but send the error as pasted, line breaks and all
      input.dispatchEvent(new Event('input'));
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (ul.hidden) { if (items.length && query() === last) open(true); else run(); return; }
        const n = items.length, step = e.key === 'ArrowDown' ? 1 : -1;
        if (n) select(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
      } else if (e.key === 'Enter' && !ul.hidden && items[active]) {
        e.preventDefault();
        location.href = items[active].dataset.href;
      } else if (e.key === 'Escape') {
        if (!ul.hidden) { e.preventDefault(); open(false); } else if (input.value) { e.preventDefault(); input.value = ''; raw = last = null; }
      }
    });
    input.addEventListener('blur', () => open(false));
    ul.addEventListener('mousedown', (e) => e.preventDefault());
    ul.addEventListener('click', (e) => {
      const li = e.target.closest('[data-href]');
      if (li) location.href = li.dataset.href;
    });
    form.addEventListener('submit', () => {
      if (raw === null || input.value !== flat(raw)) return;
      const hidden = el('input');  // a hidden field keeps the line breaks a search box drops
      Object.assign(hidden, { type: 'hidden', name: input.name, value: raw });
      input.removeAttribute('name');
      form.appendChild(hidden);
      setTimeout(() => { input.name = hidden.name; hidden.remove(); }, 0);
    });
  });
})();
