// Herald message constructor (reference 001 section 7.4): the channel's
// form drawn from a JSON payload and written back to it, a preview of what
// the recipient sees, and the server's violations shown beside the fields
// they name.
//
// One page may hold several constructors: each element with
// data-constructor gets one. The payload lives in the textarea
// [data-payload], which the page's form posts with the channel; the script
// keeps it up to date. Channel forms (constructor_channels.js,
// emaileditor.js) and previews (constructor_preview.js) register in
// Herald.composer.channels and .previews; they build fields bound to
// paths of the payload such as "card.suggestions[2].text", the server's
// violation paths less "payload.".
(function () {
  'use strict';
  var H = window.Herald = window.Herald || {};
  var K = H.composer = H.composer || { channels: {}, previews: {} };
  var uid = 0;

  // ---- DOM and paths

  // h builds an element: props are attributes, "text", "class" and on*
  // listeners; kids are nodes, strings or lists of them.
  function h(tag, props, kids) {
    var el = document.createElement(tag);
    for (var k in props || {}) {
      var v = props[k];
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.indexOf('on') === 0) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    add(el, kids);
    return el;
  }

  function add(el, kids) {
    if (kids == null || kids === false) return;
    if (!Array.isArray(kids)) kids = [kids];
    kids.forEach(function (k) {
      if (k == null || k === false) return;
      if (Array.isArray(k)) add(el, k);
      else el.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
    });
  }

  // parsePath splits "a.b[2].c" into ["a", "b", 2, "c"].
  function parsePath(p) {
    var out = [];
    String(p || '').replace(/([^.[\]]+)|\[(\d+)\]/g, function (_, key, idx) {
      out.push(idx !== undefined ? +idx : key);
    });
    return out;
  }

  // joinPath is parsePath's inverse.
  function joinPath(parts) {
    return parts.map(function (k, i) {
      return typeof k === 'number' ? '[' + k + ']' : (i ? '.' : '') + k;
    }).join('');
  }

  // sub appends a key or index to a path.
  function sub(path, key) {
    if (typeof key === 'number') return path + '[' + key + ']';
    return path ? path + '.' + key : key;
  }

  function getIn(obj, path) {
    var parts = parsePath(path);
    for (var i = 0; i < parts.length && obj != null; i++) obj = obj[parts[i]];
    return obj;
  }

  // setIn sets the value at path, making the objects and lists on the way;
  // undefined deletes it.
  function setIn(obj, path, value) {
    var parts = parsePath(path);
    for (var i = 0; i < parts.length - 1; i++) {
      if (obj[parts[i]] == null || typeof obj[parts[i]] !== 'object') {
        obj[parts[i]] = typeof parts[i + 1] === 'number' ? [] : {};
      }
      obj = obj[parts[i]];
    }
    var last = parts[parts.length - 1];
    if (value === undefined) {
      if (Array.isArray(obj)) obj.splice(last, 1); else delete obj[last];
    } else {
      obj[last] = value;
    }
  }

  // mediaKeys are the fields of a file or media object.
  var mediaKeys = ['url', 'name', 'size', 'height', 'thumbnailUrl'];

  // clean returns a copy of v for the server: empty strings, null and keys
  // starting with "_" (the form's own state) left out, and a file or media
  // object without its address too (the form keeps its other settings).
  function clean(v) {
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') {
      var out = {};
      Object.keys(v).forEach(function (k) {
        if (k.charAt(0) === '_' || v[k] === '' || v[k] == null) return;
        var x = clean(v[k]);
        if (x !== undefined) out[k] = x;
      });
      var keys = Object.keys(v).filter(function (k) { return k.charAt(0) !== '_'; });
      if (keys.length && !v.url && keys.every(function (k) { return mediaKeys.indexOf(k) >= 0; })) return undefined;
      return out;
    }
    return v;
  }

  // chars counts characters as the server does (code points).
  function chars(s) { return Array.from(s || '').length; }

  function json(s, def) {
    try { return s ? JSON.parse(s) : def; } catch (e) { return def; }
  }

  function debounce(fn, ms) {
    var t;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // ---- the constructor

  function Constructor(root) {
    var c = this;
    c.root = root;
    c.id = 'c' + (++uid);
    c.form = root.closest('form');
    c.select = root.querySelector('[data-channel]');
    c.textarea = root.querySelector('[data-payload]');
    c.box = h('div', { class: 'constructor-fields' });
    root.querySelector('[data-forms]').appendChild(c.box);
    c.previewBox = root.querySelector('[data-preview]');
    c.banner = root.querySelector('[data-constructor-banner]');
    c.attributes = json(root.getAttribute('data-attributes'), []);
    c.networks = json(root.getAttribute('data-networks'), []);
    c.urls = {
      check: root.getAttribute('data-check-url'),
      emailPreview: root.getAttribute('data-email-preview-url'),
      media: root.getAttribute('data-media-url'),
      upload: root.getAttribute('data-upload-url')
    };
    c.channel = c.select.value;
    c.payload = json(c.textarea.value, null);
    if (!c.payload || typeof c.payload !== 'object') c.payload = c.defaults(c.channel);
    c.stash = {};
    c.server = {}; // the last check's answer
    var errors = json(root.getAttribute('data-errors'), []);
    c.live = errors.length > 0; // after a refused save, check again as the user edits
    c.checkSoon = debounce(function () { c.check(); }, 500);
    c.previewSoon = debounce(function () { c.drawPreview(); }, 120);
    c.select.addEventListener('change', function () { c.switchChannel(c.select.value); });
    if (c.form) c.form.addEventListener('submit', function () { c.sync(); });
    c.render();
    c.showErrors(errors);
  }

  // defaults returns a channel's empty payload.
  Constructor.prototype.defaults = function (channel) {
    var ch = K.channels[channel];
    return ch && ch.defaults ? ch.defaults() : {};
  };

  // switchChannel keeps the current channel's content aside and draws the
  // other's.
  Constructor.prototype.switchChannel = function (channel) {
    this.stash['#' + this.channel] = this.payload;
    this.channel = channel;
    this.payload = this.stash['#' + channel] || this.defaults(channel);
    this.render();
    this.showErrors([]);
  };

  // render draws the channel's form again from the payload.
  Constructor.prototype.render = function () {
    var ch = K.channels[this.channel];
    this.box.textContent = '';
    if (!ch) {
      add(this.box, h('p', { class: 'muted', text: 'This channel has no form yet; edit its content as JSON.' }));
      this.root.querySelector('[data-forms] .js-hide').classList.remove('js-hide');
      return;
    }
    add(this.box, h('div', { 'data-path': '', class: 'c-root' }, ch.form(this)));
    this.changed();
  };

  // changed writes the payload back and refreshes the preview and the
  // server's check (whose violations show once a save was refused).
  Constructor.prototype.changed = function () {
    this.sync();
    this.previewSoon();
    this.checkSoon();
    this.root.dispatchEvent(new CustomEvent('constructor:change', { bubbles: true }));
  };

  // sync writes the payload to the form's textarea.
  Constructor.prototype.sync = function () {
    this.textarea.value = JSON.stringify(clean(this.payload) || {});
  };

  // value returns the payload's value at path.
  Constructor.prototype.get = function (path) { return getIn(this.payload, path); };

  // set sets the payload's value at path and reports the change.
  Constructor.prototype.set = function (path, value) {
    setIn(this.payload, path, value);
    this.changed();
  };

  // check asks the server for its violations of the payload and shows them.
  Constructor.prototype.check = function () {
    var c = this;
    if (!c.urls.check) return Promise.resolve();
    var body = JSON.stringify({ channel: channelNumber(c.select), payload: clean(c.payload) });
    return fetch(c.urls.check, {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'fetch' }
    }).then(function (res) { return res.ok ? res.json() : null; }).then(function (res) {
      if (!res) return;
      c.server = res;
      if (c.live) c.showErrors(res.violations || []);
      c.root.dispatchEvent(new CustomEvent('constructor:checked', { bubbles: true, detail: res }));
    }).catch(function () { /* offline: the save checks again */ });
  };

  // channelNumber returns the selected channel's API number.
  function channelNumber(select) {
    return select.selectedIndex >= 0 ? +select.options[select.selectedIndex].getAttribute('data-number') || select.value : select.value;
  }

  // showErrors shows each violation beside the field its path names, or
  // beside the nearest enclosing part of the form that is drawn; the rest
  // in the banner.
  Constructor.prototype.showErrors = function (list) {
    var c = this;
    c.root.querySelectorAll('.c-error').forEach(function (e) { e.remove(); });
    c.root.querySelectorAll('.invalid[data-path]').forEach(function (e) { e.classList.remove('invalid'); });
    var rest = [];
    (list || []).forEach(function (v) {
      var field = String(v.field || '');
      if (field !== 'payload' && field.indexOf('payload') !== 0) return; // the page's own field
      var el = c.find(field.replace(/^payload\.?/, ''));
      if (!el) { rest.push(v.message); return; }
      var slot = el.querySelector(':scope > .c-errors') || el;
      slot.appendChild(h('p', { class: 'error c-error', role: 'alert', 'data-error-for': field, text: v.message }));
      el.classList.add('invalid');
      for (var d = el.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
    });
    if (c.banner) {
      c.banner.hidden = rest.length === 0;
      c.banner.querySelector('span').textContent = rest.join(' ');
    }
  };

  // find returns the drawn element of path or of its nearest parent.
  Constructor.prototype.find = function (path) {
    var parts = parsePath(path);
    for (;;) {
      var el = this.box.querySelector('[data-path="' + cssEscape(joinPath(parts)) + '"]');
      if (el) return el;
      if (!parts.length) return null;
      parts.pop();
    }
  };

  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&'); }

  // drawPreview draws what the recipient sees.
  Constructor.prototype.drawPreview = function () {
    if (!this.previewBox) return;
    var p = K.previews[this.channel];
    var el = p ? p(this, clean(this.payload) || {}) : null;
    // A preview may keep its element (the e-mail's frame): moving it
    // would reload it.
    if (el && el.parentNode === this.previewBox && this.previewBox.childNodes.length === 1) return;
    this.previewBox.textContent = '';
    if (el) add(this.previewBox, el);
  };

  // ---- fields

  // field draws a labelled input bound to path. opts: label, max (a
  // counter), multiline, rows, attrs (the attribute picker), type
  // ("string", "int", "number", "datetime"), help, placeholder, req,
  // input (a ready input element), after (nodes after the input), onchange
  // (called after the payload changed).
  Constructor.prototype.field = function (path, opts) {
    var c = this;
    opts = opts || {};
    var id = c.id + '-' + path.replace(/[^a-zA-Z0-9]+/g, '-');
    var input = opts.input || (opts.multiline
      ? h('textarea', { id: id, rows: opts.rows || 4 })
      : h('input', { id: id, type: 'text', autocomplete: 'off' }));
    input.id = id;
    if (opts.placeholder) input.placeholder = opts.placeholder;
    if (opts.inputmode) input.setAttribute('inputmode', opts.inputmode);
    input.setAttribute('data-bind', path);
    input.value = toInput(c.get(path), opts.type);
    var counter = opts.max ? h('span', { class: 'counter', 'aria-live': 'polite' }) : null;
    var count = function () {
      if (!counter) return;
      var n = chars(input.value);
      counter.textContent = n + ' / ' + opts.max;
      counter.classList.toggle('over', n > opts.max);
    };
    count();
    var ev = input.tagName === 'SELECT' ? 'change' : 'input';
    input.addEventListener(ev, function () {
      setIn(c.payload, path, fromInput(input.value, opts.type));
      count();
      c.changed();
      if (opts.onchange) opts.onchange(input.value);
    });
    var label = h('label', { for: id }, [opts.label, opts.req ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null]);
    return h('div', { class: 'field c-field', 'data-path': path }, [
      label, counter, opts.attrs ? c.attrButton(input) : null,
      input, opts.after || null,
      opts.help ? h('p', { class: 'help', text: opts.help }) : null,
      h('div', { class: 'c-errors' })
    ]);
  };

  // select draws a select bound to path; options are [value, label]
  // pairs. With redraw the form is drawn again after a change.
  Constructor.prototype.selectField = function (path, opts) {
    var c = this;
    var sel = h('select', {}, opts.options.map(function (o) { return h('option', { value: o[0], text: o[1] }); }));
    var cur = c.get(path);
    if (cur == null && opts.def != null) setIn(c.payload, path, cur = opts.def);
    return c.field(path, {
      label: opts.label, input: sel, type: opts.type, help: opts.help,
      onchange: function (v) { if (opts.onchange) opts.onchange(v); if (opts.redraw) c.render(); }
    });
  };

  // choice draws a row of buttons that pick one of options ([value,
  // label]); pick is called with the value.
  Constructor.prototype.choice = function (label, current, options, pick, path) {
    return h('div', { class: 'field c-choice', 'data-path': path || null }, [
      h('span', { class: 'label', text: label }),
      h('div', { class: 'segmented c-segmented', role: 'group', 'aria-label': label }, options.map(function (o) {
        return h('button', {
          type: 'button', 'aria-pressed': String(o[0] === current), 'data-choice': o[0],
          onclick: function () { if (o[0] !== current) pick(o[0]); }
        }, o[1]);
      })),
      h('div', { class: 'c-errors' })
    ]);
  };

  // group draws a fieldset for the object or list at path.
  Constructor.prototype.group = function (path, title, kids, cls) {
    return h('fieldset', { class: 'c-group ' + (cls || ''), 'data-path': path }, [
      title ? h('legend', { text: title }) : null, h('div', { class: 'c-errors' }), kids
    ]);
  };

  // list draws the list at path with Add, Remove and Move buttons. opts:
  // title, item(path, index) → nodes, make() → a new item, max, addLabel,
  // itemTitle(index) → string, open (items drawn open).
  Constructor.prototype.list = function (path, opts) {
    var c = this;
    var items = c.get(path) || [];
    var total = opts.count ? opts.count() : items.length;
    var full = opts.max && total >= opts.max;
    var rows = items.map(function (_, i) {
      var ip = sub(path, i);
      var tools = h('span', { class: 'c-tools' }, [
        c.tool('Move up', '↑', i === 0, function () { move(c, path, i, -1); }),
        c.tool('Move down', '↓', i === items.length - 1, function () { move(c, path, i, 1); }),
        c.tool('Remove', '✕', false, function () { items.splice(i, 1); c.render(); })
      ]);
      return h('details', { class: 'c-item', open: opts.open !== false, 'data-path': ip }, [
        h('summary', {}, [h('span', { text: opts.itemTitle ? opts.itemTitle(i) : 'Item ' + (i + 1) }), tools]),
        h('div', { class: 'c-errors' }),
        h('div', { class: 'c-item-body' }, opts.item(ip, i))
      ]);
    });
    var addBtn = h('button', {
      type: 'button', class: 'btn btn-sm', disabled: full, 'data-add': path,
      onclick: function () {
        var list = c.get(path);
        if (!Array.isArray(list)) setIn(c.payload, path, list = []);
        list.push(opts.make());
        c.render();
      }
    }, '+ ' + (opts.addLabel || 'Add'));
    return h('fieldset', { class: 'c-group c-list', 'data-path': path }, [
      h('legend', {}, [opts.title || '', opts.max ? h('span', { class: 'muted', text: ' ' + total + ' / ' + opts.max }) : null]),
      h('div', { class: 'c-errors' }),
      rows, addBtn
    ]);
  };

  // tool is a small button of a list item.
  Constructor.prototype.tool = function (label, mark, disabled, fn) {
    return h('button', {
      type: 'button', class: 'icon-btn', title: label, 'aria-label': label, disabled: disabled,
      onclick: function (ev) { ev.preventDefault(); fn(); }
    }, mark);
  };

  function move(c, path, i, d) {
    var list = c.get(path);
    var item = list.splice(i, 1)[0];
    list.splice(i + d, 0, item);
    c.render();
  }

  // toInput and fromInput convert between the payload and an input.
  function toInput(v, type) {
    if (v == null) return '';
    if (type === 'datetime') return isoToLocal(v);
    return String(v);
  }

  function fromInput(s, type) {
    switch (type) {
      case 'int':
        return /^-?\d+$/.test(s.trim()) ? parseInt(s, 10) : (s.trim() === '' ? undefined : s);
      case 'number':
        return /^-?\d+(\.\d+)?$/.test(s.trim()) ? parseFloat(s) : (s.trim() === '' ? undefined : s);
      case 'datetime':
        return localToISO(s);
    }
    return s;
  }

  // isoToLocal turns an RFC 3339 time into a datetime-local value.
  function isoToLocal(v) {
    var d = new Date(v);
    if (isNaN(d)) return '';
    var p = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
  }

  // localToISO turns a datetime-local value into RFC 3339 UTC.
  function localToISO(s) {
    if (!s) return undefined;
    var d = new Date(s);
    return isNaN(d) ? s : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  // ---- attribute picker

  // attrButton returns the button that inserts {{attribute.name}} into
  // input at the cursor.
  Constructor.prototype.attrButton = function (input) {
    var c = this;
    return h('button', {
      type: 'button', class: 'c-attr-btn', title: 'Insert an attribute', 'aria-label': 'Insert an attribute',
      'aria-haspopup': 'menu', 'data-attr-picker': '',
      onclick: function (ev) { ev.preventDefault(); c.pickAttribute(ev.currentTarget, function (name) { insertText(input, name); }); }
    }, '{x}');
  };

  // pickAttribute opens the attribute menu below button; done gets the
  // placeholder to insert.
  Constructor.prototype.pickAttribute = function (button, done) {
    closeMenus();
    var items = this.attributes.map(function (name) {
      var ph = '{{attribute.' + name + '}}';
      return h('button', { type: 'button', role: 'menuitem', class: 'pop-item', 'data-attribute': name, onclick: function () { closeMenus(); done(ph); } }, [
        h('span', { text: name }), h('span', { class: 'muted mono', text: ' ' + ph })
      ]);
    });
    if (!items.length) items = [h('p', { class: 'muted', text: 'No attributes yet: add them in Contacts > Attributes.' })];
    var menu = h('div', { class: 'pop c-menu', role: 'menu' }, [h('p', { class: 'pop-title', text: 'Insert an attribute' }), items]);
    button.parentElement.appendChild(menu);
    var first = menu.querySelector('button');
    if (first) first.focus();
  };

  function closeMenus() { document.querySelectorAll('.c-menu').forEach(function (m) { m.remove(); }); }
  document.addEventListener('click', function (ev) {
    if (!ev.target.closest('.c-menu, [data-attr-picker]')) closeMenus();
  });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') closeMenus(); });

  // insertText inserts s into an input or textarea at the cursor.
  function insertText(input, s) {
    var start = input.selectionStart == null ? input.value.length : input.selectionStart;
    var end = input.selectionEnd == null ? start : input.selectionEnd;
    input.setRangeText(s, start, end, 'end');
    input.focus();
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // ---- media

  // mediaField draws an address field with the media library picker and
  // upload. opts: label, url (the path of the address), name, size, id
  // (paths the picked file's name, size and media ID go to), kind
  // ("image" limits the picker to images), req, help.
  Constructor.prototype.mediaField = function (opts) {
    var c = this;
    var f = c.field(opts.url, { label: opts.label, req: opts.req, help: opts.help, placeholder: 'https://', attrs: false });
    var input = f.querySelector('input');
    var pick = function (item) {
      input.value = item.url;
      setIn(c.payload, opts.url, item.url);
      if (opts.name) setIn(c.payload, opts.name, item.name);
      if (opts.size) setIn(c.payload, opts.size, item.size);
      if (opts.id) setIn(c.payload, opts.id, item.id);
      c.render();
    };
    var tools = h('div', { class: 'c-media-tools' }, [
      c.urls.media ? h('button', { type: 'button', class: 'btn btn-sm', 'data-media-pick': '', onclick: function () { c.openLibrary(opts.kind, pick); } }, 'Media library') : null,
      // Upload hook: with data-upload-url the file goes to the media
      // library (saved there too, as the reference asks) and its address
      // fills the field.
      c.urls.upload && c.urls.media ? h('label', { class: 'btn btn-sm c-upload' }, ['Upload', h('input', {
        type: 'file', accept: opts.kind === 'image' ? 'image/*' : null, class: 'sr-only',
        onchange: function (ev) { c.upload(ev.target.files[0], pick); }
      })]) : null
    ]);
    f.insertBefore(tools, f.querySelector('.c-errors'));
    input.addEventListener('input', function () {
      // A typed address is not the library file any more.
      if (opts.id) setIn(c.payload, opts.id, undefined);
    });
    return f;
  };

  // openLibrary shows the media library in a dialog; pick gets the chosen
  // file {id, name, size, url, ...}.
  Constructor.prototype.openLibrary = function (kind, pick) {
    var c = this;
    var grid = h('div', { class: 'c-media-grid', text: 'Loading…' });
    var dlg = h('dialog', { class: 'dialog c-media-dialog', 'aria-label': 'Media library' }, [
      h('h2', { text: 'Media library' }), grid,
      h('form', { method: 'dialog', class: 'form-actions' }, [h('button', { class: 'btn', value: 'cancel' }, 'Cancel')])
    ]);
    document.body.appendChild(dlg);
    dlg.addEventListener('close', function () { dlg.remove(); });
    dlg.showModal();
    var url = c.urls.media + (kind ? '?kind=' + encodeURIComponent(kind) : '');
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (res) {
      grid.textContent = '';
      if (!res.items.length) grid.textContent = 'The media library has no ' + (kind ? kind + 's' : 'files') + ' yet.';
      res.items.forEach(function (item) {
        add(grid, h('button', { type: 'button', class: 'c-media-item', 'data-media-id': item.id, onclick: function () { dlg.close(); pick(item); } }, [
          item.kind === 'image' ? h('img', { src: item.url, alt: '' }) : h('span', { class: 'c-media-icon', text: (item.format || '?').toUpperCase() }),
          h('span', { class: 'c-media-name', text: item.name })
        ]));
      });
    }).catch(function () { grid.textContent = 'The media library could not be loaded.'; });
  };

  // upload sends a file to the media library and picks it.
  Constructor.prototype.upload = function (file, pick) {
    var c = this;
    if (!file) return;
    var body = new FormData();
    body.append('file', file);
    fetch(c.urls.upload, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'application/json', 'X-Requested-With': 'fetch' } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (!res.ok) throw new Error(res.body.message || res.body.detail || 'The upload was refused.');
        // The library answers the new file's ID; the picker gives its link.
        return fetch(c.urls.media + '?id=' + encodeURIComponent(res.body.id), { credentials: 'same-origin' });
      })
      .then(function (r) { return r.json(); })
      .then(function (res) { pick(res.items[0]); })
      .catch(function (e) {
        c.banner.hidden = false;
        c.banner.querySelector('span').textContent = e.message;
      });
  };

  // ---- public

  K.Constructor = Constructor;
  K.h = h;
  K.add = add;
  K.sub = sub;
  K.clean = clean;
  K.chars = chars;
  K.parsePath = parsePath;
  K.insertText = insertText;
  K.closeMenus = closeMenus;

  // start makes a constructor of every [data-constructor] once the channel
  // scripts have registered.
  function start() {
    document.querySelectorAll('[data-constructor]').forEach(function (el) {
      if (!el.constructorInstance) el.constructorInstance = new Constructor(el);
    });
  }
  // start is also how a page makes constructors of parts it adds later
  // (a broadcast's new chain step).
  K.start = start;
  // Deferred scripts run before DOMContentLoaded, in order: by then every
  // channel has registered.
  document.addEventListener('DOMContentLoaded', start);
  window.addEventListener('load', start);
})();
