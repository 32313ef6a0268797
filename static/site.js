/* Instant search, the "/" shortcut, copy buttons, recently viewed codes. No dependencies, no inline
   script; every page works without this file. Server text enters the page only as textContent. */
(() => {
  'use strict';
  const d = document, KEY = 'lse.recent', MAX = 8;
  const status = d.getElementById('status'), S = d.querySelector('form[data-api]')?.dataset || {};
  const fill = (t, v) => String(t || '').replace(/\{(\w+)\}/g, (m, k) => (k in v ? v[k] : m));
  const el = (tag, cls, txt) => {
    const e = d.createElement(tag);
    if (cls) e.className = cls;
    if (txt != null) e.textContent = txt;
    return e;
  };
  let sayTimer;
  const say = (msg) => {  // a visible toast that is also the aria-live region
    clearTimeout(sayTimer);
    status.textContent = '';
    setTimeout(() => { status.textContent = msg; status.classList.add('show'); }, 50);
    sayTimer = setTimeout(() => { status.classList.remove('show'); status.textContent = ''; }, 3000);
  };

  /* Copy buttons arrive hidden and are shown here, so none is dead without JS. */
  const legacyCopy = (text) => {
    const ta = el('textarea', 'offscreen'), back = d.activeElement;
    let ok = false;
    ta.value = text;
    ta.readOnly = true;
    d.body.append(ta);
    ta.select();
    try { ok = d.execCommand('copy'); } catch (e) { /* not allowed */ }
    ta.remove();
    back?.focus();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy'));
  };
  const copy = (text) => (navigator.clipboard?.writeText
    ? navigator.clipboard.writeText(text).catch(() => legacyCopy(text)) : legacyCopy(text));
  d.querySelectorAll('button.copy').forEach((b) => {
    b.hidden = false;
    b.addEventListener('click', () => {
      const src = d.getElementById(b.dataset.copyFrom || '');
      copy(src ? src.textContent : b.dataset.copyText || '').then(() => {
        b.classList.add('done');
        setTimeout(() => b.classList.remove('done'), 1500);
        say(status.dataset.copied);
      }, () => say(status.dataset.failed));
    });
  });

  /* Recently viewed: in localStorage only, never sent anywhere. */
  const recent = () => {
    try {
      const v = JSON.parse(localStorage.getItem(KEY) || '[]');
      return Array.isArray(v) ? v.filter((r) => /^\d{3,6}$/.test(r?.code)) : [];
    } catch (e) { return []; }
  };
  const art = d.querySelector('article[data-code]');
  if (art) {
    const code = art.dataset.code, list = recent().filter((r) => r.code !== code);
    list.unshift({ code, name: art.dataset.title || '', url: location.pathname });
    try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX))); } catch (e) { /* storage off */ }
  }
  const box = d.getElementById('recent');
  const render = () => {
    const items = recent().slice(0, MAX), ol = box.querySelector('ol');
    ol.textContent = '';
    for (const r of items) {
      const li = el('li'), a = el('a');
      const own = typeof r.url === 'string' && /^\/(?!\/)/.test(r.url) && r.url.endsWith('/codes/' + r.code);
      a.href = own ? r.url : '/codes/' + r.code;
      a.append(el('code', '', r.code));
      li.append(a, ' ' + String(r.name || ''));
      ol.append(li);
    }
    box.hidden = !items.length;
  };
  if (box) {
    box.querySelector('button.clear').addEventListener('click', () => {
      try { localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
      render();
      d.querySelector('input[data-primary]')?.focus();
    });
    render();
  }

  /* A code page reached by posting a pasted error shows its permalink in the address bar. */
  const link = art?.dataset.permalink;
  if (link && location.pathname !== link) history.replaceState(null, '', link);

  /* "/" focuses the search box, unless the user is typing somewhere. */
  const composing = (e) => e.isComposing || e.keyCode === 229;  // an IME is building a syllable
  d.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.key !== '/' || composing(e) || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    const q = d.querySelector('input[data-primary]') || d.querySelector('input[data-instant]');
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });

  /* Instant search: the ARIA 1.2 combobox pattern; each option holds a real link (DocSearch-style), so
     Ctrl/⌘/middle click open a tab and leave the list open. Words go to /api/search, pastes to /api/match. */
  const flat = (t) => t.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const local = (url) => {
    try {
      const u = new URL(url, location.href);
      return u.origin === location.origin ? u.pathname + u.search : null;
    } catch (e) { return null; }
  };
  const ko = d.documentElement.lang === 'ko', LONG = 256;
  const marked = (cls, text, spans) => {  // text with the matched words in <mark>, no HTML parsing
    const e = el('span', cls);
    let at = 0;
    for (const [a, b] of Array.isArray(spans) ? spans : []) {
      if (!(a >= at && b > a && b <= text.length)) continue;
      e.append(text.slice(at, a), el('mark', '', text.slice(a, b)));
      at = b;
    }
    e.append(text.slice(at));
    return e;
  };
  d.querySelectorAll('input[data-instant]').forEach((input, idx) => {
    const form = input.form, ul = el('ul', 'ac'), live = el('p', 'visually-hidden');
    let items = [], active = -1, timer, ctl, last = null, raw = null;
    if (!form || !S.api) return;
    Object.assign(ul, { id: 'ac' + idx, hidden: true });
    ul.setAttribute('role', 'listbox');
    ul.setAttribute('aria-label', input.labels?.[0]?.textContent || input.placeholder);
    live.setAttribute('role', 'status');
    form.append(ul, live);
    Object.entries({ role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': ul.id })
      .forEach(([k, v]) => input.setAttribute(k, v));

    const select = (i, scroll = true) => {
      items[active]?.setAttribute('aria-selected', 'false');
      active = i;
      const li = items[i];
      if (!li) return input.removeAttribute('aria-activedescendant');
      li.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', li.id);
      if (scroll) li.scrollIntoView({ block: 'nearest' });
    };
    const open = (yes) => {
      ul.hidden = !yes;
      input.setAttribute('aria-expanded', String(yes));
      if (!yes) select(-1);
    };
    const option = (href, parts, submit) => {  // href: the option is a link; submit: it sends the form; neither: a note
      const li = el('li'), o = el(href ? 'a' : 'span', 'opt');
      li.setAttribute('role', 'none');
      o.id = `${ul.id}-${ul.children.length}`;
      o.setAttribute('role', 'option');
      if (href || submit) {
        o.setAttribute('aria-selected', 'false');
        if (href) Object.assign(o, { href, tabIndex: -1 });
        else o.dataset.submit = '1';
        const i = items.push(o) - 1;
        o.addEventListener('mousemove', () => active !== i && select(i, false));  // hover is the same highlight
      } else o.setAttribute('aria-disabled', 'true');
      o.append(...parts);
      li.append(o);
      ul.append(li);
    };
    const result = (r) => {  // code, name, the text in the interface's language (ours marked), values
      const m = r.marks || {}, name = r.name || '', msg = String(r.message || '').split('\n')[0];
      const head = [el('span', 'c', r.code), name ? marked('n', name, m.name) : marked('n t', msg, m.message)];
      if (r.http_status) head.push(el('span', 'st', 'HTTP ' + r.http_status));
      const parts = [el('span', 'h'), null];
      parts[0].append(...head);
      if (ko && r.description_ko) parts[1] = marked('m', r.description_ko.split('\n')[0], m.description_ko);
      else if (!ko && name) parts[1] = marked('m', msg, m.message);
      else {
        parts[1] = marked('m', String(r[ko ? 'summary_ko' : 'summary_en'] || ''), m[ko ? 'summary_ko' : 'summary_en']);
        parts[1].append(' ', el('span', 'badge ours', S.ours));
      }
      if (!ko && !name && !r.summary_en) parts.pop();
      const p = r.match?.params;
      if (p && Object.keys(p).length) {
        const v = el('span', 'v');
        Object.entries(p).forEach(([k, val], i) => v.append(i ? ' · ' : '', el('code', '', `{${k}}`), ' ', el('mark', '', val)));
        parts.push(v);
      }
      return parts;
    };
    const searchUrl = (q) => `${form.getAttribute('action')}?q=${encodeURIComponent(q)}`;
    const show = (data, q, pasted) => {
      const res = (pasted ? data.matches : data.results || []).slice(0, MAX);
      const total = pasted ? res.length : data.total || res.length;
      let dym = data.did_you_mean;
      ul.textContent = '';
      items = [];
      active = -1;
      for (const r of res) option(local(r.url) || '/codes/' + encodeURIComponent(r.code), result(r));
      if (dym && typeof dym === 'object') dym = dym.query || dym.code || dym.name;
      if (!res.length && dym && typeof dym === 'string') option(searchUrl(dym), [el('span', 'all', fill(S.suggest, { q: dym }))]);
      if (!ul.children.length) option(null, [el('span', 'all', S.none)]);
      if (pasted) option(null, [el('span', 'all', S.pasted)], true);
      else if (total > res.length) option(searchUrl(q), [el('span', 'all', fill(S.all, { q: flat(q).slice(0, 60) }))]);
      live.textContent = total ? fill(total === 1 ? S.one : S.many, { n: total }) : S.none;
      open(true);
    };
    const query = () => (raw !== null && input.value === flat(raw) ? raw : input.value);
    const isPaste = (q) => q.length > LONG || /[\r\n]/.test(q);
    const run = () => {
      const q = query();
      if (!q.trim()) { ctl?.abort(); last = null; return open(false); }
      if (q === last) return open(ul.children.length > 0);
      last = q;
      ctl?.abort();
      ctl = new AbortController();
      const pasted = isPaste(q), headers = { Accept: 'application/json' };
      const req = pasted
        ? fetch(S.match, { method: 'POST', signal: ctl.signal, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ text: q }) })
        : fetch(`${S.api}?limit=${MAX}&q=${encodeURIComponent(q)}`, { signal: ctl.signal, headers });
      req.then((r) => (r.ok ? r.json() : {}))
        .then((data) => { if (q === last && d.activeElement === input) show(data, q, pasted); })
        .catch(() => { /* aborted or offline: the form still submits */ });
    };

    input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener('paste', (e) => {  // a one-line box glues pasted lines together: keep words apart
      const t = e.clipboardData?.getData('text'), a = input.selectionStart, b = input.selectionEnd;
      if (!t || !/[\r\n]/.test(t)) return;
      e.preventDefault();
      const f = flat(t), whole = !a && b === input.value.length;
      input.value = input.value.slice(0, a) + f + input.value.slice(b);
      input.setSelectionRange(a + f.length, a + f.length);
      raw = whole ? t : null;  // ...but send the error as pasted, line breaks and all
      input.dispatchEvent(new Event('input'));
    });
    input.addEventListener('keydown', (e) => {
      if (composing(e)) return;  // Enter that commits a Hangul syllable is not a choice
      const n = items.length, step = { ArrowDown: 1, ArrowUp: -1 }[e.key], li = items[active];
      if (step) {
        e.preventDefault();
        if (ul.hidden) return n && query() === last ? open(true) : run();
        if (n) select(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
      } else if (e.key === 'Enter' && !ul.hidden && li) {
        e.preventDefault();
        if (!li.href) form.requestSubmit();
        else if (e.ctrlKey || e.metaKey || e.shiftKey) window.open(li.href, '_blank', 'noopener');
        else location.href = li.href;
      } else if (e.key === 'Escape' && (!ul.hidden || input.value)) {
        e.preventDefault();  // first Esc closes, the second clears
        if (!ul.hidden) open(false);
        else { input.value = ''; raw = last = null; }
      }
    });
    input.addEventListener('blur', () => open(false));
    ul.addEventListener('mousedown', (e) => e.preventDefault());  // keep the focus (and the list) in the box
    ul.addEventListener('click', (e) => {
      if (e.target.closest('[data-submit]')) form.requestSubmit();
    });
    form.addEventListener('submit', () => {
      const q = query(), hidden = el('input');
      form.method = isPaste(q) ? 'post' : 'get';  // words: a shareable address; a paste: never in a URL
      for (const c of form.querySelectorAll('select')) {  // no empty "&category=" in the address
        c.disabled = !c.value;
        setTimeout(() => { c.disabled = false; }, 0);
      }
      if (raw === null || input.value !== flat(raw)) return;
      Object.assign(hidden, { type: 'hidden', name: input.name, value: raw });
      input.removeAttribute('name');  // the hidden field keeps the line breaks a search box drops
      form.append(hidden);
      setTimeout(() => { input.name = hidden.name; hidden.remove(); }, 0);
    });
  });
})();
